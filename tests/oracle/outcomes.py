"""What a call gives in ember or PyTorch, in a form the two can be compared in (shared by the oracle tests
generated from the op registry)."""

from __future__ import annotations

import warnings

import numpy as np


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
    """The devices an oracle test compares on here whatever the default device: the CPU, opencl where
    ember-opencl finds a working device, and the default device when it is another (cuda, cudasim)."""
    import ember

    found = ["cpu"]
    try:
        from ember_opencl import device
    except ImportError:
        pass
    else:
        if device.discover().devices:
            found.append("opencl")
    default = ember.get_default_device().type
    return tuple(found) if default in found else (*found, default)


def assert_same_signs(got, expected, err_msg: str = "") -> None:
    """np.signbit of `got` (ember's) is that of `expected` (PyTorch's on the CPU), a NaN's included only where
    ember's default device makes NaNs as the CPU does: x86 gives inf * 0 and 0 / 0 a negative NaN, a CUDA GPU
    its positive canonical one (PyTorch's CUDA kernels too)."""
    import ember

    got_signs, expected_signs = np.signbit(got), np.signbit(expected)
    if ember.get_default_device().type == "cuda":
        got_signs, expected_signs = got_signs | np.isnan(got), expected_signs | np.isnan(expected)
    np.testing.assert_array_equal(got_signs, expected_signs, err_msg=err_msg)


def assert_same_error(call, ember, torch) -> None:
    """`call(torch)` raises, and `call(ember)` raises an exception of that type with PyTorch's message (see
    `same_message`)."""
    expected = raised(torch, call)
    assert expected is not None, "PyTorch raised nothing"
    got = raised(ember, call)
    assert isinstance(got, type(expected)), f"ember raised {got!r}, PyTorch {expected!r}"
    assert same_message(got, expected), f"ember: {got}\nPyTorch: {expected}"


def assert_same_tree(got, expected, graph: bool = True, rtol: float = 1e-9, atol: float = 1e-12) -> None:
    """ember's result has PyTorch's tree (tuples, lists, dicts), shapes and values and, with `graph`, a graph
    (requires_grad, grad_fn) where PyTorch's has one."""
    if isinstance(expected, (tuple, list)):
        assert type(got) is type(expected) and len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_same_tree(g, e, graph, rtol, atol)
        return
    if isinstance(expected, dict):
        assert isinstance(got, dict) and list(got) == list(expected)
        for key in expected:
            assert_same_tree(got[key], expected[key], graph, rtol, atol)
        return
    assert type(got).__module__.startswith("ember"), f"ember gave {type(got)}"
    assert tuple(got.shape) == tuple(expected.shape)
    if graph:
        assert got.requires_grad == expected.requires_grad
        assert (got.grad_fn is None) == (expected.grad_fn is None)
    np.testing.assert_allclose(got.detach().cpu().numpy(), expected.detach().numpy(), rtol=rtol, atol=atol)
