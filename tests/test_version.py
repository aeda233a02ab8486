"""The version (issue 17): written once, in ``harness/__init__.py``; the installed metadata,
``harness --version`` and the changelog say the same.

That the reports of an installed wheel say it too is shown, end to end, by
``tests/test_packaging.py``.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest

import harness
from harness.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_pyproject_reads_the_version_from_the_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"]
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["hatch"]["version"] == {"path": "harness/__init__.py"}


def test_the_installed_metadata_has_the_packages_version() -> None:
    # scripts/setup installs the checkout (editable); run it again after changing the version
    assert importlib.metadata.version("aws-contract-harness") == harness.__version__


def test_harness_version_prints_the_metadata_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"harness {importlib.metadata.version('aws-contract-harness')}\n"


def test_the_changelog_opens_with_unreleased_then_the_current_version() -> None:
    headings = re.findall(r"^## (.+)$", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert headings[0] == "[Unreleased]"
    assert re.fullmatch(rf"\[{re.escape(harness.__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}", headings[1]), headings[:2]
