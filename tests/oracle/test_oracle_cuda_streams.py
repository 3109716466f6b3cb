"""ember.cuda's streams and events against PyTorch's (a CPU build: torch.cuda.Stream/Event cannot be made
here, so the comparison is of signatures, of the no-op ``stream(None)`` and of the elapsed-time errors
PyTorch's device-generic ``torch.Event`` raises with the same checks as its CUDA event)."""
from __future__ import annotations

import inspect

import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def _parameters(fn):
    return [(p.name, p.default) for p in inspect.signature(fn).parameters.values() if p.kind != p.VAR_KEYWORD]


@pytest.mark.parametrize("name", ["stream", "set_stream", "current_stream", "default_stream"])
def test_the_functions_take_pytorchs_parameters(name):
    assert _parameters(getattr(ember.cuda, name)) == _parameters(getattr(torch.cuda, name))


def test_the_classes_take_pytorchs_parameters():
    assert _parameters(ember.cuda.Event) == _parameters(torch.cuda.Event.__new__)[1:]  # less cls
    assert _parameters(ember.cuda.Stream) == _parameters(torch.cuda.Stream.__new__)[1:]
    assert _parameters(ember.cuda.StreamContext) == _parameters(torch.cuda.StreamContext.__init__)[1:]
    for name in ("wait_event", "wait_stream", "record_event", "query", "synchronize"):
        assert _parameters(getattr(ember.cuda.Stream, name)) == _parameters(getattr(torch.cuda.Stream, name))
    for name in ("record", "wait", "query", "synchronize", "elapsed_time"):
        assert _parameters(getattr(ember.cuda.Event, name)) == _parameters(getattr(torch.cuda.Event, name))


def test_a_none_stream_context_is_a_no_op_as_pytorchs():
    for cuda in (ember.cuda, torch.cuda):
        context = cuda.StreamContext(None)
        assert context.idx == (cuda.current_device() if cuda.is_available() else -1)  # -1 without a GPU
        with cuda.stream(None):
            pass
        cuda.set_stream(None)


def _error(fn):
    with pytest.raises(Exception) as caught:
        fn()
    return type(caught.value), str(caught.value)


@pytest.mark.parametrize("timing", [(False, False), (True, False), (False, True)])
def test_elapsed_time_without_timing_is_pytorchs_error(timing):
    first, second = timing
    expected = _error(lambda: torch.Event(enable_timing=first).elapsed_time(torch.Event(enable_timing=second)))
    assert _error(lambda: ember.cuda.Event(enable_timing=first).elapsed_time(
        ember.cuda.Event(enable_timing=second))) == expected


def test_elapsed_time_of_events_never_recorded_is_pytorchs_error():
    expected = _error(lambda: torch.Event(enable_timing=True).elapsed_time(torch.Event(enable_timing=True)))
    assert _error(lambda: ember.cuda.Event(enable_timing=True).elapsed_time(
        ember.cuda.Event(enable_timing=True))) == expected
