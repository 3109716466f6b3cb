"""F.pixel_shuffle / pixel_unshuffle / channel_shuffle, their modules and nn.Softmax2d against PyTorch: values
(integers too), gradients, grad_fn names, strided inputs, extra batch dims, reprs, errors; gradcheck and
gradgradcheck on float64."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

pytestmark = pytest.mark.oracle

CASES = {
    "pixel_shuffle": ((2, 8, 3, 2), lambda lib, x: lib.nn.functional.pixel_shuffle(x, 2), "PixelShuffleBackward0"),
    "pixel_shuffle_batch_dims": ((2, 1, 9, 2, 2), lambda lib, x: lib.pixel_shuffle(x, 3), "PixelShuffleBackward0"),
    "pixel_shuffle_3d": ((4, 1, 3), lambda lib, x: lib.nn.PixelShuffle(2)(x), "PixelShuffleBackward0"),
    "pixel_unshuffle": ((2, 2, 4, 6), lambda lib, x: lib.nn.functional.pixel_unshuffle(x, 2),
                        "PixelUnshuffleBackward0"),
    "pixel_unshuffle_module": ((3, 1, 6, 3), lambda lib, x: lib.nn.PixelUnshuffle(3)(x), "PixelUnshuffleBackward0"),
    "channel_shuffle": ((2, 6, 3), lambda lib, x: lib.nn.functional.channel_shuffle(x, 3), "ChannelShuffleBackward0"),
    "channel_shuffle_4d": ((2, 8, 2, 3), lambda lib, x: lib.nn.ChannelShuffle(2)(x), "ChannelShuffleBackward0"),
    "channel_shuffle_torch": ((1, 4, 2, 1, 2), lambda lib, x: lib.channel_shuffle(x, 4), "ChannelShuffleBackward0"),
    "softmax2d": ((2, 3, 4, 2), lambda lib, x: lib.nn.Softmax2d()(x), "SoftmaxBackward0"),
    "softmax2d_3d": ((3, 2, 2), lambda lib, x: lib.nn.Softmax2d()(x), "SoftmaxBackward0"),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matches_torch(oracle, name, layout, dtype):
    shape, fn, grad_fn = CASES[name]
    x = oracle.layout_array(oracle.rng(1), shape, layout, dtype, "any")
    e, t = oracle.check(lambda lib, a: fn(lib, oracle.view_as_layout(a, layout)), x)
    assert oracle.grad_fn_name(e) == oracle.grad_fn_name(t) == grad_fn
    assert e.is_contiguous() == t.is_contiguous()


@pytest.mark.parametrize("name", [name for name in CASES if "softmax" not in name])
def test_integers_are_rearranged_as_torch(oracle, name):
    shape, fn, _ = CASES[name]
    oracle.check_forward(fn, np.arange(np.prod(shape)).reshape(shape))


def test_double_backward_records_the_inverse_rearrangement_as_torch(oracle):
    x = oracle.array(oracle.rng(2), (1, 4, 2, 2), "float64", "any")
    for name, fn in (("pixel_shuffle", lambda lib, a: lib.nn.functional.pixel_shuffle(a, 2)),
                     ("channel_shuffle", lambda lib, a: lib.nn.functional.channel_shuffle(a, 2))):
        results = []
        for lib in (ember, torch):
            a = lib.tensor(x, requires_grad=True)
            out = fn(lib, a)
            upstream = lib.tensor(np.linspace(-1, 1, out.numel()).reshape(out.shape), requires_grad=True)
            (g,) = lib.autograd.grad(out, a, upstream, create_graph=True)
            (gg,) = lib.autograd.grad((g * g).sum(), upstream)
            results.append((type(g.grad_fn).__name__, g.detach().cpu().numpy(), gg.cpu().numpy()))
        assert results[0][0] == results[1][0], name
        np.testing.assert_allclose(results[0][1], results[1][1])
        np.testing.assert_allclose(results[0][2], results[1][2])


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.pixel_shuffle(lib.randn(2, 3, 2, 2), 2),
    lambda lib: lib.nn.functional.pixel_shuffle(lib.randn(4, 2), 2),
    lambda lib: lib.nn.functional.pixel_shuffle(lib.randn(2, 3), 0),
    lambda lib: lib.nn.functional.pixel_shuffle(lib.randn(1, 4, 2, 2), 0),
    lambda lib: lib.nn.functional.pixel_shuffle(lib.randn(1, 4, 2, 2), -2),
    lambda lib: lib.nn.functional.pixel_shuffle(lib.randn(1, 4, 2, 2), 2.0),
    lambda lib: lib.nn.functional.pixel_unshuffle(lib.randn(1, 2, 3, 4), 2),
    lambda lib: lib.nn.functional.pixel_unshuffle(lib.randn(1, 2, 4, 3), 2),
    lambda lib: lib.nn.functional.pixel_unshuffle(lib.randn(2, 3), 2),
    lambda lib: lib.nn.functional.pixel_unshuffle(lib.randn(1, 4, 2, 2), 0),
    lambda lib: lib.nn.functional.channel_shuffle(lib.randn(2, 3, 4), 2),
    lambda lib: lib.nn.functional.channel_shuffle(lib.randn(2, 4), 2),
    lambda lib: lib.nn.functional.channel_shuffle(lib.randn(2, 4), 0),
    lambda lib: lib.nn.functional.channel_shuffle(lib.randn(2, 3, 1), 0),
    lambda lib: lib.nn.functional.channel_shuffle(lib.randn(2, 4, 1), -1),
    lambda lib: lib.nn.functional.channel_shuffle(lib.randn(2, 4, 1), 2.0),
    lambda lib: lib.nn.Softmax2d()(lib.randn(2, 3)),
    lambda lib: lib.nn.Softmax2d()(lib.randn(2, 3, 4, 5, 6)),
])
def test_errors_match_torch(call):
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(expected.type) as got:
        call(ember)
    assert str(got.value) == str(expected.value)


def test_reprs_match_torch():
    for name, args in (("PixelShuffle", (2,)), ("PixelUnshuffle", (3,)), ("ChannelShuffle", (4,)), ("Softmax2d", ())):
        assert repr(getattr(ember.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


def test_gradcheck_and_gradgradcheck():
    x = ember.tensor(np.random.default_rng(3).standard_normal((2, 4, 2, 2)), requires_grad=True)
    F = ember.nn.functional
    for fn in (lambda a: F.pixel_shuffle(a, 2), lambda a: F.pixel_unshuffle(a, 2),
               lambda a: F.channel_shuffle(a, 2), lambda a: ember.nn.Softmax2d()(a)):
        assert ember.autograd.gradcheck(fn, (x,))
        assert ember.autograd.gradgradcheck(fn, (x,))
