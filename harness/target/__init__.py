"""Targets: where requests go.  One method, :meth:`Transport.send`, so the engine can be
pointed at a URL, at the bundled mock, or (through vcrpy) at recorded cassettes."""

from __future__ import annotations

from harness.target.http import HttpTransport, Transport, TransportFailure

__all__ = ["HttpTransport", "Transport", "TransportFailure"]
