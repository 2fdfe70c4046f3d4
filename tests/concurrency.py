"""Two people at the same moment: run calls in real threads, each on its own database
connection, released together by a barrier (PostgreSQL; SQLite has no row locks to test)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

ROUNDS = 5  # races per test: one interleaving is luck, five make a lock-order bug show


def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and two connections need PostgreSQL")


def race(*calls, timeout: float = 60) -> list[tuple[str, object]]:
    """Run `calls` at once and return one outcome per call, in order: ("ok", return value) or
    ("refused", the ValidationError's message). Any other exception (a deadlock, an
    IntegrityError, a PermissionDenied) or a thread still running after `timeout` seconds fails
    the test."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout)
            outcomes[index] = ("ok", call())
        except ValidationError as exc:
            outcomes[index] = ("refused", "；".join(exc.messages))
        except BaseException as exc:  # noqa: BLE001 - reported below, with its type
            outcomes[index] = ("error", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a call is still waiting (lock never released)"
    failures = [o for o in outcomes if o is None or o[0] == "error"]
    assert not failures, failures
    return outcomes


def kinds(outcomes) -> list[str]:
    """The outcome kinds, sorted: ["ok", "refused"] when exactly one call won."""
    return sorted(kind for kind, _value in outcomes)


def refusals(outcomes) -> list[str]:
    return [value for kind, value in outcomes if kind == "refused"]
