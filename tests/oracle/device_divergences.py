"""The oracle tests that cannot or do not yet hold on a device other than the CPU (EMBER_DEFAULT_DEVICE).

CPU_ONLY: "module::test" -> why the test is about CPU-only semantics (PyTorch's own behaviour differs on an
accelerator too): skipped there. KNOWN: device type -> {"module::test[params]": the divergence}, ember bugs
on that device still to fix: strict xfails, so a fix shows up as an unexpected pass to remove here.
"""

CPU_ONLY: dict[str, str] = {}

KNOWN: dict[str, dict[str, str]] = {"opencl": {}}
