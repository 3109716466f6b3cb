"""ember's backend conformance kit: the single test of "a backend works".

A backend passes when this kit is green on its device. Install ember-core, your backend and pytest, then::

    pytest --pyargs ember.testing --ember-device=NAME          # e.g. cpu, opencl, cuda, opencl:1

The option comes from ``ember.testing.plugin``, which ember-core registers with pytest (entry point group
``pytest11``), so it is loaded in every pytest run but acts only when the kit's tests are collected. Running
the kit without ``--ember-device`` is a usage error (exit code 4, "ember's conformance kit needs a device:
pass --ember-device=NAME"), and a device whose backend reports it unavailable is skipped.

What the kit checks, module by module, in the order they run (with ``-x`` the first failure names the
broken kernel and property, e.g. "strides(...) returned byte strides", never a gradient that depends on it):

- ``test_coverage``: every kernel of the contract has a check in the kit (needs no device).
- ``test_device``: the declared device type (name, count, dtypes core needs, ``synchronize``) and a kernel
  table with every required kernel.
- ``test_views``, ``test_creation``, ``test_elementwise``: every required kernel of the backend contract
  (docs/internals.md, "The kernel contract") against numpy, on seeded random data: 0-d, empty and size-1
  dims, broadcasting, Python scalars on either side, ``out=`` into existing buffers (views included), and
  non-contiguous inputs built with the device's own ``as_strided``: transposes, steps, views of views with
  a storage offset, and rows ``x[1::2]`` whose last stride is still 1. ``arange`` with steps that do not
  divide the range; ``uniform`` and ``normal`` against their distribution (Kolmogorov-Smirnov), for
  independence (neighbours, successive draws, different seeds), float64 precision, and reproducibility.
- ``test_special_values``: NaN and inf through every kernel (propagation in maximum/max/argmax,
  comparisons with NaN, ``where`` ignoring the branch it does not take), domain edges (log of 0 and of
  negatives, sqrt of negatives), huge magnitudes (tanh of +-1000, sums that overflow), int64 beyond
  2**31, float64 Python scalars float32 cannot hold (0.1), results that must be new buffers, and casts
  of NaN and inf. Every kernel call there must emit no Python warning, as PyTorch's emit none.
- ``test_reductions``, ``test_matmul``, ``test_indexing``: the remaining required kernels, as above.
- ``test_sorting``: the scan kernels (``cumsum``, ``cumprod``: along each axis, ``out=``, float16 and float32
  accumulated in a wider type as PyTorch's) and ``sort`` (values and int64 indices, stable in both
  directions over ties, NaN above inf, -0.0 tied with 0.0, int64 beyond 2**31).
- ``test_scatter``: ``index_reduce_`` (prod, amax, amin at repeated indices, into every layout) against
  numpy's ``ufunc.at``, NaN propagating through amax and amin, overflow silent.
- ``test_optional_kernels``: every optional kernel the device provides, against numpy (softmax and the
  losses on rows at very different offsets and spreads of hundreds, activations and min/argmin on special
  values) and through ember's ops against core's composition, the same op run with a copy of the kernel
  table that lacks the kernel; values and gradients must agree. A kernel the device lacks is a skip.
- ``test_view_dtype_kernel``: the optional ``view_dtype`` kernel, for every pair of dtypes: the same bytes bit for
  bit, in the same memory both ways, from a buffer starting inside its memory (with ``storage_offset`` in the new
  elements), and ``Tensor.view(dtype)`` of strided tensors through core. A device lacking it is a skip.
- ``test_autograd``: gradients through the device: ``ember.autograd.gradcheck`` and ``gradgradcheck`` in
  float64 (in float32, with tolerances float32 can meet, on a device without float64), and float32
  gradients against a numerical vector-Jacobian product computed on the host.

Every warning is an error in the kit's tests. Dtypes the device does not declare in
``DeviceType.dtypes`` are skipped with the reason ("device lacks float64"), and the summary at the end
lists them with the number of checks each one skipped. Floating results are compared with tolerances by
dtype (``compare.TOLERANCES``), NaN matching NaN, ints and bools exactly. Inputs are drawn from a generator
seeded with the test's name, so a failure repeats on its own: ``pytest --pyargs ember.testing
--ember-device=cpu -k "matmul and float16"``. The fixtures ``ember_device`` (a ``harness.DeviceUnderTest``:
kernels, device type, ``ember.device``) and ``ember_rng`` are available to a backend's own tests as well.
"""

from .comparison import assert_allclose, assert_close
from .creation import make_tensor

__all__ = ["assert_allclose", "assert_close", "make_tensor"]
