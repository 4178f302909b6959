"""Keep freed memory for reuse instead of handing it back to the kernel at once (glibc only).

A trace allocates a fresh array for every value it records, and frees them when it is done.
glibc serves a block over its mmap threshold (128 KiB at first) with a new mapping and returns
it to the kernel when freed, so the next trace touches brand-new pages again: each first touch
of a 4 KiB page is a page fault. For the (b) network (784-256-128-10, batch 64, Adam) that is
about 4,200 faults and half of the time of a traced iteration, bare numpy included (issue 18:
traced 6.9 → 3.6 ms/iteration, bare numpy 5.4 → 3.1). With the thresholds raised, blocks up to
``MMAP_THRESHOLD`` come from the heap and up to ``TRIM_THRESHOLD`` of free heap is kept mapped,
so a process that traced once traces again on warm pages. The cost: a worker's resident memory
stays near its recent peak (at most ``TRIM_THRESHOLD`` more than it uses).
"""
from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3  # glibc's mallopt parameters
MMAP_THRESHOLD = 64 * 2**20   # blocks below this come from the heap
TRIM_THRESHOLD = 256 * 2**20  # free heap kept mapped for reuse, at most
TOP_PAD = 16 * 2**20          # extra heap asked for at a time


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds for this process; False where there is no glibc
    (another C library, another system), which changes nothing."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return all(mallopt(param, value) == 1 for param, value in (
        (M_MMAP_THRESHOLD, MMAP_THRESHOLD), (M_TRIM_THRESHOLD, TRIM_THRESHOLD),
        (M_TOP_PAD, TOP_PAD)))
