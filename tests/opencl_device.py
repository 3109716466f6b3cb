"""Imported first by the OpenCL test modules: skips the importing module unless ember-opencl is installed
and finds a working OpenCL device (saying why not)."""
from __future__ import annotations

import pytest

pytest.importorskip("ember_opencl")
from ember_opencl import device  # noqa: E402

if not device.discover().devices:
    pytest.skip("no working OpenCL device: " + "; ".join(device.discover().skipped), allow_module_level=True)
