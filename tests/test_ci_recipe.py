"""The CI recipes of docs/ (issue 7, item 3), run as CI would run them.

Each recipe is parsed as YAML and its shell commands are run in order, as the CI service
runs them (bash with ``-eo pipefail``), with two adaptations only: the install step is left
out (the harness is installed in this virtual environment, first on PATH) and port 8080
becomes a free one.  The gate must pass against the bundled mock and write the report, the
report must be kept even when the gate fails, and a nonconformant service must fail the job.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.mock.server import serve_in_thread

DOCS = Path(__file__).resolve().parent.parent / "docs"
GITHUB = DOCS / "github-actions.yml"
GITLAB = DOCS / "gitlab-ci.yml"
PORT = "8080"
#: GitHub's shell for a ``run`` step on Linux; GitLab's runner adds the same options.
SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="the recipes wait for the service with curl")


@dataclass
class Recipe:
    """A CI job: its environment, its commands, and the shell scripts it runs them as."""

    env: dict[str, str]
    commands: list[str]  # as written in the recipe
    steps: list[str]  # each run by one shell
    artifacts: list[str] = field(default_factory=list)

    @property
    def gate(self) -> str:
        (gate,) = [command for command in self.commands if command.lstrip().startswith("harness run")]
        return gate


def github_recipe() -> Recipe:
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    job = workflow["jobs"]["conformance"]
    steps = [step["run"] for step in job["steps"] if "run" in step]
    upload = next(step for step in job["steps"] if str(step.get("uses", "")).startswith("actions/upload-artifact@"))
    return Recipe(env=dict(job["env"]), commands=steps, steps=steps, artifacts=upload["with"]["path"].split())


def gitlab_recipe() -> Recipe:
    job = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))["conformance"]
    commands = [*job["before_script"], *job["script"]]
    # GitLab runs before_script and script as one shell script: one step.
    return Recipe(
        env=dict(job["variables"]),
        commands=commands,
        steps=["\n".join(commands)],
        artifacts=list(job["artifacts"]["paths"]),
    )


RECIPES = {"github": github_recipe, "gitlab": gitlab_recipe}


def free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


def adapt(command: str, *, port: str) -> str:
    """The command as run here: no installing, and a free port."""
    lines = [line for line in command.splitlines() if "pip install" not in line]
    return "\n".join(lines).replace(PORT, port)


@dataclass
class Job:
    """Runs steps like a CI job, each in its own process group; ends what they left running."""

    workspace: Path
    env: Mapping[str, str]
    groups: list[int] = field(default_factory=list)

    def step(self, command: str) -> subprocess.CompletedProcess[str]:
        process = subprocess.Popen(
            [*SHELL, command],
            cwd=self.workspace,
            env=dict(self.env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.groups.append(process.pid)
        out, _ = process.communicate(timeout=300)
        return subprocess.CompletedProcess(process.args, process.returncode, out, None)

    def end(self) -> None:
        """Stop the processes the steps left behind (the service started in the background)."""
        for group in self.groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for group in self.groups:
            while time.monotonic() < deadline and _alive(group):
                time.sleep(0.05)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def environment(recipe: Recipe) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(recipe.env)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture
def job(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Job]:
    recipe: Recipe = RECIPES[request.param]()
    running = Job(workspace=tmp_path, env=environment(recipe))
    try:
        yield running
    finally:
        running.end()


# --------------------------------------------------------------------------- running the recipes


@pytest.mark.slow
@pytest.mark.parametrize("job", ["github", "gitlab"], indirect=True)
def test_the_recipe_passes_against_the_bundled_mock_and_writes_the_report(
    job: Job, request: pytest.FixtureRequest
) -> None:
    recipe = RECIPES[request.node.callspec.params["job"]]()
    port = free_port()
    for command in recipe.steps:
        step = job.step(adapt(command, port=port))
        assert step.returncode == 0, f"step failed:\n{command}\n{step.stdout}"
    report = job.workspace / "report.html"
    assert report.read_text(encoding="utf-8").lower().startswith("<!doctype html")
    suites = ET.parse(job.workspace / "junit.xml").getroot()
    assert suites.tag == "testsuites" and int(suites.get("tests", "0")) > 0
    assert int(suites.get("failures", "-1")) == 0
    assert "CONFORMANT" in step.stdout
    for artifact in ("report.html", "junit.xml"):
        assert artifact in recipe.artifacts
        assert (job.workspace / artifact).is_file()


async def answers_500(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A service that fails every request: as nonconformant as it gets."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"message": "internal failure"}'})


@pytest.mark.slow
@pytest.mark.parametrize("job", ["github"], indirect=True)
def test_a_nonconformant_service_fails_the_gate_with_exit_1_and_still_gets_a_report(job: Job) -> None:
    recipe = github_recipe()
    with serve_in_thread(answers_500) as url:
        port = url.rsplit(":", 1)[1]
        step = job.step(adapt(recipe.gate, port=port))
    assert step.returncode == 1, step.stdout
    assert "NONCONFORMANT" in step.stdout
    assert (job.workspace / "report.html").is_file(), "the report to upload exists even when the gate fails"


@pytest.mark.parametrize("recipe", ["github", "gitlab"])
@pytest.mark.parametrize("status", [1, 2])
def test_the_gate_s_exit_status_fails_the_job(recipe: str, status: int, tmp_path: Path) -> None:
    """Whatever the shell does around ``harness run``, its failure is the job's."""
    fake = tmp_path / "bin" / "harness"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\nexit {status}\n")
    fake.chmod(0o755)
    env = dict(os.environ, PATH=f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    gate = RECIPES[recipe]().gate
    process = subprocess.run([*SHELL, gate], cwd=tmp_path, env=env, capture_output=True, timeout=60, check=False)
    assert process.returncode == status


# --------------------------------------------------------------------------- what CI does around it


def test_github_uploads_the_report_even_when_the_gate_failed() -> None:
    workflow = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["conformance"]["steps"]
    upload = next(step for step in steps if str(step.get("uses", "")).startswith("actions/upload-artifact@"))
    assert upload["if"] == "always()"
    assert "report.html" in upload["with"]["path"].split()
    gate = steps.index(next(step for step in steps if "harness run" in step.get("run", "")))
    assert steps.index(upload) > gate


def test_gitlab_keeps_the_report_and_shows_the_junit_xml_even_when_the_gate_failed() -> None:
    artifacts = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))["conformance"]["artifacts"]
    assert artifacts["when"] == "always"
    assert "report.html" in artifacts["paths"]
    assert artifacts["reports"]["junit"] == "junit.xml"


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=["github", "gitlab"])
def test_nothing_hides_a_failure(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for hiding in ("|| true", "|| exit 0", "set +e", "continue-on-error", "allow_failure"):
        assert hiding not in text, f"{path.name} contains {hiding!r}"


@pytest.mark.parametrize("recipe", ["github", "gitlab"])
def test_the_gate_writes_the_html_report_and_junit_xml(recipe: str) -> None:
    gate = RECIPES[recipe]().gate.split()
    assert gate[:2] == ["harness", "run"]
    assert gate[gate.index("--report") + 1] == "report.html"
    assert gate[gate.index("--junit") + 1] == "junit.xml"
    assert "--target" in gate and "--provider-states" in gate


# --------------------------------------------------------------------------- the split run


def split_recipe(name: str) -> tuple[dict[str, str], list[str], list[str]]:
    """The environment, the commands of one part (``{part}`` where the part's number goes) and
    the commands of the job that merges the parts and gates."""
    if name == "github":
        jobs = yaml.safe_load(GITHUB.read_text(encoding="utf-8"))["jobs"]
        part, verdict = jobs["conformance-part"], jobs["conformance-verdict"]
        assert part["strategy"]["matrix"]["part"] == [1, 2, 3]
        assert verdict["needs"] == "conformance-part" and verdict["if"] == "always()"
        steps = [step["run"].replace("${{ matrix.part }}", "{part}") for step in part["steps"] if "run" in step]
        return dict(part["env"]), steps, [step["run"] for step in verdict["steps"] if "run" in step]
    document = yaml.safe_load(GITLAB.read_text(encoding="utf-8"))
    part, verdict = document["conformance-part"], document["conformance-verdict"]
    assert part["parallel"] == 3
    assert verdict["when"] == "always"
    commands = [*part["before_script"], *part["script"]]
    return dict(part["variables"]), ["\n".join(commands)], ["\n".join([*verdict["before_script"], *verdict["script"]])]


@pytest.mark.slow
@pytest.mark.parametrize("recipe", ["github", "gitlab"])
def test_the_split_run_s_parts_merge_into_the_verdict_of_the_whole_run(recipe: str, tmp_path: Path) -> None:
    env, part_steps, verdict_steps = split_recipe(recipe)
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    base.update(env)
    base["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}"
    for part in (1, 2, 3):
        job = Job(workspace=tmp_path, env={**base, "CI_NODE_INDEX": str(part), "CI_NODE_TOTAL": "3"})
        try:
            port = free_port()
            for command in part_steps:
                step = job.step(adapt(command.replace("{part}", str(part)), port=port))
                assert step.returncode == 0, f"part {part} failed:\n{command}\n{step.stdout}"
        finally:
            job.end()
        assert (tmp_path / f"part-{part}.json").is_file()
    verdict = Job(workspace=tmp_path, env=base)
    for command in verdict_steps:
        step = verdict.step(adapt(command, port=free_port()))
        assert step.returncode == 0, f"the verdict failed:\n{command}\n{step.stdout}"
    merged = json.loads((tmp_path / "results.json").read_text())
    whole = tmp_path / "whole.json"
    subprocess.run([sys.executable, "-m", "harness", "run", "--target", "mock", "--quiet", "--json", str(whole)],
                   check=True, capture_output=True, env={**base}, timeout=300)  # fmt: skip
    assert merged["verdict"] == "conformant"
    assert merged["counts"]["cases"] == json.loads(whole.read_text())["counts"]["cases"]
    assert (tmp_path / "report.html").is_file() and (tmp_path / "junit.xml").is_file()
