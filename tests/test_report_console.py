"""The end-of-run summary on the terminal: verdict, counts, each failure group with its
documentation sentence, message and curl; colours only when wanted; nothing a target sent
reaches the terminal raw."""

from __future__ import annotations

import io
import re

import report_fixtures as fx

from harness.reporting import color_wanted, render_console

CURL = "curl -sS -i -X POST 'http://127.0.0.1:8080/scopes' -H 'Content-Type: application/json' --aws-sigv4 " + (
    "'aws:amz:us-east-1:networkflowmonitor' --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" --data-binary '[]'"
)


def small_document() -> dict[str, object]:
    op = fx.create_scope(failing=True)
    op["failures"] = op["failures"][2:]  # only status_documented
    op["warnings"] = []
    return fx.document([op, fx.start_monitoring()], provider_states=None)


def test_the_summary_reads_as_expected() -> None:
    expected = f"""\
NONCONFORMANT  1,196 cases: 1,155 passed, 41 failed, 2 warnings, 3 not exercised
target http://127.0.0.1:8080 · seed 20260101 · 42.7 s · harness 0.1.0

FAIL networkflowmonitor:CreateScope (POST /scopes): 1 failure group
  1. status_documented — 1 case
     message: answered 404, not one of 200, 400, 402, 403, 409, 429, 500
     check:   Every response's status is in the operation's list (SPEC 4.3).
     curl:    {CURL}
  not exercised scenario idempotency: no valid body with a clientToken was generated
  not exercised rules: targetId.union

PASS detective:StartMonitoringMember (POST /graph/member/monitoringstate): 406 cases
  not exercised scenario member invited: no --provider-states URL was given
  not exercised scenario graph member limit reached: no --provider-states URL was given
"""
    assert render_console(small_document(), color=False) == expected


def test_a_group_on_a_rule_shows_the_rule_sentence() -> None:
    text = render_console(fx.failing_document(), color=False)
    assert "  1. invalid_rejected on rule clientToken.pattern — 37 cases\n" in text
    assert "     doc:     Pattern: [a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}\n" in text
    assert "  warning answer_time: answered after 6.2 s (2 cases)\n" in text


def test_a_document_with_only_the_required_members_is_summarised() -> None:
    assert render_console(fx.bare_document(), color=False).splitlines()[1] == (
        "target http://127.0.0.1:8080 · seed 20260101 · — · harness 0.1.0"
    )


def test_colour_only_when_asked() -> None:
    plain = render_console(fx.failing_document(), color=False)
    coloured = render_console(fx.failing_document(), color=True)
    assert "\x1b[" not in plain
    assert coloured.startswith("\x1b[1;31mNONCONFORMANT\x1b[0m")
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
    assert render_console(fx.conformant_document(), color=True).startswith("\x1b[1;32mCONFORMANT\x1b[0m")


def test_nothing_a_target_sent_reaches_the_terminal_raw() -> None:
    text = render_console(fx.hostile_document(), color=False)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", text)
    assert "\\x00\\x1b[31m\\u202e" in text


def test_long_curl_commands_are_cut() -> None:
    text = render_console(fx.failing_document(), color=False)
    line = next(line for line in text.splitlines() if "100 targets" not in line and "curl:" in line and "…" in line)
    assert line.endswith("… (cut; the whole command is in the reports)")
    assert len(line) < 2_100


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_colour_is_wanted_on_a_terminal_unless_no_color_is_set() -> None:
    assert color_wanted(Stream(tty=True), {}) is True
    assert color_wanted(Stream(tty=False), {}) is False
    assert color_wanted(Stream(tty=True), {"NO_COLOR": "1"}) is False
    assert color_wanted(Stream(tty=True), {"NO_COLOR": ""}) is True  # no-color.org: set and non-empty
    assert color_wanted(Stream(tty=True), {"TERM": "dumb"}) is False
