"""One run over many machines (SPEC section 6): ``harness run --shard K/N`` runs a deterministic
part of the run, by operation where there are at least N, else by case within each operation;
``harness report`` merges the parts into the verdict of the whole run, and refuses parts of
different runs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.mock import STATES_PATH, create_app
from harness.mock.server import serve_in_thread

CREDENTIALS = ("AKIDSHARDTESTS000001", "shard-tests-secret-key")


@contextmanager
def mocks() -> Iterator[Callable[[], str]]:
    """A function giving a new mock's URL each time (every part has a target of its own), with
    the credentials the mocks accept in the environment."""
    with ExitStack() as stack, pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS[0])
        patch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS[1])

        def start() -> str:
            return stack.enter_context(serve_in_thread(create_app(credentials=CREDENTIALS)))

        yield start


@pytest.fixture
def fresh_mock() -> Iterator[Callable[[], str]]:
    with mocks() as start:
        yield start


def run(url: str, path: Path, *extra: str) -> dict[str, Any]:
    code = main(
        ["run", "--target", url, "--provider-states", url + STATES_PATH, "--max-examples", "12", "--quiet",
         "--json", str(path), *extra]
    )  # fmt: skip
    document: dict[str, Any] = json.loads(path.read_text())
    assert code == (1 if document["verdict"] == "nonconformant" else 0)
    return document


def whole_of(document: dict[str, Any]) -> dict[str, Any]:
    """What the parts together must equal: the verdict, the cases, every rule's sides, the
    statuses exercised and the scenarios' verdicts."""
    return {
        "verdict": document["verdict"],
        "cases": document["counts"]["cases"],
        "operations": {
            op["id"]: {
                "cases": op["counts"]["cases"],
                "rules": [(r["id"], r["valid_cases"], r["invalid_cases"], r["verdict"]) for r in op["rules"]],
                "statuses": [(s["status"], s["verdict"]) for s in op["statuses"]],
                "scenarios": sorted((s["name"], s["verdict"]) for s in op["scenarios"]),
            }
            for op in document["operations"]
        },
    }


@pytest.mark.parametrize(
    ("operations", "parts", "by"),
    [([], 3, "case"), ([], 2, "operation")],
    ids=["three-parts-by-case", "two-parts-by-operation"],
)
def test_the_parts_merged_are_the_whole_run(
    operations: list[str], parts: int, by: str, fresh_mock: Any, tmp_path: Path
) -> None:
    whole = run(fresh_mock(), tmp_path / "whole.json")
    files = []
    for part in range(1, parts + 1):
        files.append(tmp_path / f"part-{part}.json")
        document = run(fresh_mock(), files[-1], "--shard", f"{part}/{parts}")
        assert document["shard"]["index"] == part
        assert document["shard"]["by"] == by
    merged = tmp_path / "merged.json"
    assert main(["report", *map(str, files), "--json", str(merged), "--report", str(tmp_path / "all.html")]) == 0
    assert whole_of(json.loads(merged.read_text())) == whole_of(whole)


def test_a_part_sends_only_its_share(fresh_mock: Any, tmp_path: Path) -> None:
    whole = run(fresh_mock(), tmp_path / "whole.json")
    first = run(fresh_mock(), tmp_path / "first.json", "--shard", "1/3")
    assert 0 < first["counts"]["cases"] < whole["counts"]["cases"] / 2


@pytest.mark.parametrize("shard", ["3/2", "0/2", "2", "a/b"])
def test_a_shard_that_is_not_k_of_n_exits_2(shard: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        raise SystemExit(main(["run", "--target", "mock", "--shard", shard]))
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert "--shard" in err and "Traceback" not in err


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    with mocks() as fresh_mock:
        yield _parts(fresh_mock, tmp_path_factory.mktemp("parts"))


def _parts(fresh_mock: Callable[[], str], tmp_path: Path) -> dict[str, Path]:
    made = {}
    for name, extra in {
        "1": ["--shard", "1/2"],
        "2": ["--shard", "2/2"],
        "2-other-seed": ["--shard", "2/2", "--seed", "5"],
        "2-other-checks": ["--shard", "2/2", "--exclude-checks", "answer_time"],
        "whole": [],
    }.items():
        made[name] = tmp_path / f"{name}.json"
        run(fresh_mock(), made[name], *extra)
    return made


@pytest.mark.parametrize(
    ("files", "says"),
    [
        (["1", "2-other-seed"], "parts of different runs: seed 5 against 0"),
        (["1", "2-other-checks"], "parts of different runs: checks_left_out"),
        (["1"], "part 2 of 2 missing"),
        (["1", "1", "2"], "part 1 of 2 is given more than once"),
        (["1", "whole"], "is a whole run, the others parts of a split run"),
    ],
)
def test_harness_report_refuses_what_is_not_the_parts_of_one_run(
    parts: dict[str, Path], files: list[str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", *(str(parts[f]) for f in files), "--json", str(tmp_path / "all.json")]) == 2
    err = capsys.readouterr().err
    assert says in err
    assert "Traceback" not in err
    assert not (tmp_path / "all.json").exists()
