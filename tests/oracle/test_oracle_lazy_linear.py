"""nn.LazyLinear and nn.UninitializedParameter against PyTorch: the module before and after its first call
(repr, class, parameter shapes, dtypes and initial bounds), an optimizer built before that call, casts
before it, loading a state dict into it, and the errors of using an uninitialised parameter."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle


def _describe(module):
    return [(name, tuple(p.shape), str(p.dtype).split(".")[-1], type(p).__name__, p.requires_grad)
            for name, p in module.named_parameters()]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batch", [(2,), (), (2, 3)], ids=str)
def test_lazy_linear_materialises_as_torch(bias, batch):
    ember.manual_seed(0)  # the spread checked below is of a few draws: not left to the run order
    modules = {lib: lib.nn.LazyLinear(5, bias=bias) for lib in (torch, ember)}
    for lib, module in modules.items():
        assert repr(module) == f"LazyLinear(in_features=0, out_features=5, bias={bias})"
        assert module.has_uninitialized_params()
        assert repr(module.weight) == "<UninitializedParameter>"
        assert isinstance(module.weight, lib.nn.UninitializedParameter)
        assert tuple(module.weight.size()) == (0,)
    outputs = {lib: module(lib.ones(*batch, 4)) for lib, module in modules.items()}
    assert repr(modules[ember]) == repr(modules[torch]) == f"Linear(in_features=4, out_features=5, bias={bias})"
    assert type(modules[ember]) is ember.nn.Linear
    assert _describe(modules[ember]) == _describe(modules[torch])
    assert tuple(outputs[ember].shape) == tuple(outputs[torch].shape)
    assert type(outputs[ember].grad_fn).__name__ == type(outputs[torch].grad_fn).__name__
    bound = 1 / math.sqrt(4)
    for p in modules[ember].parameters():
        values = p.detach().cpu().numpy()
        assert values.min() >= -bound and values.max() <= bound and values.std() > bound / 4


def test_optimizer_built_before_the_first_call_trains_the_materialised_parameters():
    """The parameters are materialised in place: an optimizer holding them before the first call steps them.
    Same parameter values in both libraries (copied after the first call), then one SGD step each."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))
    modules, optimizers = {}, {}
    for lib in (torch, ember):
        modules[lib] = lib.nn.LazyLinear(2, dtype=lib.float64)
        optimizers[lib] = lib.optim.SGD(modules[lib].parameters(), lr=0.1, momentum=0.9)
        with lib.no_grad():
            modules[lib](lib.tensor(x))
    with ember.no_grad():
        for p, q in zip(modules[ember].parameters(), modules[torch].parameters()):
            p.copy_(ember.tensor(q.detach().numpy()))
    for lib in (torch, ember):
        loss = ((modules[lib](lib.tensor(x)) - lib.tensor(y)) ** 2).mean()
        loss.backward()
        optimizers[lib].step()
    for p, q in zip(modules[ember].parameters(), modules[torch].parameters()):
        np.testing.assert_allclose(p.detach().cpu().numpy(), q.detach().numpy(), rtol=1e-12)


def test_cast_before_the_first_call_as_torch():
    for lib in (torch, ember):
        module = lib.nn.LazyLinear(3).double()
        assert module.weight.dtype == lib.float64 and isinstance(module.weight, lib.nn.UninitializedParameter)
        assert module(lib.ones(2, 4, dtype=lib.float64)).dtype == lib.float64
        with pytest.raises(RuntimeError):
            lib.nn.LazyLinear(3)(lib.ones(2, 4, dtype=lib.float64))


def test_load_state_dict_materialises_as_torch():
    source = torch.nn.Linear(2, 3)
    state = {k: v.detach().numpy() for k, v in source.state_dict().items()}
    results = {}
    for lib in (torch, ember):
        module = lib.nn.LazyLinear(3)
        module.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
        assert not module.has_uninitialized_params() and type(module).__name__ == "LazyLinear"
        out = module(lib.ones(1, 2))
        results[lib] = (repr(module), type(module).__name__, out.detach().cpu().numpy())
        wrong = lib.nn.LazyLinear(3)
        wrong.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
        with pytest.raises(AssertionError, match="The in_features inferred from input: 4 is not equal to"):
            wrong(lib.ones(1, 4))
    assert results[ember][:2] == results[torch][:2] == ("Linear(in_features=2, out_features=3, bias=True)", "Linear")
    np.testing.assert_allclose(results[ember][2], results[torch][2], rtol=1e-6)


def test_uninitialized_parameter_materialize_as_torch():
    for lib in (torch, ember):
        p = lib.nn.UninitializedParameter(requires_grad=False, dtype=lib.float64)
        assert repr(p) == "<UninitializedParameter>" and p.dtype == lib.float64
        p.materialize((2, 3))
        assert type(p) is lib.nn.Parameter and tuple(p.shape) == (2, 3)
        assert p.dtype == lib.float64 and not p.requires_grad and p.is_leaf
        copied = copy.deepcopy(lib.nn.LazyLinear(3))
        assert isinstance(copied.weight, lib.nn.UninitializedParameter) and copied.weight.requires_grad


ERRORS = {
    "shape": (lambda lib: lib.nn.LazyLinear(3).weight.shape, True),
    "dim": (lambda lib: lib.nn.LazyLinear(3).weight.dim(), False),
    "numel": (lambda lib: lib.nn.LazyLinear(3).weight.numel(), False),
    "linear": (lambda lib: lib.nn.functional.linear(lib.ones(2, 3), lib.nn.LazyLinear(3).weight), False),
    "zero_dim_input": (lambda lib: lib.nn.LazyLinear(3)(lib.ones(())), True),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    """Using an uninitialised parameter: PyTorch's class, and its message (where it names no PyTorch
    function)."""
    call, exact = ERRORS[name]
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(expected.type) as got:
        call(ember)
    if exact:
        assert str(got.value) == str(expected.value)
    else:
        assert str(got.value).startswith("Attempted to use an uninitialized parameter in ")
