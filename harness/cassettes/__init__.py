"""Cassettes: a conformance run recorded with vcrpy, replayed offline.

``harness run ... --record DIR`` records every exchange of a live run (a transport that keeps
them) and the case of each result the run kept; ``harness run --replay DIR`` judges those
answers again under the current contracts, generating and sending nothing.

A cassette directory (format :data:`FORMAT`)::

    DIR/run.yaml                                  what the replay needs (manifest.py)
    DIR/detective-StartMonitoringMember.yaml      a vcrpy cassette of each operation, in the
    DIR/networkflowmonitor-CreateScope.yaml       order sent, provider-state calls included

Each operation's file is an ordinary vcrpy cassette (format version 1) whose responses carry
more members: ``elapsed`` (seconds, the time the answer took) and, for each exchange the run
kept a result of, ``case``, ``kept`` and ``minimal`` (:mod:`~harness.cassettes.cases`).

The modules, one noun each:

- :mod:`~harness.cassettes.manifest`: ``run.yaml``, the settings and digests of a recording.
- :mod:`~harness.cassettes.filters`: what is taken out of a request or answer before it is written.
- :mod:`~harness.cassettes.cases`: what each recorded exchange was (its case).
- :mod:`~harness.cassettes.persister`: reading and writing cassette files (atomically, through
  vcrpy's serialization: the files are vcrpy's own).
- :mod:`~harness.cassettes.guard`: the socket guard of a replay.
- :mod:`harness.generation.determinism` (used by every run): the same seed makes the same cases in any process.
- :mod:`~harness.cassettes.record`, :mod:`~harness.cassettes.replay`: the two directions
  (:mod:`~harness.cassettes.rejudge`: one recorded exchange judged again).
- :mod:`~harness.cassettes.judge`: one cassette's interactions judged on their own (samples).

Every problem with a cassette is a :class:`~harness.errors.CassetteError` naming the file and
what to do (the command line exits 2).
"""

from __future__ import annotations

from harness.cassettes.guard import NetworkAttempt, no_network
from harness.cassettes.judge import JudgedInteraction, judge_cassette
from harness.cassettes.manifest import FORMAT, MANIFEST_NAME, Manifest
from harness.cassettes.record import Recorder, recording
from harness.cassettes.replay import replay

__all__ = [
    "FORMAT",
    "MANIFEST_NAME",
    "JudgedInteraction",
    "Manifest",
    "NetworkAttempt",
    "Recorder",
    "judge_cassette",
    "no_network",
    "recording",
    "replay",
]
