"""ember.nn.init's dirac_, eye_, sparse_, orthogonal_ and the deprecated names without underscore against
torch.nn.init: values, structure (draws differ: ember's generator is not PyTorch's), warnings and errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("shape,groups", [((4, 2, 3), 1), ((3, 5, 4), 1), ((4, 4, 3, 3), 2), ((6, 3, 3, 2, 3), 3)])
def test_dirac_matches_torch(shape, groups):
    e, t = ember.full(shape, 7.0), torch.full(shape, 7.0)
    assert ember.nn.init.dirac_(e, groups) is e
    torch.nn.init.dirac_(t, groups)
    np.testing.assert_array_equal(e.cpu().numpy(), t.numpy())


def test_dirac_convolution_is_identity():
    weight = ember.nn.init.dirac_(ember.empty(3, 3, 3, 3))
    image = ember.randn(1, 3, 5, 5)
    np.testing.assert_allclose(ember.nn.functional.conv2d(image, weight, padding=1).cpu().numpy(),
                               image.cpu().numpy(), rtol=1e-6)


@pytest.mark.parametrize("call,error,message", [
    (lambda lib: lib.nn.init.dirac_(lib.empty(3, 3)), ValueError, "Only tensors with 3, 4, or 5 dimensions"),
    (lambda lib: lib.nn.init.dirac_(lib.empty(3, 3, 3), 2), ValueError, "dim 0 must be divisible by groups"),
    (lambda lib: lib.nn.init.sparse_(lib.empty(3), 0.5), ValueError, "Only tensors with 2 dimensions"),
    (lambda lib: lib.nn.init.orthogonal_(lib.empty(3)), ValueError, "Only tensors with 2 or more dimensions"),
    (lambda lib: lib.nn.init.eye_(lib.empty(3, 3, 3)), ValueError, "Only tensors with 2 dimensions"),
])
def test_errors_match_torch(call, error, message):
    for lib in (ember, torch):
        with pytest.raises(error, match=message):
            call(lib)


@pytest.mark.parametrize("sparsity", [0.1, 0.5, 0.9])
def test_sparse_zeros_per_column(sparsity):
    tensor = ember.empty(20, 7)
    assert ember.nn.init.sparse_(tensor, sparsity, std=0.5) is tensor
    values = tensor.cpu().numpy()
    np.testing.assert_array_equal((values == 0).sum(axis=0), [math.ceil(sparsity * 20)] * 7)
    assert 0.2 < values[values != 0].std() < 0.8


@pytest.mark.parametrize("shape", [(4, 4), (3, 6), (6, 3), (2, 3, 4)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_is_orthogonal(shape, gain):
    tensor = ember.empty(*shape)
    assert ember.nn.init.orthogonal_(tensor, gain) is tensor
    flat = tensor.cpu().numpy().reshape(shape[0], -1) / gain
    gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(gram, np.eye(min(flat.shape)), atol=1e-5)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 3, 2)])
def test_orthogonal_matches_torch_on_the_same_draw(shape):
    """PyTorch's orthogonal_ applied (torch.linalg.qr, Q signed by R's diagonal) to the normal draw ember made."""
    rows, cols = shape[0], int(np.prod(shape[1:]))
    tensor = ember.empty(*shape)
    ember.nn.init.orthogonal_(tensor, gain=1.5, generator=ember.Generator(tensor.device).manual_seed(3))
    draw = ember.empty(rows, cols).normal_(0, 1, generator=ember.Generator(tensor.device).manual_seed(3))
    draw = draw.cpu().numpy()
    flat = torch.tensor(draw.T if rows < cols else draw)
    q, r = torch.linalg.qr(flat)
    q = q * torch.diag(r).sign()
    expected = (q.T if rows < cols else q).reshape(shape) * 1.5
    np.testing.assert_allclose(tensor.cpu().numpy(), expected.numpy(), atol=1e-5)


def test_orthogonal_deprecated_name_warns():
    for lib in (ember, torch):
        with pytest.warns(FutureWarning, match="`nn.init.orthogonal` is now deprecated in favor of"):
            lib.nn.init.orthogonal(lib.empty(3, 3))


def test_orthogonal_empty_is_a_no_op():
    tensor = ember.empty(0, 3)
    assert ember.nn.init.orthogonal_(tensor) is tensor


@pytest.mark.parametrize("name,args", [
    ("uniform", (0.0, 1.0)), ("normal", (0.0, 1.0)), ("constant", (0.5,)), ("eye", ()), ("dirac", ()),
    ("xavier_uniform", ()), ("xavier_normal", ()), ("kaiming_uniform", ()), ("kaiming_normal", ()),
    ("sparse", (0.5,)),
])
def test_deprecated_names_warn(name, args):
    shape = (4, 3, 3) if name == "dirac" else (4, 4)
    for lib in (ember, torch):
        tensor = lib.zeros(shape)
        with pytest.warns(FutureWarning, match=rf"`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`."):
            assert getattr(lib.nn.init, name)(tensor, *args) is tensor
        assert getattr(lib.nn.init, name).__name__ == name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        e, t = ember.zeros(shape), torch.zeros(shape)
        if name in ("constant", "eye", "dirac"):
            getattr(ember.nn.init, name)(e, *args)
            getattr(torch.nn.init, name)(t, *args)
            np.testing.assert_array_equal(e.cpu().numpy(), t.numpy())
