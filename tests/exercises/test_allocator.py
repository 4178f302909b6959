"""The app keeps freed memory for reuse (glibc): a large array allocated again after one was
freed lands on pages already touched, so it costs no page faults (what made a traced
iteration twice as slow: see exercises/allocator.py). Counts page faults, never time."""
from __future__ import annotations

import platform
import resource

import numpy as np
import pytest

from exercises import allocator

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the tuning is glibc's")


def _faults_of_touching(megabytes: int) -> int:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    block = np.ones(megabytes * 2**20 // 8)  # allocated and every page written
    del block
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


@glibc
def test_a_freed_block_is_reused_without_touching_new_pages(app):
    assert allocator.keep_freed_memory()  # create_app applied it already; again is harmless
    _faults_of_touching(16)  # the heap grows to hold it once
    pages = 16 * 2**20 // 4096
    assert _faults_of_touching(16) < pages // 20  # reused: not 4,096 fresh pages again


def test_the_tuning_changes_no_value(app):
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(300, 200)), rng.normal(size=(200, 100))
    expected = (a @ b).tobytes()
    allocator.keep_freed_memory()
    assert (a @ b).tobytes() == expected
