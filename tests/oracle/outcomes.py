"""What a call gives in ember or PyTorch, in a form the two can be compared in (shared by the oracle tests
generated from the op registry)."""

from __future__ import annotations

import warnings


def outcome(lib, call):
    """The exception class name `call(lib)` raises (a warning counts as one), or the result's dtype name and
    values."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = call(lib)
            values = result.detach().cpu().numpy()  # a queued device raises a deferred error here
        except Exception as error:
            return type(error).__name__
    return str(result.dtype).rsplit(".", 1)[-1], values


def settled(result):
    """`result`, after raising any error a queued device deferred: PyTorch raises a bad index at the op, a
    queued device at the next synchronisation, which copying each tensor to the host is."""
    for item in result if isinstance(result, (tuple, list)) else (result,):
        if type(item).__module__.startswith("ember"):
            item.cpu()
    return result


def raised(lib, call):
    """The exception `call(lib)` raises (a queued device's deferred one included), or None."""
    try:
        settled(call(lib))
    except Exception as error:  # noqa: BLE001 -- the error is what is compared
        return error
    return None


def same_message(ember_error: BaseException, torch_error: BaseException) -> bool:
    """ember's message is PyTorch's (with `ember.` for `torch.`), up to the op ember names at its end."""
    expected = str(torch_error).replace("torch.", "ember.")
    return str(ember_error) == expected or str(ember_error).startswith(expected + " (in ")


def devices() -> tuple[str, ...]:
    """The devices an oracle test compares on here whatever the default device: the CPU, and opencl where
    ember-opencl finds a working device."""
    try:
        from ember_opencl import device
    except ImportError:
        return ("cpu",)
    return ("cpu", "opencl") if device.discover().devices else ("cpu",)


def assert_same_error(call, ember, torch) -> None:
    """`call(torch)` raises, and `call(ember)` raises an exception of that type with PyTorch's message (see
    `same_message`)."""
    expected = raised(torch, call)
    assert expected is not None, "PyTorch raised nothing"
    got = raised(ember, call)
    assert isinstance(got, type(expected)), f"ember raised {got!r}, PyTorch {expected!r}"
    assert same_message(got, expected), f"ember: {got}\nPyTorch: {expected}"
