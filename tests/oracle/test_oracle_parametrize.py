"""ember.nn.utils.parametrize / parametrizations and the legacy weight_norm/spectral_norm hooks against
PyTorch's: class swap, state_dict keys, values and gradients through the parametrizations, cached(), removal,
right_inverse assignment, errors and warnings; linalg.matrix_exp; conv/linear-batch-norm fusion."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle

X = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)


def _pair(make, **init):
    """The same module in ember and torch, ember's holding torch's initial values."""
    t_module = make(torch, **init)
    e_module = make(ember, **init)
    e_module.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t_module.state_dict().items()})
    return e_module, t_module


def _linear(lib, n_in=5, n_out=4):
    return lib.nn.Linear(n_in, n_out)


def _close(e, t, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(e.detach().cpu().numpy(), t.detach().cpu().numpy(), rtol=rtol, atol=atol)


def _same_forward_and_grads(e_module, t_module, x=X, rtol=1e-5, atol=1e-6):
    ye, yt = e_module(ember.tensor(x)), t_module(torch.tensor(x))
    _close(ye, yt, rtol, atol)
    (ye * ye).sum().backward()
    (yt * yt).sum().backward()
    e_named, t_named = dict(e_module.named_parameters()), dict(t_module.named_parameters())
    assert list(e_named) == list(t_named)
    for name, tp in t_named.items():
        _close(e_named[name].grad, tp.grad, rtol, atol)


class Symmetric(ember.nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).mT


class TorchSymmetric(torch.nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).mT


class Scale(ember.nn.Module):
    def forward(self, X):
        return 2 * X

    def right_inverse(self, A):
        return A / 2


class TorchScale(torch.nn.Module):
    def forward(self, X):
        return 2 * X

    def right_inverse(self, A):
        return A / 2


def _both(e_cls, t_cls):
    return e_cls(), t_cls()


def test_register_parametrization_swaps_class_and_state_dict():
    e_module, t_module = _pair(_linear, n_in=4, n_out=4)
    ember.nn.utils.parametrize.register_parametrization(e_module, "weight", Symmetric())
    torch.nn.utils.parametrize.register_parametrization(t_module, "weight", TorchSymmetric())
    assert type(e_module).__name__ == type(t_module).__name__ == "ParametrizedLinear"
    assert ember.nn.utils.parametrize.type_before_parametrizations(e_module) is ember.nn.Linear
    assert isinstance(e_module, ember.nn.Linear)
    assert ember.nn.utils.parametrize.is_parametrized(e_module)
    assert ember.nn.utils.parametrize.is_parametrized(e_module, "weight")
    assert not ember.nn.utils.parametrize.is_parametrized(e_module, "bias")
    assert list(e_module.state_dict()) == list(t_module.state_dict()) == ["bias", "parametrizations.weight.original"]
    _close(e_module.weight, t_module.weight)
    _close(e_module.parametrizations.weight.original, t_module.parametrizations.weight.original)
    _same_forward_and_grads(e_module, t_module, X[:, :4])


def test_cached_evaluates_once():
    e_module, _ = _pair(_linear)
    ember.nn.utils.parametrize.register_parametrization(e_module, "weight", Scale())
    assert e_module.weight is not e_module.weight
    with ember.nn.utils.parametrize.cached():
        assert e_module.weight is e_module.weight
    assert e_module.weight is not e_module.weight


def test_chained_parametrizations_and_right_inverse_assignment():
    e_module, t_module = _pair(_linear)
    for module, lib, cls in ((e_module, ember, Scale), (t_module, torch, TorchScale)):
        lib.nn.utils.parametrize.register_parametrization(module, "weight", cls())
        lib.nn.utils.parametrize.register_parametrization(module, "weight", cls())
        assert len(module.parametrizations.weight) == 2
    _close(e_module.parametrizations.weight.original, t_module.parametrizations.weight.original)
    value = np.arange(20, dtype=np.float32).reshape(4, 5)
    e_original = e_module.parametrizations.weight.original
    e_module.weight = ember.tensor(value)
    t_module.weight = torch.tensor(value)
    assert e_module.parametrizations.weight.original is e_original  # the same Parameter, new values
    _close(e_module.parametrizations.weight.original, t_module.parametrizations.weight.original)
    _close(e_module.weight, t_module.weight)
    _same_forward_and_grads(e_module, t_module)


@pytest.mark.parametrize("leave_parametrized", [True, False])
def test_remove_parametrizations(leave_parametrized):
    e_module, t_module = _pair(_linear)
    for module, lib, cls in ((e_module, ember, Scale), (t_module, torch, TorchScale)):
        lib.nn.utils.parametrize.register_parametrization(module, "weight", cls())
        lib.nn.utils.parametrize.remove_parametrizations(module, "weight", leave_parametrized=leave_parametrized)
    assert type(e_module) is ember.nn.Linear
    assert not hasattr(e_module, "parametrizations")
    assert isinstance(e_module.weight, ember.nn.Parameter)
    assert list(e_module.state_dict()) == list(t_module.state_dict())
    _close(e_module.weight, t_module.weight)


def test_errors_match_torch():
    e_module, t_module = _pair(_linear)
    for module, lib, cls in ((e_module, ember, ember.nn.Flatten), (t_module, torch, torch.nn.Flatten)):
        with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element"):
            lib.nn.utils.parametrize.register_parametrization(module, "nothing", cls())
        with pytest.raises(ValueError, match="may not change the shape of the tensor"):
            lib.nn.utils.parametrize.register_parametrization(module, "weight", cls(0))
        with pytest.raises(ValueError, match="does not have a parametrization on weight"):
            lib.nn.utils.parametrize.remove_parametrizations(module, "weight")
    assert type(e_module) is ember.nn.Linear and list(e_module.state_dict()) == ["weight", "bias"]


def _chained_errors(lib):
    """The messages of a second parametrization changing the dtype, or whose right_inverse changes the shape."""
    class Double(lib.nn.Module):
        def forward(self, X):
            return X.double()

    class Narrowing(lib.nn.Module):
        def forward(self, X):
            return X

        def right_inverse(self, X):
            return X[:1]

    module = lib.nn.Linear(3, 3)
    lib.nn.utils.parametrize.register_parametrization(module, "weight", lib.nn.Identity())
    messages = []
    for parametrization in (Double(), Narrowing()):
        with pytest.raises(ValueError) as error:
            lib.nn.utils.parametrize.register_parametrization(module, "weight", parametrization)
        messages.append(str(error.value).replace("torch.", "ember."))
    assert len(module.parametrizations.weight) == 1  # refused before anything changed
    return messages


def test_chained_parametrization_errors_match_torch():
    assert _chained_errors(ember) == _chained_errors(torch)


def test_deepcopy_and_pickling():
    import copy
    import pickle

    e_module, _ = _pair(_linear)
    ember.nn.utils.parametrize.register_parametrization(e_module, "weight", Scale())
    replica = copy.deepcopy(e_module)
    assert type(replica) is type(e_module)
    assert replica.parametrizations.weight.original is not e_module.parametrizations.weight.original
    _close(replica.weight, e_module.weight)
    with pytest.raises(RuntimeError, match="Serialization of parametrized modules is only supported"):
        pickle.dumps(e_module)


def test_transfer_parametrizations_and_params():
    e_module, t_module = _pair(_linear)
    ember.nn.utils.parametrize.register_parametrization(e_module, "weight", Scale())
    target = ember.nn.Linear(5, 4)
    ember.nn.utils.parametrize.transfer_parametrizations_and_params(e_module, target)
    assert type(target).__name__ == "ParametrizedLinear"
    assert target.parametrizations.weight.original is e_module.parametrizations.weight.original
    _close(target.weight, e_module.weight.detach())


def test_weight_norm_parametrization():
    e_module, t_module = _pair(_linear)
    ember.nn.utils.parametrizations.weight_norm(e_module)
    torch.nn.utils.parametrizations.weight_norm(t_module)
    assert list(e_module.state_dict()) == list(t_module.state_dict())
    for key, value in t_module.state_dict().items():
        _close(e_module.state_dict()[key], value)
    _same_forward_and_grads(e_module, t_module)


@pytest.mark.parametrize("dim,g_shape,grad_fn", [(0, (3, 1, 1), "WeightNormInterfaceBackward0"),
                                                 (1, (1, 4, 1), "MulBackward0"),
                                                 (2, (1, 1, 5), "WeightNormInterfaceBackward0"),
                                                 (-1, (), "MulBackward0")])
def test_weight_norm_op(dim, g_shape, grad_fn):
    """torch._weight_norm and norm_except_dim: values, grad_fn (the fused node along the first or last dim),
    gradients, and second derivatives by gradgradcheck."""
    rng = np.random.default_rng(2)
    v, g, weights = rng.standard_normal((3, 4, 5)), rng.standard_normal(g_shape), rng.standard_normal((3, 4, 5))
    results = []
    for lib in (ember, torch):
        lv, lg = lib.tensor(v, requires_grad=True), lib.tensor(g, requires_grad=True)
        w = lib._weight_norm(lv, lg, dim)
        assert type(w.grad_fn).__name__ == grad_fn
        (w * lib.tensor(weights)).sum().backward()
        results.append((w, lv.grad, lg.grad, lib.norm_except_dim(lv, 2, dim)))
    for e, t in zip(*results):
        _close(e, t, rtol=1e-12, atol=1e-12)
    ev, eg = ember.tensor(v, requires_grad=True), ember.tensor(g, requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda a, b: ember._weight_norm(a, b, dim), (ev, eg))


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_dims_and_legacy_state_dict(dim):
    e_module, t_module = _pair(_linear)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        torch.nn.utils.weight_norm(t_module, dim=dim)
    ember.nn.utils.parametrizations.weight_norm(e_module, dim=dim)
    e_module.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t_module.state_dict().items()})
    _close(e_module.weight, t_module.weight)


def _load_torch_state(e_module, t_module):
    """ember's generator is not PyTorch's: the power iteration's random start is copied from torch's module."""
    e_module.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t_module.state_dict().items()})


def test_spectral_norm_parametrization():
    e_module, t_module = _pair(_linear)
    ember.nn.utils.parametrizations.spectral_norm(e_module)
    torch.nn.utils.parametrizations.spectral_norm(t_module)
    assert list(e_module.state_dict()) == list(t_module.state_dict())
    u = e_module.parametrizations.weight[0]._u
    np.testing.assert_allclose(float(u.norm()), 1.0, rtol=1e-6)
    _load_torch_state(e_module, t_module)
    _same_forward_and_grads(e_module, t_module, rtol=1e-4, atol=1e-5)  # one power-iteration step each
    for key, value in t_module.state_dict().items():
        _close(e_module.state_dict()[key], value, rtol=1e-4, atol=1e-5)
    e_module.eval()
    t_module.eval()
    _close(e_module.weight, t_module.weight, rtol=1e-4, atol=1e-5)


def test_spectral_norm_sigma_is_the_largest_singular_value():
    """Each training-mode read runs one more power-iteration step: converged, the weight's spectral norm is 1."""
    ember.manual_seed(0)
    module = ember.nn.utils.parametrizations.spectral_norm(ember.nn.Linear(6, 4).double())
    for _ in range(200):
        module(ember.zeros(1, 6, dtype=ember.float64))
    module.eval()
    np.testing.assert_allclose(float(ember.linalg.svdvals(module.weight.detach())[0]), 1.0, rtol=1e-8)


def test_spectral_norm_errors():
    for lib in (ember, torch):
        with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
            lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(3, 2), n_power_iterations=0)
        with pytest.raises(IndexError, match="Dimension out of range"):
            lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(3, 2), dim=2)
        with pytest.raises(ValueError, match="has no parameter or buffer with name 'nothing'"):
            lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(3, 2), "nothing")


@pytest.mark.parametrize("orthogonal_map", ["matrix_exp", "cayley"])
def test_orthogonal_without_trivialization(orthogonal_map):
    """Without the trivialization the weight's lower triangle is the parameter itself (no QR needed)."""
    e_module, t_module = _pair(_linear, n_in=4, n_out=4)
    ember.nn.utils.parametrizations.orthogonal(e_module, orthogonal_map=orthogonal_map, use_trivialization=False)
    torch.nn.utils.parametrizations.orthogonal(t_module, orthogonal_map=orthogonal_map, use_trivialization=False)
    assert list(e_module.state_dict()) == list(t_module.state_dict())
    weight = e_module.weight.detach()
    _close(weight.mT @ weight, torch.eye(4), atol=1e-5)
    _close(weight, t_module.weight, atol=1e-5)
    _same_forward_and_grads(e_module, t_module, X[:, :4], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape,orthogonal_map", [((4, 4), "matrix_exp"), ((4, 4), "cayley"),
                                                  ((5, 3), "householder"), ((3, 5), None)])
def test_orthogonal_with_trivialization(shape, orthogonal_map):
    e_module, t_module = _pair(_linear, n_in=shape[1], n_out=shape[0])
    ember.nn.utils.parametrizations.orthogonal(e_module, orthogonal_map=orthogonal_map)
    torch.nn.utils.parametrizations.orthogonal(t_module, orthogonal_map=orthogonal_map)
    assert list(e_module.state_dict()) == list(t_module.state_dict())
    if shape[0] == shape[1]:  # a wide or tall weight is completed by random columns
        _close(e_module.weight, t_module.weight, atol=1e-5)
        _close(e_module.parametrizations.weight[0].base, t_module.parametrizations.weight[0].base, atol=1e-5)
        _same_forward_and_grads(e_module, t_module, X[:, :shape[1]], rtol=1e-4, atol=1e-5)
    weight = e_module.weight.detach()
    gram = weight @ weight.mT if shape[0] < shape[1] else weight.mT @ weight
    _close(gram, torch.eye(min(shape)), atol=1e-5)


def test_orthogonal_errors():
    for lib in (ember, torch):
        with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp", "cayley", "householder"'):
            lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(3, 3), orthogonal_map="qr")
        with pytest.raises(ValueError, match="Expected a matrix or batch of matrices. Got a tensor of 1 dimensions."):
            lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(3, 3), "bias")


@pytest.mark.parametrize("dim", [0, 1, None])
def test_legacy_weight_norm(dim):
    e_module, t_module = _pair(_linear)
    with pytest.warns(FutureWarning, match="`torch.nn.utils.weight_norm` is deprecated in favor of"):
        ember.nn.utils.weight_norm(e_module, dim=dim)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        torch.nn.utils.weight_norm(t_module, dim=dim)
    assert list(e_module.state_dict()) == list(t_module.state_dict()) == ["bias", "weight_g", "weight_v"]
    _close(e_module.weight_g, t_module.weight_g)
    _same_forward_and_grads(e_module, t_module)
    ember.nn.utils.remove_weight_norm(e_module)
    torch.nn.utils.remove_weight_norm(t_module)
    assert list(e_module.state_dict()) == list(t_module.state_dict())
    _close(e_module.weight, t_module.weight)
    for lib, module in ((ember, e_module), (torch, t_module)):
        with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
            lib.nn.utils.remove_weight_norm(module)


def test_legacy_spectral_norm():
    e_module, t_module = _pair(_linear)
    ember.nn.utils.spectral_norm(e_module)
    torch.nn.utils.spectral_norm(t_module)
    assert list(e_module.state_dict()) == list(t_module.state_dict())
    assert e_module.state_dict()._metadata[""]["spectral_norm"] == {"weight.version": 1}
    _load_torch_state(e_module, t_module)
    _same_forward_and_grads(e_module, t_module, rtol=1e-4, atol=1e-5)
    for key, value in t_module.state_dict().items():
        _close(e_module.state_dict()[key], value, rtol=1e-4, atol=1e-5)
    ember.nn.utils.remove_spectral_norm(e_module)
    torch.nn.utils.remove_spectral_norm(t_module)
    assert list(e_module.state_dict()) == list(t_module.state_dict()) == ["bias", "weight"]
    assert not e_module._state_dict_hooks and not e_module._load_state_dict_pre_hooks
    _close(e_module.weight, t_module.weight, rtol=1e-4, atol=1e-5)
    for lib, module in ((ember, e_module), (torch, t_module)):
        with pytest.raises(ValueError, match="spectral_norm of 'weight' not found in"):
            lib.nn.utils.remove_spectral_norm(module)


def test_legacy_spectral_norm_loads_a_version_0_state_dict():
    """A state dict without the version and without weight_v (PyTorch's before 1.1): v solved for (WᵀW
    invertible: a tall weight)."""
    e_module, t_module = _pair(_linear, n_in=4, n_out=5)
    ember.nn.utils.spectral_norm(e_module)
    torch.nn.utils.spectral_norm(t_module)
    t_module(torch.tensor(X[:, :4]))
    old = t_module.state_dict()
    del old._metadata[""]["spectral_norm"]
    old["weight"] = t_module.weight.detach()
    del old["weight_v"]
    t_fresh = torch.nn.utils.spectral_norm(torch.nn.Linear(4, 5))
    t_fresh.load_state_dict(old)
    e_old = {k: ember.tensor(v.numpy()) for k, v in old.items()}
    e_module.load_state_dict(e_old)
    e_module.eval()
    t_fresh.eval()
    _close(e_module.weight_v, t_fresh.weight_v, rtol=1e-3, atol=1e-4)
    _close(e_module(ember.tensor(X[:, :4])), t_fresh(torch.tensor(X[:, :4])), rtol=1e-3, atol=1e-4)


def test_clip_grad_norm_deprecated():
    for lib in (ember, torch):
        parameter = lib.nn.Parameter(lib.ones(3))
        parameter.grad = lib.full((3,), 4.0)
        with pytest.warns(FutureWarning, match="`torch.nn.utils.clip_grad_norm` is now deprecated"):
            norm = lib.nn.utils.clip_grad_norm([parameter], 1.0)
        assert abs(float(norm) - 48 ** 0.5) < 1e-5


def test_fuse_conv_bn_and_linear_bn():
    rng = np.random.default_rng(1)
    stats = {"running_mean": rng.standard_normal(3), "running_var": rng.random(3) + 0.5,
             "weight": rng.standard_normal(3), "bias": rng.standard_normal(3)}
    outputs = []
    for lib in (ember, torch):
        conv, bn = lib.nn.Conv2d(2, 3, 3), lib.nn.BatchNorm2d(3)
        linear, bn1 = lib.nn.Linear(4, 3), lib.nn.BatchNorm1d(3)
        for module, seed in ((conv, 2), (linear, 3)):
            for param in module.parameters():
                with lib.no_grad():
                    param.copy_(lib.tensor(np.random.default_rng(seed).standard_normal(tuple(param.shape))))
        for norm in (bn, bn1):
            for name, value in stats.items():
                with lib.no_grad():
                    getattr(norm, name).copy_(lib.tensor(value))
        for module in (conv, bn, linear, bn1):
            module.eval()
        fused_conv = lib.nn.utils.fuse_conv_bn_eval(conv, bn)
        fused_linear = lib.nn.utils.fuse_linear_bn_eval(linear, bn1)
        assert isinstance(fused_conv.weight, lib.nn.Parameter) and fused_conv is not conv
        image = lib.tensor(np.random.default_rng(4).standard_normal((2, 2, 5, 5)).astype(np.float32))
        rows = lib.tensor(X[:, :4])
        _close(fused_conv(image), bn(conv(image)), atol=1e-5)
        _close(fused_linear(rows), bn1(linear(rows)), atol=1e-5)
        outputs.append((fused_conv(image), fused_linear(rows), fused_conv.weight, fused_linear.bias))
        with pytest.raises(AssertionError, match="Fusion only for eval!"):
            lib.nn.utils.fuse_linear_bn_eval(linear.train(), bn1)
    for e, t in zip(*outputs):
        _close(e, t, atol=1e-5)


def test_skip_init_leaves_the_generator():
    """The module is built on ``device`` (the CPU by default, as PyTorch's) without consuming its draws."""
    ember.manual_seed(5)
    expected = ember.rand(3, device="cpu")
    ember.manual_seed(5)
    module = ember.nn.utils.skip_init(ember.nn.Linear, 5, 4)
    assert module.weight.shape == (4, 5) and module.weight.device == ember.device("cpu")
    _close(ember.rand(3, device="cpu"), expected, rtol=0, atol=0)
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="Expected a Module; got"):
            lib.nn.utils.skip_init(int)
        with pytest.raises(RuntimeError, match="Module must support a 'device' arg to skip initialization"):
            lib.nn.utils.skip_init(lib.nn.ReLU)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (5, 5), (0, 2, 2)])
@pytest.mark.parametrize("scale", [0.1, 4.0])
def test_matrix_exp_values_and_gradients(shape, scale):
    a = np.random.default_rng(6).standard_normal(shape) * scale
    ea = ember.tensor(a, requires_grad=True)
    ta = torch.tensor(a, requires_grad=True)
    e_result, t_result = ember.linalg.matrix_exp(ea), torch.linalg.matrix_exp(ta)
    largest = max(1.0, float(np.abs(t_result.detach().numpy()).max(initial=0)))
    _close(e_result, t_result, rtol=1e-12, atol=1e-12 * largest)
    assert type(e_result.grad_fn).__name__ == type(t_result.grad_fn).__name__ == "LinalgMatrixExpBackward0"
    weights = np.random.default_rng(7).standard_normal(shape)
    (e_result * ember.tensor(weights)).sum().backward()
    (t_result * torch.tensor(weights)).sum().backward()
    _close(ea.grad, ta.grad, rtol=1e-9, atol=1e-9 * max(1.0, float(np.abs(ta.grad.numpy()).max(initial=0))))
    _close(ember.matrix_exp(ember.tensor(a)), torch.matrix_exp(torch.tensor(a)), rtol=1e-12, atol=1e-10)
    _close(ember.tensor(a).matrix_exp(), torch.tensor(a).matrix_exp(), rtol=1e-12, atol=1e-10)


def test_matrix_exp_double_backward():
    a = ember.tensor(np.random.default_rng(8).standard_normal((2, 3, 3)), requires_grad=True)
    assert ember.autograd.gradcheck(ember.linalg.matrix_exp, (a,))
    assert ember.autograd.gradgradcheck(ember.linalg.matrix_exp, (a,))


@pytest.mark.parametrize("value,message", [
    (np.ones(3), "linalg.matrix_exp: The input tensor A must have at least 2 dimensions."),
    (np.ones((2, 3)), "linalg.matrix_exp: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (np.ones((2, 2), dtype=np.int64),
     "linalg.matrix_exp: Expected a floating point or complex tensor as input. Got Long"),
])
def test_matrix_exp_errors(value, message):
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match=message):
            lib.linalg.matrix_exp(lib.tensor(value))


def test_matrix_exp_half():
    """float16 is computed in float32 (PyTorch 2.13's CPU kernel overflows to inf here)."""
    a = np.array([[0.5, 1.0], [-1.0, 0.25]], dtype=np.float16)
    e = ember.matrix_exp(ember.tensor(a))
    assert e.dtype == ember.float16
    _close(e.float(), torch.matrix_exp(torch.tensor(a).float()).half().float(), rtol=1e-3, atol=1e-3)
