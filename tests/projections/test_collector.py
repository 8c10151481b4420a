"""The cyclic collector's pauses: nested, from several threads, and always undone."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from projections.collector import collector_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_a_pause_turns_the_collector_off_and_back_on_even_when_its_block_fails() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="the block failed"), collector_paused():
        raise RuntimeError("the block failed")
    assert gc.isenabled()


def test_nested_pauses_end_with_the_outer_one() -> None:
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_pauses_of_two_threads_end_with_the_last_of_them() -> None:
    """A thread whose pause ends first does not turn the collector on under another
    thread's pause; the last one to end does."""
    started, first_done, second_done = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def second() -> None:
        with collector_paused():
            started.set()
            first_done.wait(5)
            seen.append(gc.isenabled())
        second_done.set()

    thread = threading.Thread(target=second)
    with collector_paused():
        thread.start()
        assert started.wait(5)
    first_done.set()
    assert second_done.wait(5)
    thread.join(5)
    assert seen == [False]  # the first pause ended while the second was under way
    assert gc.isenabled()
