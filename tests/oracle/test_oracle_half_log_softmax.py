"""float16 log_softmax over the last dim and cross_entropy, bit for bit with PyTorch's CPU kernels: they keep the
sum of the exponentials and its log in float16 (ATen's LogSoftmaxKernelImpl), and float16 cross_entropy is
log_softmax and nll_loss with or without grad (the fused kernel computes in float16)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

SHAPES = [(64, 10), (8, 1000), (4, 7, 5), (3, 33)]


def _half(shape, seed):
    return (np.random.default_rng(seed).standard_normal(shape) * 3).astype(np.float16)


def _bits(t):
    return np.ascontiguousarray(np.atleast_1d(t.detach().cpu().numpy())).view(np.int16)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("shape", SHAPES)
def test_log_softmax_last_dim_is_pytorchs_to_the_bit(shape, seed):
    values = _half(shape, seed)
    x, ours = torch.tensor(values, requires_grad=True), ember.tensor(values, requires_grad=True)
    expected, result = x.log_softmax(-1), ours.log_softmax(-1)
    np.testing.assert_array_equal(_bits(result), _bits(expected))
    upstream = _half(shape, seed + 100)
    expected.backward(torch.tensor(upstream))
    result.backward(ember.tensor(upstream))
    # g - exp(y) * sum(g): PyTorch's vector build fuses it (one rounding in float32), ember rounds the product
    # too: at most 1 ulp in float16, in a few elements
    difference = np.abs(_bits(ours.grad).astype(np.int32) - _bits(x.grad).astype(np.int32))
    assert difference.max() <= 1 and (difference > 0).mean() < 0.01


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("shape", [(64, 10), (8, 1000), (5, 3)])
def test_cross_entropy_is_pytorchs_to_the_bit(shape, reduction, requires_grad):
    values = _half(shape, 7)
    target = np.random.default_rng(8).integers(0, shape[1], shape[0])
    x, ours = torch.tensor(values, requires_grad=requires_grad), ember.tensor(values, requires_grad=requires_grad)
    expected = torch.nn.functional.cross_entropy(x, torch.tensor(target), reduction=reduction)
    result = ember.nn.functional.cross_entropy(ours, ember.tensor(target), reduction=reduction)
    np.testing.assert_array_equal(_bits(result), _bits(expected))
    if requires_grad:
        expected.sum().backward()
        result.sum().backward()
        np.testing.assert_array_equal(_bits(ours.grad), _bits(x.grad))
