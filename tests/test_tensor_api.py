"""Tensor API behaviour as in PyTorch: the default device, conversions, Size/dtype/device reprs, factories
and the Python protocols (len, iteration, `in`, bool, format, hash). Every expectation was checked against
PyTorch 2.13; reprs print `ember.` where PyTorch prints `torch.`."""
from __future__ import annotations

import copy
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import ember as torch


@pytest.fixture
def restore_default_device():
    yield
    torch.set_default_device(None)


# --- default device --------------------------------------------------------------------------------------


def test_default_device_is_cpu():
    assert torch.get_default_device() == torch.device("cpu")


def test_set_default_device_places_new_tensors_there(restore_default_device):
    torch.set_default_device("cpu")
    assert repr(torch.get_default_device()) == "device(type='cpu')"
    assert torch.ones(2).device == torch.device("cpu")


def test_set_default_device_of_an_unknown_type_raises(restore_default_device):
    with pytest.raises(RuntimeError, match="device type at start of device string: foo"):
        torch.set_default_device("foo")
    assert torch.get_default_device() == torch.device("cpu")


def test_default_device_comes_from_the_environment_variable():
    code = "import ember; ember.ones(1)"
    env = {**os.environ, "EMBER_DEFAULT_DEVICE": "foo"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "RuntimeError" in result.stderr and "device string: foo" in result.stderr


# --- conversions to Python and numpy ---------------------------------------------------------------------


def test_item_of_a_one_element_tensor_is_a_python_number():
    value = torch.tensor([[2.5]]).item()
    assert value == 2.5 and type(value) is float
    assert type(torch.tensor([3]).item()) is int


def test_item_of_several_elements_raises():
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        torch.tensor([1.0, 2.0]).item()


def test_tolist_gives_nested_python_lists():
    assert torch.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert torch.tensor(3.5).tolist() == 3.5


def test_float_and_int_of_a_one_element_tensor_convert_its_value():
    assert float(torch.tensor([3])) == 3.0
    assert int(torch.tensor([2.7])) == 2
    assert int(torch.tensor([-2.7])) == -2


@pytest.mark.parametrize("convert", [float, int])
def test_float_and_int_of_several_elements_raise_value_error(convert):
    with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
        convert(torch.tensor([1.0, 2.0]))


def test_numpy_asarray_reads_the_values_and_dtype():
    array = np.asarray(torch.tensor([1.5, 2.5]))
    assert array.dtype == np.float32
    np.testing.assert_array_equal(array, [1.5, 2.5])
    assert np.asarray(torch.tensor([1, 2]), dtype=np.float64).dtype == np.float64


def test_numpy_of_a_tensor_requiring_grad_raises():
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        torch.ones(2, requires_grad=True).numpy()


def test_numpy_asarray_of_a_tensor_requiring_grad_raises():
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        np.asarray(torch.ones(2, requires_grad=True))


# --- dtype and device conversions ------------------------------------------------------------------------


def test_to_dtype_converts_the_values():
    t = torch.tensor([1.7, -2.7]).to(torch.int64)
    assert t.dtype == torch.int64
    assert t.tolist() == [1, -2]


def test_to_another_tensor_takes_its_dtype():
    assert torch.ones(2).to(torch.zeros(1, dtype=torch.float64)).dtype == torch.float64


def test_to_the_current_device_or_dtype_returns_the_tensor_itself():
    t = torch.ones(2)
    assert t.to("cpu") is t
    assert t.to(torch.float32) is t


@pytest.mark.parametrize("method, dtype", [("double", "float64"), ("float", "float32"), ("half", "float16"),
                                           ("long", "int64"), ("int", "int32"), ("bool", "bool")])
def test_dtype_shortcut_methods_convert(method, dtype):
    assert getattr(torch.tensor([0.0, 1.0]), method)().dtype == getattr(torch, dtype)


@pytest.mark.parametrize("dtype, name", [("float32", "FloatTensor"), ("float64", "DoubleTensor"),
                                         ("float16", "HalfTensor"), ("int64", "LongTensor"),
                                         ("int32", "IntTensor"), ("bool", "BoolTensor")])
def test_type_names_the_legacy_tensor_type(dtype, name):
    assert torch.zeros(1, dtype=getattr(torch, dtype)).type() == f"ember.{name}"


def test_type_with_a_dtype_converts():
    assert torch.ones(1).type(torch.float64).dtype == torch.float64


def test_pickle_round_trip_keeps_values_dtype_and_requires_grad():
    t = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64, requires_grad=True)
    restored = pickle.loads(pickle.dumps(t))
    assert restored.dtype == torch.float64 and restored.requires_grad and restored.is_leaf
    np.testing.assert_array_equal(restored.detach().numpy(), [[1.0, 2.0], [3.0, 4.0]])


def test_pickle_round_trip_of_a_non_contiguous_view_keeps_its_values():
    t = torch.arange(6).reshape(2, 3).t()
    assert pickle.loads(pickle.dumps(t)).tolist() == [[0, 3], [1, 4], [2, 5]]


def test_deepcopy_of_a_leaf_has_its_own_storage():
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    clone = copy.deepcopy(t)
    assert clone.requires_grad and clone.is_leaf
    with torch.no_grad():
        clone.add_(10)
    assert t.tolist() == [1.0, 2.0]
    assert clone.tolist() == [11.0, 12.0]


def test_deepcopy_of_a_non_leaf_raises():
    with pytest.raises(RuntimeError, match=r"Only Tensors created explicitly by the user \(graph leaves\) "
                                           r"support the deepcopy protocol"):
        copy.deepcopy(torch.ones(2, requires_grad=True) * 2)


# --- Size, dtype and device ------------------------------------------------------------------------------


def test_size_prints_with_its_dims_as_a_list():
    assert repr(torch.Size([2, 3])) == "ember.Size([2, 3])"
    assert repr(torch.ones(2, 3).shape) == "ember.Size([2, 3])"


def test_size_numel_is_the_product_of_its_dims():
    assert torch.Size([2, 3, 4]).numel() == 24
    assert torch.Size([]).numel() == 1


def test_size_slicing_returns_a_size():
    tail = torch.ones(2, 3, 4).shape[1:]
    assert isinstance(tail, torch.Size)
    assert tail == (3, 4)
    assert torch.ones(2, 3).shape[0] == 2


def test_dtype_repr_and_aliases():
    assert repr(torch.float32) == "ember.float32"
    assert repr(torch.long) == "ember.int64"
    assert torch.float is torch.float32 and torch.double is torch.float64 and torch.half is torch.float16
    assert torch.int is torch.int32 and torch.long is torch.int64


def test_device_repr_and_str():
    assert repr(torch.device("cpu")) == "device(type='cpu')"
    assert str(torch.device("cpu")) == "cpu"
    assert torch.ones(1).device.type == "cpu"


# --- factories -------------------------------------------------------------------------------------------


def test_arange_of_integers_is_int64():
    t = torch.arange(5)
    assert t.dtype == torch.int64
    assert t.tolist() == [0, 1, 2, 3, 4]


def test_arange_with_a_float_step_is_float32():
    t = torch.arange(0, 1, 0.25)
    assert t.dtype == torch.float32
    assert t.tolist() == [0.0, 0.25, 0.5, 0.75]


def test_arange_takes_a_dtype():
    t = torch.arange(1, 4, dtype=torch.float64)
    assert t.dtype == torch.float64
    assert t.tolist() == [1.0, 2.0, 3.0]


def test_linspace_includes_both_endpoints():
    t = torch.linspace(0, 1, 5)
    assert t.dtype == torch.float32
    assert t.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_linspace_takes_a_dtype():
    t = torch.linspace(-1, 1, 3, dtype=torch.float64)
    assert t.dtype == torch.float64
    assert t.tolist() == [-1.0, 0.0, 1.0]


def test_eye_with_rows_and_columns():
    t = torch.eye(2, 3)
    assert t.dtype == torch.float32
    np.testing.assert_array_equal(t.numpy(), np.eye(2, 3))


@pytest.mark.parametrize("value, dtype", [(True, "bool"), (3, "int64"), (1.5, "float32")])
def test_full_infers_the_dtype_from_the_value(value, dtype):
    t = torch.full((2,), value)
    assert t.dtype == getattr(torch, dtype)
    assert t.tolist() == [value, value]


def test_randint_stays_within_its_bounds_and_is_int64():
    t = torch.randint(3, 7, (1000,))
    assert t.dtype == torch.int64
    assert set(t.tolist()) == {3, 4, 5, 6}


def test_randint_with_only_high_starts_at_zero():
    assert set(torch.randint(2, (1000,)).tolist()) == {0, 1}


def test_randperm_is_a_permutation():
    t = torch.randperm(10)
    assert t.dtype == torch.int64
    assert sorted(t.tolist()) == list(range(10))


def test_randperm_is_reproducible_after_manual_seed():
    torch.manual_seed(7)
    first = torch.randperm(20).tolist()
    torch.manual_seed(7)
    assert torch.randperm(20).tolist() == first


@pytest.mark.parametrize("factory", ["rand", "randn"])
def test_random_factories_are_reproducible_after_manual_seed(factory):
    torch.manual_seed(11)
    first = getattr(torch, factory)(3, 4).numpy().copy()
    torch.manual_seed(11)
    np.testing.assert_array_equal(getattr(torch, factory)(3, 4).numpy(), first)


def test_rand_is_in_the_unit_interval():
    values = torch.rand(1000).numpy()
    assert values.min() >= 0.0 and values.max() < 1.0


@pytest.mark.parametrize("factory", ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"])
def test_like_factories_keep_shape_and_dtype(factory):
    t = getattr(torch, factory)(torch.ones(2, 3, dtype=torch.float64))
    assert t.shape == (2, 3) and t.dtype == torch.float64


def test_full_like_keeps_an_integer_dtype():
    t = torch.full_like(torch.tensor([1, 2]), 7)
    assert t.dtype == torch.int64 and t.tolist() == [7, 7]


@pytest.mark.parametrize("make", [lambda: torch.zeros(2, dtype=torch.int64, requires_grad=True),
                                  lambda: torch.arange(3, requires_grad=True)],
                         ids=["zeros", "arange"])
def test_integer_factory_requiring_grad_raises(make):
    # PyTorch adds "and complex": ember has no complex dtypes, so its message leaves them out.
    message = r"(?i)only Tensors of floating point (and complex )?dtype can require gradients"
    with pytest.raises(RuntimeError, match=message):
        make()


def test_zeros_of_a_string_raises_type_error():
    with pytest.raises(TypeError, match=r"zeros\(\).*'size'.*str"):
        torch.zeros("a")


# --- Python protocols ------------------------------------------------------------------------------------


def test_len_is_the_size_of_the_first_dim():
    assert len(torch.ones(4, 2)) == 4


def test_len_of_a_zero_dim_tensor_raises():
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(torch.tensor(1.0))


def test_iteration_goes_over_the_first_dim():
    rows = list(torch.tensor([[1, 2], [3, 4], [5, 6]]))
    assert len(rows) == 3
    assert [row.tolist() for row in rows] == [[1, 2], [3, 4], [5, 6]]


def test_iteration_over_a_zero_dim_tensor_raises():
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(torch.tensor(1.0))


def test_in_checks_for_an_equal_element():
    t = torch.tensor([1, 2, 3])
    assert 2 in t
    assert 5 not in t


def test_bool_of_a_one_element_tensor_is_its_truth():
    assert bool(torch.tensor([2.0]))
    assert not bool(torch.tensor([0.0]))


def test_bool_of_several_elements_raises():
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        bool(torch.tensor([1.0, 2.0]))


def test_bool_of_an_empty_tensor_raises():
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with no values is ambiguous"):
        bool(torch.ones(0))


def test_format_spec_applies_to_the_value_of_a_zero_dim_tensor():
    assert f"{torch.tensor(3.14159):.2f}" == "3.14"
    assert f"{torch.tensor(7):>4}" == "   7"


def test_format_without_spec_is_the_repr_text():
    assert f"{torch.tensor([1.5])}" == str(torch.tensor([1.5]))


def test_format_spec_on_a_tensor_with_dims_raises_type_error():
    with pytest.raises(TypeError):
        f"{torch.tensor([1.5]):.2f}"


def test_tensors_hash_by_identity_as_dict_keys():
    a, b = torch.ones(2), torch.ones(2)
    table = {a: "a", b: "b"}
    assert len(table) == 2
    assert table[a] == "a" and table[b] == "b"
