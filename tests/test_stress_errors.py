"""Issue 6: argument checks, errors and conversions as PyTorch 2.13 gives them (expected classes, messages
and values taken from torch). No numpy exception or warning may reach the user."""

from __future__ import annotations

import importlib.metadata
import re

import numpy as np
import pytest

import ember
from ember.plugins import DeviceType, hookimpl, register_plugin
from ember.plugins.manager import ENTRY_POINT_GROUP, _reset_for_tests


# ----- indexing ------------------------------------------------------------------------------------------
def test_setitem_puts_the_index_dim_where_getitem_does():
    x = ember.zeros(2, 3, 4)
    x[0, :, ember.tensor([0, 1])] = ember.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert x[0].tolist() == [[1.0, 2.0, 0.0, 0.0], [3.0, 4.0, 0.0, 0.0], [5.0, 6.0, 0.0, 0.0]]
    assert x[0, :, ember.tensor([0, 1])].shape == (3, 2)


def test_a_0d_int_tensor_index_selects_like_an_int():
    x = ember.arange(24.0).reshape(2, 3, 4)
    assert x[ember.tensor(1), :, [0, 1]].shape == (3, 2)
    view = x[ember.tensor(1)]
    view[0, 0] = -1.0
    assert x[1, 0, 0].item() == -1.0


def test_setitem_value_that_does_not_broadcast():
    x = ember.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(3\) must match the existing size "
                                           r"\(4\) at non-singleton dimension 0.  Target sizes: \[3\].  Tensor "
                                           r"sizes: \[4\] \(in setitem\)"):
        x[0] = ember.ones(4)
    with pytest.raises(RuntimeError, match=r"shape mismatch: value tensor of shape \[4\] cannot be broadcast to "
                                           r"indexing result of shape \[2, 3\]"):
        x[ember.tensor([0, 1])] = ember.ones(4)
    assert x.tolist() == [[1.0] * 3] * 2
    x[0] = ember.full((1, 1, 3), 2.0)  # leading size-1 dims are dropped, as in PyTorch
    assert x[0].tolist() == [2.0] * 3


@pytest.mark.parametrize("key", [ember.tensor([0]), [0, 1], ember.tensor([True, False])])
def test_setitem_with_an_advanced_key_requires_matching_dtypes(key):
    x = ember.ones(2, 3)
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match, got "
                                           "Float for the destination and Double for the source"):
        x[key] = ember.ones(3, dtype=ember.float64)
    x[0] = ember.full((3,), 2, dtype=ember.float64)  # a basic key converts
    x[ember.tensor([True, False])] = ember.tensor(3, dtype=ember.int64)  # a masked fill converts
    assert x[0].tolist() == [3.0] * 3


def test_setitem_on_a_leaf_reports_a_bad_int_index_before_the_leaf():
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 2"):
        x[5] = 1.0
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 1"):
        x[ember.tensor([0]), 0] = 1.0
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x[ember.tensor([5])] = 1.0


def test_mask_of_the_wrong_shape_names_the_mask():
    x = ember.ones(2, 3, 4)
    message = (r"The shape of the mask \[2\] at index 0 does not match the shape of the indexed tensor "
               r"\[2, 3, 4\] at index 1")
    with pytest.raises(IndexError, match=message):
        x[:, ember.tensor([True, False])]
    with pytest.raises(IndexError, match=message):
        x[:, ember.tensor([True, False])] = 0.0
    with pytest.raises(IndexError, match=r"mask \[3, 5\] at index 1 .* tensor \[3, 4\] at index 1"):
        x[0, ember.ones(3, 5, dtype=ember.bool)]


def test_out_of_range_tensor_index_in_setitem_is_an_index_error_and_writes_nothing():
    x = ember.zeros(3)
    with pytest.raises(IndexError, match="out of range"):
        x[ember.tensor([0, 5])] = 1.0
    assert x.tolist() == [0.0, 0.0, 0.0]


# ----- factories --------------------------------------------------------------------------------------------
def test_integer_linspace_truncates_as_pytorch():
    assert ember.linspace(0, 10, 5, dtype=ember.int64).tolist() == [0, 2, 5, 7, 10]
    assert ember.linspace(10, 0, 4, dtype=ember.int32).tolist() == [10, 6, 3, 0]
    assert ember.linspace(2.7, 10, 3, dtype=ember.int64).tolist() == [2, 6, 10]
    assert ember.linspace(0, 10, 5, dtype=ember.int64).dtype is ember.int64


def test_logspace():
    assert ember.logspace(0, 2, 3).tolist() == [1.0, 10.0, 100.0]
    assert ember.logspace(0, 3, 4, base=-2.0, dtype=ember.int64).tolist() == [1, -2, 4, -8]
    assert ember.logspace(0, 1, 4, base=2, dtype=ember.int32).tolist() == [1, 1, 1, 2]


def test_integer_arange_truncates_bounds_and_step_as_pytorch():
    assert ember.arange(0, 5, 1.5, dtype=ember.int64).tolist() == [0, 1, 2, 3, 4]
    assert ember.arange(-2.5, 2.5, dtype=ember.int64).tolist() == [-2, -1, 0, 1]
    assert ember.arange(3.7, -2.2, -1.5, dtype=ember.int64).tolist() == [3, 2, 1, 0, -1]
    assert ember.arange(0, 5, 1.5, dtype=ember.int32).tolist() == [0, 1, 2, 3]
    assert ember.arange(0, 1, 0.3, dtype=ember.int32).tolist() == [0, 0, 0, 0]


def test_integer_arange_whose_step_truncates_to_zero_is_refused():
    with pytest.raises(ValueError, match="step must be nonzero"):
        ember.arange(0, 5, 0.5, dtype=ember.int64)
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        ember.arange(0, 5, 0)


@pytest.mark.parametrize("make", [
    lambda: ember.arange(3, dtype=ember.bool),
    lambda: ember.linspace(0, 1, 3, dtype=ember.bool),
    lambda: ember.rand(2, dtype=ember.int64),
    lambda: ember.randn_like(ember.ones(2, dtype=ember.int32)),
    lambda: ember.randperm(3, dtype=ember.bool),
])
def test_factories_refuse_dtypes_they_have_no_kernel_for(make):
    with pytest.raises(NotImplementedError, match="not implemented for"):
        make()


@pytest.mark.parametrize("make, message", [
    (lambda: ember.eye(-1), "n must be greater or equal to 0, got -1"),
    (lambda: ember.eye(2, -3), "m must be greater or equal to 0, got -3"),
    (lambda: ember.zeros(-1), "negative dimension -1"),
    (lambda: ember.empty(2, -3), r"negative dimension -3: \[2, -3\]"),
    (lambda: ember.full((-1,), 2.0), "negative dimension"),
    (lambda: ember.rand(-1), "negative dimension"),
    (lambda: ember.randn(2, -1), "negative dimension"),
    (lambda: ember.randint(3, (-1,)), "negative dimension"),
    (lambda: ember.linspace(0, 1, -1), "number of steps must be non-negative"),
    (lambda: ember.arange(0, -3), "upper bound and lower bound inconsistent with step sign"),
    (lambda: ember.empty(2**62, 4), r"Storage size calculation overflowed with sizes=\[4611686018427387904, 4\]"),
    (lambda: ember.zeros(2**61), "Storage size calculation overflowed"),
    (lambda: ember.eye(2**40), "Storage size calculation overflowed"),
    (lambda: ember.empty(2**40, 2**20), "empty: can't allocate memory"),
    (lambda: ember.full((2,), 1e10, dtype=ember.int32), "value cannot be converted to type int without overflow"),
    (lambda: ember.full((2,), 1e5, dtype=ember.float16), "value cannot be converted to type c10::Half"),
    (lambda: ember.tensor([2**40], dtype=ember.int32), "value cannot be converted to type int32 without overflow"),
    (lambda: ember.tensor([float("nan")], dtype=ember.int64), "value cannot be converted to type int64"),
    (lambda: ember.randint(0, 3, (2,), dtype=ember.bool), "to - 1 is out of bounds for bool"),
])
def test_factory_errors_are_runtime_errors_naming_the_problem(make, message):
    with pytest.raises(RuntimeError, match=message):
        make()


def test_a_size_beyond_int64_is_a_type_error():
    with pytest.raises(TypeError, match="Overflow when unpacking long long"):
        ember.zeros(2**63)


@pytest.mark.parametrize("data, error, message", [
    ([ember.ones(2), ember.ones(2)], ValueError, "only one element tensors can be converted to Python scalars"),
    (["a", "b"], ValueError, "too many dimensions 'str'"),
    ([1, "a"], TypeError, "invalid data type 'str'"),
    ([2**63], ValueError, "Overflow when unpacking long long"),
    (2**64, ValueError, "Overflow when unpacking long long"),
    ([-2**63 - 1], ValueError, "Overflow when unpacking long long"),
    ([[1, 2], [3]], ValueError, r"expected sequence of length 2 at dim 1 \(got 1\)"),
    ([[[1], [2]], [[3], [4, 5]]], ValueError, r"expected sequence of length 1 at dim 2 \(got 2\)"),
    ([[1], 2], TypeError, "not a sequence"),
    ([1, [2]], TypeError, "cannot be interpreted as a number"),
    (None, RuntimeError, "Could not infer dtype of NoneType"),
    ([None], RuntimeError, "Could not infer dtype of NoneType"),
    ({1: 2}, RuntimeError, "Could not infer dtype of dict"),
])
def test_tensor_refuses_data_as_pytorch(data, error, message):
    with pytest.raises(error, match=message):
        ember.tensor(data)


def test_tensor_of_one_element_tensors_takes_their_values_and_dtypes():
    t = ember.tensor([ember.ones(1, 1), ember.tensor(2.0)])
    assert (t.tolist(), t.dtype) == ([1.0, 2.0], ember.float32)
    t = ember.tensor([ember.tensor(1, dtype=ember.int32), ember.tensor(2, dtype=ember.int32)])
    assert (t.tolist(), t.dtype) == ([1, 2], ember.int32)
    assert ember.tensor([ember.tensor(1, dtype=ember.int32), 2.5]).dtype is ember.float32
    assert ember.tensor([2**63 - 1]).tolist() == [2**63 - 1]


def test_tensor_converts_out_of_range_floats_to_inf_silently(recwarn):
    assert ember.tensor([1e10], dtype=ember.float16).tolist() == [float("inf")]
    assert ember.arange(0, 2**40, 2**38, dtype=ember.float16).tolist() == [0.0] + [float("inf")] * 3
    assert not recwarn.list


def test_from_numpy_refuses_negative_strides_and_foreign_byte_order():
    with pytest.raises(ValueError, match="At least one stride in the given numpy array is negative"):
        ember.from_numpy(np.arange(4.0)[::-1])
    with pytest.raises(ValueError, match="byte order different from the native byte order"):
        ember.from_numpy(np.arange(4.0).astype(">f8"))


def test_from_numpy_of_a_read_only_array_warns_as_pytorch():
    array = np.arange(3.0)
    array.flags.writeable = False
    with pytest.warns(UserWarning, match="The given NumPy array is not writable"):
        t = ember.from_numpy(array)
    assert t.tolist() == [0.0, 1.0, 2.0]


# ----- broken third-party backends ---------------------------------------------------------------------------
@pytest.fixture
def fresh_plugins(monkeypatch):
    """A process-fresh plugin state for the test, restored after it."""
    monkeypatch.delenv("EMBER_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    monkeypatch.delenv("EMBER_DISABLED_PLUGINS", raising=False)
    _reset_for_tests()
    yield
    _reset_for_tests()


class UnavailableToy:
    """A plugin whose device type reports itself unavailable."""

    @hookimpl
    def ember_register_devices(self, registry):
        registry.add_device(DeviceType("toy", is_available=lambda: False, device_count=lambda: 1,
                                       synchronize=lambda index: None, new_generator=lambda seed, index: None,
                                       dtypes={"float32"}))


def test_a_backend_reporting_itself_unavailable_says_so_when_used(fresh_plugins):
    register_plugin(UnavailableToy(), "toy")
    with pytest.raises(RuntimeError, match=r"backend 'toy' is installed but unavailable: no toy device is "
                                           r"available \(is_available\(\) returned False\)"):
        ember.zeros(2, device="toy")


def test_a_backend_failing_to_import_shows_its_error_when_used(fresh_plugins, monkeypatch, tmp_path):
    (tmp_path / "ember_toy_backend.py").write_text('raise ImportError("libtoy.so: cannot open shared object")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    real_entry_points = importlib.metadata.entry_points

    def entry_points(**params):
        found = real_entry_points(**params)
        if params.get("group") != ENTRY_POINT_GROUP:
            return found
        toy = importlib.metadata.EntryPoint("toy2", "ember_toy_backend", ENTRY_POINT_GROUP)
        return importlib.metadata.EntryPoints([*found, toy])

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    with pytest.raises(RuntimeError, match="backend 'toy2' is installed but unavailable: ImportError: libtoy.so: "
                                           "cannot open shared object"):
        ember.zeros(2, device="toy2")


def test_an_unknown_device_type_still_gets_pytorchs_message(fresh_plugins):
    with pytest.raises(RuntimeError, match="Expected one of cpu, .* device type at start of device string: nosuch"):
        ember.zeros(2, device="nosuch")


# ----- reductions over nothing ------------------------------------------------------------------------------
@pytest.mark.parametrize("reduce", [lambda x: x.amax(0), lambda x: x.amin((0, 1)), lambda x: x.argmax(0),
                                    lambda x: x.max(0)])
def test_max_min_over_an_empty_dim_is_an_index_error(reduce):
    with pytest.raises(IndexError, match="Expected reduction dim 0 to have non-zero size"):
        reduce(ember.ones(0, 3))


def test_amax_of_no_elements_without_a_dim_is_a_runtime_error():
    with pytest.raises(RuntimeError, match=r"amax\(\): Expected reduction dim to be specified for input.numel"):
        ember.ones(0, 3).amax()
    assert ember.ones(0, 3).amax(1).shape == (0,)


# ----- calls missing their sizes ------------------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda x: x.expand(), 'expand() missing 1 required positional arguments: "size"'),
    (lambda x: x.permute(), 'permute() missing 1 required positional arguments: "dims"'),
    (lambda x: ember.permute(x), 'permute() missing 1 required positional arguments: "dims"'),
    (lambda x: x.view(), 'view() missing 1 required positional arguments: "size"'),
    (lambda x: x.reshape(), 'reshape() missing 1 required positional arguments: "shape"'),
    (lambda x: ember.zeros(), 'zeros() missing 1 required positional arguments: "size"'),
    (lambda x: ember.rand(), 'rand() missing 1 required positional arguments: "size"'),
    (lambda x: x.new_ones(), 'missing 1 required positional arguments: "size"'),
    (lambda x: ember.full(3, 1.0), "full(): argument 'size' (position 1) must be tuple of ints, not int"),
])
def test_calls_without_their_sizes_are_type_errors(call, message):
    with pytest.raises(TypeError, match=re.escape(message)):
        call(ember.ones(2, 3))


def test_empty_size_tuples_still_make_0d_tensors():
    assert ember.zeros(()).shape == () and ember.full((), 2.0).item() == 2.0
    assert ember.ones(()).expand(()).shape == ()
    assert ember.Tensor().shape == (0,)


# ----- .grad ------------------------------------------------------------------------------------------------
def test_reading_grad_of_a_non_leaf_warns_as_pytorch():
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="The .grad attribute of a Tensor that is not a leaf Tensor is being "
                                         "accessed"):
        assert y.grad is None
    y.retain_grad()
    y.sum().backward()
    assert y.grad.tolist() == [1.0, 1.0] and x.grad.tolist() == [2.0, 2.0]


def test_reading_grad_of_a_leaf_or_a_retained_non_leaf_does_not_warn(recwarn):
    x = ember.ones(2, requires_grad=True)
    y = x * 2
    y.retain_grad()
    assert x.grad is None and y.grad is None
    assert not recwarn.list


@pytest.mark.parametrize("value, error, message", [
    (ember.ones(3), RuntimeError, "attempting to assign a gradient of size '[3]' to a tensor of size '[2]'"),
    (ember.ones(2, dtype=ember.float64), RuntimeError,
     "attempting to assign a gradient with dtype 'double' to a tensor with grad_dtype 'Float'"),
    (ember.ones(3, dtype=ember.int64), RuntimeError, "with dtype 'long int'"),
    (3, TypeError, "assigned grad expected to be a Tensor or None but got grad of type int"),
])
def test_grad_assignment_checks_type_dtype_and_size(value, error, message):
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(error, match=re.escape(message)):
        x.grad = value
    assert x.grad is None
    x.grad = ember.full((2,), 5.0)
    assert x.grad.tolist() == [5.0, 5.0]
    x.grad = None
    assert x.grad is None


# ----- losses of integer inputs -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [ember.int64, ember.int32, ember.bool])
@pytest.mark.parametrize("loss", [ember.nn.functional.cross_entropy, ember.nn.functional.nll_loss])
def test_losses_refuse_integer_logits_as_pytorch(loss, dtype):
    with pytest.raises(NotImplementedError, match="not implemented for"):
        loss(ember.ones(2, 3, dtype=dtype), ember.tensor([0, 1]))
