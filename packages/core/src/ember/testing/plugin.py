"""pytest plugin of the conformance kit: the ``--ember-device`` option, the kit's fixtures and its report.

Registered for every pytest run through the ``pytest11`` entry point of ember-core, so it stays inert in
runs that collect none of the kit's device tests: one option, two fixtures with an ``ember_`` prefix,
nothing autouse. When the kit does run, it needs a device (no ``--ember-device`` is a usage error; one whose
backend is installed but cannot be used here, such as cuda without a GPU, skips every check with the reason), its
modules run kernel checks first and autograd last, every warning is an error, and the summary lists the
dtypes the device lacks.
"""
from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import numpy as np

    from ember.testing.harness import DeviceUnderTest

_DEVICE_UNDER_TEST = pytest.StashKey["DeviceUnderTest"]()
_UNAVAILABLE = pytest.StashKey[str]()  # why the named device cannot be used on this machine

# The kit's modules in the order they run: the device's declarations, then view kernels (every other
# check builds its inputs with them), then kernel by kernel, and autograd, which needs them all, last.
# With -x the first failure then names the broken kernel, not a gradient that depends on it.
KIT_ORDER = ("test_coverage", "test_device", "test_views", "test_creation", "test_elementwise",
             "test_special_values", "test_reductions", "test_matmul", "test_indexing", "test_sorting",
             "test_scatter", "test_optional_kernels", "test_lerp_kernel", "test_dlpack_kernels",
             "test_view_dtype_kernel", "test_autograd")
_KIT_PACKAGE = "ember.testing."


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ember", "ember backend conformance kit")
    group.addoption(
        "--ember-device", metavar="NAME", default=None,
        help="run ember's conformance kit (pytest --pyargs ember.testing) on device NAME, e.g. cpu")


def pytest_configure(config: pytest.Config) -> None:
    name = config.getoption("ember_device", None)
    if name is None:
        return
    from ember.testing.harness import DeviceUnderTest

    try:
        config.stash[_DEVICE_UNDER_TEST] = DeviceUnderTest.resolve(name)
    except RuntimeError as error:
        why = _unavailable_reason(name.partition(":")[0])
        if why is None:
            raise pytest.UsageError(f"--ember-device={name}: {error}") from None
        config.stash[_UNAVAILABLE] = f"device '{name}' is not available on this machine: {why}"


def _unavailable_reason(device_type: str) -> str | None:
    """Why an installed, loaded backend's device cannot be used here (no GPU), or None when it is not
    that: unknown, broken or disabled backends stay usage errors."""
    from ember.plugins import plugin_report

    for status in plugin_report().devices:
        if status.name == device_type and status.plugin is not None and not status.available:
            return status.error or "is_available() returned False"
    return None


def _kit_rank(item: pytest.Item) -> int:
    module = getattr(item, "module", None)
    name = getattr(module, "__name__", "")
    if not name.startswith(_KIT_PACKAGE):
        return -1
    short = name[len(_KIT_PACKAGE):]
    return KIT_ORDER.index(short) if short in KIT_ORDER else len(KIT_ORDER)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    ranks = {id(item): _kit_rank(item) for item in items}
    if all(rank < 0 for rank in ranks.values()):
        return
    needs_device = any("ember_device" in getattr(item, "fixturenames", ()) for item in items)
    unavailable = config.stash.get(_UNAVAILABLE, None)
    if unavailable is not None:  # the whole kit skips, saying why (a CI machine without a GPU)
        for item in items:
            if ranks[id(item)] >= 0:
                item.add_marker(pytest.mark.skip(reason=unavailable))
        return
    if needs_device and _DEVICE_UNDER_TEST not in config.stash:
        raise pytest.UsageError(
            "ember's conformance kit needs a device: pass --ember-device=NAME (e.g. --ember-device=cpu)")
    items.sort(key=lambda item: max(ranks[id(item)], 0))  # stable: other tests keep their order, first
    for item in items:
        if ranks[id(item)] >= 0:
            item.add_marker(pytest.mark.filterwarnings("error"))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    device = config.stash.get(_DEVICE_UNDER_TEST, None)
    if device is None:
        return
    from ember.testing.harness import DTYPE_NAMES

    missing = [name for name in DTYPE_NAMES if name not in device.device_type.dtypes]
    terminalreporter.section("ember conformance kit")
    if not missing:
        terminalreporter.line(f"device '{device.name}' declares every dtype the kit checks")
        return
    skipped = {name: 0 for name in missing}
    for report in terminalreporter.stats.get("skipped", ()):
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
        for name in missing:
            if reason.endswith(f"device lacks {name}"):
                skipped[name] += 1
    counts = ", ".join(f"{name} ({count} checks skipped)" for name, count in skipped.items())
    terminalreporter.line(f"device '{device.name}' lacks {counts}", yellow=True)
    if device.lacks_float64:
        terminalreporter.line("gradients were checked in float32 with float32 tolerances instead of float64")


@pytest.fixture(scope="session")
def ember_device(pytestconfig: pytest.Config) -> DeviceUnderTest:
    """The device under test named by ``--ember-device``: its kernels, capabilities and ember.device."""
    device = pytestconfig.stash.get(_DEVICE_UNDER_TEST, None)
    if device is None:
        pytest.skip("pass --ember-device=NAME to run the conformance kit")
    if not device.device_type.is_available():
        pytest.skip(f"device '{device.name}' is not available on this machine")
    return device


@pytest.fixture
def ember_rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """A numpy generator seeded from the test's name: reproducible, whatever the order tests run in."""
    import numpy as np

    return np.random.default_rng(zlib.crc32(request.node.name.encode()))
