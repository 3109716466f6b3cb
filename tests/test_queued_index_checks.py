"""Index range checks on a device with a queue (OpenCL): computed on the device with no host read inside
the op, raised with PyTorch's error at the next synchronisation (as CUDA's device-side asserts), the first
out-of-range value named. Skipped without ember-opencl or a working OpenCL device (the CPU's immediate
errors are tested with each op)."""
from __future__ import annotations

import numpy as np
import opencl_device  # noqa: F401,E402  (skips this module without a working OpenCL device)
import pytest

import ember
from ember import _checks

pytestmark = pytest.mark.usefixtures("no_pending_checks")


def _x():
    return ember.arange(12, dtype=ember.float32).reshape(3, 4).to("opencl")


# op on x (3, 4) with a bad index, PyTorch's error class and message (taken from torch 2.13 on the CPU)
BAD = {
    "gather": (lambda x: ember.gather(x, 1, ember.tensor([[0, 5], [1, 2], [-1, 0]], device="opencl")),
               RuntimeError, "index 5 is out of bounds for dimension 1 with size 4"),
    "index_select": (lambda x: ember.index_select(x, 0, ember.tensor([0, 3, 7], device="opencl")),
                     IndexError, "index out of range in self"),
    "take": (lambda x: ember.take(x, ember.tensor([1, -13, 20], device="opencl")),
             IndexError, "out of range: tried to access index -13 on a tensor of 12 elements."),
    "index_put": (lambda x: x.index_put((ember.tensor([0, -4], device="opencl"),), ember.tensor(1.0, device="opencl")),
                  IndexError, "index -4 is out of bounds for dimension 0 with size 3"),
    "index_copy": (lambda x: x.index_copy(1, ember.tensor([4], device="opencl"), ember.ones(3, 1, device="opencl")),
                   IndexError, "index_copy_(): index 4 is out of bounds for dimension 1 with size 4"),
    "index_add": (lambda x: x.index_add(0, ember.tensor([1, 3], device="opencl"), ember.ones(2, 4, device="opencl")),
                  RuntimeError, "index 3 is out of bounds for dimension 0 with size 3"),
    "index_fill": (lambda x: x.index_fill(1, ember.tensor([4], device="opencl"), 0.0),
                   IndexError, "index 4 is out of bounds for dimension 1 with size 4"),
}


@pytest.mark.parametrize("op", tuple(BAD))
def test_a_bad_index_raises_pytorchs_error_at_the_next_synchronisation_with_no_read_before(op):
    function, error, message = BAD[op]
    x = _x()
    with ember.profiler.profile() as prof:
        result = function(x)
    assert not [call for call in prof.kernel_calls() if call.name == "to_numpy"], "the op read on the host"
    with pytest.raises(error, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        result.sum().item()
    assert not _checks.pending, "a check raises once"
    assert result.sum().item() == result.sum().item()  # judged: later reads do not raise again


def test_good_indices_pass_and_the_values_are_right():
    x = _x()
    index = ember.tensor([[3, -0], [1, 2], [0, 0]], device="opencl")
    np.testing.assert_array_equal(ember.gather(x, 1, index).cpu().numpy(),
                                  np.take_along_axis(np.arange(12.0).reshape(3, 4), np.array([[3, 0], [1, 2], [0, 0]]),
                                                     1))
    np.testing.assert_array_equal(ember.take(x, ember.tensor([-12, 11], device="opencl")).cpu().numpy(), [0.0, 11.0])


def test_the_check_judges_the_index_as_it_was_at_the_op():
    """A later in-place write to the index does not change the pending check's verdict."""
    index = ember.tensor([0, 9], device="opencl")
    result = ember.index_select(_x(), 1, index)
    index.fill_(0)
    with pytest.raises(IndexError, match="index out of range in self"):
        result.cpu()
    fine = ember.index_select(_x(), 1, ember.tensor([3, 0], device="opencl"))
    index.fill_(9)
    np.testing.assert_array_equal(fine.cpu().numpy(), np.arange(12.0).reshape(3, 4)[:, [3, 0]])
