"""Collection paused for a report resumes when the last overlapping pause ends, and only if
it was on before."""

from __future__ import annotations

import gc
import threading

import pytest

from insights.gc_pause import paused_gc


@pytest.fixture(autouse=True)
def collection_on():
    gc.enable()
    yield
    gc.enable()


def test_overlapping_pauses_resume_collection_when_the_last_one_ends():
    inside, release = threading.Event(), threading.Event()

    def other_report():
        with paused_gc():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other_report)
    with paused_gc():
        assert not gc.isenabled()
        thread.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other report still runs
    release.set()
    thread.join(10)
    assert gc.isenabled()


def test_a_failing_report_resumes_collection():
    with pytest.raises(ValueError), paused_gc():
        raise ValueError("boom")
    assert gc.isenabled()


def test_collection_switched_off_before_stays_off():
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()
