"""uint8, int8 and int16 without torch: PyTorch 2.13's results, hard-coded (taken from torch)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember


def _u(values):
    return ember.tensor(values, dtype=ember.uint8)


def test_promotion_of_tensor_pairs():
    u, i, s = _u([1]), ember.tensor([1], dtype=ember.int8), ember.tensor([1], dtype=ember.int16)
    assert (u + i).dtype is ember.int16 and (u + s).dtype is ember.int16 and (i + s).dtype is ember.int16
    assert (u + ember.tensor([True])).dtype is ember.uint8
    assert (u + ember.tensor([1], dtype=ember.int32)).dtype is ember.int32
    assert (u + ember.tensor(5)).dtype is ember.uint8  # a 0-d int64 ranks below a dimensioned uint8
    assert (ember.tensor(5, dtype=ember.uint8) + i).dtype is ember.int8
    assert (u * ember.tensor([2.5], dtype=ember.float16)).dtype is ember.float16
    assert (u / u).dtype is ember.float32 and u.true_divide(2).dtype is ember.float32


def test_python_numbers_wrap_into_the_tensors_type():
    u = _u([250, 3])
    assert (u + 300).tolist() == [38, 47] and (u + 300).dtype is ember.uint8
    assert (u + -1).tolist() == [249, 2] and (u + 2**40).tolist() == [250, 3]
    assert (u * -1).tolist() == [6, 253]
    assert (_u([44, 3]) == 300).tolist() == [True, False]
    assert (_u([1, 2]) & 257).tolist() == [1, 0]
    assert (u - 1.5).dtype is ember.float32
    assert (ember.tensor([1, 2], dtype=ember.int32) + 2**40).tolist() == [1, 2]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        _u([1, 2]) // 256  # 256 is uint8's 0
    with pytest.raises(OverflowError):
        u + 2**64


def test_in_place_results_are_cast_back():
    i = ember.tensor([-100, 3], dtype=ember.int8)
    i.add_(_u([250, 3]))
    assert i.tolist() == [-106, 6] and i.dtype is ember.int8
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Byte"):
        _u([1]).add_(1.5)


@pytest.mark.parametrize(("value", "expected"), [(-1, [255]), (-255, [1]), (255, [255]), (-128, [128])])
def test_tensor_of_uint8_takes_ints_down_to_minus_255(value, expected):
    assert ember.tensor([value], dtype=ember.uint8).tolist() == expected


@pytest.mark.parametrize(("value", "dtype"), [(300, "uint8"), (-256, "uint8"), (-0.5, "uint8"), (255.5, "uint8"),
                                              (128, "int8"), (127.5, "int8"), (-128.9, "int8"), (40000, "int16"),
                                              (float("nan"), "uint8"), (2147483647.5, "int32")])
def test_out_of_range_numbers_are_refused(value, dtype):
    dt = getattr(ember, dtype)
    for make in (lambda: ember.tensor([value], dtype=dt), lambda: ember.full((1,), value, dtype=dt),
                 lambda: ember.zeros(1, dtype=dt).fill_(value)):
        with pytest.raises(RuntimeError, match="without overflow"):
            make()


def test_checked_numbers_wrap_into_uint8():
    assert ember.full((2,), -1, dtype=ember.uint8).tolist() == [255, 255]
    assert _u([0, 0]).masked_fill(ember.tensor([True, False]), -1).tolist() == [255, 0]
    assert ember.where(ember.tensor([True, False]), _u([1, 2]), -1).tolist() == [1, 255]
    assert _u([1, 2]).clamp(-5, 100).tolist() == [100, 100]  # -5 is 251, above the max
    for bad in (lambda: _u([1]).clamp(0, 300), lambda: _u([1]).add(1, alpha=300), lambda: _u([1]) ** 300,
                lambda: ember.where(ember.tensor([True]), _u([1]), 300)):
        with pytest.raises(RuntimeError, match="uint8_t without overflow"):
            bad()
    x = ember.zeros(3, dtype=ember.uint8)
    x[0] = -1
    assert x.tolist() == [255, 0, 0]


def test_unary_ops_and_reductions():
    u = _u([250, 3])
    assert (-u).tolist() == [6, 253] and u.abs().tolist() == [250, 3]
    assert ember.tensor([-128], dtype=ember.int8).abs().tolist() == [-128]
    assert (-ember.tensor([-128], dtype=ember.int8)).tolist() == [-128]
    assert (~u).tolist() == [5, 252] and (u << 1).tolist() == [244, 6] and (u >> 1).tolist() == [125, 1]
    assert u.sqrt().dtype is ember.float32 and u.sign().tolist() == [1, 1]
    assert u.sum().dtype is ember.int64 and u.sum().item() == 253 and u.prod().item() == 750
    assert u.sum(dtype=ember.uint8).item() == 253 % 256
    assert u.max().dtype is ember.uint8 and u.argmax().item() == 0
    assert u.all().dtype is ember.uint8 and u.any().item() == 1
    with pytest.raises(RuntimeError):
        u.mean()
    with pytest.raises(RuntimeError, match="negative integer powers"):
        u.pow(-1)


def test_creation_and_conversions():
    assert ember.arange(250, 260, dtype=ember.uint8).tolist() == [250, 251, 252, 253, 254, 255, 0, 1, 2, 3]
    assert ember.arange(-3, 3, dtype=ember.uint8).tolist() == [253, 254, 255, 0, 1, 2]
    with pytest.raises(RuntimeError, match="from is out of bounds for unsigned char"):
        ember.randint(-1, 3, (3,), dtype=ember.uint8)
    with pytest.raises(RuntimeError, match="to - 1 is out of bounds for short int"):
        ember.randint(0, 2**15 + 1, (3,), dtype=ember.int16)
    r = ember.randint(0, 10, (50,), dtype=ember.int8)
    assert r.dtype is ember.int8 and 0 <= r.min().item() and r.max().item() < 10
    assert ember.tensor([300.0, -1.0]).byte().tolist() == [44, 255]
    assert ember.tensor([300, -1]).byte().tolist() == [44, 255]
    assert _u([200]).char().tolist() == [-56] and _u([200]).short().dtype is ember.int16
    array = np.array([1, -2], np.int8)
    t = ember.from_numpy(array)
    assert t.dtype is ember.int8 and t.numpy() is not None and t.numpy().dtype == np.int8
    with pytest.raises(TypeError, match="uint16"):
        ember.from_numpy(np.array([1], np.uint16))


def test_type_queries():
    assert ember.promote_types(ember.uint8, ember.int8) is ember.int16
    assert ember.promote_types(ember.uint8, ember.bool) is ember.uint8
    assert ember.result_type(_u([1]), 5) is ember.uint8 and ember.result_type(_u([1]), 5.0) is ember.float32
    assert ember.result_type(ember.tensor(1), _u([1])) is ember.uint8
    assert ember.can_cast(ember.int64, ember.uint8) and not ember.can_cast(ember.uint8, ember.bool)
    assert not ember.can_cast(ember.float32, ember.int16)
    info = ember.iinfo(ember.uint8)
    assert (info.bits, info.min, info.max, info.dtype) == (8, 0, 255, "uint8")
    assert repr(ember.iinfo(ember.int16)) == "iinfo(min=-32768, max=32767, dtype=int16)"
    assert repr(ember.iinfo(ember.int32)) == "iinfo(min=-2.14748e+09, max=2.14748e+09, dtype=int32)"
    with pytest.raises(TypeError):
        ember.iinfo(ember.float32)
    with pytest.raises(TypeError, match="must be ember.dtype, not int"):
        ember.promote_types(ember.uint8, 1)
    assert ember.short is ember.int16 and not ember.uint8.is_signed and ember.int8.is_signed


def test_printing_and_legacy_types():
    assert repr(_u([250, 3])) == "tensor([250,   3], dtype=ember.uint8)"
    assert repr(ember.tensor(3, dtype=ember.int16)) == "tensor(3, dtype=ember.int16)"
    assert _u([1]).type() == "ember.ByteTensor" and ember.ShortTensor([1]).dtype is ember.int16
    assert isinstance(ember.CharTensor(2), ember.CharTensor) and not isinstance(_u([1]), ember.CharTensor)
    with pytest.raises(TypeError, match=r"TensorOptions\(dtype=unsigned char, device=cpu\) \(got "
                                        r"TensorOptions\(dtype=float"):
        ember.ByteTensor(ember.tensor([1.0]))


def test_uint8_masks():
    x = ember.arange(4.0)
    mask = _u([1, 0, 1, 1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert x[mask].tolist() == [0.0, 2.0, 3.0]
        assert ember.where(mask, 1.0, 0.0).tolist() == [1.0, 0.0, 1.0, 1.0]
    assert [w.category for w in caught] == [UserWarning, UserWarning]
    assert all(w.filename == __file__ for w in caught)
    with pytest.raises(RuntimeError, match="masked_fill_ only supports boolean masks"):
        x[mask] = 7.0
    with pytest.raises(IndexError, match="long, int, byte or bool"):
        x[ember.tensor([1], dtype=ember.int8)]
