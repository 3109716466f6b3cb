"""CPU kernels where numpy's behaviour differs from ember's contract (the conformance kit checks the rest).

Each test names the numpy pitfall it guards against: storage offsets of views of views, widened sums,
numpy scalars instead of 0-d arrays, repeated indices, copies where memory must be shared, warnings.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from ember._mt19937 import MT19937Engine
from ember_cpu.kernels import KERNELS as K


def test_from_numpy_and_to_numpy_share_memory():
    array = np.arange(6, dtype=np.float32)
    buffer = K["from_numpy"](array)
    K["copy_"](buffer, 7.0)
    assert K["to_numpy"](buffer) is array
    assert (array == 7).all()


def test_as_strided_counts_the_offset_from_the_first_element_of_a_view():
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    rows = K["as_strided"](base[1:], (2, 6), (6, 1), 6)  # base[1:][1:]
    np.testing.assert_array_equal(rows, base[2:])


def test_as_strided_of_a_transposed_view_with_an_offset():
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    transposed = K["as_strided"](base, (6, 3), (1, 6), 6)  # base[1:].T, not C-contiguous
    column = K["as_strided"](transposed, (3,), (6,), 2)  # base[1:].T[2]: from the view's first element
    np.testing.assert_array_equal(transposed, base[1:].T)
    np.testing.assert_array_equal(column, base[1:, 2])
    assert K["as_strided"](column, (), (), 6) == base[2, 2]


def test_as_strided_views_write_through_to_the_base():
    base = np.zeros((3, 4), np.float32)
    transposed = K["as_strided"](base, (4, 3), (1, 4), 0)
    K["copy_"](K["as_strided"](transposed, (2,), (1,), 1), 5.0)  # transposed[1:3, 0] is base[0, 1:3]
    np.testing.assert_array_equal(base[0], [0, 5, 5, 0])
    assert base.sum() == 10


def test_strides_are_in_elements():
    base = np.zeros((4, 6), np.float64)
    assert K["strides"](base) == (6, 1)
    assert K["strides"](base[1:, ::2].T) == (2, 6)


def test_sum_keeps_the_input_dtype():
    assert K["sum"](np.full(4, 2**30, np.int32), (0,), False).dtype == np.int32  # numpy widens to int64
    assert K["sum"](np.ones((2, 2), np.float16), (0, 1), True).dtype == np.float16


def test_out_receives_the_result_and_is_returned():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = np.empty(3, np.float32)
    assert K["sum"](a, (0,), False, out=out) is out
    np.testing.assert_array_equal(out, [3, 5, 7])
    assert K["add"](a, 1.0, out=a) is a
    np.testing.assert_array_equal(a[0], [1, 2, 3])


@pytest.mark.parametrize("call", [
    lambda: K["add"](np.array(1.0), np.array(2.0)),
    lambda: K["exp"](np.array(1.0)),
    lambda: K["sum"](np.ones(3), (0,), False),
    lambda: K["max"](np.ones(3), (0,), False),
    lambda: K["matmul"](np.ones(3), np.ones(3)),
    lambda: K["argmax"](np.ones((2, 2)), None, False),
    lambda: K["index"](np.ones((2, 2)), (0, 1)),
    lambda: K["slice"](np.ones((2, 2)), (0, 1)),
    lambda: K["relu"](np.array(-1.0)),
    lambda: K["sigmoid"](np.array(-1.0)),
    lambda: K["binary_cross_entropy_with_logits"](np.array(1.0), np.array(0.0)),
], ids=["add", "exp", "sum", "max", "matmul", "argmax", "index", "slice", "relu", "sigmoid", "bce"])
def test_zero_dimensional_results_are_arrays_not_numpy_scalars(call):
    result = call()
    assert type(result) is np.ndarray and result.shape == ()


def test_python_scalars_keep_the_buffer_dtype():
    assert K["add"](np.ones(2, np.float32), 2.5).dtype == np.float32
    assert K["div"](np.ones(2, np.float16), 3.0).dtype == np.float16
    assert K["mul"](np.ones(2, np.int32), 3).dtype == np.int32
    assert K["sub"](2, np.ones(2, np.int32)).dtype == np.int32


def test_index_put_accumulate_adds_repeated_indices():
    x = np.zeros(4, np.float32)
    K["index_put_"](x, (np.array([0, 2, 0, 0]),), np.array([1, 2, 3, 4], np.float32), True)
    np.testing.assert_array_equal(x, [8, 0, 2, 0])


def test_index_put_without_accumulate_assigns():
    x = np.zeros((2, 3), np.float32)
    assert K["index_put_"](x, (np.array([True, False]),), 5.0, False) is x
    np.testing.assert_array_equal(x, [[5, 5, 5], [0, 0, 0]])


@pytest.mark.parametrize("key", [(0,), (slice(None), 1), (Ellipsis, None)], ids=["int", "slice", "ellipsis"])
def test_index_with_a_basic_key_still_returns_a_new_buffer(key):
    x = np.arange(6.0).reshape(2, 3)
    result = K["index"](x, key)
    np.testing.assert_array_equal(result, x[key])
    assert not np.shares_memory(result, x)


def test_slice_with_an_int_for_every_axis_is_a_zero_dimensional_view():
    x = np.arange(6.0).reshape(2, 3)
    view = K["slice"](x, (1, 2))
    K["copy_"](view, -1.0)
    assert x[1, 2] == -1


def test_contiguous_returns_contiguous_buffers_themselves_and_copies_others():
    x = np.arange(6.0).reshape(2, 3)
    assert K["contiguous"](x) is x
    copy = K["contiguous"](x.T)
    assert copy.flags.c_contiguous and not np.shares_memory(copy, x)
    assert K["contiguous"](np.array(1.0)).shape == ()  # numpy's ascontiguousarray would give (1,)


def test_ieee_results_come_without_numpy_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert K["log"](np.zeros(1, np.float32))[0] == -np.inf
        assert K["div"](np.ones(1, np.float32), 0.0)[0] == np.inf
        assert np.isnan(K["sqrt"](np.array([-1.0], np.float32))[0])
        assert K["exp"](np.array([100.0], np.float32))[0] == np.inf
        np.testing.assert_array_equal(K["sigmoid"](np.array([-1e4, -100, 1e4], np.float32)), [0, 0, 1])
        np.testing.assert_array_equal(K["softmax"](np.array([[1e4, 0.0]], np.float32), 1), [[1, 0]])


def test_sigmoid_in_place_reads_its_input_before_writing():
    x = np.array([-2.0, 2.0], np.float32)
    expected = 1 / (1 + np.exp(-x))
    assert K["sigmoid"](x, out=x) is x
    np.testing.assert_allclose(x, expected, rtol=1e-6)


def test_binary_cross_entropy_with_logits_is_finite_for_large_logits():
    x = np.array([-1000.0, 1000.0], np.float32)
    y = np.array([1.0, 0.0], np.float32)
    np.testing.assert_array_equal(K["binary_cross_entropy_with_logits"](x, y), [1000, 1000])


def test_uniform_draws_float16_through_float32_within_the_bounds():
    gen = MT19937Engine(0)
    values = K["uniform"]((1000,), -2.0, 3.0, ember.float16, gen)
    assert values.dtype == np.float16
    assert -2 <= values.min() and values.max() <= 3


@pytest.mark.parametrize(("momentum", "dampening", "weight_decay", "nesterov", "maximize"), [
    (0.0, 0.0, 0.0, False, False),
    (0.9, 0.1, 0.01, False, False),
    (0.9, 0.0, 0.01, True, True),
])
def test_sgd_step_matches_pytorch_to_float32_rounding(momentum, dampening, weight_decay, nesterov, maximize):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    param = rng.normal(size=(7, 9)).astype(np.float32)
    grads = [rng.normal(size=(7, 9)).astype(np.float32) for _ in range(3)]
    reference = torch.tensor(param.copy(), requires_grad=True)
    optimizer = torch.optim.SGD([reference], lr=0.1, momentum=momentum, dampening=dampening,
                                weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
    bufs = [None] if momentum else None
    for grad in grads:
        reference.grad = torch.tensor(grad)
        optimizer.step()
        bufs = K["sgd_step"]([param], [grad], bufs, 0.1, momentum, dampening, weight_decay, nesterov, maximize)
    # PyTorch fuses each multiply-add (one rounding); the kernel rounds twice, in float32, for speed.
    np.testing.assert_allclose(param, reference.detach().numpy(), rtol=1e-6, atol=1e-7)


def _overflowing_mul():
    big = np.full(4, 3e38, np.float32)
    return K["mul"](big, big)


def test_quiet_kernels_stay_silent_nested_and_in_threads_and_leave_the_callers_error_state():
    """The quiet kernels run in a context of their own, which one caller enters at a time: a kernel called
    inside another quiet kernel, or in several threads at once, must still silence numpy, and the caller's
    own error state must be the same after."""
    import threading

    from ember_cpu.kernels import _in_quiet, _quietly

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isinf(_overflowing_mul()).all()
        assert np.isinf(_in_quiet(_overflowing_mul)).all()  # nested: the context is taken
        assert np.isinf(_quietly(_overflowing_mul)()).all()
        failures: list = []

        def work():
            try:
                for _ in range(300):
                    assert np.isinf(K["exp"](K["mul"](np.full((64, 64), 1e30, np.float32), 1e30))).all()
            except BaseException as error:  # noqa: BLE001 -- reported below
                failures.append(error)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
    with np.errstate(over="raise"):
        assert np.isinf(_overflowing_mul()).all()
        with pytest.raises(FloatingPointError):
            np.float32(3e38) * np.float32(10)  # the caller's state holds around kernel calls


def test_a_quiet_kernels_own_runtime_error_propagates():
    from ember_cpu.kernels import _quietly

    def failing():
        raise RuntimeError("the kernel's own error")

    with pytest.raises(RuntimeError, match="the kernel's own error"):
        _quietly(failing)()
