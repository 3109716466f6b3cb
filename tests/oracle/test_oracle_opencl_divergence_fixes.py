"""The OpenCL backend's former divergences from PyTorch (issue 8, tests/oracle/device_divergences.py), run
on opencl explicitly against PyTorch on the CPU: float tanh's saturation (tanh-GELU, mish, tanhshrink),
bool ** bool number, the sign of a sum of -0s (cross-entropy, nll_loss), binary_cross_entropy's range check
of NaN (raised at the synchronisation, as CUDA's device assert), index tensors that do not broadcast
together (a 0-d False mask among them), the strides of empty index results, running sums and products
accumulated as PyTorch's (float16 in float). Skipped without torch, ember-opencl or a working OpenCL device."""
from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
pytest.importorskip("ember_opencl")
from ember_opencl import device  # noqa: E402

if not device.discover().devices:
    pytest.skip("no working OpenCL device", allow_module_level=True)

pytestmark = pytest.mark.oracle

# below and past float32's saturation of tanh (about 9.011, where PyTorch's and a correctly rounded tanh reach 1)
SATURATING = [-np.inf, -1e30, -30.0, -9.5, -9.0, -1.0, -0.0, 0.0, 0.3, 9.0, 9.5, 30.0, 1e30, np.inf, np.nan]


def _bits(values: np.ndarray) -> list:
    """Values compared bit for bit (the sign of zero and NaN included)."""
    return values.view(np.uint8).tolist()


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_tanh_saturates_as_pytorchs(dtype):
    values = np.array([v for v in SATURATING if not abs(v) == 1e30 or dtype != "float16"], dtype=dtype)
    ours = ember.tanh(ember.tensor(values, device="opencl")).cpu().numpy()
    theirs = torch.tanh(torch.tensor(values)).numpy()
    if dtype == "float64":  # inside the range, PoCL's double tanh is within an ulp
        np.testing.assert_allclose(ours, theirs, rtol=4e-16, atol=0, equal_nan=True)
        assert _bits(ours[np.abs(values) > 19.1]) == _bits(theirs[np.abs(values) > 19.1])
    else:
        assert np.isnan(ours).tolist() == np.isnan(values).tolist()
        saturated = (np.abs(values) >= 9.5) | (values == 0)
        assert _bits(ours[saturated]) == _bits(theirs[saturated])
        np.testing.assert_allclose(ours, theirs, rtol=3e-7 if dtype == "float32" else 1e-3, atol=0, equal_nan=True)


@pytest.mark.parametrize("name", ["gelu", "mish", "tanhshrink"])
def test_tanh_activations_at_large_inputs_are_pytorchs(name):
    values = np.array([-np.inf, -1e30, -30.0, -12.0, -2.0, 0.5, 12.0, 30.0, 1e30], dtype=np.float32)
    kwargs = {"approximate": "tanh"} if name == "gelu" else {}

    def run(lib, place):
        x = place(lib.tensor(values)).requires_grad_()
        y = getattr(lib.nn.functional, name)(x, **kwargs)
        y.backward(place(lib.ones_like(y)))
        return y.detach().cpu().numpy(), x.grad.cpu().numpy()

    ours = run(ember, lambda t: t.to("opencl"))
    theirs = run(torch, lambda t: t)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=2e-6, atol=1e-6, equal_nan=True)
        assert _bits(np.signbit(a[b == 0])) == _bits(np.signbit(b[b == 0]))


@pytest.mark.parametrize("exponent", [True, False])
def test_bool_power_of_a_bool_number_is_pytorchs(exponent):
    values = np.array([True, False])
    ours = ember.tensor(values, device="opencl")
    theirs = torch.tensor(values)
    assert (ours ** exponent).cpu().numpy().tolist() == (theirs ** exponent).numpy().tolist()
    assert str(ember.pow(ours, exponent).dtype) == str(torch.pow(theirs, exponent).dtype).replace("torch", "ember")
    ours.pow_(exponent)
    theirs.pow_(exponent)
    assert ours.cpu().numpy().tolist() == theirs.numpy().tolist()


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("shape", [(1,), (3,), (2, 5), (20000,)])
def test_sums_of_negative_zeros_are_positive_as_pytorchs(shape, dtype):
    values = -np.zeros(shape, dtype=dtype)
    ours, theirs = ember.tensor(values, device="opencl"), torch.tensor(values)
    for reduce in (lambda x: x.sum(), lambda x: x.sum(-1), lambda x: x.mean(), lambda x: x.sum(0, keepdim=True)):
        assert np.signbit(reduce(ours).cpu().numpy()).tolist() == np.signbit(reduce(theirs).numpy()).tolist()
    assert ember.tensor([-0.0, -1.0], device="opencl").sum().item() == -1.0


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_losses_of_zero_are_signed_as_pytorchs(reduction):
    def run(lib, place):
        x = place(lib.zeros((2, 1))).requires_grad_()
        target = place(lib.tensor([0, 0]))
        losses = [lib.nn.functional.cross_entropy(x, target, reduction=reduction),
                  lib.nn.functional.nll_loss(x, target, reduction=reduction)]
        return [np.signbit(loss.detach().cpu().numpy()).tolist() for loss in losses]

    assert run(ember, lambda t: t.to("opencl")) == run(torch, lambda t: t)


@pytest.mark.parametrize("value", [np.nan, 1.5, -1e-30, np.inf])
def test_binary_cross_entropy_refuses_nan_and_outside_values_at_the_synchronisation(value):
    values = np.array([value, 0.5], dtype=np.float32)
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        torch.nn.functional.binary_cross_entropy(torch.tensor(values), torch.full((2,), 0.5))
    loss = ember.nn.functional.binary_cross_entropy(ember.tensor(values, device="opencl"),
                                                    ember.full((2,), 0.5, device="opencl"))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        loss.cpu()
    inside = ember.nn.functional.binary_cross_entropy(ember.tensor([0.0, 1.0, 0.25], device="opencl"),
                                                      ember.full((3,), 0.5, device="opencl"))
    expected = torch.nn.functional.binary_cross_entropy(torch.tensor([0.0, 1.0, 0.25]), torch.full((3,), 0.5))
    np.testing.assert_allclose(inside.item(), expected.item(), rtol=1e-6)


def _index_outcome(lib, place, key_of):
    """x[key] and x[key] = 1 on a (2, 3, 4) tensor: (shape, strides) or the error (type and message)."""
    x = place(lib.arange(24.0).reshape(2, 3, 4))
    outcome = []
    for write in (False, True):
        try:
            if write:
                x[key_of(lib, place)] = 1.0
                outcome.append(x.cpu().numpy().tolist())
            else:
                result = x[key_of(lib, place)]
                outcome.append((tuple(result.shape), result.stride(), result.cpu().numpy().tolist()))
        except IndexError as error:
            outcome.append(str(error))
    return outcome


BROADCAST_KEYS = {
    "2-d index, False": lambda lib, place: (place(lib.tensor([[0, 1], [1, 0]])), False),
    "False, index": lambda lib, place: (False, place(lib.tensor([0, 1]))),
    "index, slice, False": lambda lib, place: (place(lib.tensor([0, 1])), slice(None), False),
    "list, False": lambda lib, place: ([1, 0], False),
    "index, empty index": lambda lib, place: (place(lib.tensor([0, 1])), place(lib.tensor([], dtype=lib.int64))),
    "index, mask": lambda lib, place: (place(lib.tensor([0, 1])), place(lib.ones(3, 4, dtype=lib.bool))),
    "index, 3 indices": lambda lib, place: (place(lib.tensor([0, 1])), place(lib.tensor([0, 1, 2]))),
    "mask, False": lambda lib, place: (place(lib.tensor([True, False])), False),
    "index, True": lambda lib, place: (place(lib.tensor([0, 1])), True),
    "empty index, None": lambda lib, place: (place(lib.tensor([], dtype=lib.int64)), None),
    "None, empty index, None": lambda lib, place: (None, place(lib.tensor([], dtype=lib.int64)), None),
    "column, empty index, None": lambda lib, place: (place(lib.tensor([[0], [1]])),
                                                     place(lib.tensor([], dtype=lib.int64)), None),
}


@pytest.mark.parametrize("device_name", ["opencl", "cpu"])
@pytest.mark.parametrize("name", list(BROADCAST_KEYS))
def test_index_tensors_broadcast_and_lay_out_as_pytorchs(name, device_name):
    ours = _index_outcome(ember, lambda t: t.to(device_name), BROADCAST_KEYS[name])
    assert ours == _index_outcome(torch, lambda t: t, BROADCAST_KEYS[name])


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_running_sums_and_products_are_pytorchs_bit_for_bit(op, dtype):
    values = np.random.default_rng(5).standard_normal((3, 4000)).astype(dtype)
    if op == "cumprod":
        values = 1 + values / 64  # products that stay in range for 4000 steps
    for dim, place in ((1, lambda t: t), (0, lambda t: t), (1, lambda t: t.t().contiguous().t())):
        ours = getattr(ember, op)(place(ember.tensor(values, device="opencl")), dim).cpu().numpy()
        theirs = getattr(torch, op)(torch.tensor(values), dim).numpy()
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)
