"""The SQLite write turn is handed over in arrival order (a burst of joins must not leave a
few threads waiting many turns), and a waiter that times out leaves the queue."""
from __future__ import annotations

import threading
import time

from exercises.db import FairLock


def _queued(lock: FairLock, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(lock._waiting) < count:
        assert time.monotonic() < deadline, "a thread never queued"
        time.sleep(0.001)


def test_the_lock_goes_to_waiters_in_the_order_they_asked():
    lock = FairLock()
    assert lock.acquire()
    order: list[int] = []

    def worker(n: int) -> None:
        assert lock.acquire(timeout=10)
        order.append(n)
        lock.release()

    threads = []
    for n in range(12):  # each one queued before the next starts: a known arrival order
        thread = threading.Thread(target=worker, args=(n,))
        thread.start()
        _queued(lock, n + 1)
        threads.append(thread)
    lock.release()
    for thread in threads:
        thread.join(10)
    assert order == list(range(12))
    assert lock.acquire(timeout=0.01)  # free again afterwards
    lock.release()


def test_a_waiter_that_times_out_gets_nothing_and_leaves_the_queue():
    lock = FairLock()
    assert lock.acquire()
    got: list[bool] = []
    thread = threading.Thread(target=lambda: got.append(lock.acquire(timeout=0.05)))
    thread.start()
    thread.join(10)
    assert got == [False] and not lock._waiting
    lock.release()
    assert lock.acquire(timeout=0.01)  # the timed-out waiter was not handed the lock
    lock.release()
