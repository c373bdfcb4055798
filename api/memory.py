"""Keep the server's resident memory flat under a thread pool (Linux, glibc)."""

from __future__ import annotations

import ctypes
import ctypes.util

M_ARENA_MAX = -8


def limit_malloc_arenas(count: int = 2) -> bool:
    """glibc gives each thread of the pool its own arena; a few shared ones suffice here."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        return bool(ctypes.CDLL(name).mallopt(M_ARENA_MAX, count))
    except (OSError, AttributeError):
        return False
