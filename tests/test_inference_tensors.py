"""Inference tensors: only a thread in inference mode makes them, and once every inference_mode block has
closed, tensors are allocated as before (is_inference costs the other ops nothing)."""
from __future__ import annotations

import threading

import ember
from ember import _tensor


def test_allocation_is_plain_again_after_the_blocks_close():
    with ember.inference_mode():
        with ember.inference_mode():
            assert _tensor._new is not object.__new__
        assert _tensor._new is not object.__new__
    assert _tensor._new is object.__new__
    try:
        with ember.inference_mode():
            raise ValueError
    except ValueError:
        pass
    assert _tensor._new is object.__new__


def test_only_the_thread_in_inference_mode_makes_inference_tensors():
    entered, made = threading.Event(), threading.Event()
    results = {}

    def other_thread():
        entered.wait()
        results["other"] = ember.ones(2).is_inference()
        made.set()

    worker = threading.Thread(target=other_thread)
    worker.start()
    with ember.inference_mode():
        entered.set()
        made.wait()
        results["inside"] = ember.ones(2).is_inference()
    worker.join()
    assert results == {"other": False, "inside": True}
