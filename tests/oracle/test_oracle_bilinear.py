"""F.bilinear and nn.Bilinear against PyTorch: values and gradients of inputs, weight and bias over batch
shapes, grad_fn names (AddBackward0 over ViewBackward0 over TrilinearBackward0), argument errors, the
module's initialisation, repr and parameters; gradcheck and gradgradcheck on float64."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("batch", [(2,), (2, 3), (), (0,)], ids=str)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bilinear_matches_torch(oracle, batch, bias, dtype):
    rng = oracle.rng(len(batch))
    arrays = [rng.standard_normal((*batch, 3)).astype(dtype), rng.standard_normal((*batch, 4)).astype(dtype),
              rng.standard_normal((5, 3, 4)).astype(dtype)]
    if bias:
        arrays.append(rng.standard_normal(5).astype(dtype))
    e, t = oracle.check(lambda lib, *tensors: lib.nn.functional.bilinear(*tensors), *arrays)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t)
    if not bias:  # the view of the (N, out) product to the batch shape, over PyTorch's trilinear node
        assert oracle.grad_fn_name(t) == "ViewBackward0"
        assert type(e.grad_fn.next_functions[0][0]).__name__ == type(t.grad_fn.next_functions[0][0]).__name__


def test_bilinear_grad_fn_chain_matches_torch():
    names = {}
    for lib in (torch, ember):
        x1 = lib.randn(2, 3, requires_grad=True)
        x2 = lib.randn(2, 4)
        out = lib.nn.functional.bilinear(x1, x2, lib.randn(5, 3, 4, requires_grad=True),
                                         lib.randn(5, requires_grad=True))
        view = out.grad_fn.next_functions[0][0]
        trilinear = view.next_functions[0][0]
        names[lib.__name__] = [type(out.grad_fn).__name__, type(view).__name__, type(trilinear).__name__,
                               [fn is None for fn, _ in trilinear.next_functions]]
    assert names["ember"] == names["torch"]
    assert names["torch"][2] == "TrilinearBackward0"


def test_bilinear_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(2)
    leaves = tuple(ember.tensor(rng.standard_normal(shape), requires_grad=True)
                   for shape in [(2, 3), (2, 2), (4, 3, 2), (4,)])
    assert ember.autograd.gradcheck(ember.nn.functional.bilinear, leaves)
    assert ember.autograd.gradgradcheck(ember.nn.functional.bilinear, leaves)


def _t(lib, *shape, dtype=None):
    return lib.ones(*shape, dtype=dtype or lib.float32)


ERRORS = {
    "dims": lambda lib: lib.nn.functional.bilinear(_t(lib, 2, 3), _t(lib, 4), _t(lib, 5, 3, 4)),
    "batch": lambda lib: lib.nn.functional.bilinear(_t(lib, 2, 3), _t(lib, 1, 4), _t(lib, 5, 3, 4)),
    "input1_size": lambda lib: lib.nn.functional.bilinear(_t(lib, 2, 4), _t(lib, 2, 4), _t(lib, 5, 3, 4)),
    "input2_size": lambda lib: lib.nn.functional.bilinear(_t(lib, 2, 3), _t(lib, 2, 3), _t(lib, 5, 3, 4)),
    "bias_size": lambda lib: lib.nn.functional.bilinear(_t(lib, 2, 3), _t(lib, 2, 4), _t(lib, 5, 3, 4), _t(lib, 3)),
    "dtype": lambda lib: lib.nn.functional.bilinear(_t(lib, 2, 3, dtype=lib.float64), _t(lib, 2, 4),
                                                    _t(lib, 5, 3, 4)),
    "bias_dtype": lambda lib: lib.nn.functional.bilinear(_t(lib, 2, 3), _t(lib, 2, 4), _t(lib, 5, 3, 4),
                                                         _t(lib, 5, dtype=lib.float64)),
    "half_input": lambda lib: lib.nn.functional.bilinear(_t(lib, 2, 3, dtype=lib.float16), _t(lib, 2, 4),
                                                         _t(lib, 5, 3, 4)),
    "module_no_in1": lambda lib: lib.nn.Bilinear(0, 4, 5),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_bilinear_errors_match_torch(name):
    with pytest.raises(Exception) as expected:
        ERRORS[name](torch)
    with pytest.raises(expected.type) as got:
        ERRORS[name](ember)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_module_matches_torch(bias):
    """Parameters' names, shapes, dtypes and bounds U(-1/sqrt(in1), 1/sqrt(in1)); repr; the forward and
    gradients with the same parameters."""
    theirs = torch.nn.Bilinear(3, 4, 5, bias=bias, dtype=torch.float64)
    ours = ember.nn.Bilinear(3, 4, 5, bias=bias, dtype=ember.float64)
    assert repr(ours) == repr(theirs)
    assert [(n, tuple(p.shape), str(p.dtype).split(".")[-1]) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape), str(p.dtype).split(".")[-1]) for n, p in theirs.named_parameters()]
    bound = 1 / math.sqrt(3)
    for p in ours.parameters():
        values = p.detach().cpu().numpy()
        assert values.min() >= -bound and values.max() <= bound and values.std() > bound / 4
    ours.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((6, 3)), rng.standard_normal((6, 4))
    out_t = theirs(torch.tensor(a), torch.tensor(b))
    out_e = ours(ember.tensor(a), ember.tensor(b))
    np.testing.assert_allclose(out_e.detach().cpu().numpy(), out_t.detach().numpy(), rtol=1e-12)
    out_t.sum().backward()
    out_e.sum().backward()
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.cpu().numpy(), q.grad.numpy(), rtol=1e-12, err_msg=name)
    assert ember.nn.Bilinear(2, 0, 3).weight.shape == torch.nn.Bilinear(2, 0, 3).weight.shape
