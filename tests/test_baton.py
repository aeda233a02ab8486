"""The run's baton (``harness.engine.baton``): one thread at a time runs engine code, and a
thread hands the baton on only while it waits for an answer, unless it keeps it."""

from __future__ import annotations

import threading

from harness.engine.baton import Baton


def _other_thread(baton: Baton, ran: list[str]) -> threading.Thread:
    def work() -> None:
        with baton.held():
            ran.append("other")

    return threading.Thread(target=work)


def test_while_the_holder_waits_another_thread_runs_and_the_holder_goes_on_after() -> None:
    baton, ran = Baton(), []
    with baton.held():
        other = _other_thread(baton, ran)
        other.start()
        with baton.waiting():
            other.join(timeout=10)
            assert ran == ["other"], "the other thread ran while the holder waited"
        ran.append("holder")
    assert ran == ["other", "holder"]


def test_no_other_thread_runs_while_the_holder_runs() -> None:
    baton, ran = Baton(), []
    with baton.held():
        other = _other_thread(baton, ran)
        other.start()
        other.join(timeout=0.2)
        assert other.is_alive() and ran == []
        ran.append("holder")
    other.join(timeout=10)
    assert ran == ["holder", "other"]


def test_a_holder_that_keeps_the_baton_keeps_it_through_its_waits() -> None:
    baton, ran = Baton(), []
    with baton.held():
        other = _other_thread(baton, ran)
        other.start()
        with baton.keeps(), baton.waiting():
            other.join(timeout=0.2)
            assert other.is_alive() and ran == []
        with baton.waiting():  # kept no longer
            other.join(timeout=10)
    assert ran == ["other"]


def test_a_thread_that_does_not_hold_the_baton_waits_without_it() -> None:
    """A sender thread (one that never took the baton) waits and keeps as it likes: the baton
    is neither handed on by it nor left taken, so another thread still takes it."""
    baton, ran = Baton(), []
    with baton.waiting(), baton.keeps():
        ran.append("sender")
    other = _other_thread(baton, ran)
    other.start()
    other.join(timeout=10)
    assert not other.is_alive() and ran == ["sender", "other"]
