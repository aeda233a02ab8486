"""The engine: sends every case of every contract to a target and judges the answers.

- :mod:`.run`: :class:`Engine`, the phases of every operation, and the results document;
- :mod:`.phases`: one module per phase (probes, generated, idempotency, scenarios, isolation);
- :mod:`.chains`: each operation's phases in a thread of its own, beside the others', where the
  isolation phase showed that a state stays with its operation; :mod:`.baton`: one thread at a
  time runs engine code; :mod:`.ahead`: a forked helper drawing every other operation's cases;
- :mod:`.exchange`: one case built, signed, sent and judged; the watch on a silent target;
- :mod:`.operation`: what one operation's phases share; :mod:`.bodies`: the valid bodies the
  stateful phases reuse; :mod:`.tokens`: idempotency tokens; :mod:`.states`: the provider-states
  client; :mod:`.options`: the run's settings and listener.
"""

from __future__ import annotations

from harness.engine.exchange import RunStopped, TargetGone
from harness.engine.options import Listener, RunOptions
from harness.engine.phases.generated import example_database
from harness.engine.run import Engine

__all__ = ["Engine", "Listener", "RunOptions", "RunStopped", "TargetGone", "example_database"]
