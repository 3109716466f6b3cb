"""ember.nn.utils against torch.nn.utils: clip_grad_norm_ (every norm type, non-finite norms, foreach,
parameters without gradients), clip_grad_value_, parameters_to_vector and vector_to_parameters."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle

GRADS = [np.array([[3.0, -4.0], [0.5, 1.5]]), np.array([-2.0, 0.25, 7.0]), None]


def _parameters(lib, grads=GRADS, dtype="float32"):
    """One parameter per entry, with that gradient (None: no gradient)."""
    parameters = []
    for grad in grads:
        shape = (2,) if grad is None else grad.shape
        parameter = lib.nn.Parameter(lib.ones(shape, dtype=getattr(lib, dtype)))
        if grad is not None:
            parameter.grad = lib.tensor(grad.astype(dtype))
        parameters.append(parameter)
    return parameters


def _assert_grads_equal(e_params, t_params):
    for e, t in zip(e_params, t_params):
        assert (e.grad is None) == (t.grad is None)
        if e.grad is not None:
            np.testing.assert_allclose(e.grad.cpu().numpy(), t.grad.cpu().numpy(), rtol=1e-6)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf", 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
@pytest.mark.parametrize("foreach", [None, True, False])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, foreach):
    """The returned total norm and the gradients (scaled down only, never up)."""
    e_params, t_params = _parameters(ember), _parameters(torch)
    e_norm = ember.nn.utils.clip_grad_norm_(e_params, max_norm, norm_type=norm_type, foreach=foreach)
    t_norm = torch.nn.utils.clip_grad_norm_(t_params, max_norm, norm_type=norm_type, foreach=foreach)
    np.testing.assert_allclose(e_norm.cpu().numpy(), t_norm.cpu().numpy(), rtol=1e-6)
    assert e_norm.shape == t_norm.shape and not e_norm.requires_grad
    _assert_grads_equal(e_params, t_params)


def test_clip_grad_norm_of_one_tensor_and_of_a_generator():
    e, t = _parameters(ember)[0], _parameters(torch)[0]
    np.testing.assert_allclose(ember.nn.utils.clip_grad_norm_(e, 1.0).cpu().numpy(),
                               torch.nn.utils.clip_grad_norm_(t, 1.0).cpu().numpy(), rtol=1e-6)
    _assert_grads_equal([e], [t])
    model = ember.nn.Linear(2, 2)
    for parameter in model.parameters():
        parameter.grad = ember.full(parameter.shape, 2.0)
    assert float(ember.nn.utils.clip_grad_norm_(model.parameters(), 1.0)) == pytest.approx(2.0 * 6 ** 0.5)
    assert float(model.weight.grad.norm()) < 1.0


def test_clip_grad_norm_without_gradients():
    for lib in (ember, torch):
        assert float(lib.nn.utils.clip_grad_norm_([lib.nn.Parameter(lib.ones(2))], 1.0)) == 0.0
    with pytest.warns(UserWarning, match="empty generator"):
        ember.nn.utils.clip_grad_norm_((p for p in []), 1.0)


@pytest.mark.parametrize("bad", [float("inf"), float("nan")])
def test_clip_grad_norm_non_finite(bad):
    """error_if_nonfinite raises PyTorch's error before any gradient changes; otherwise the gradients are
    scaled by the non-finite norm, as in PyTorch."""
    grads = [np.array([1.0, bad]), np.array([2.0])]
    for lib in (ember, torch):
        params = _parameters(lib, grads)
        with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
            lib.nn.utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
        assert params[1].grad.tolist() == [2.0]
    e_params, t_params = _parameters(ember, grads), _parameters(torch, grads)
    e_norm = ember.nn.utils.clip_grad_norm_(e_params, 1.0)
    t_norm = torch.nn.utils.clip_grad_norm_(t_params, 1.0)
    np.testing.assert_array_equal(e_norm.cpu().numpy(), t_norm.cpu().numpy())
    for e, t in zip(e_params, t_params):
        np.testing.assert_array_equal(e.grad.cpu().numpy(), t.grad.cpu().numpy())


def test_clip_grad_norm_float64_and_mixed_dtypes():
    grads = [np.array([3.0, 4.0]), np.array([12.0])]
    for dtype in ("float64", "float32"):
        e_params, t_params = _parameters(ember, grads, dtype), _parameters(torch, grads, dtype)
        e_norm = ember.nn.utils.clip_grad_norm_(e_params, 2.0)
        t_norm = torch.nn.utils.clip_grad_norm_(t_params, 2.0)
        assert str(e_norm.dtype).split(".")[-1] == str(t_norm.dtype).split(".")[-1]
        np.testing.assert_allclose(e_norm.cpu().numpy(), t_norm.cpu().numpy(), rtol=1e-7)
        _assert_grads_equal(e_params, t_params)


def test_get_total_norm_and_clip_grads_with_norm_match_torch():
    e_params, t_params = _parameters(ember), _parameters(torch)
    e_total = ember.nn.utils.get_total_norm([p.grad for p in e_params if p.grad is not None], 3.0)
    t_total = torch.nn.utils.get_total_norm([p.grad for p in t_params if p.grad is not None], 3.0)
    np.testing.assert_allclose(e_total.cpu().numpy(), t_total.cpu().numpy(), rtol=1e-6)
    ember.nn.utils.clip_grads_with_norm_(e_params, 1.0, e_total)
    torch.nn.utils.clip_grads_with_norm_(t_params, 1.0, t_total)
    _assert_grads_equal(e_params, t_params)


@pytest.mark.parametrize("clip_value", [0.5, 3, 100.0])
@pytest.mark.parametrize("foreach", [None, False])
def test_clip_grad_value_matches_torch(clip_value, foreach):
    e_params, t_params = _parameters(ember), _parameters(torch)
    assert ember.nn.utils.clip_grad_value_(e_params, clip_value, foreach=foreach) is None
    torch.nn.utils.clip_grad_value_(t_params, clip_value, foreach=foreach)
    _assert_grads_equal(e_params, t_params)
    e, t = _parameters(ember)[1], _parameters(torch)[1]
    ember.nn.utils.clip_grad_value_(e, clip_value)
    torch.nn.utils.clip_grad_value_(t, clip_value)
    _assert_grads_equal([e], [t])


def test_parameters_to_vector_and_back_match_torch():
    results = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Linear(2, 1))
        with lib.no_grad():
            for index, parameter in enumerate(model.parameters()):
                parameter.copy_(lib.arange(parameter.numel(), dtype=lib.float32).view_as(parameter) + index)
        vector = lib.nn.utils.parameters_to_vector(model.parameters())
        vector.sum().backward()
        gradients = [p.grad.cpu().numpy().copy() for p in model.parameters()]
        lib.nn.utils.vector_to_parameters(vector.detach() * 2, model.parameters())
        parameters = [p.detach().cpu().numpy() for p in model.parameters()]
        results.append((vector.detach().cpu().numpy(), gradients, parameters,
                        [p.requires_grad for p in model.parameters()]))
    (e_vec, e_grads, e_after, e_flags), (t_vec, t_grads, t_after, t_flags) = results
    np.testing.assert_array_equal(e_vec, t_vec)
    for got, expected in zip(e_grads + e_after, t_grads + t_after):
        np.testing.assert_array_equal(got, expected)
    assert e_flags == t_flags


def test_vector_to_parameters_refuses_a_non_tensor():
    for lib, name in ((ember, "ember"), (torch, "torch")):
        with pytest.raises(TypeError, match=f"expected {name}.Tensor, but got: list"):
            lib.nn.utils.vector_to_parameters([1.0], [lib.nn.Parameter(lib.ones(1))])
