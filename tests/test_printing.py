"""Tensor printing matches PyTorch's, character for character (PyTorch is the oracle)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ember import _tensor_str

torch = pytest.importorskip("torch")

SEED_SIN_OUTPUT = """\
tensor([ 0.0000e+00,  2.5882e-01,  5.0000e-01,  7.0711e-01,  8.6603e-01,
         9.6593e-01,  1.0000e+00,  9.6593e-01,  8.6603e-01,  7.0711e-01,
         5.0000e-01,  2.5882e-01, -8.7423e-08, -2.5882e-01, -5.0000e-01,
        -7.0711e-01, -8.6603e-01, -9.6593e-01, -1.0000e+00, -9.6593e-01,
        -8.6603e-01, -7.0711e-01, -5.0000e-01, -2.5882e-01,  1.7485e-07],
       grad_fn=<SinBackward0>)"""


def torch_str(tensor) -> str:
    """PyTorch's text with ember's dtype names, which is what ember must print."""
    return str(tensor).replace("torch.", "ember.")


def ember_str(tensor, default_float: str = "float32") -> str:
    """ember's text for the same values and metadata as a PyTorch tensor."""
    grad_fn = tensor.grad_fn
    return _tensor_str.format_tensor(
        tensor.detach().numpy(),
        dtype_name=str(tensor.dtype).removeprefix("torch."),
        device="cpu",
        grad_fn_name=None if grad_fn is None else type(grad_fn).__name__,
        requires_grad=tensor.requires_grad,
        default_float=default_float,
    )


@contextlib.contextmanager
def printoptions(**options) -> Iterator[None]:
    """The same print options in PyTorch and ember for the block, then both back to the defaults."""
    torch.set_printoptions(**options)
    _tensor_str.set_printoptions(**options)
    try:
        yield
    finally:
        torch.set_printoptions(profile="default")
        _tensor_str.set_printoptions(profile="default")


def _random(*shape: int, dtype: str = "float32") -> np.ndarray:
    return np.random.default_rng(sum(shape) + len(shape)).standard_normal(shape).astype(dtype)


FIXED_CASES: dict[str, Callable[[], np.ndarray]] = {
    "whole_floats": lambda: np.array([1.0, 2.0], np.float32),
    "scalar_fraction": lambda: np.array(1 / 3, np.float32),
    "fraction_and_zeros": lambda: np.array([-2 / 3, 0.0, 0.0], np.float32),
    "negative_zero_fixed": lambda: np.array([-0.0, 0.5], np.float32),
    "negative_zero_whole": lambda: np.array([-0.0, 1.0], np.float32),
    "scalar_negative_zero": lambda: np.array(-0.0, np.float32),
    "all_zeros": lambda: np.zeros(4, np.float32),
    "nan_inf_with_fraction": lambda: np.array([np.nan, np.inf, -np.inf, 1.5], np.float32),
    "nan_inf_with_whole": lambda: np.array([np.nan, -np.inf, 100.0], np.float32),
    "only_nonfinite": lambda: np.array([np.nan, np.inf, -np.inf], np.float32),
    "zero_and_nan": lambda: np.array([0.0, np.nan], np.float32),
    "scalar_nan": lambda: np.array(np.nan, np.float32),
    "scalar_inf": lambda: np.array(-np.inf, np.float64),
    "large_magnitudes": lambda: np.array([1.5e10, -2.25e9], np.float32),
    "large_whole_floats": lambda: np.array([1e9, 1.0], np.float64),
    "tiny_magnitudes": lambda: np.array([1e-5, -2.5e-7], np.float32),
    "wide_range": lambda: np.array([1.0, 1234.5], np.float32),
    "range_just_under_sci": lambda: np.array([0.5, 499.0, 1.5], np.float32),
    "huge_and_tiny_float64": lambda: np.array([1e300, 1e-300, -5e-324], np.float64),
    "float64_fixed": lambda: _random(7, dtype="float64"),
    "float16": lambda: np.array([1.5, 3e-5, 60000.0, -0.1], np.float16),
    "float16_whole": lambda: np.array([1.0, -2048.0], np.float16),
    "bool_vector": lambda: np.array([True, False]),
    "bool_scalar": lambda: np.array(True),
    "bool_matrix": lambda: np.array([[True, False, True], [False, False, True]]),
    "int64_vector": lambda: np.arange(10, dtype=np.int64),
    "int64_negative_wide": lambda: np.array([-123456789, 5, 0], np.int64),
    "int32_vector": lambda: np.array([1, -2, 300], np.int32),
    "int32_scalar": lambda: np.array(7, np.int32),
    "int64_scalar": lambda: np.array(-3, np.int64),
    "matrix": lambda: _random(3, 4),
    "matrix_whole": lambda: np.arange(12, dtype=np.float32).reshape(3, 4),
    "cube": lambda: _random(2, 3, 4),
    "four_dims": lambda: _random(2, 2, 2, 3),
    "one_by_one": lambda: np.ones((1, 1, 1), np.float32),
    "wrapped_vector": lambda: np.arange(40, dtype=np.float32) * 0.37,
    "wrapped_sci_vector": lambda: _random(30) * 1e6,
    "wrapped_nested": lambda: _random(2, 3, 30),
    "wrapped_int_matrix": lambda: np.arange(90, dtype=np.int64).reshape(3, 30) * 1001,
    "summarised_vector_int": lambda: np.arange(2000, dtype=np.int64),
    "summarised_vector_float": lambda: np.linspace(-1.0, 1.0, 1001, dtype=np.float32),
    "summarised_cube": lambda: _random(10, 10, 20),
    "summarised_tall": lambda: _random(1001, 2),
    "summarised_wide": lambda: _random(2, 600),
    "summarised_format_from_edges_only": lambda: np.concatenate(
        [np.ones(3), np.full(1000, 1e-9), np.ones(3)]
    ).astype(np.float32),
    "empty_vector": lambda: np.zeros(0, np.float32),
    "empty_vector_int64": lambda: np.zeros(0, np.int64),
    "empty_vector_float64": lambda: np.zeros(0, np.float64),
    "empty_matrix": lambda: np.zeros((0, 3), np.float32),
    "empty_matrix_float64": lambda: np.zeros((0, 3), np.float64),
    "empty_cube_bool": lambda: np.zeros((2, 0, 4), np.bool_),
}


@pytest.mark.parametrize("name", FIXED_CASES)
def test_fixed_case_prints_like_torch(name):
    tensor = torch.from_numpy(FIXED_CASES[name]())
    assert ember_str(tensor) == torch_str(tensor)


def test_seed_sin_example_prints_scientific_with_grad_fn():
    angles = torch.linspace(0.0, 2.0 * math.pi, steps=25, requires_grad=True)
    result = torch.sin(angles)
    assert ember_str(result) == SEED_SIN_OUTPUT == torch_str(result)


@pytest.mark.parametrize("length", range(1, 13))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_requires_grad_suffix_wraps_like_torch(length, dtype):
    leaf = torch.from_numpy(np.linspace(-1.0, 1.0, length).astype(dtype)).requires_grad_()
    assert ember_str(leaf) == torch_str(leaf)


@pytest.mark.parametrize("shape", [(), (5,), (3, 9), (2, 2, 8)])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_grad_fn_suffix_follows_dtype_like_torch(shape, dtype):
    result = torch.from_numpy(_random(*shape, dtype=dtype)).requires_grad_() * 1
    assert ember_str(result) == torch_str(result)


def test_device_comes_before_dtype_and_requires_grad():
    text = _tensor_str.format_tensor(
        np.array([1.0, 2.0]), dtype_name="float64", device="cuda:0", grad_fn_name=None, requires_grad=True
    )
    assert text == "tensor([1., 2.], device='cuda:0', dtype=ember.float64, requires_grad=True)"


def test_cpu_device_is_not_shown():
    text = _tensor_str.format_tensor(
        np.array([1, 2]), dtype_name="int64", device="cpu", grad_fn_name=None, requires_grad=False
    )
    assert text == "tensor([1, 2])"


@pytest.mark.parametrize(
    "values",
    [np.array([1.5, 2.0], np.float32), np.array([1.5, 2.0]), np.zeros(0, np.float32), np.zeros(0)],
    ids=["float32", "float64", "empty_float32", "empty_float64"],
)
def test_dtype_shown_against_the_default_float_dtype(values):
    torch.set_default_dtype(torch.float64)
    try:
        tensor = torch.from_numpy(values)
        assert ember_str(tensor, default_float="float64") == torch_str(tensor)
    finally:
        torch.set_default_dtype(torch.float32)


OPTION_CASES = {
    "precision_2": ({"precision": 2}, lambda: _random(3, 4)),
    "precision_2_sci": ({"precision": 2}, lambda: np.array([1e-6, 3.14159], np.float32)),
    "precision_0": ({"precision": 0}, lambda: np.array([0.4, 2.6], np.float32)),
    "precision_8": ({"precision": 8}, lambda: np.array([1 / 3, -2.0])),
    "threshold_5": ({"threshold": 5}, lambda: np.arange(10, dtype=np.int64)),
    "threshold_5_matrix": ({"threshold": 5}, lambda: _random(8, 8)),
    "edgeitems_1": ({"threshold": 10, "edgeitems": 1}, lambda: _random(4, 5, 6)),
    "edgeitems_0_summarised": ({"threshold": 10, "edgeitems": 0}, lambda: _random(4, 5)),
    "edgeitems_0_vector": ({"threshold": 10, "edgeitems": 0}, lambda: np.arange(20, dtype=np.float32)),
    "edgeitems_0_small": ({"edgeitems": 0}, lambda: np.array([1.0, 2.5], np.float32)),
    "linewidth_40": ({"linewidth": 40}, lambda: _random(3, 12)),
    "linewidth_tiny": ({"linewidth": 5}, lambda: _random(6)),
    "sci_mode_on": ({"sci_mode": True}, lambda: np.array([1.0, 2.5], np.float32)),
    "sci_mode_on_whole": ({"sci_mode": True}, lambda: np.array([1.0, 20.0], np.float32)),
    "sci_mode_on_zeros": ({"sci_mode": True}, lambda: np.zeros(3, np.float32)),
    "sci_mode_off": ({"sci_mode": False}, lambda: np.array([1e-8, 1e9], np.float32)),
    "sci_mode_off_whole": ({"sci_mode": False}, lambda: np.array([1e12, 3.0])),
    "profile_short": ({"profile": "short"}, lambda: _random(5, 3000)),
    "profile_full": ({"profile": "full"}, lambda: np.arange(1200, dtype=np.int64)),
    "profile_with_override": ({"profile": "short", "precision": 5}, lambda: _random(7)),
}


@pytest.mark.parametrize("name", OPTION_CASES)
def test_printoptions_apply_like_torch(name):
    options, make_values = OPTION_CASES[name]
    tensor = torch.from_numpy(make_values())
    with printoptions(**options):
        assert ember_str(tensor) == torch_str(tensor)


def test_printoptions_defaults_match_torch():
    assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()


@pytest.mark.parametrize(
    "calls",
    [
        [{"profile": "full"}],
        [{"profile": "short", "linewidth": 100}],
        [{"sci_mode": True}, {"precision": 3}],
        [{"threshold": 7, "edgeitems": 1}, {"profile": "default"}],
    ],
    ids=["full", "short_override", "sci_mode_reset_by_next_call", "profile_resets"],
)
def test_set_printoptions_updates_options_like_torch(calls):
    try:
        for options in calls:
            torch.set_printoptions(**options)
            _tensor_str.set_printoptions(**options)
        assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    finally:
        torch.set_printoptions(profile="default")
        _tensor_str.set_printoptions(profile="default")


DTYPES = ["float16", "float32", "float64", "int32", "int64", "bool"]


@st.composite
def host_arrays(draw) -> np.ndarray:
    """Arrays up to 3-D over several magnitudes, with whole numbers, zeros and non-finite values mixed in."""
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if dtype == "bool":
        return np.asarray(rng.random(shape) < 0.5)
    if dtype.startswith("int"):
        bound = 10 ** draw(st.integers(0, 9))
        return np.asarray(rng.integers(-bound, bound, size=shape, endpoint=True), dtype=dtype)
    largest_exponent = 4 if dtype == "float16" else 12
    exponent = draw(st.integers(-largest_exponent, largest_exponent))
    values = np.asarray(rng.standard_normal(shape) * 10.0**exponent)
    if draw(st.booleans()):
        values = np.asarray(np.round(values))
    special = draw(st.sampled_from([None, 0.0, -0.0, np.nan, np.inf, -np.inf]))
    if special is not None and values.size:
        values.flat[rng.integers(0, values.size)] = special
    return values.astype(dtype)


@settings(max_examples=300, deadline=None)
@given(values=host_arrays(), autograd=st.sampled_from(["none", "leaf", "grad_fn"]))
def test_generated_arrays_print_like_torch(values, autograd):
    tensor = torch.from_numpy(values)
    if tensor.is_floating_point() and autograd == "leaf":
        tensor = tensor.requires_grad_()
    elif tensor.is_floating_point() and autograd == "grad_fn":
        tensor = tensor.requires_grad_() * 1
    assert ember_str(tensor) == torch_str(tensor)


@settings(max_examples=150, deadline=None)
@given(
    values=host_arrays(),
    precision=st.integers(0, 8),
    threshold=st.integers(1, 1200),
    edgeitems=st.integers(0, 4),
    linewidth=st.integers(10, 120),
    sci_mode=st.sampled_from([None, True, False]),
)
def test_generated_arrays_print_like_torch_under_printoptions(
    values, precision, threshold, edgeitems, linewidth, sci_mode
):
    tensor = torch.from_numpy(values)
    options = {
        "precision": precision,
        "threshold": threshold,
        "edgeitems": edgeitems,
        "linewidth": linewidth,
        "sci_mode": sci_mode,
    }
    with printoptions(**options):
        assert ember_str(tensor) == torch_str(tensor)
