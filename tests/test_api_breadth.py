"""Everyday API without PyTorch installed: the expected values and error types are PyTorch 2.13's, taken
from it by hand (tests/oracle/test_oracle_api_breadth.py compares the same behaviours with torch itself)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.plugins import DeviceType, Registry, hookimpl, register_plugin
from ember.plugins.manager import _reset_for_tests

INF, NAN = math.inf, math.nan


def values(t):
    return t.detach().numpy().tolist()


# ----- bugs -------------------------------------------------------------------------------------------
def test_a_0d_tensor_formats_as_its_value():
    t = ember.tensor(3.14159)
    assert f"{t}" == "3.141590118408203"  # the float32 value, as PyTorch's t.item()
    assert f"{t:.3f}" == "3.142"
    assert f"{ember.tensor(2.5):>10}" == "       2.5"
    assert f"{ember.tensor(3)}" == "3" and f"{ember.tensor(True)}" == "True"
    assert f"{ember.tensor(2.5, requires_grad=True)}" == "2.5"
    assert f"{t!s}" == "tensor(3.1416)" and f"{t!r}" == "tensor(3.1416)"


def test_other_tensors_format_as_their_str_and_refuse_a_spec():
    assert f"{ember.tensor([1.0, 2.0])}" == "tensor([1., 2.])"
    p = ember.nn.Parameter(ember.tensor(2.5))
    assert f"{p}" == "Parameter containing:\ntensor(2.5000, requires_grad=True)"
    for t in (ember.tensor([1.0]), p):
        with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
            f"{t:.3f}"


def test_range_indices_read_assign_and_subtract():
    x = ember.arange(12.0).reshape(3, 4)
    y = ember.tensor([1, 2, 0])
    assert values(x[range(3), y]) == [1.0, 6.0, 8.0]
    assert x[range(1, 3)].shape == (2, 4) and x[:, range(2)].shape == (3, 2) and x[range(0)].shape == (0, 4)
    x[range(3), y] = 0.5
    x[range(3), y] -= 1
    assert values(x[range(3), y]) == [-0.5, -0.5, -0.5]
    w = ember.ones(3, 4, requires_grad=True)
    out = w * 1
    out[range(3), y] -= 2
    out.sum().backward()
    assert values(w.grad) == [[1.0] * 4] * 3


def test_cpu_0_is_the_cpu():
    a = ember.tensor([1.0], device="cpu:0")
    assert a.device is ember.device("cpu") and str(a.device) == "cpu"
    assert (a + ember.tensor([1.0])).device is ember.device("cpu")
    assert ember.tensor(1.0).to("cpu:0").device is ember.device("cpu")
    assert ember.tensor(1.0, device="cpu:1").device is ember.device("cpu")
    assert ember.device("cpu:0") != ember.device("cpu")  # as in PyTorch: only the tensors' devices agree


@pytest.mark.parametrize("call", [lambda: ember.tensor(1.0).to(0), lambda: ember.nn.Linear(2, 2).to(0),
                                  lambda: ember.device(0), lambda: ember.tensor(1.0).to(1, ember.float64),
                                  lambda: ember.accelerator.current_device_index()])
def test_a_bare_index_names_the_accelerator(call, cpu_only_install):
    with pytest.raises(RuntimeError, match="^Cannot access accelerator device when none is available.$"):
        call()


def test_tensor_to_and_module_to_share_their_parsing():
    t = ember.tensor([1.0, 2.0])
    assert t.to(ember.float64, False, True).dtype is ember.float64
    copy = t.to(ember.float32, False, True)  # (dtype, non_blocking, copy)
    assert copy is not t
    assert t.to("cpu", ember.float16, non_blocking=True).dtype is ember.float16
    layer = ember.nn.Linear(2, 2).to("cpu:0", ember.float64)
    assert layer.weight.dtype is ember.float64 and layer.weight.device is ember.device("cpu")
    with pytest.raises(TypeError):
        t.to(object())
    with pytest.raises(TypeError):
        ember.nn.Linear(2, 2).to(object())


# ----- typed constructors and ember.accelerator ---------------------------------------------------------
def test_typed_constructors():
    assert ember.FloatTensor(2, 3).shape == (2, 3) and ember.FloatTensor(2, 3).dtype is ember.float32
    assert values(ember.FloatTensor([1, 2])) == [1.0, 2.0]
    assert values(ember.LongTensor([1.7, 2])) == [1, 2]
    assert values(ember.BoolTensor([0, 2])) == [False, True]
    assert ember.HalfTensor([1]).dtype is ember.float16 and ember.IntTensor([1]).dtype is ember.int32
    assert ember.DoubleTensor(2).dtype is ember.float64 and ember.LongTensor(3).dtype is ember.int64
    assert ember.FloatTensor().shape == (0,) and ember.FloatTensor(ember.Size([2, 2])).shape == (2, 2)
    assert values(ember.FloatTensor((2, 3))) == [2.0, 3.0]
    assert ember.FloatTensor([1]).type() == "ember.FloatTensor" and not ember.FloatTensor([1]).requires_grad
    assert type(ember.FloatTensor([1])) is ember.Tensor and not issubclass(ember.FloatTensor, ember.Tensor)


def test_typed_constructor_errors_and_tensor_arguments():
    with pytest.raises(TypeError, match=r"^new\(\): data must be a sequence \(got float\)$"):
        ember.FloatTensor(2.5)
    with pytest.raises(TypeError, match=r"expected TensorOptions\(dtype=float, .*\(got TensorOptions\(dtype=long int"):
        ember.FloatTensor(ember.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="negative dimension"):
        ember.LongTensor(-1)
    with pytest.raises(ValueError):
        ember.FloatTensor([[1, 2], [3]])
    source = ember.tensor([1, 2])
    alias = ember.LongTensor(source)
    alias[0] = 5  # the same dtype is taken as is, sharing memory, as in PyTorch
    assert values(source) == [5, 2]


def test_typed_constructors_test_dtypes_with_isinstance():
    assert isinstance(ember.zeros(2), ember.FloatTensor)
    assert not isinstance(ember.zeros(2, dtype=ember.int64), ember.FloatTensor)
    assert isinstance(ember.zeros(2, dtype=ember.int64), ember.LongTensor)
    assert isinstance(ember.zeros(2, dtype=ember.bool), ember.BoolTensor)
    assert not isinstance(np.zeros(2, dtype=np.float32), ember.FloatTensor)


def test_accelerator_queries_on_a_cpu_only_install(cpu_only_install):
    accelerator = ember.accelerator
    assert accelerator.is_available() is False and accelerator.device_count() == 0
    assert accelerator.current_accelerator() is None
    assert accelerator.current_accelerator(check_available=True) is None
    for call in (accelerator.current_device_index, accelerator.current_device_idx, accelerator.synchronize,
                 lambda: accelerator.set_device_index(0)):
        with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is available."):
            call()


class _Accelerator:
    def __init__(self, name: str, count: int, available: bool = True) -> None:
        self.device = DeviceType(name, is_available=lambda: available, device_count=lambda: count,
                                 synchronize=self.sync, new_generator=lambda seed, index: None,
                                 dtypes={"float32"})
        self.synced: list = []

    def sync(self, index):
        self.synced.append(index)

    @hookimpl
    def ember_register_devices(self, registry: Registry) -> None:
        registry.add_device(self.device)


@pytest.fixture
def plugin_state(without_installed_cuda):
    _reset_for_tests()
    yield
    _reset_for_tests()


def test_accelerator_honours_plugin_devices(plugin_state):
    plugin = _Accelerator("opencl", 2)
    register_plugin(plugin, "opencl")
    register_plugin(_Accelerator("xpu", 1, available=False), "xpu")
    accelerator = ember.accelerator
    assert accelerator.current_accelerator() == ember.device("opencl")
    assert accelerator.is_available() and accelerator.device_count() == 2
    assert ember.device(1) is ember.device("opencl", 1)
    accelerator.set_device_index(1)
    try:
        assert accelerator.current_device_index() == 1
        accelerator.synchronize()
        assert plugin.synced == [1]
        with pytest.raises(RuntimeError, match="out of range"):
            accelerator.set_device_index(2)
    finally:
        accelerator.set_device_index(0)


def test_cuda_is_the_preferred_accelerator(plugin_state):
    register_plugin(_Accelerator("opencl", 1), "opencl")
    register_plugin(_Accelerator("cuda", 3), "fake-cuda")
    assert ember.accelerator.current_accelerator() == ember.device("cuda")
    assert ember.accelerator.device_count() == 3


def test_mps_queries_answer_from_the_plugins(plugin_state):
    assert not ember.backends.mps.is_available() and not ember.backends.mps.is_built()
    register_plugin(_Accelerator("mps", 1, available=False), "mps")
    assert ember.backends.mps.is_built() and not ember.backends.mps.is_available()
    _reset_for_tests()
    register_plugin(_Accelerator("mps", 1), "mps")
    assert ember.backends.mps.is_built() and ember.backends.mps.is_available()


# ----- reductions --------------------------------------------------------------------------------------
X = [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


@pytest.mark.parametrize("name, keywords, expected", [
    ("sum", {"axis": 0}, [3.0, 5.0, 7.0]), ("sum", {"axis": 1, "keepdims": True}, [[3.0], [12.0]]),
    ("mean", {"dim": 1, "keepdims": True}, [[1.0], [4.0]]), ("prod", {"axis": 0}, [0.0, 4.0, 10.0]),
    ("var", {"axis": 0}, [4.5, 4.5, 4.5]), ("std", {"axis": 1, "keepdims": True}, [[1.0], [1.0]]),
    ("amax", {"axis": 1}, [2.0, 5.0]), ("amin", {"axis": 0, "keepdims": True}, [[0.0, 1.0, 2.0]]),
    ("any", {"axis": 0}, [True, True, True]), ("all", {"axis": 1}, [False, True]),
    ("argmax", {"axis": 1}, [2, 2]), ("argmin", {"axis": 0, "keepdims": True}, [[0, 0, 0]]),
    ("logsumexp", {"axis": 0}, [3.048587351573742, 4.048587351573742, 5.048587351573742]),
])
def test_numpy_keywords(name, keywords, expected):
    x = ember.tensor(X, dtype=ember.float64)
    np.testing.assert_allclose(values(getattr(x, name)(**keywords)), expected)
    np.testing.assert_allclose(values(getattr(ember, name)(x, **keywords)), expected)


def test_max_min_take_numpy_keywords_and_refuse_two_dims():
    x = ember.tensor(X)
    assert values(x.max(axis=0).values) == [3.0, 4.0, 5.0] and values(x.min(axis=1, keepdims=True)[1]) == [[0], [0]]
    with pytest.raises(TypeError):
        x.sum(dim=0, axis=1)
    with pytest.raises(TypeError):
        ember.logsumexp(x)


@pytest.mark.parametrize("ord, norm, grad", [
    (2, 3.0, [1 / 3, -2 / 3, 2 / 3]), (1, 5.0, [1.0, -1.0, 1.0]), (INF, 2.0, [0.0, -0.5, 0.5]),
    (-INF, 1.0, [1.0, 0.0, 0.0]),
    (3, 2.571281671524048, [0.15125185251235962, -0.6050074100494385, 0.6050074100494385]),
    (0.5, 14.656855583190918, [3.828427314758301, -2.707106828689575, 2.707106828689575]),
    (-1, 0.5, [0.25, -0.0625, 0.0625]), (0, 3.0, None),
])
def test_vector_norm_values_and_gradients(ord, norm, grad):
    w = ember.tensor([1.0, -2.0, 2.0], requires_grad=True)
    result = ember.linalg.vector_norm(w, ord)
    assert type(result.grad_fn).__name__ == "LinalgVectorNormBackward0"
    result.backward()
    assert result.item() == pytest.approx(norm, rel=1e-6)
    if grad is None:  # ord 0 has no gradient: PyTorch leaves .grad unset
        assert w.grad is None
    else:
        np.testing.assert_allclose(values(w.grad), grad, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("ord", [2, 1, INF, -INF, 3, 0.5, -1, "fro"])
@pytest.mark.parametrize("start", [[0.0, 0.0, 0.0], [0.0, 0.0, 3.0]])
def test_norm_gradient_at_zero_is_finite_as_pytorchs(ord, start):
    z = ember.tensor(start, requires_grad=True)
    (z.norm(ord) if ord == "fro" else ember.norm(z, ord)).backward()
    expected = [0.0, 0.0, 0.0] if start[2] == 0 or ord == -1 or ord == -INF else [0.0, 0.0, 1.0]
    np.testing.assert_allclose(values(z.grad), expected, rtol=1e-6)


def test_norm_forms_and_errors():
    x = ember.tensor(X)
    assert ember.norm(x).item() == pytest.approx(math.sqrt(55))
    np.testing.assert_allclose(values(x.norm(2, 1)), [math.sqrt(5), math.sqrt(50)], rtol=1e-6)
    assert values(ember.norm(x, p=1, dim=0, keepdim=True)) == [[3.0, 5.0, 7.0]]
    assert x.norm(dtype=ember.float64).dtype is ember.float64 and x.data.norm().item() == pytest.approx(math.sqrt(55))
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor as input. Got Long"):
        ember.norm(ember.tensor([1, 2]))
    with pytest.raises(TypeError, match="argument 'ord' .* must be Number, not str"):
        ember.linalg.vector_norm(x, "fro")
    with pytest.raises(RuntimeError, match="cannot compute the inf norm on an empty tensor"):
        ember.linalg.vector_norm(ember.ones(0, 3), INF)
    assert ember.linalg.vector_norm(ember.ones(0, 3), INF, 1).shape == (0,)


def test_logsumexp_is_stable_and_has_pytorchs_gradient():
    y = ember.tensor([[-INF, -INF], [1.0, 2.0]], requires_grad=True)
    result = ember.logsumexp(y, 1)
    assert type(result.grad_fn).__name__ == "LogsumexpBackward0"
    assert values(result)[0] == -INF and values(result)[1] == pytest.approx(2.3132617)
    result.sum().backward()
    grad = values(y.grad)
    assert math.isnan(grad[0][0]) and math.isnan(grad[0][1])
    np.testing.assert_allclose(grad[1], [0.26894142, 0.73105858], rtol=1e-6)
    assert ember.logsumexp(ember.tensor([1e30, 1e30]), 0).item() == pytest.approx(1e30)
    assert ember.logsumexp(ember.tensor([INF, 1.0]), 0).item() == INF
    assert ember.logsumexp(ember.tensor([1, 2]), 0).dtype is ember.float32
    assert values(ember.logsumexp(ember.ones(2, 0), 1)) == [-INF, -INF]


def test_count_nonzero():
    x = ember.tensor([[0, 1], [2, 3]])
    assert ember.count_nonzero(x).item() == 3 and ember.count_nonzero(x, dim=(0, 1)).item() == 3
    assert values(x.float().count_nonzero(0)) == [1, 2] and ember.count_nonzero(x).dtype is ember.int64
    assert ember.count_nonzero(ember.tensor([True, False]), dim=0).item() == 1


def test_isclose_and_allclose():
    a = ember.tensor([1.0, NAN, INF, 1e-9, -INF, 1.0])
    b = ember.tensor([1.0000001, NAN, INF, 0.0, INF, NAN])
    assert values(ember.isclose(a, b)) == [True, False, True, True, False, False]
    assert values(a.isclose(b, equal_nan=True)) == [True, True, True, True, False, False]
    assert values(ember.isclose(a, b, rtol=0, atol=0)) == [False, False, True, False, False, False]
    assert ember.allclose(a[:1], b[:1]) is True and ember.allclose(a, b) is False
    assert values(ember.isclose(ember.tensor([1, 2]), ember.tensor([1, 3]), atol=1.5)) == [True, True]
    with pytest.raises(RuntimeError, match="^Long did not match Float$"):
        ember.isclose(ember.tensor([1, 2]), ember.tensor([1.0, 3.0]))
    with pytest.raises(TypeError, match="argument 'other'"):
        ember.isclose(ember.ones(2), 1.0)
    with pytest.raises(RuntimeError, match="rtol must be greater than or equal to zero, but got -1"):
        ember.isclose(ember.ones(2), ember.ones(2), rtol=-1)


def test_clamp_min_and_clamp_max():
    x = ember.tensor([1.0, -2.0, 2.0], requires_grad=True)
    assert values(ember.clamp_min(x, 0)) == [1.0, 0.0, 2.0] and values(x.clamp_max(0)) == [0.0, -2.0, 0.0]
    assert values(x.clamp_min(ember.tensor([0.0, 0.0, 3.0]))) == [1.0, 0.0, 3.0]
    y = x.detach().clone()
    assert y.clamp_max_(0) is y and values(y) == [0.0, -2.0, 0.0]
    with pytest.raises(TypeError):
        ember.clamp_min(x)


# ----- shape ops ---------------------------------------------------------------------------------------
def test_split_chunk_unbind_are_views():
    x = ember.arange(12.0).reshape(3, 4)
    assert [p.shape for p in x.split([1, 3], 1)] == [(3, 1), (3, 3)]
    assert [p.shape for p in ember.arange(5).chunk(3)] == [(2,), (2,), (1,)]
    assert [p.shape for p in ember.arange(6).chunk(4)] == [(2,), (2,), (2,)]
    assert [values(p) for p in ember.arange(4).unbind()] == [0, 1, 2, 3]
    x.split(2, 1)[1].fill_(-1)
    x.unbind(0)[0].zero_()
    assert values(x) == [[0, 0, 0, 0], [4, 5, -1, -1], [8, 9, -1, -1]]
    with pytest.raises(RuntimeError, match="split_size can only be 0"):
        x.split(0)
    with pytest.raises(RuntimeError, match="split_with_sizes expects split_sizes to sum exactly to 4"):
        x.split([1, 2], 1)
    with pytest.raises(RuntimeError, match="chunk expects `chunks` to be greater than 0"):
        x.chunk(0)


def test_flip_roll_tril_triu():
    x = ember.arange(6.0).reshape(2, 3)
    assert values(x.flip(0)) == [[3, 4, 5], [0, 1, 2]] and values(ember.flip(x, (0, 1))) == [[5, 4, 3], [2, 1, 0]]
    assert values(x.roll(1)) == [[5, 0, 1], [2, 3, 4]] and values(x.roll(-1, 1)) == [[1, 2, 0], [4, 5, 3]]
    assert values(x.roll((1, 1), (0, 1))) == [[5, 3, 4], [2, 0, 1]]
    assert values(x.tril()) == [[0, 0, 0], [3, 4, 0]] and values(x.triu(1)) == [[0, 1, 2], [0, 0, 5]]
    nan = ember.full((2, 2), NAN)
    assert values(nan.tril(-1))[0] == [0.0, 0.0]  # zeros, not NaN times zero
    names = {op: type(getattr(x.requires_grad_(), op)(*args).grad_fn).__name__
             for op, args in (("flip", (0,)), ("roll", (1,)), ("tril", ()), ("triu", ()), ("repeat", (2, 1)),
                              ("diagonal", ()), ("movedim", (0, 1)))}
    assert names == {"flip": "FlipBackward0", "roll": "RollBackward0", "tril": "TrilBackward0",
                     "triu": "TriuBackward0", "repeat": "RepeatBackward0", "diagonal": "DiagonalBackward0",
                     "movedim": "PermuteBackward0"}
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions"):
        ember.arange(3.0).tril()
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        x.flip(0, 0)


def test_diag_diagonal_repeat_movedim():
    x = ember.arange(12.0).reshape(3, 4)
    assert values(x.diagonal(1)) == [1, 6, 11] and values(x.diagonal(-1, 1, 0)) == [1, 6, 11]
    assert values(x.diagonal(5)) == [] and x.reshape(2, 3, 2).diagonal(0, 0, 2).shape == (3, 2)
    assert values(ember.diag(ember.tensor([1.0, 2.0]), -1)) == [[0, 0, 0], [1, 0, 0], [0, 2, 0]]
    assert values(ember.diag(x, 1)) == [1, 6, 11]
    assert x.repeat(2, 1, 2).shape == (2, 3, 8) and ember.tensor(2.0).repeat(3).shape == (3,)
    assert values(ember.tensor([1, 2]).repeat(2)) == [1, 2, 1, 2]
    assert ember.movedim(x.reshape(2, 3, 2), (0, 1), (2, 0)).shape == (3, 2, 2)
    assert ember.moveaxis(x, 0, 1).shape == (4, 3)
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical 0, 0"):
        x.diagonal(0, 0, 0)
    with pytest.raises(RuntimeError, match="Number of dimensions of repeat dims can not be smaller"):
        x.repeat(2)
    with pytest.raises(RuntimeError, match=r"diag\(\): Supports 1D or 2D tensors. Got 3D"):
        ember.diag(ember.ones(2, 2, 2))


@pytest.mark.parametrize("op", [
    lambda a: a.roll((1, -2), (0, 1)), lambda a: a.roll(5), lambda a: a.flip(0, 1), lambda a: a.tril(1),
    lambda a: a.triu(-1), lambda a: ember.diag(a, 1), lambda a: a.diagonal(-1), lambda a: a.repeat(2, 1, 3),
    lambda a: a.split([1, 3], 1)[1], lambda a: a.chunk(2)[1], lambda a: a.unbind(1)[2], lambda a: a.movedim(0, 1),
    lambda a: ember.diag(a[0], -1), lambda a: ember.logsumexp(a, 1), lambda a: a.norm(),
    lambda a: ember.linalg.vector_norm(a, 3, 1), lambda a: ember.linalg.vector_norm(a, INF, 0),
    lambda a: ember.linalg.vector_norm(a, 0.5, 1),
])
def test_gradcheck(op):
    x = ember.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    assert ember.autograd.gradcheck(op, (x,))
    assert ember.autograd.gradgradcheck(op, (x,))


def test_one_hot():
    assert values(F.one_hot(ember.tensor([0, 2, 1]))) == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    assert F.one_hot(ember.tensor([0, 2]), 4).dtype is ember.int64
    assert F.one_hot(ember.tensor([[0], [2]])).shape == (2, 1, 3)
    assert F.one_hot(ember.tensor([], dtype=ember.int64), 4).shape == (0, 4)
    for bad, message in ((ember.tensor([0, 3]), "Class values must be smaller than num_classes."),
                         (ember.tensor([-1]), "Class values must be non-negative."),
                         (ember.tensor([0.0]), "one_hot is only applicable to index tensor of type LongTensor."),
                         (ember.tensor([], dtype=ember.int64), "Can not infer total number of classes")):
        with pytest.raises(RuntimeError, match=message):
            F.one_hot(bad, 3 if bad.numel() == 2 else -1)


def test_where_with_one_argument_gives_the_indices():
    rows, cols = ember.where(ember.tensor([[0, 1], [1, 1]]))
    assert values(rows) == [0, 1, 1] and values(cols) == [1, 0, 1] and rows.dtype is ember.int64
    (only,) = ember.where(ember.tensor([0.0, 2.0, -1.0]))
    assert values(only) == [1, 2]
    assert [values(t) for t in ember.where(ember.tensor(3))] == [[0]]
    assert [values(t) for t in ember.where(ember.tensor(0))] == [[]]


# ----- ember.distributed and ember.multiprocessing ------------------------------------------------------
def test_distributed_answers_as_a_build_without_it():
    import ember.distributed as dist

    assert dist.is_available() is False
    rank = dist.get_rank() if dist.is_available() and dist.is_initialized() else 0  # the usual guard
    assert rank == 0 and dist.__all__ == ["is_available"]


def _send_through(queue) -> None:
    queue.put(ember.arange(4.0) * 2)


def test_multiprocessing_moves_a_tensor_between_processes():
    import ember.multiprocessing as mp

    context = mp.get_context("fork")
    queue = context.Queue()
    worker = context.Process(target=_send_through, args=(queue,))
    worker.start()
    received = queue.get(timeout=60)
    worker.join(timeout=60)
    assert worker.exitcode == 0 and values(received) == [0.0, 2.0, 4.0, 6.0]
