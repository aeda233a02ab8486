"""`harness report FILE.json... -o FILE.html [--junit FILE.xml]`: rebuild reports from
results files; exit 0 when written, 2 with one clear line when it cannot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import report_fixtures as fx
from junitparser import JUnitXml

from harness.cli import main
from harness.reporting import write_json


def results_file(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    write_json(document, path)
    return path


def test_one_results_file_gives_the_html_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = results_file(tmp_path, "results.json", fx.failing_document())
    out = tmp_path / "report.html"
    assert main(["report", str(results), "-o", str(out)]) == 1  # the gate's status: nonconformant
    html = out.read_text(encoding="utf-8")
    assert '<h1 class="verdict" id="verdict">NONCONFORMANT</h1>' in html
    assert capsys.readouterr().out == (f"nonconformant: 1,196 cases, 41 failed, 3 not exercised; wrote {out}\n")


def test_several_files_merge_into_one_report_and_junit(tmp_path: Path) -> None:
    create = results_file(tmp_path, "create.json", fx.document([fx.create_scope(failing=False)]))
    detective = results_file(tmp_path, "detective.json", fx.document([fx.start_monitoring()]))
    out, junit = tmp_path / "report.html", tmp_path / "junit.xml"
    assert main(["report", str(create), str(detective), "-o", str(out), "--junit", str(junit)]) == 0
    html = out.read_text(encoding="utf-8")
    assert '<h1 class="verdict" id="verdict">CONFORMANT</h1>' in html
    assert "<dt>Merged from</dt><dd>2 results files</dd>" in html
    assert [suite.name for suite in JUnitXml.fromfile(str(junit))] == [fx.CREATE_SCOPE, fx.START_MONITORING]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read results file"),
        ("{not json", "is not a results file (not JSON"),
        ('{"format": "something-else"}', "is not a results file of format harness-results/1"),
        (
            json.dumps({**fx.failing_document(), "operations": [{"id": "x"}]}),
            "does not follow the results format harness-results/1 at /operations/0",
        ),
        (
            json.dumps({**fx.failing_document(), "verdict": "maybe"}),
            "does not follow the results format harness-results/1 at /verdict: 'maybe' is not one of",
        ),
    ],
)
def test_a_file_that_is_not_a_results_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["report", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"harness report: {path}") or err.startswith("harness report: cannot read")
    assert message in err and err.count("\n") == 1
    assert not out.exists()


def test_an_unwritable_output_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = results_file(tmp_path, "results.json", fx.failing_document())
    out = tmp_path / "missing-directory" / "report.html"
    assert main(["report", str(results), "-o", str(out)]) == 2
    assert capsys.readouterr().err.startswith(f"harness report: cannot write {out}:")


def test_an_output_is_required(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = results_file(tmp_path, "results.json", fx.failing_document())
    assert main(["report", str(results)]) == 2
    assert "nothing to write: give --report FILE.html, --junit FILE.xml or --json FILE.json" in capsys.readouterr().err


def test_help_shows_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "harness report results.json -o report.html" in text
    assert "--junit FILE.xml" in text
