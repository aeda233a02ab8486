"""The same seed makes the same cases, in whatever process, with whatever modules loaded.

``--seed`` promises the same cases, and a replay regenerates the recorded run's cases and looks
each request up in the cassettes, so generation must depend on nothing but the seed, the
contracts and the code that generates.
Hypothesis (recent versions; checked with 6.170) breaks that: with a small probability per drawn
value, it draws one of the "local constants" it collects from the source of every module outside
site-packages loaded at that moment (``harness.mock`` in a run against the mock, not in a replay;
a module the mock's thread imports halfway through a run), so the same seed gives other bodies in
another process.  :func:`stable_generation` empties that pool for the whole of every run
(``Engine.run``), recorded, replayed or not.

Hypothesis has no public switch for this, so the pool is replaced through
``hypothesis.internal.conjecture.providers`` (a private module).  Where the names are absent (an
older Hypothesis has no such pool; a newer one may rename it), the block runs unchanged, and
``tests/test_cassettes.py`` (a replay in another process) tells.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def stable_generation() -> Iterator[None]:
    """Inside the block, Hypothesis draws no constant from the source of loaded modules."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a Hypothesis without the module
        yield
        return
    original: Any = getattr(providers, "_get_local_constants", None)
    cache: Any = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    constants: Any = getattr(providers, "Constants", None)
    if original is None or cache is None or constants is None:  # pragma: no cover - another Hypothesis
        yield
        return
    empty = constants()
    providers._get_local_constants = lambda: empty  # private: see the module's docstring
    cache.clear()  # values allowed per kind of draw, computed from the pool
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.clear()
