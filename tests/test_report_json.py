"""The JSON writer: the results document as written by `--json`, written atomically and read
back by `harness report`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import report_fixtures as fx

from harness.errors import UsageError
from harness.reporting import write_json
from harness.result import load_results


def test_the_document_round_trips_through_load_results(tmp_path: Path) -> None:
    document = fx.hostile_document()
    path = tmp_path / "results.json"
    write_json(document, path)
    assert load_results(path) == document
    assert path.read_text(encoding="utf-8").endswith("}\n")


def test_any_text_round_trips_even_a_lone_surrogate(tmp_path: Path) -> None:
    document = fx.failing_document()
    document["operations"][0]["failures"][0]["message"] = "odd \ud800 \x00 é"
    write_json(document, tmp_path / "results.json")
    assert load_results(tmp_path / "results.json") == document


def test_the_file_is_replaced_whole_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text("old", encoding="utf-8")
    write_json(fx.failing_document(), path)
    assert json.loads(path.read_text(encoding="utf-8"))["verdict"] == "nonconformant"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "results.json"
    path.write_text("old", encoding="utf-8")

    def refuse(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(UsageError, match=r"cannot write .*results.json: No space left on device"):
        write_json(fx.failing_document(), path)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_the_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_json(fx.failing_document(), tmp_path / "results.json")
    finally:
        os.umask(umask)
    assert (tmp_path / "results.json").stat().st_mode & 0o777 == 0o644
