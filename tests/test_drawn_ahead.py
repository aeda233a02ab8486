"""Generation ahead (``harness.engine.ahead``): a helper forked at the start of a run draws every
other operation's valid stream, probes and invalid stream while the engine sends; what it draws
is what the engine would have drawn itself, and where it cannot be forked or dies, the engine
draws it, with the same results.

The runs are made in a fresh Python process: a fork is only made from a process that runs no
other thread, which pytest's own process (with servers in threads) need not be.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from harness.contract import load_contracts
from harness.engine.ahead import DrawnAhead
from harness.engine.baton import Baton
from harness.engine.operation import OperationRun

TESTS = Path(__file__).parent

SCRIPT = """
import json, os, sys, threading
sys.path.insert(0, sys.argv[1])
from fake_target import BASE_URL, CREDENTIALS, STATES_URL, ContractFaithful, FakeTransport
from harness.aws import SigningKey
from harness.contract import load_contracts
from harness.engine import Engine, Listener, RunOptions
import harness.engine.run

forks = []
fork = os.fork
def counted():
    pid = fork()
    if pid:
        forks.append(pid)
    return pid
os.fork = counted

from harness.engine.phases.generated import Generated
draws, parent, draw = [], os.getpid(), Generated._draw
def counted_draw(self, op):
    if os.getpid() == parent:
        draws.append(op.id)
    return draw(self, op)
Generated._draw = counted_draw

def run():
    contracts = list(load_contracts().values())
    results = []
    options = RunOptions(base_url=BASE_URL, key=SigningKey(*CREDENTIALS, "us-east-1"), provider_states=STATES_URL,
                         max_examples=20, concurrency=4)
    transport = FakeTransport(ContractFaithful(contracts))
    document = Engine(contracts=contracts, transport=transport, options=options,
                      listener=Listener(on_result=results.append)).run()
    # in each operation's order: one operation's stateful phases run beside the next one's cases
    cases = sorted(([r.case.operation, r.case.description, r.request.body.decode("utf-8", "replace")]
                    for r in results), key=lambda case: case[0])
    drawn_here = list(draws)
    draws.clear()
    return {"cases": cases, "verdict": document["verdict"], "drawn here": drawn_here}

out = {}
before = len(forks)
out["helper"] = {**run(), "forks": len(forks) - before}

release = threading.Event()
beside = threading.Thread(target=release.wait)
beside.start()
before = len(forks)
out["beside a thread"] = {**run(), "forks": len(forks) - before}
release.set()
beside.join()

def dying(op):
    os._exit(3)
harness.engine.run.drawn_before_any_answer = dying
before = len(forks)
out["dying helper"] = {**run(), "forks": len(forks) - before}

reaped = []
for pid in forks:
    try:
        os.waitpid(pid, os.WNOHANG)
        reaped.append(False)
    except ChildProcessError:
        reaped.append(True)
out["reaped"] = reaped
print(json.dumps(out))
"""


def runs() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(TESTS)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_what_the_helper_draws_is_what_the_engine_draws_itself_and_a_dead_helper_changes_nothing() -> None:
    ran = runs()
    assert ran["helper"]["forks"] == 1, "a process with no other thread forks a helper"
    assert ran["beside a thread"]["forks"] == 0, "no fork beside another thread"
    assert ran["dying helper"]["forks"] == 1
    # every other operation's streams came from the helper; the engine drew the rest itself,
    # and where the helper died after the valid streams, the invalid one as well
    member, scope = "detective:StartMonitoringMember", "networkflowmonitor:CreateScope"
    assert sorted(ran["helper"]["drawn here"]) == [member, member]
    assert sorted(ran["beside a thread"]["drawn here"]) == [member, member, scope, scope]
    assert sorted(ran["dying helper"]["drawn here"]) == [member, member, scope]
    assert len(ran["helper"]["cases"]) > 100
    assert ran["helper"]["verdict"] == ran["beside a thread"]["verdict"] == ran["dying helper"]["verdict"]
    assert ran["helper"]["cases"] == ran["beside a thread"]["cases"], "the helper drew what the engine would"
    assert ran["dying helper"]["cases"] == ran["beside a thread"]["cases"], "the engine drew what the helper did not"
    assert ran["reaped"] == [True, True], "every helper was stopped and reaped by the end of its run"


def test_no_helper_is_forked_for_one_operation_or_beside_another_thread() -> None:
    contracts = list(load_contracts().values())
    ops = [OperationRun.__new__(OperationRun) for _ in contracts]  # never drawn: nothing is forked
    assert DrawnAhead.start(ops[:1], stream=_never, draw=_never, baton=Baton()) is None
    release = threading.Event()
    beside = threading.Thread(target=release.wait)
    beside.start()
    try:
        assert DrawnAhead.start(ops, stream=_never, draw=_never, baton=Baton()) is None
    finally:
        release.set()
        beside.join()


def _never(op: OperationRun) -> Any:
    raise AssertionError("nothing is drawn where no helper is forked")
