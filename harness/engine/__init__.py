"""The engine: sends every case of every contract to a target and judges the answers.

- :mod:`.run`: :class:`Engine`, the phases of every operation in turn, and the results document;
- :mod:`.phases`: one module per phase (probes, generated, idempotency, scenarios, isolation);
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
