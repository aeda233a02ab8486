"""The HTML report: one self-contained page where a person sees in five seconds what is
broken, and where nothing a target or a fuzzer sent can become live markup."""

from __future__ import annotations

import base64
import copy
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import report_fixtures as fx

from harness.reporting import render_html, write_html
from harness.reporting.html import MAX_BROKEN_LISTED, MAX_EXAMPLE_CHARS, UNFOLDED_UP_TO


class Page(HTMLParser):
    """The parsed page: every start tag with its attributes, scripts, styles and text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._in: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag
            (self.scripts if tag == "script" else self.styles).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "style":
            self.styles[-1] += data
        else:
            self.text.append(data)

    def all_text(self) -> str:
        return "".join(self.text)

    def with_class(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for _, attrs in self.tags if name in (attrs.get("class") or "").split()]


@pytest.fixture(scope="module")
def failing_html() -> str:
    return render_html(fx.failing_document())


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return render_html(fx.hostile_document())


@pytest.mark.parametrize(
    "make",
    [fx.failing_document, fx.conformant_document, fx.hostile_document, fx.large_document, fx.many_operations_document],
)
def test_the_test_documents_follow_the_results_schema(make: Any) -> None:
    fx.validate(make())


# --------------------------------------------------------------------------- at the top


def test_the_verdict_is_the_first_heading_big_and_coloured(failing_html: str) -> None:
    page = Page(failing_html)
    first_heading = next(attrs for tag, attrs in page.tags if tag == "h1")
    assert first_heading == {"class": "verdict", "id": "verdict"}
    assert re.search(r'<h1 class="verdict" id="verdict">NONCONFORMANT</h1>', failing_html)
    assert page.with_class("banner-nonconformant")
    assert "<title>NONCONFORMANT" in failing_html


def test_a_conformant_run_says_so_and_that_not_exercised_is_not_a_pass() -> None:
    html = render_html(fx.document([fx.create_scope(failing=False), fx.start_monitoring()]))
    assert '<h1 class="verdict" id="verdict">CONFORMANT</h1>' in html
    assert "3 scenarios could not be exercised, which is not a pass." in html
    assert 'id="broken"' not in html


def test_the_counts_and_the_run_facts_are_at_the_top(failing_html: str) -> None:
    top = Page(failing_html.split('<nav class="toolbar"')[0]).all_text()
    for expected in ("1,196", "cases", "1,155", "passed", "41", "failed", "2", "warnings", "3", "not exercised"):
        assert expected in top
    for label, value in (
        ("Target", fx.TARGET),
        ("Seed", "20260101"),
        ("Duration", "42.7 s"),
        ("Harness", "0.1.0"),
        ("Provider states", "none (state scenarios skipped)"),
        ("Started", "2026-01-01 00:00:00 UTC"),
    ):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in failing_html


def test_a_document_with_only_the_required_members_renders() -> None:
    html = render_html(fx.bare_document())
    assert "<dt>Duration</dt><dd>—</dd>" in html and "<dt>Region</dt>" not in html
    assert '<code class="rule-id">clientToken.pattern</code></td>' in html  # no keywords line


# --------------------------------------------------------------------------- failures first


def test_failures_come_before_the_matrices(failing_html: str) -> None:
    broken = failing_html.index('id="broken"')
    first_group = failing_html.index('class="group group-failure"')
    rules = failing_html.index("Documented rules")
    assert broken < first_group < rules


def test_what_is_broken_lists_each_failure_group_with_its_rule_sentence(failing_html: str) -> None:
    section = failing_html[failing_html.index('id="broken"') : failing_html.index('class="overview"')]
    text = Page(section).all_text()
    assert "What is broken 3 failure groups" in text
    assert re.findall(r'<h3 class="broken-op"><a href="#op-1"><code>([^<]*)</code>', section) == [fx.CREATE_SCOPE]
    assert "37\u00d7" in text and "clientToken with upper-case hex: answered 200, not 400" in text
    assert "Pattern: [a-f0-9]{8}-[a-f0-9]{4}" in text
    assert "100 targets (the documented maximum): answered 500" in text


def test_failing_operations_and_failing_rows_come_first() -> None:
    document = fx.document([fx.start_monitoring(), fx.create_scope(failing=True)])
    html = render_html(document)
    assert html.index('id="op-1"') < html.index("detective:StartMonitoringMember</code></h2>")
    rules_table = html[html.index('class="grid rules"') :]
    rules_table = rules_table[: rules_table.index("</table>")]
    verdicts = re.findall(r'<tr class="row-([a-z-]+)', rules_table)
    assert verdicts == sorted(verdicts, key=["fail", "not-exercised", "pass"].index)
    assert verdicts[:3] == ["fail", "fail", "fail"]


def test_the_operations_table_lists_the_most_failed_cases_first() -> None:
    html = render_html(fx.many_operations_document())
    table = html[html.index('class="overview"') :]
    table = table[: table.index("</table>")]
    listed = re.findall(r'<td><a href="#op-\d+"><code>service(\d+):', table)
    failed = [fx.MANY_FAILED[int(number) - 1] for number in listed]
    assert len(listed) == len(fx.MANY_FAILED)
    assert failed == sorted(fx.MANY_FAILED, reverse=True)
    # the operations below follow the table's order
    headings = re.findall(r'<summary class="op-head">\s*<h2><code>service(\d+):', html)
    assert headings == listed


def test_the_summary_of_a_run_over_many_operations_names_those_with_most_failures() -> None:
    page = Page(render_html(fx.many_operations_document()))
    lead = next(text for text in page.text if "broke the documented contract" in text)
    failing = sum(1 for failed in fx.MANY_FAILED if failed)
    most = [f"service{fx.MANY_FAILED.index(n) + 1}:CreateThing{fx.MANY_FAILED.index(n) + 1}" for n in (40, 30, 25)]
    assert lead == (
        f"{sum(fx.MANY_FAILED)} cases broke the documented contract in {failing} of {len(fx.MANY_FAILED)} "
        f"operations, most in {most[0]}, {most[1]} and {most[2]}."
    )


def test_a_report_of_a_few_operations_shows_each_unfolded(failing_html: str) -> None:
    operations = re.findall(r'<details class="operation [^"]*" id="op-\d+"( open)?>', failing_html)
    assert operations == [" open", " open"]


def test_a_report_of_many_operations_folds_each_to_a_heading_with_its_verdict() -> None:
    html = render_html(fx.many_operations_document())
    assert len(fx.MANY_FAILED) > UNFOLDED_UP_TO
    fold = r'<details class="operation ([^"]*)" id="op-\d+"( open)?>\s*<summary class="op-head">(.*?)</summary>'
    folds = re.findall(fold, html, re.S)
    assert len(folds) == len(fx.MANY_FAILED)
    assert all(not opened for _, opened, _ in folds)
    first_classes, _, first_heading = folds[0]
    assert first_classes == "operation-fail"
    assert "badge-fail" in first_heading and "3 failure groups" in first_heading and "40 failed" in first_heading
    last_classes, _, last_heading = folds[-1]
    assert last_classes == "operation-pass ok" and "badge-pass" in last_heading and "failure group" not in last_heading
    # the links that lead into a fold: the table, "What is broken"; the script opens the fold
    assert re.search(r'<a href="#op-1-f1">', html)
    assert "function reveal(hash)" in Page(html).scripts[0]


def test_the_filter_marks_everything_that_is_not_a_failure(failing_html: str) -> None:
    page = Page(failing_html)
    assert ("input", {"type": "checkbox", "id": "only-failures"}) in page.tags
    hidden_by_filter = page.with_class("ok")
    assert hidden_by_filter, "passing rows are marked for the filter"
    assert all("row-fail" not in (attrs.get("class") or "") for attrs in hidden_by_filter)
    assert not [a for a in page.with_class("group-failure") if "ok" in (a.get("class") or "").split()]
    assert "body.only-failures .ok { display: none !important; }" in page.styles[0]
    # a matrix with no failing row is hidden whole (CreateScope's scenarios), one with failures stays
    matrices = [attrs["class"] for attrs in page.with_class("matrix")]
    assert matrices[:4] == ["matrix", "matrix", "matrix", "matrix ok"]


# --------------------------------------------------------------------------- the matrices


def test_every_documented_rule_is_listed_with_its_sentence_and_both_sides(failing_html: str) -> None:
    operation = fx.create_scope(failing=True)
    for rule in operation["rules"]:
        row = re.search(rf'<code class="rule-id">{re.escape(rule["id"])}</code>.*?</tr>', failing_html, re.S)
        assert row, rule["id"]
        cells = re.findall(r'<td class="num">([\d,]+)</td>', row.group())
        assert cells == [f"{rule['valid_cases']:,}", f"{rule['invalid_cases']:,}", f"{rule['failures']:,}"]
        assert rule["verdict"].replace("-", " ") in row.group()
    assert "`accountId`" not in failing_html  # backticks are set as code
    assert "<code>accountId</code>: a string of exactly 12 ASCII digits." in failing_html


def test_every_documented_status_is_listed_exercised_or_not(failing_html: str) -> None:
    statuses = failing_html[failing_html.index('class="grid statuses"') :]
    statuses = statuses[: statuses.index("</table>")]
    listed = re.findall(r'<span class="status-code">(\d+)</span>', statuses)
    assert listed == ["400", "402", "403", "409", "429", "500"]
    row_409 = re.search(
        r'<tr class="row-not-exercised ok">\s*<td><span class="status-code">409<.*?</tr>', statuses, re.S
    )
    assert row_409 and '<span class="badge badge-not-exercised">not exercised</span>' in row_409.group()
    row_500 = re.search(r'<tr class="row-fail">\s*<td><span class="status-code">500<.*?</tr>', statuses, re.S)
    assert row_500 and "InternalServerException" in row_500.group()


def test_checks_and_scenarios_show_their_verdicts_and_reasons(failing_html: str) -> None:
    assert re.search(r"<code>invalid_rejected</code></td>.*?badge-fail", failing_html, re.S)
    scenario = re.search(r"<td>idempotency</td>.*?</tr>", failing_html, re.S)
    assert scenario
    assert '<span class="badge badge-not-exercised">not exercised</span>' in scenario.group()
    assert "no valid body with a clientToken was generated" in scenario.group()


def test_not_exercised_is_never_shown_as_a_pass(failing_html: str) -> None:
    badges = re.findall(r'<span class="badge badge-([a-z-]+)">([^<]*)</span>', failing_html)
    assert ("not-exercised", "not exercised") in badges
    assert {label for kind, label in badges if kind == "pass"} == {"pass"}
    assert {label for kind, label in badges if kind == "not-exercised"} == {"not exercised"}


# --------------------------------------------------------------------------- failure groups


def test_a_failure_group_shows_the_minimal_request_the_response_and_the_curl(failing_html: str) -> None:
    group = failing_html[failing_html.index('id="op-1-f1"') : failing_html.index('id="op-1-f2"')]
    text = Page(group).all_text()
    assert "invalid_rejected" in text and "clientToken.pattern" in text and "37 cases" in text
    assert "Pattern: [a-f0-9]{8}" in text  # the rule's documentation sentence
    assert "Example 1" in text and "minimal" in text
    assert '"clientToken":"6F2F4B8C-2A7E-4B8E-9C1D-0A1B2C3D4E5F"' in text  # the request body
    assert '"scopeId":"s-1"' in text  # the response body
    assert "HTTP 200" in text
    curl = re.search(r'<pre class="cmd" id="(op-1-f1-e1-curl)">(.*?)</pre>', group, re.S)
    assert curl and Page(curl.group(2)).all_text().startswith("curl -sS -i -X POST 'http://127.0.0.1:8080/scopes'")
    assert f'<button class="copy" type="button" data-copy="{curl.group(1)}">Copy</button>' in group
    assert re.search(r'<details class="example" id="op-1-f1-e1" open>', group)
    assert re.search(r'<details class="example" id="op-1-f1-e2">', group)


def test_secrets_stay_out_even_when_the_document_leaks_them() -> None:
    document = fx.failing_document()
    leaked = document["operations"][0]["failures"][0]["examples"][0]["request"]["headers"]
    leaked["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/x"
    leaked["x-amz-security-token"] = "FwoGZXIvYXdzEXAMPLETOKEN"
    html = render_html(document)
    assert "AKIAIOSFODNN7EXAMPLE" not in html and "FwoGZXIvYXdzEXAMPLETOKEN" not in html
    assert '<th scope="row">Authorization</th><td>&lt;redacted&gt;</td>' in html


def test_body_notes_say_what_was_cut_and_binary_bodies_are_base64() -> None:
    document = fx.failing_document()
    example = document["operations"][0]["failures"][0]["examples"][0]
    example["request"]["body"] = {"text": "a" * 4096, "size": 70_000, "truncated": True}
    example["response"]["body"] = {"base64": base64.b64encode(b"\xff\xfe").decode(), "size": 2, "truncated": False}
    html = render_html(document)
    assert "70,000 bytes in all; the results keep the first 4,096" in html
    assert "not UTF-8; 2 bytes shown as base64" in html and "//4=" in html


# --------------------------------------------------------------------------- safety


def test_the_page_is_self_contained_and_fetches_nothing(failing_html: str) -> None:
    page = Page(failing_html)
    assert not [tag for tag, _ in page.tags if tag in ("link", "img", "iframe", "object", "embed", "base")]
    for tag, attrs in page.tags:
        for name in ("src", "href", "action", "srcset"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (tag, name, value)
    assert "url(" not in page.styles[0] and "@import" not in page.styles[0]
    assert len(page.scripts) == 1 and len(page.styles) == 1


def test_a_content_security_policy_allows_only_the_page_own_script_and_style(failing_html: str) -> None:
    page = Page(failing_html)
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp and csp.startswith("default-src 'none';")

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert f"script-src {digest(page.scripts[0])};" in csp
    assert f"style-src {digest(page.styles[0])};" in csp
    assert "unsafe-inline" not in csp


def test_hostile_strings_are_shown_as_text_and_never_become_markup(hostile_html: str) -> None:
    page = Page(hostile_html)
    assert [tag for tag, _ in page.tags].count("script") == 1
    assert not [tag for tag, _ in page.tags if tag in ("img", "textarea")]
    assert not [(t, n) for t, a in page.tags for n in a if n.startswith("on")]
    assert "data-pwned" not in page.scripts[0] and "PWNED" not in page.scripts[0]
    text = page.all_text()
    assert '<script>document.title="PWNED"' in text  # shown, as text
    assert '"><img src=x onerror=' in text
    assert "{{ 7*7 }}" in text  # not evaluated as a template


def test_control_and_invisible_characters_are_shown_as_escapes(hostile_html: str) -> None:
    assert "\x00" not in hostile_html and "\x1b" not in hostile_html and "\u202e" not in hostile_html
    assert (
        '<span class="esc">\\x00</span><span class="esc">\\x1b</span>[31m<span class="esc">\\u202e</span>'
        in hostile_html
    )


# --------------------------------------------------------------------------- large runs


def test_a_100000_case_run_gives_a_report_of_a_few_megabytes() -> None:
    document = fx.large_document(cases=100_000, groups_per_operation=300)
    html = render_html(document)
    size = len(html.encode("utf-8"))
    assert size < 4_000_000, f"{size:,} bytes"
    assert html.count('class="group group-failure"') == 2 * 200
    assert html.count("100 more failure groups not shown") == 2
    assert html.count('<li>\n      <a href="#op-') == MAX_BROKEN_LISTED == 25  # the list at the top stays short
    assert "… and 375 more failure groups in the operations below." in html
    assert "listed without request and response" in html
    # every shown group's first example comes with its reproduction before any second one
    detailed = re.findall(r'id="(op-\d-f\d+-e\d)-curl"', html)
    assert detailed and all(anchor.endswith("-e1") for anchor in detailed)
    assert MAX_EXAMPLE_CHARS <= 1_000_000


def test_rendering_is_deterministic_and_write_html_writes_the_rendered_page(tmp_path: Path) -> None:
    document = fx.failing_document()
    original = copy.deepcopy(document)
    write_html(document, tmp_path / "report.html")
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == render_html(document)
    assert document == original
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
