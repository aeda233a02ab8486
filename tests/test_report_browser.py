"""The HTML report in a real browser (Debian's headless chromium): the verdict and the
failing rules are on the page after its script ran, the filter works, nothing hostile ran,
and a screenshot is taken.  `scripts/setup` installs chromium; without it these tests fail."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
import report_fixtures as fx

from harness.reporting import write_html

pytestmark = pytest.mark.browser

TIMEOUT_S = 60
WINDOW = (1280, 2000)


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is not installed: run scripts/setup (as root it installs Debian's chromium package)")
    return path


def browse(chromium: str, tmp_path: Path, page: Path, *action: str, fragment: str = "") -> str:
    """Run headless chromium on ``page`` once; its standard output."""
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        *action,
        page.resolve().as_uri() + fragment,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("report") / "report.html"
    write_html(fx.hostile_document(), page)
    return page


def body_tag(dom: str) -> str:
    match = re.search(r"<body[^>]*>", dom)
    assert match, dom[:500]
    return match.group()


def test_the_verdict_and_the_failing_rules_are_on_the_page(chromium: str, tmp_path: Path, hostile_page: Path) -> None:
    dom = browse(chromium, tmp_path, hostile_page, "--dump-dom")
    assert '<h1 class="verdict" id="verdict">NONCONFORMANT</h1>' in dom
    for rule in ("tags.value.length", "clientToken.pattern", "targets.items"):
        assert re.search(rf'<tr class="row-fail">\s*<td><code class="rule-id">{re.escape(rule)}</code>', dom), rule
    assert '<nav class="toolbar" id="toolbar">' in dom  # the script ran and showed the toolbar


def test_nothing_hostile_ran(chromium: str, tmp_path: Path, hostile_page: Path) -> None:
    dom = browse(chromium, tmp_path, hostile_page, "--dump-dom")
    assert "data-pwned" not in body_tag(dom)
    assert re.search(r"<title>NONCONFORMANT · harness report</title>", dom)
    assert len(re.findall(r"<script\b", dom)) == 1
    assert not re.search(r"<img\b", dom)
    assert '&lt;script&gt;document.title="PWNED"' in dom  # shown as text


def test_the_only_failures_filter_applies(chromium: str, tmp_path: Path, hostile_page: Path) -> None:
    dom = browse(chromium, tmp_path, hostile_page, "--dump-dom", fragment="#only-failures")
    assert "only-failures" in body_tag(dom)
    assert re.search(r'<input type="checkbox" id="only-failures"[^>]*>', dom)


def test_a_link_into_a_folded_operation_opens_its_fold_alone(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "many.html"
    write_html(fx.many_operations_document(), page)
    dom = browse(chromium, tmp_path, page, "--dump-dom", fragment="#op-3-f1-e1")
    folds = dict(re.findall(r'<details class="operation [^"]*" id="(op-\d+)"( open="")?>', dom))
    assert len(folds) == len(fx.MANY_FAILED)
    assert {anchor for anchor, opened in folds.items() if opened} == {"op-3"}
    assert re.search(r'<details class="example" id="op-3-f1-e1" open="">', dom)


def test_a_screenshot_is_taken(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    write_html(fx.failing_document(), page)
    png = tmp_path / "report.png"
    browse(chromium, tmp_path, page, f"--screenshot={png}")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == WINDOW
    assert len(data) > 50_000, "a page of text and colour, not a blank screen"
