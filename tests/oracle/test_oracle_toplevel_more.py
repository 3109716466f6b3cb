"""Top-level names of PyTorch's namespace against PyTorch: constants, isposinf/isneginf/isreal, the window
functions, range, typename, set_default_tensor_type, set_warn_always, get_device_module and compile (run
eagerly): values, dtypes, warnings and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from outcomes import assert_same_error

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle


def _same(got, expected, exact=False):
    assert str(got.dtype).rsplit(".", 1)[-1] == str(expected.dtype).rsplit(".", 1)[-1]
    assert tuple(got.shape) == tuple(expected.shape)
    if exact:
        np.testing.assert_array_equal(got.detach().cpu().numpy(), expected.detach().numpy())
    else:
        tol = 2e-3 if expected.dtype == torch.float16 else 1e-5  # float16: each op of the formula rounds
        np.testing.assert_allclose(got.detach().cpu().numpy(), expected.detach().numpy(), rtol=tol, atol=tol)


def test_constants():
    for name in ("pi", "e", "inf"):
        assert getattr(ember, name) == getattr(torch, name)
    assert np.isnan(ember.nan) and ember.newaxis is torch.newaxis is None
    assert ember.ones(3)[:, ember.newaxis].shape == (3, 1)


@pytest.mark.parametrize("name", ["isposinf", "isneginf", "isreal"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "bool"])
def test_infinity_queries(name, dtype):
    values = [float("inf"), -float("inf"), 1.0, float("nan"), 0.0, -2.0]
    if dtype in ("int64", "bool"):
        values = [1, 0, 3, 1, 0, 1]
    e, t = (lib.tensor(values).to(getattr(lib, dtype)) for lib in (ember, torch))
    _same(getattr(ember, name)(e), getattr(torch, name)(t), exact=True)
    _same(getattr(e, name)(), getattr(t, name)(), exact=True)


WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("length", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("dtype", [None, "float64", "float16"])
def test_windows(name, length, periodic, dtype):
    kw = {} if dtype is None else {"dtype": getattr(ember, dtype)}
    tkw = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    got = getattr(ember, name)(length, periodic, **kw)
    _same(got, getattr(torch, name)(length, periodic, **tkw))
    assert got.is_contiguous() and not got.requires_grad


def test_window_parameters_and_grad():
    _same(ember.hamming_window(7, False, 0.6, 0.3), torch.hamming_window(7, False, 0.6, 0.3))
    _same(ember.kaiser_window(9, True, 5.0), torch.kaiser_window(9, True, 5.0))
    _same(ember.kaiser_window(9, False, 3.0, dtype=ember.float64),
          torch.kaiser_window(9, False, 3.0, dtype=torch.float64))
    assert ember.hann_window(4, requires_grad=True).requires_grad


@pytest.mark.parametrize("name", WINDOWS)
def test_window_refusals(name):
    assert_same_error(lambda lib: getattr(lib, name)(-1), ember, torch)
    with pytest.raises(RuntimeError, match=f"{name} expects floating point dtypes"):
        getattr(ember, name)(3, dtype=ember.int64)


@pytest.mark.parametrize("args", [(0, 3), (0, 1, 0.25), (3, 0, -1), (1.5, 4.2, 0.7), (-2, 2, 2)])
def test_range_includes_end(args):
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        got = ember.range(*args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torch.range(*args)
        _same(ember.range(1, 4, dtype=ember.int64), torch.range(1, 4, dtype=torch.int64), exact=True)
    _same(got, expected)


@pytest.mark.parametrize("args", [(0, 3, 0), (3, 0)])
def test_range_refusals(args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same_error(lambda lib: lib.range(*args), ember, torch)


def test_typename():
    for dtype in ("float32", "float64", "float16", "int64", "int32", "uint8", "bool"):
        e, t = ember.ones(1, dtype=getattr(ember, dtype)), torch.ones(1, dtype=getattr(torch, dtype))
        assert ember.typename(e) == torch.typename(t).replace("torch.", "ember.")
    assert ember.typename(3) == torch.typename(3) == "int"
    assert ember.typename(ember.nn.Linear(1, 1)) == "ember.nn.modules.linear.Linear"
    assert ember.typename(ember.nn.Linear) == "ember.nn.modules.linear.Linear"


def test_set_default_tensor_type_and_warn_always():
    assert ember.is_warn_always_enabled() is torch.is_warn_always_enabled() is False
    ember.set_warn_always(True)
    try:
        assert ember.is_warn_always_enabled()
        for _ in range(2):
            with pytest.warns(UserWarning, match=r"set_default_tensor_type\(\) is deprecated"):
                ember.set_default_tensor_type(ember.DoubleTensor)
            assert ember.get_default_dtype() is ember.float64 and ember.ones(1).dtype is ember.float64
        with pytest.warns(UserWarning):
            ember.set_default_tensor_type("torch.FloatTensor")
        assert ember.get_default_dtype() is ember.float32
        with pytest.warns(UserWarning), pytest.raises(TypeError, match="only floating-point types"):
            ember.set_default_tensor_type(ember.LongTensor)
        with pytest.warns(UserWarning), pytest.raises(TypeError, match="invalid type object"):
            ember.set_default_tensor_type(3)
    finally:
        ember.set_warn_always(False)
        ember.set_default_dtype(ember.float32)
    assert not ember.is_warn_always_enabled()


def test_get_device_module():
    assert ember.get_device_module("cpu") is ember.cpu
    assert ember.get_device_module(ember.device("cuda")) is ember.cuda
    accelerator = ember.accelerator.current_accelerator()
    if accelerator is None or accelerator.type == "cuda":
        assert ember.get_device_module() is (ember.cpu if accelerator is None else ember.cuda)
    else:  # an accelerator with no ember.<type> module (opencl): PyTorch's error for an unregistered one
        with pytest.raises(RuntimeError, match="Device 'opencl' does not have a corresponding module registered as "
                                               "'ember.opencl'"):
            ember.get_device_module()
    assert_same_error(lambda lib: lib.get_device_module(3), ember, torch)


def test_compile_runs_eagerly():
    def f(x, k=2):
        return x * k + 1
    compiled = ember.compile(f)
    assert compiled.__name__ == "f"
    _same(compiled(ember.ones(3), k=3), torch.compile(f, backend="eager")(torch.ones(3), k=3))

    @ember.compile(fullgraph=True, mode="reduce-overhead")
    def g(x):
        return x.sin(), ember.compiler.is_compiling()
    value, compiling = g(ember.zeros(2))
    assert compiling is False and value.tolist() == [0.0, 0.0]
    model = ember.nn.Linear(2, 1)
    assert ember.compile(model, backend="eager", dynamic=True) is model
    assert ember.compiler.disable(f) is f and ember.compiler.disable()(f) is f
    assert not ember.compiler.is_compiling()


@pytest.mark.parametrize("case", ["mode and options", "unknown mode", "not callable"])
def test_compile_refusals(case):
    calls = {"mode and options": lambda lib: lib.compile(lambda x: x, mode="default", options={}),
             "unknown mode": lambda lib: lib.compile(lambda x: x, mode="fast"),
             "not callable": lambda lib: lib.compile(3)}
    assert_same_error(calls[case], ember, torch)


VIEW_COPIES = {
    "view_copy": ((12,),), "permute_copy": ((1, 0),), "transpose_copy": (0, 1), "t_copy": (),
    "diagonal_copy": (1,), "expand_copy": ((2, 3, 4),), "select_copy": (0, 1), "slice_copy": (1, 0, 3, 2),
    "squeeze_copy": (), "unsqueeze_copy": (0,), "alias_copy": (), "narrow_copy": (0, 1, 2),
    "unfold_copy": (0, 2, 1), "as_strided_copy": ((2, 2), (1, 2), 1),
}


@pytest.mark.parametrize("name", VIEW_COPIES)
def test_view_copies(name):
    args = VIEW_COPIES[name]
    data = np.arange(12.0).reshape(3, 4) ** 1.5
    e, t = ember.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    got, expected = getattr(ember, name)(e, *args), getattr(torch, name)(t, *args)
    _same(got, expected, exact=True)
    assert got.is_contiguous() and got.grad_fn.name() == expected.grad_fn.name()
    with ember.no_grad():
        got.add_(1)  # its own memory: the input is unchanged
    np.testing.assert_array_equal(e.detach().cpu().numpy(), data)
    weights = np.linspace(-1, 1, expected.numel()).reshape(tuple(expected.shape))
    got.backward(ember.tensor(weights))
    expected.backward(torch.tensor(weights))
    _same(e.grad, t.grad)
    assert ember.autograd.gradcheck(lambda x: getattr(ember, name)(x, *args), (ember.tensor(data, requires_grad=True),))
    assert ember.autograd.gradgradcheck(lambda x: getattr(ember, name)(x, *args) ** 2,
                                        (ember.tensor(data, requires_grad=True),))


@pytest.mark.parametrize("name,args", [("unbind_copy", (1,)), ("split_copy", (2, 1)),
                                       ("split_with_sizes_copy", ([1, 3], 1))])
def test_multi_output_view_copies(name, args):
    data = np.arange(12.0).reshape(3, 4)
    e, t = ember.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    got, expected = getattr(ember, name)(e, *args), getattr(torch, name)(t, *args)
    assert len(got) == len(expected)
    for g, x in zip(got, expected):
        _same(g, x, exact=True)
        assert g.is_contiguous()
    sum(p.sum() * (i + 1) for i, p in enumerate(got)).backward()
    sum(p.sum() * (i + 1) for i, p in enumerate(expected)).backward()
    _same(e.grad, t.grad)


def test_detach_copy_and_view_copy_errors():
    x = ember.ones(2, 3, requires_grad=True)
    y = ember.detach_copy(x)
    assert not y.requires_grad and y.grad_fn is None and y.shape == (2, 3)
    assert_same_error(lambda lib: lib.view_copy(lib.ones(2, 3), (4,)), ember, torch)
    assert_same_error(lambda lib: lib.narrow_copy(lib.ones(2, 3), 0, 1, 5), ember, torch)
    assert_same_error(lambda lib: lib.permute_copy(lib.ones(2, 3), (0,)), ember, torch)


SCATTERS = [("diagonal_scatter", (3,), ()), ("diagonal_scatter", (3,), (1,)), ("diagonal_scatter", (2,), (-1,)),
            ("diagonal_scatter", (3,), (0, 1, 0)), ("select_scatter", (4,), (0, 1)),
            ("select_scatter", (3,), (1, -1)), ("slice_scatter", (3, 2), (1, 0, 2)),
            ("slice_scatter", (3, 2), (1, None, None, 2)), ("slice_scatter", (2, 4), (0, 1)),
            ("as_strided_scatter", (2, 2), ((2, 2), (1, 2), 1))]


@pytest.mark.parametrize("name,src_shape,args", SCATTERS)
def test_view_scatters(name, src_shape, args):
    data, src = np.arange(12.0).reshape(3, 4), np.arange(float(np.prod(src_shape))).reshape(src_shape) + 100
    e, es = ember.tensor(data, requires_grad=True), ember.tensor(src, requires_grad=True)
    t, ts = torch.tensor(data, requires_grad=True), torch.tensor(src, requires_grad=True)
    got, expected = getattr(ember, name)(e, es, *args), getattr(torch, name)(t, ts, *args)
    _same(got, expected, exact=True)
    assert got.grad_fn.name() == expected.grad_fn.name()
    _same(getattr(e.detach(), name)(es.detach(), *args), expected, exact=True)
    weights = np.linspace(-1, 1, 12).reshape(3, 4)
    (got * ember.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    _same(es.grad, ts.grad)
    if name != "as_strided_scatter":  # PyTorch's input gradient there is the scattered part (its gradcheck fails)
        _same(e.grad, t.grad)

    def fn(x, s):
        return getattr(ember, name)(x, s, *args)
    inputs = (ember.tensor(data, requires_grad=True), ember.tensor(src, requires_grad=True))
    assert ember.autograd.gradcheck(fn, inputs)
    assert ember.autograd.gradgradcheck(lambda x, s: fn(x, s) ** 2, inputs)


def test_view_scatter_casts_and_refusals():
    got = ember.slice_scatter(ember.zeros(3, 4), ember.ones(3, 2, dtype=ember.float64), 1, 0, 2)
    _same(got, torch.slice_scatter(torch.zeros(3, 4), torch.ones(3, 2, dtype=torch.float64), 1, 0, 2), exact=True)
    for call in (lambda lib: lib.diagonal_scatter(lib.zeros(3, 4), lib.ones(4)),
                 lambda lib: lib.select_scatter(lib.zeros(3, 4), lib.ones(3), 0, 0),
                 lambda lib: lib.slice_scatter(lib.zeros(3, 4), lib.ones(3, 3), 1, 0, 2),
                 lambda lib: lib.as_strided_scatter(lib.zeros(3, 4), lib.ones(3), (2, 2), (1, 1))):
        assert_same_error(call, ember, torch)


def test_asarray_sharing_and_copies():
    for lib in (ember, torch):
        a = np.arange(3.0)
        t = lib.asarray(a)
        a[0] = 7  # shared with the numpy array
        assert t.tolist() == [7.0, 1.0, 2.0] and str(t.dtype).endswith("float64")
        assert lib.asarray(t) is t and lib.asarray(t, dtype=lib.float64, copy=False) is t
        assert str(lib.asarray([1, 2]).dtype).endswith("int64") and str(lib.asarray([1.0, 2]).dtype).endswith("float32")
        assert lib.asarray(a, dtype=lib.float32).tolist() == [7.0, 1.0, 2.0]
        c = lib.asarray(t, copy=True)
        c[0] = -1
        d = lib.asarray(a, copy=True)
        d[1] = -1
        assert t.tolist() == [7.0, 1.0, 2.0] and a.tolist() == [7.0, 1.0, 2.0]


@pytest.mark.parametrize("case", ["ndarray dtype", "sequence", "tensor dtype"])
def test_asarray_copy_false_refusals(case):
    calls = {"ndarray dtype": lambda lib: lib.asarray(np.arange(3.0), dtype=lib.float32, copy=False),
             "sequence": lambda lib: lib.asarray([1, 2], copy=False),
             "tensor dtype": lambda lib: lib.asarray(lib.ones(2, dtype=lib.float64), dtype=lib.float32, copy=False)}
    assert_same_error(calls[case], ember, torch)


def test_asarray_requires_grad():
    ember.set_warn_always(True)  # PyTorch warns once per process; the test sees ember's warning every time
    try:
        _asarray_requires_grad()
    finally:
        ember.set_warn_always(False)


def _asarray_requires_grad():
    for lib in (ember, torch):
        t = lib.ones(2)
        assert lib.asarray(t, requires_grad=True) is t and t.requires_grad
        x = lib.ones(2, requires_grad=True) * 2
        with pytest.warns(UserWarning, match="unspecified requires_grad now defaults to obj.requires_grad"):
            warnings.simplefilter("always")
            y = lib.asarray(x)
        assert y is x
        y = lib.asarray(x, requires_grad=False)
        assert y is not x and not y.requires_grad and y.grad_fn is None
        leaf = lib.ones(2, requires_grad=True)
        z = lib.asarray(leaf, dtype=lib.float64, requires_grad=None)
        assert z.requires_grad and z.grad_fn.name() == "ToCopyBackward0"


@pytest.mark.parametrize("values,size,fill", [([1, 0, 2, 3], 2, -1), ([[1, 0], [0, 1]], 3, -1), ([1, 0, 2], 5, 9),
                                              ([[1.0, 0], [0, 1]], 0, -1), (3, 2, -1), ([0, 0], 2, 4)])
def test_nonzero_static(values, size, fill):
    got = ember.tensor(values).nonzero_static(size=size, fill_value=fill)
    _same(got, torch.nonzero_static(torch.tensor(values), size=size, fill_value=fill), exact=True)


def test_nonzero_static_refusals():
    assert_same_error(lambda lib: lib.nonzero_static(lib.tensor([1, 0]), size=-1), ember, torch)
    assert_same_error(lambda lib: lib.nonzero_static(lib.tensor([1, 0]), size=2.0), ember, torch)
