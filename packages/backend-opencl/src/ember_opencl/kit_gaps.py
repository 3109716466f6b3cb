"""The conformance kit's rows this backend is known to fail yet: an explicit list, marked strict xfail.

Loaded as a pytest plugin (entry point ``pytest11``) in every pytest run; it acts only when the kit runs
with ``--ember-device=opencl...``. Each entry is a kernel not implemented yet and the kit's rows that
reach it (a test id substring); ``strict=True``: once a kernel passes, its rows XPASS and fail the run,
so the list must shrink with the work (the list *is* what is left).
"""
from __future__ import annotations

import pytest

# kernel -> substrings of the kit's test ids that need it
GAPS: dict[str, tuple[str, ...]] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    device = config.getoption("ember_device", None)
    if not device or not device.startswith("opencl"):
        return
    for item in items:
        for kernel, patterns in GAPS.items():
            if any(pattern in item.nodeid for pattern in patterns):
                item.add_marker(pytest.mark.xfail(
                    reason=f"opencl has no '{kernel}' kernel yet (ember_opencl/kit_gaps.py)", strict=True))
                break
