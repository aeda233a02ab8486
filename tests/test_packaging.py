"""Installable as users install tools (issue 17): the wheel and the sdist, as a user gets them.

``python -m build`` makes the sdist from the checkout and the wheel from that sdist, into a
temporary folder; ``twine check`` reads their metadata.  The wheel is installed into a fresh
virtual environment outside the checkout, with an audit hook (``tests/checkout_guard.py``) in
that environment's site-packages, so every Python process it starts, the harness and the mock
process alike, logs each file it opens and is refused every file under the checkout.  The
harness is then run from a folder outside the checkout: whatever it reads, the contracts,
schemas and report templates among it, is the wheel's.  pip may use its cache and PyPI.
"""

from __future__ import annotations

import email.parser
import json
import os
import shutil
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

import harness

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTION = "aws-contract-harness"
WHEEL_NAME = f"aws_contract_harness-{harness.__version__}-py3-none-any.whl"
SDIST_NAME = f"aws_contract_harness-{harness.__version__}.tar.gz"
CONTRACT_FILES = sorted(path.name for path in (ROOT / "contracts").glob("*.json"))
OPERATIONS = sorted(
    json.loads((ROOT / "contracts" / name).read_bytes())["x-harness"]["operation"] for name in CONTRACT_FILES
)
#: what makes a Python process find code or files elsewhere than in its environment
FOREIGN_VARIABLES = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE")


def _run(command: Sequence[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=240, check=False, **kwargs
    )
    assert completed.returncode == 0, (command, completed.stdout[-3000:], completed.stderr[-3000:])
    return completed


# --------------------------------------------------------------------------- built


@dataclass(frozen=True)
class Built:
    wheel: Path  # built from the sdist, as `python -m build` does
    sdist: Path
    checkout_wheel: Path  # built straight from the checkout (`--wheel`)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("dist")
    assert not out.resolve().is_relative_to(ROOT)
    _run([sys.executable, "-m", "build", "--outdir", out / "release", ROOT])
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", out / "checkout", ROOT])
    assert sorted(path.name for path in (out / "release").iterdir()) == sorted([WHEEL_NAME, SDIST_NAME])
    return Built(
        wheel=out / "release" / WHEEL_NAME,
        sdist=out / "release" / SDIST_NAME,
        checkout_wheel=out / "checkout" / WHEEL_NAME,
    )


def _wheel_metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"aws_contract_harness-{harness.__version__}.dist-info/METADATA").decode("utf-8")
    return email.parser.Parser().parsestr(text)


def _wheel_files(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}


def _package_files() -> dict[str, bytes]:
    """The checkout's ``harness/`` as the wheel should hold it, contracts under ``_contracts``."""
    files = {
        path.relative_to(ROOT).as_posix(): path.read_bytes()
        for path in (ROOT / "harness").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    files.update({f"harness/_contracts/{name}": (ROOT / "contracts" / name).read_bytes() for name in CONTRACT_FILES})
    return files


def test_twine_check_passes_the_wheel_and_the_sdist(built: Built) -> None:
    checked = _run([sys.executable, "-m", "twine", "check", "--strict", built.wheel, built.sdist])
    assert checked.stdout.count("PASSED") == 2, checked.stdout


def test_the_wheel_declares_the_version_the_command_the_plugin_and_the_extras(built: Built) -> None:
    metadata = _wheel_metadata(built.wheel)
    assert metadata["Name"] == DISTRIBUTION
    assert metadata["Version"] == harness.__version__
    assert metadata["Requires-Python"] == ">=3.11"
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert {"schemathesis", "dev"} <= set(metadata.get_all("Provides-Extra") or [])
    assert "schemathesis<5,>=4.32; extra == 'schemathesis'" in (metadata.get_all("Requires-Dist") or [])
    entry_points = _wheel_files(built.wheel)[f"aws_contract_harness-{harness.__version__}.dist-info/entry_points.txt"]
    assert "[console_scripts]\nharness = harness.cli:main" in entry_points.decode()
    assert "[pytest11]\nharness = harness.pytest_plugin" in entry_points.decode()


def test_the_wheel_holds_the_package_with_its_contracts_schemas_and_templates(built: Built) -> None:
    in_wheel = {name: data for name, data in _wheel_files(built.wheel).items() if not name.startswith("aws_contract")}
    expected = _package_files()
    assert sorted(in_wheel) == sorted(expected)  # nothing missing, nothing else (no tests, no cassettes)
    assert in_wheel == expected
    assert {f"harness/_contracts/{name}" for name in CONTRACT_FILES} <= set(in_wheel)
    assert {"harness/schemas/contract.schema.json", "harness/reporting/templates/report.html.j2"} <= set(in_wheel)


def test_the_sdist_builds_the_same_wheel_as_the_checkout(built: Built) -> None:
    # the release wheel was built from the unpacked sdist: identical files mean the sdist
    # holds everything the build reads
    assert _wheel_files(built.wheel) == _wheel_files(built.checkout_wheel)
    with tarfile.open(built.sdist) as archive:
        names = {name.partition("/")[2] for name in archive.getnames()}
    assert {"pyproject.toml", "README.md", "CHANGELOG.md"} <= names
    assert {f"contracts/{name}" for name in CONTRACT_FILES} <= names


# --------------------------------------------------------------------------- installed


@dataclass(frozen=True)
class Installed:
    """The wheel in a fresh virtual environment, and a folder to run it from."""

    venv: Path
    site_packages: Path
    workdir: Path
    log: Path  # the checkout guard's

    def environment(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in FOREIGN_VARIABLES}
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["CHECKOUT_GUARD_ROOT"] = str(ROOT)
        env["CHECKOUT_GUARD_LOG"] = str(self.log)
        return env

    def run(self, *command: str | Path, expect: int = 0) -> subprocess.CompletedProcess[str]:
        """Run ``command`` from the work folder, with a fresh guard log."""
        self.log.unlink(missing_ok=True)
        completed = subprocess.run(
            [str(part) for part in command],
            cwd=self.workdir,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert completed.returncode == expect, (command, completed.stdout[-3000:], completed.stderr[-3000:])
        return completed

    def logged(self) -> list[tuple[str, str, Path]]:
        """``(pid, event, path)`` of each file opened or folder listed since the last run."""
        lines = self.log.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
        return [(pid, event, Path(path)) for pid, event, path in (line.split("\t", 2) for line in lines)]

    def read_from_the_checkout(self) -> list[Path]:
        return [path for _, event, path in self.logged() if event == "refused" or path.is_relative_to(ROOT)]


def _operations_listed(out: str) -> list[str]:
    """The operation ids ``harness list`` shows, from its heading lines (``ID  METHOD PATH  (FILE)``)."""
    return [line.split()[0] for line in out.splitlines() if line.endswith(".json)")]


@pytest.fixture(scope="module")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("installed")
    venv = base / "venv"
    # the base interpreter, not this checkout's .venv: a virtual environment as a user makes one
    python = Path(getattr(sys, "_base_executable", sys.executable))
    _run([python, "-m", "venv", venv])
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN_VARIABLES}
    _run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", built.wheel], env=env, cwd=base)
    site_packages = Path(
        _run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip()
    )
    shutil.copyfile(Path(__file__).with_name("checkout_guard.py"), site_packages / "_checkout_guard.py")
    (site_packages / "_checkout_guard.pth").write_text("import _checkout_guard\n", encoding="utf-8")
    workdir = base / "work"
    workdir.mkdir()
    return Installed(venv=venv, site_packages=site_packages, workdir=workdir, log=base / "guard.log")


def test_the_guard_refuses_the_checkout_to_the_installed_harness(installed: Installed) -> None:
    """The control: the guard is in force in the harness's process, so a clean log means something."""
    listed = installed.run("harness", "list", "--contracts", ROOT / "contracts", expect=2)
    assert "harness list:" in listed.stderr and "Traceback" not in listed.stderr
    assert (ROOT / "contracts").resolve() in installed.read_from_the_checkout()


def test_harness_version_is_the_installed_metadata_version(installed: Installed) -> None:
    shown = installed.run("harness", "--version")
    metadata = installed.run("python", "-c", f"import importlib.metadata as m; print(m.version({DISTRIBUTION!r}))")
    assert shown.stdout == f"harness {harness.__version__}\n"
    assert metadata.stdout == f"{harness.__version__}\n"
    assert installed.read_from_the_checkout() == []


def test_harness_list_shows_the_contracts_of_the_wheel(installed: Installed) -> None:
    listed = installed.run("harness", "list")
    assert _operations_listed(listed.stdout) == OPERATIONS
    assert installed.read_from_the_checkout() == []
    opened = {path for _, event, path in installed.logged() if event == "open"}
    assert {installed.site_packages / "harness" / "_contracts" / name for name in CONTRACT_FILES} <= opened


def test_a_run_against_the_mock_reads_the_wheels_files_and_reports_its_version(installed: Installed) -> None:
    ran = installed.run(
        "harness", "run", "--target", "mock", "--max-examples", "5",
        "--report", "report.html", "--junit", "junit.xml", "--json", "results.json",
    )  # fmt: skip
    version = harness.__version__
    assert ran.stdout.startswith("CONFORMANT ")
    assert f" · harness {version}\n" in ran.stdout
    assert json.loads((installed.workdir / "results.json").read_text("utf-8"))["harness_version"] == version
    properties = ET.parse(installed.workdir / "junit.xml").getroot().iter("property")
    assert {p.get("value") for p in properties if p.get("name") == "harness_version"} == {version}
    page = (installed.workdir / "report.html").read_text("utf-8")
    assert f'<meta name="generator" content="harness {version}">' in page
    assert f"harness {version} · results format" in page

    assert installed.read_from_the_checkout() == []
    package = installed.site_packages / "harness"
    readers: dict[Path, set[str]] = {}
    for pid, event, path in installed.logged():
        if event == "open":
            readers.setdefault(path, set()).add(pid)
    for name in CONTRACT_FILES:  # both the harness and the mock process load the wheel's contracts
        assert len(readers.get(package / "_contracts" / name, set())) == 2, name
    templates = package / "reporting" / "templates"
    wheel_files = [
        package / "schemas" / "contract.schema.json",
        templates / "report.html.j2",
        templates / "report.css",
        templates / "report.js",
    ]
    assert [path for path in wheel_files if path not in readers] == []


def test_another_distributions_contracts_package_beside_the_harness_changes_nothing(installed: Installed) -> None:
    # site-packages/contracts is the folder beside the installed package; a distribution with
    # a top-level `contracts` package (PyContracts has one) puts one there
    neighbour = installed.site_packages / "contracts"
    neighbour.mkdir()
    try:
        (neighbour / "__init__.py").write_text("", encoding="utf-8")
        listed = installed.run("harness", "list")
    finally:
        shutil.rmtree(neighbour)
    assert _operations_listed(listed.stdout) == OPERATIONS
