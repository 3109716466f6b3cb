"""Out-of-range index tensors in getitem, setitem and index_put on OpenCL: PyTorch's IndexError (the index,
its place among the key's index tensors, the dim's size) at the next synchronisation, with no host read
inside the op; the kernels clamp meanwhile. Core's own indexing that is in range by construction (nll_loss's
picks) adds no check. Skipped without ember-opencl or a working OpenCL device."""
from __future__ import annotations

import numpy as np
import opencl_device  # noqa: F401,E402  (skips this module without a working OpenCL device)
import pytest

import ember
from ember import _checks

pytestmark = pytest.mark.usefixtures("no_pending_checks")


def _index(*values):
    return ember.tensor(list(values), device="opencl")


def _setitem(x, key):
    x[key] = 1.0
    return x


# op on x = arange(12.).view(4, 3) with a bad index -> PyTorch's message (torch 2.13, CPU; always IndexError)
BAD = {
    "x[[1, 5]]": (lambda x: x[_index(1, 5)], "index 5 is out of bounds for dimension 0 with size 4"),
    "x[[-5]]": (lambda x: x[_index(-5)], "index -5 is out of bounds for dimension 0 with size 4"),
    "x[:, [0, 3]]": (lambda x: x[:, _index(0, 3)], "index 3 is out of bounds for dimension 0 with size 3"),
    "x[[0, 1], [0, 4]]": (lambda x: x[_index(0, 1), _index(0, 4)],
                          "index 4 is out of bounds for dimension 1 with size 3"),
    "x[mask, [7]]": (lambda x: x[ember.tensor([True, False, True, False], device="opencl"), _index(7)],
                     "index 7 is out of bounds for dimension 1 with size 3"),
    "x[[0, 9]] = 1": (lambda x: _setitem(x, _index(0, 9)), "index 9 is out of bounds for dimension 0 with size 4"),
    "x[:, [0, 9]] = 1": (lambda x: _setitem(x, (slice(None), _index(0, 9))),
                         "index 9 is out of bounds for dimension 0 with size 3"),
    "index_put": (lambda x: x.index_put((_index(0, -9),), ember.tensor(1.0, device="opencl")),
                  "index -9 is out of bounds for dimension 0 with size 4"),
}


@pytest.mark.parametrize("synchronise", ["item", "print"])
@pytest.mark.parametrize("op", tuple(BAD))
def test_a_bad_index_raises_pytorchs_error_at_the_next_synchronisation(op, synchronise, capsys):
    function, message = BAD[op]
    x = ember.arange(12.0).view(4, 3).to("opencl")
    with ember.profiler.profile() as prof:
        result = function(x)
    if "mask" not in op:  # a mask is read (its count of True is the result's size), as on CUDA
        assert not [call for call in prof.kernel_calls() if call.name == "to_numpy"], "the op read on the host"
    with pytest.raises(IndexError, match=f"^{message}$".replace("[", r"\[")):
        if synchronise == "item":
            result.sum().item()
        else:
            print(result)
    assert not _checks.pending, "a check raises once"
    result.sum().item()  # judged: later reads do not raise again


def test_indices_in_range_count_back_from_the_end():
    x = ember.arange(12.0).view(4, 3).to("opencl")
    assert x[_index(-4, 3)].tolist() == [[0.0, 1.0, 2.0], [9.0, 10.0, 11.0]]
    x[_index(-1)] = 0.0
    assert x.sum().item() == 66.0 - 9 - 10 - 11


def test_a_list_key_is_checked_at_once_on_the_host():
    """A key's list is on the host already: checked there, before any device work, as on the CPU."""
    x = ember.arange(12.0).view(4, 3).to("opencl")
    with pytest.raises(IndexError, match=r"^index 5 is out of bounds for dimension 0 with size 4$"):
        x[[1, 5]]
    assert not _checks.pending


def test_nll_loss_picks_without_an_index_check():
    """nll_loss's targets are checked (one pending check) and its picks are in range by construction."""
    log_probabilities = ember.log_softmax(ember.tensor(np.eye(3, dtype=np.float32), device="opencl"), 1)
    with ember.profiler.profile() as prof:
        loss = ember.nn.functional.nll_loss(log_probabilities, _index(0, 2, 1))
    assert len(_checks.pending[ember.device("opencl:0")]) == 1
    assert "argmax" not in {call.name for call in prof.kernel_calls()}  # an index check marks the first bad one
    assert np.isfinite(loss.item())


def test_cpu_index_tensors_index_an_opencl_tensor_as_pytorchs_do():
    """PyTorch copies CPU index tensors to the indexed tensor's device (getitem, setitem, index_put)."""
    x = ember.arange(12.0, device="opencl").view(4, 3)
    rows = ember.tensor([2, 0], device="cpu")
    assert x[rows].cpu().tolist() == [[6.0, 7.0, 8.0], [0.0, 1.0, 2.0]]
    assert x[rows, ember.tensor([True, False, True], device="cpu")].cpu().tolist() == [6.0, 2.0]
    x[rows] = -1.0
    x.index_put_((ember.tensor([1], device="cpu"),), ember.tensor(5.0, device="opencl"))
    assert x.cpu().tolist() == [[-1.0] * 3, [5.0] * 3, [-1.0] * 3, [9.0, 10.0, 11.0]]
