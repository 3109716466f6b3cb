"""ember.nn.utils.prune against torch.nn.utils.prune: the <name>_orig parameter, <name>_mask buffer and forward
pre-hook, state_dict keys, each method's mask (the deterministic ones exactly, the random ones by what they
must zero), iterative pruning through a PruningContainer, global_unstructured, remove, is_pruned, errors."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torch.nn.utils.prune")

import ember  # noqa: E402

pytestmark = pytest.mark.oracle

# Distinct magnitudes, so that the smallest-|x| and smallest-norm choices have no ties.
WEIGHT = (np.random.default_rng(3).permutation(24).reshape(6, 4) + 1.0) * np.where(
    np.arange(24).reshape(6, 4) % 3 == 0, -0.1, 0.1)
BIAS = np.array([0.5, -1.5, 2.5, -3.5, 4.5, -5.5])


def _linear(lib, weight=WEIGHT, bias=BIAS):
    module = lib.nn.Linear(weight.shape[1], weight.shape[0])
    with lib.no_grad():
        module.weight.copy_(lib.tensor(weight.astype("float32")))
        module.bias.copy_(lib.tensor(bias.astype("float32")))
    return module


def _np(tensor):
    return tensor.detach().cpu().numpy()


def _same_state(e_module, t_module):
    """The same parameters, buffers, state_dict keys and values, and the same pruned attributes."""
    assert [n for n, _ in e_module.named_parameters()] == [n for n, _ in t_module.named_parameters()]
    assert [n for n, _ in e_module.named_buffers()] == [n for n, _ in t_module.named_buffers()]
    e_state, t_state = e_module.state_dict(), t_module.state_dict()
    assert list(e_state) == list(t_state)
    for key in t_state:
        np.testing.assert_array_equal(_np(e_state[key]), _np(t_state[key]))
        assert repr(e_state[key].dtype).rsplit(".")[-1] == repr(t_state[key].dtype).rsplit(".")[-1]


PRUNINGS = [
    ("identity", {}),
    ("l1_unstructured", {"amount": 0.3}),
    ("l1_unstructured", {"amount": 7}),
    ("l1_unstructured", {"amount": 0}),
    ("ln_structured", {"amount": 0.5, "n": 2, "dim": 0}),
    ("ln_structured", {"amount": 1, "n": 1, "dim": -1}),
    ("ln_structured", {"amount": 2, "n": float("inf"), "dim": 1}),
    ("ln_structured", {"amount": 0.0, "n": 2, "dim": 0}),
]


@pytest.mark.parametrize("function, kwargs", PRUNINGS)
def test_prune_installs_the_reparametrization_as_torch(function, kwargs):
    """weight_orig (a parameter), weight_mask (a buffer), weight = mask * orig (MulBackward0) recomputed by a
    forward pre-hook; the forward, its gradient in weight_orig, and the module returned."""
    e_module, t_module = _linear(ember), _linear(torch)
    assert getattr(ember.nn.utils.prune, function)(e_module, "weight", **kwargs) is e_module
    getattr(torch.nn.utils.prune, function)(t_module, "weight", **kwargs)
    _same_state(e_module, t_module)
    assert "weight" not in e_module._parameters and isinstance(e_module.weight_orig, ember.nn.Parameter)
    np.testing.assert_array_equal(_np(e_module.weight), _np(t_module.weight))
    assert type(e_module.weight.grad_fn).__name__ == type(t_module.weight.grad_fn).__name__ == "MulBackward0"
    x = np.random.default_rng(0).standard_normal((3, 4)).astype("float32")
    e_out, t_out = e_module(ember.tensor(x)), t_module(torch.tensor(x))
    np.testing.assert_allclose(_np(e_out), _np(t_out), rtol=1e-5, atol=1e-6)
    e_out.square().sum().backward()
    t_out.square().sum().backward()
    np.testing.assert_allclose(_np(e_module.weight_orig.grad), _np(t_module.weight_orig.grad), rtol=1e-5, atol=1e-5)
    assert ember.nn.utils.prune.is_pruned(ember.nn.Sequential(e_module))


def test_hook_recomputes_the_weight_after_the_original_changes():
    """Changing weight_orig (an optimizer step) shows in weight at the next forward, still masked."""
    for lib in (ember, torch):
        module = _linear(lib)
        lib.nn.utils.prune.l1_unstructured(module, "weight", amount=0.5)
        with lib.no_grad():
            module.weight_orig.add_(10.0)
        module(lib.ones(1, 4))
        expected = (WEIGHT + 10.0) * _np(module.weight_mask)
        np.testing.assert_allclose(_np(module.weight), expected, rtol=1e-6)


ITERATIONS = [
    [("l1_unstructured", {"amount": 0.25}), ("l1_unstructured", {"amount": 0.5})],
    [("l1_unstructured", {"amount": 5}), ("ln_structured", {"amount": 2, "n": 2, "dim": 0})],
    [("ln_structured", {"amount": 1, "n": 1, "dim": 1}), ("l1_unstructured", {"amount": 0.4}),
     ("ln_structured", {"amount": 0.5, "n": 2, "dim": 0})],
    [("identity", {}), ("ln_structured", {"amount": 1, "n": 2, "dim": -1})],
]


@pytest.mark.parametrize("steps", ITERATIONS)
def test_iterative_pruning_combines_masks_as_torch(steps):
    """A second pruning of the same tensor joins the first in a PruningContainer: one hook, the new mask
    computed on what the old one kept (its kept entries, or kept channels for a structured method)."""
    e_module, t_module = _linear(ember), _linear(torch)
    for function, kwargs in steps:
        getattr(ember.nn.utils.prune, function)(e_module, "weight", **kwargs)
        getattr(torch.nn.utils.prune, function)(t_module, "weight", **kwargs)
        _same_state(e_module, t_module)
    hooks = list(e_module._forward_pre_hooks.values())
    assert len(hooks) == 1 and isinstance(hooks[0], ember.nn.utils.prune.PruningContainer)
    assert [type(m).__name__ for m in hooks[0]] == [type(m).__name__ for m in
                                                    next(iter(t_module._forward_pre_hooks.values()))]
    assert len(hooks[0]) == len(steps) and hooks[0][-1]._tensor_name == "weight"


def test_remove_makes_the_pruning_permanent():
    """remove: weight is a parameter again, holding the masked values; _orig/_mask and the hook are gone."""
    e_module, t_module = _linear(ember), _linear(torch)
    for lib, module in ((ember, e_module), (torch, t_module)):
        lib.nn.utils.prune.l1_unstructured(module, "weight", amount=0.5)
        lib.nn.utils.prune.l1_unstructured(module, "bias", amount=2)
        assert lib.nn.utils.prune.remove(module, "weight") is module
    _same_state(e_module, t_module)
    assert isinstance(e_module.weight, ember.nn.Parameter) and e_module.weight.grad_fn is None
    assert ember.nn.utils.prune.is_pruned(e_module)
    ember.nn.utils.prune.remove(e_module, "bias")
    assert not ember.nn.utils.prune.is_pruned(e_module) and not e_module._forward_pre_hooks
    with pytest.raises(ValueError, match="Parameter 'bias' of module .* has to be pruned before pruning can be "
                                         "removed"):
        ember.nn.utils.prune.remove(e_module, "bias")


def test_custom_from_mask_and_prune_without_a_module():
    mask = np.array([[1, 0, 1, 0]] * 3 + [[0, 1, 1, 1]] * 3, dtype=np.float32)
    e_module, t_module = _linear(ember), _linear(torch)
    ember.nn.utils.prune.custom_from_mask(e_module, "weight", ember.tensor(mask))
    torch.nn.utils.prune.custom_from_mask(t_module, "weight", torch.tensor(mask))
    _same_state(e_module, t_module)
    e_method, t_method = ember.nn.utils.prune.L1Unstructured(amount=3), torch.nn.utils.prune.L1Unstructured(3)
    scores = np.arange(24, dtype=np.float32).reshape(6, 4)[::-1].copy()
    e_pruned = e_method.prune(ember.tensor(WEIGHT), importance_scores=ember.tensor(scores))
    t_pruned = t_method.prune(torch.tensor(WEIGHT), importance_scores=torch.tensor(scores))
    np.testing.assert_array_equal(_np(e_pruned), _np(t_pruned))


def test_importance_scores_choose_what_is_pruned():
    scores = np.abs(WEIGHT[::-1, ::-1]).copy()
    e_module, t_module = _linear(ember), _linear(torch)
    ember.nn.utils.prune.l1_unstructured(e_module, "weight", 0.5, importance_scores=ember.tensor(scores))
    torch.nn.utils.prune.l1_unstructured(t_module, "weight", 0.5, importance_scores=torch.tensor(scores))
    _same_state(e_module, t_module)


def test_global_unstructured_ranks_all_tensors_together():
    e_modules, t_modules = [_linear(ember), _linear(ember, WEIGHT[:3] * 3, BIAS[:3])], \
        [_linear(torch), _linear(torch, WEIGHT[:3] * 3, BIAS[:3])]
    ember.nn.utils.prune.l1_unstructured(e_modules[0], "weight", amount=4)  # an earlier mask is kept
    torch.nn.utils.prune.l1_unstructured(t_modules[0], "weight", amount=4)
    for lib, modules in ((ember, e_modules), (torch, t_modules)):
        lib.nn.utils.prune.global_unstructured(
            [(modules[0], "weight"), (modules[1], "weight"), (modules[1], "bias")],
            pruning_method=lib.nn.utils.prune.L1Unstructured, amount=0.4)
    for e_module, t_module in zip(e_modules, t_modules):
        _same_state(e_module, t_module)
        assert [type(h).__name__ for h in e_module._forward_pre_hooks.values()] == \
            [type(h).__name__ for h in t_module._forward_pre_hooks.values()]


def test_global_unstructured_ranks_by_the_importance_scores_given():
    """A tensor with scores given is ranked by them, the others by their own values."""
    scores = np.abs(WEIGHT[::-1]).copy() * 0.5
    masks = []
    for lib in (torch, ember):
        first, second = _linear(lib), _linear(lib, WEIGHT[:3] * 3, BIAS[:3])
        lib.nn.utils.prune.global_unstructured(
            [(first, "weight"), (second, "weight")], pruning_method=lib.nn.utils.prune.L1Unstructured,
            importance_scores={(first, "weight"): lib.tensor(scores.astype(np.float32))}, amount=10)
        masks.append((_np(first.weight_mask), _np(second.weight_mask)))
    for e, t in zip(masks[1], masks[0]):
        np.testing.assert_array_equal(e, t)


def test_random_unstructured_prunes_the_amount_among_the_kept():
    module = _linear(ember)
    ember.nn.utils.prune.random_unstructured(module, "weight", amount=0.25)
    mask = _np(module.weight_mask)
    assert set(np.unique(mask)) <= {0.0, 1.0} and (mask == 0).sum() == 6
    ember.nn.utils.prune.random_unstructured(module, "weight", amount=6)
    second = _np(module.weight_mask)
    assert (second == 0).sum() == 12 and np.all(second[mask == 0] == 0)
    np.testing.assert_array_equal(_np(module.weight), WEIGHT.astype(np.float32) * second)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_random_structured_prunes_whole_channels(dim):
    module = _linear(ember)
    ember.nn.utils.prune.random_structured(module, "weight", amount=0.5, dim=dim)
    mask = np.moveaxis(_np(module.weight_mask), dim, 0)
    channel_kept = mask.reshape(mask.shape[0], -1)
    assert np.all((channel_kept == 0).all(axis=1) | (channel_kept == 1).all(axis=1))
    assert (channel_kept == 0).all(axis=1).sum() == mask.shape[0] // 2
    assert type(next(iter(module._forward_pre_hooks.values()))).__name__ == "RandomStructured"


ERRORS = [
    (lambda p, m: p.l1_unstructured(m, "weight", amount=1.5), ValueError),
    (lambda p, m: p.l1_unstructured(m, "weight", amount=-1), ValueError),
    (lambda p, m: p.l1_unstructured(m, "weight", amount="0.5"), TypeError),
    (lambda p, m: p.l1_unstructured(m, "weight", amount=25), ValueError),
    (lambda p, m: p.ln_structured(m, "bias", amount=1, n=2, dim=0), ValueError),
    (lambda p, m: p.ln_structured(m, "weight", amount=1, n=2, dim=2), IndexError),
    (lambda p, m: p.random_structured(m, "weight", amount=7, dim=0), ValueError),
    (lambda p, m: p.global_unstructured([(m, "weight")], pruning_method=p.LnStructured, amount=1, n=2), TypeError),
    (lambda p, m: p.global_unstructured(3, pruning_method=p.L1Unstructured, amount=1), TypeError),
    (lambda p, m: p.remove(m, "weight"), ValueError),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors_as_torch_and_the_module_left_as_it_was(index):
    action, error = ERRORS[index]
    messages = []
    for lib in (ember, torch):
        module = _linear(lib)
        with pytest.raises(error) as caught:
            action(lib.nn.utils.prune, module)
        messages.append(str(caught.value).split(" of module ")[0].split(". Found method")[0])
        assert not module._forward_pre_hooks
        if lib is ember:  # PyTorch re-registers the parameter, after the others; ember never moved it
            assert [n for n, _ in module.named_parameters()] == ["weight", "bias"]
            np.testing.assert_array_equal(_np(module.weight), WEIGHT.astype(np.float32))
    assert messages[0] == messages[1].replace("torch.Size", "ember.Size")


def test_a_failed_second_pruning_keeps_the_first():
    """Bad input to a second pruning leaves the first one's hook, mask and parameters in place."""
    module = _linear(ember)
    ember.nn.utils.prune.l1_unstructured(module, "weight", amount=0.5)
    mask = _np(module.weight_mask)
    with pytest.raises(ValueError, match="amount=30 should be smaller"):
        ember.nn.utils.prune.l1_unstructured(module, "weight", amount=30)
    with pytest.raises(AssertionError, match="importance_scores should have the same shape"):
        ember.nn.utils.prune.l1_unstructured(module, "weight", amount=1, importance_scores=ember.ones(2))
    hooks = list(module._forward_pre_hooks.values())
    assert len(hooks) == 1 and type(hooks[0]).__name__ == "L1Unstructured"
    np.testing.assert_array_equal(_np(module.weight_mask), mask)
    assert list(module.state_dict()) == ["bias", "weight_orig", "weight_mask"]


def _filled(lib, module):
    with lib.no_grad():
        for i, parameter in enumerate(module.parameters()):
            parameter.copy_(lib.tensor(np.random.default_rng(i).standard_normal(tuple(parameter.shape))
                                       .astype(np.float32)))
    return module


def test_pruned_modules_train_and_reload_as_torch():
    """A pruned Conv2d's forward; SGD steps on a pruned Linear (weight_orig is the parameter, the pruned
    entries stay zero in weight); a pruned state_dict loads into a model pruned with `identity`."""
    x = np.random.default_rng(9).standard_normal((1, 2, 5, 5)).astype(np.float32)
    results = []
    for lib in (torch, ember):
        prune = lib.nn.utils.prune
        conv = _filled(lib, lib.nn.Conv2d(2, 4, 3))
        prune.ln_structured(conv, "weight", amount=0.5, n=2, dim=0)
        prune.l1_unstructured(conv, "bias", amount=1)
        conv_out = _np(conv(lib.tensor(x)))
        linear = _filled(lib, lib.nn.Linear(3, 2))
        optimizer = lib.optim.SGD(linear.parameters(), lr=0.1)
        prune.l1_unstructured(linear, "weight", 3)
        for _ in range(2):
            optimizer.zero_grad()
            linear(lib.ones(1, 3)).square().sum().backward()
            optimizer.step()
        trained = _np(linear.weight)
        twin = lib.nn.Linear(3, 2)
        prune.identity(twin, "weight")
        twin.load_state_dict(linear.state_dict())
        twin_out = _np(twin(lib.ones(1, 3)))
        results.append((conv_out, trained, twin_out, list(conv.state_dict())))
    for e, t in zip(results[1], results[0]):
        if isinstance(t, list):
            assert e == t
        else:
            np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-5)


def test_random_pruning_draws_pytorchs_masks_from_the_same_seed():
    """ember's CPU random stream is PyTorch's: the same seed gives the same random masks (unstructured, then
    structured over what it kept)."""
    masks = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        module = lib.nn.Linear(4, 6, device="cpu")
        lib.nn.utils.prune.random_unstructured(module, "weight", 0.4)
        lib.nn.utils.prune.random_structured(module, "weight", 2, dim=0)
        masks.append(_np(module.weight_mask))
    np.testing.assert_array_equal(masks[1], masks[0])
