"""ember's backend conformance kit: the single test of "a backend works".

A backend passes when this kit is green on its device. Install ember-core, your backend and pytest, then::

    pytest --pyargs ember.testing --ember-device=NAME          # e.g. cpu, opencl, cuda, opencl:1

The option comes from ``ember.testing.plugin``, which ember-core registers with pytest (entry point group
``pytest11``). Without ``--ember-device`` every test of the kit is skipped ("pass --ember-device=NAME to
run the conformance kit"), and a device whose backend reports it unavailable is skipped too.

What the kit checks, each module one family:

- ``test_device``: the declared device type (name, count, dtypes core needs, ``synchronize``) and a kernel
  table with every required kernel.
- ``test_creation``, ``test_views``, ``test_elementwise``, ``test_reductions``, ``test_matmul``,
  ``test_indexing``: every required kernel of the backend contract (docs/internals.md, "The kernel
  contract") against numpy, on seeded random data: 0-d, empty and size-1 dims, broadcasting, Python scalars
  on either side, ``out=`` into existing buffers (views included), and non-contiguous inputs built with the
  device's own ``as_strided``: transposes, steps, and views of views with a storage offset.
- ``test_optional_kernels``: every optional kernel the device provides, against the result core composes
  without it; a kernel the device does not provide is a skip that names it.
- ``test_autograd``: gradients through the device: ``ember.autograd.gradcheck`` and ``gradgradcheck`` in
  float64, and float32 gradients against a numerical vector-Jacobian product computed on the host.
- ``test_coverage``: every kernel of the contract has a check in the kit (needs no device).

Dtypes the device does not declare in ``DeviceType.dtypes`` are skipped with the reason ("device lacks
float64"); ``pytest -rs`` lists every skip. Floating results are compared with tolerances by dtype
(``compare.TOLERANCES``), ints and bools exactly. Inputs are drawn from a generator seeded with the test's
name, so a failure repeats on its own: ``pytest --pyargs ember.testing --ember-device=cpu -k "matmul and
float16"``. The fixtures ``ember_device`` (a ``harness.DeviceUnderTest``: kernels, device type,
``ember.device``) and ``ember_rng`` are available to a backend's own tests as well.
"""
