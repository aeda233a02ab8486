"""The JSON writer: the results document itself (``harness/schemas/results.schema.json``),
which ``harness report`` reads back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.reporting._files import write_atomically


def write_json(document: Mapping[str, Any], path: Path) -> None:
    """Write ``document`` to ``path`` as indented JSON, atomically (a temporary file in the
    same directory, then a rename): a reader sees the old file or the whole new one.

    Non-ASCII characters are written as ``\\u`` escapes, so any text the target sent (even
    a lone surrogate) round-trips through any JSON reader.
    """
    text = json.dumps(document, indent=2, ensure_ascii=True) + "\n"
    write_atomically(Path(path), text)
