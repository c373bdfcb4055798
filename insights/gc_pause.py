"""Automatic garbage collection paused while a report is built and drawn.

A monthly report at national size makes ~600 000 short-lived containers (rows, questions,
chart artists). While they live, CPython's cyclic collector walks them again and again: 0.3 to
0.6 s of a 4 to 5 s report at 1 000 000 messages, all of it holding the GIL. Reference counting
frees them either way; the few cycles among them (matplotlib figures) go at the first
collection after the pause. Pauses may overlap (threads): collection resumes when the last one
ends, and only if it was on before the first.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pause:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holders = 0
        self.resume = False


_pause = _Pause()


@contextmanager
def paused_gc() -> Iterator[None]:
    with _pause.lock:
        if _pause.holders == 0:
            _pause.resume = gc.isenabled()
            gc.disable()
        _pause.holders += 1
    try:
        yield
    finally:
        with _pause.lock:
            _pause.holders -= 1
            if _pause.holders == 0 and _pause.resume:
                gc.enable()
