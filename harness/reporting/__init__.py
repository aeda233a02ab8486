"""Writers: turn a results document (``harness/schemas/results.schema.json``) into what
people and CI read.  They read the document only, never the engine.

- :func:`write_html` / :func:`render_html`: one self-contained HTML page.
- :func:`write_junit` / :func:`render_junit`: JUnit XML for CI test viewers.
- :func:`write_json`: the results document itself, written atomically.
- :func:`render_console`: the end-of-run summary for the terminal.
- :func:`merge`: several results documents as one (``harness report a.json b.json``).
"""

from __future__ import annotations

from harness.reporting.console import color_wanted, render_console
from harness.reporting.html import render_html, write_html
from harness.reporting.json_file import write_json
from harness.reporting.junit import render_junit, write_junit
from harness.reporting.merge import merge

__all__ = [
    "color_wanted",
    "merge",
    "render_console",
    "render_html",
    "render_junit",
    "write_html",
    "write_json",
    "write_junit",
]
