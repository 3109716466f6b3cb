"""pytest plugin of the conformance kit: the ``--ember-device`` option and the kit's fixtures.

Registered for every pytest run through the ``pytest11`` entry point of ember-core, so it stays inert
unless ``--ember-device`` is given: one option, two fixtures with an ``ember_`` prefix, nothing autouse.
"""
from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import numpy as np

    from ember.testing.harness import DeviceUnderTest

_DEVICE_UNDER_TEST = pytest.StashKey["DeviceUnderTest"]()


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
        raise pytest.UsageError(f"--ember-device={name}: {error}") from None


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
