"""The plugin system: entry points, failure isolation, priorities, blocking, and `python -m ember info`."""
from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys

import pluggy
import pytest

import ember
import ember_cpu.plugin
from ember.__main__ import format_report
from ember.plugins import (
    OPTIONAL_KERNELS,
    REQUIRED_KERNELS,
    DeviceType,
    Registry,
    get_backend,
    hookimpl,
    plugin_report,
    register_plugin,
)
from ember.plugins.manager import ENTRY_POINT_GROUP, _reset_for_tests
from ember_cpu.kernels import KERNELS as CPU_KERNELS


@pytest.fixture(autouse=True)
def fresh_plugins(monkeypatch: pytest.MonkeyPatch):
    """Each test starts from a process-fresh plugin state, without the EMBER_* variables of the caller."""
    monkeypatch.delenv("EMBER_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    monkeypatch.delenv("EMBER_DISABLED_PLUGINS", raising=False)
    _reset_for_tests()
    yield
    _reset_for_tests()


def fake_device(name: str, available: bool = True) -> DeviceType:
    return DeviceType(name, is_available=lambda: available, device_count=lambda: 1,
                      synchronize=lambda index: None, new_generator=lambda seed, index: None,
                      dtypes={"float32"})


def fake_add(a, b, out=None):
    return a


class KernelPlugin:
    """A plugin registering one kernel of an existing device at a given priority."""

    def __init__(self, device: str, op: str, fn, priority: int) -> None:
        self.device, self.op, self.fn, self.priority = device, op, fn, priority

    @hookimpl
    def ember_register_kernels(self, registry: Registry) -> None:
        registry.add_kernel(self.device, self.op, self.fn, priority=self.priority)


class DevicePlugin:
    """A plugin declaring one device type with the given kernels."""

    def __init__(self, device: DeviceType, kernels: dict) -> None:
        self.device, self.kernels = device, kernels

    @hookimpl
    def ember_register_devices(self, registry: Registry) -> None:
        registry.add_device(self.device)

    @hookimpl
    def ember_register_kernels(self, registry: Registry) -> None:
        registry.add_kernels(self.device.name, self.kernels)


@pytest.fixture
def broken_entry_point(monkeypatch: pytest.MonkeyPatch, tmp_path):
    """An installed backend "broken" whose module raises on import, next to the real entry points."""
    (tmp_path / "ember_broken_backend.py").write_text('raise RuntimeError("no driver found")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    real_entry_points = importlib.metadata.entry_points

    def entry_points(**params):
        found = real_entry_points(**params)
        if params.get("group") != ENTRY_POINT_GROUP:
            return found
        fake = importlib.metadata.EntryPoint("broken", "ember_broken_backend", ENTRY_POINT_GROUP)
        return importlib.metadata.EntryPoints([*found, fake])

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)


def test_cpu_backend_comes_from_its_entry_point_with_every_kernel():
    backend = get_backend("cpu")
    assert backend.plugin == "cpu"
    assert backend.device_type.name == "cpu"
    assert backend.kernels.add is CPU_KERNELS["add"]
    assert backend.kernels.coverage() == {op: "cpu" for op in REQUIRED_KERNELS + OPTIONAL_KERNELS}


def test_entry_points_are_read_once_and_only_when_a_backend_is_first_needed(monkeypatch):
    calls = []
    real_entry_points = importlib.metadata.entry_points
    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda **params: calls.append(params) or real_entry_points(**params))
    _reset_for_tests()
    assert calls == []
    get_backend("cpu")
    register_plugin(KernelPlugin("cpu", "relu", fake_add, 1), "late")
    get_backend("cpu")
    plugin_report()
    assert calls == [{"group": ENTRY_POINT_GROUP}]


def test_a_plugin_failing_to_import_spares_the_others_and_its_error_is_kept(broken_entry_point):
    assert get_backend("cpu").kernels.add is CPU_KERNELS["add"]
    with pytest.raises(RuntimeError) as raised:
        get_backend("broken")
    message = str(raised.value)
    assert message.startswith("backend 'broken' is installed but unavailable: "
                              "RuntimeError: no driver found\n")
    assert "ember_broken_backend.py" in message  # the kept traceback
    status = {plugin.name: plugin for plugin in plugin_report().plugins}
    assert (status["broken"].status, status["broken"].error) == ("failed", "RuntimeError: no driver found")
    assert status["cpu"].status == "ok"


def test_a_tensor_on_a_failed_plugins_device_gets_its_error(broken_entry_point):
    """Not PyTorch's "Expected one of cpu, ..." for an unknown type: the installed plugin's own failure."""
    with pytest.raises(RuntimeError, match="backend 'broken' is installed but unavailable: RuntimeError: no driver "
                                           "found"):
        ember.zeros(2, device="broken")


def test_python_m_ember_info_shows_a_failed_plugin_with_its_error(broken_entry_point):
    text = format_report(plugin_report())
    assert "broken  ember_broken_backend  failed: RuntimeError: no driver found" in text
    assert "unavailable: RuntimeError: no driver found" in text
    assert "ember_broken_backend.py" not in text
    assert "ember_broken_backend.py" in format_report(plugin_report(), verbose=True)


def test_a_plugin_raising_in_its_hook_is_skipped_with_everything_it_registered():
    class HalfRegisteringPlugin:
        @hookimpl
        def ember_register_devices(self, registry):
            registry.add_device(fake_device("flaky"))

        @hookimpl
        def ember_register_kernels(self, registry):
            registry.add_kernel("cpu", "add", fake_add, priority=10)
            raise ValueError("kernel compilation failed")

    register_plugin(HalfRegisteringPlugin(), "flaky")
    assert get_backend("cpu").kernels.add is CPU_KERNELS["add"]
    with pytest.raises(RuntimeError, match="backend 'flaky' is installed but unavailable: "
                                           "ValueError: kernel compilation failed"):
        get_backend("flaky")
    status = {plugin.name: plugin for plugin in plugin_report().plugins}
    assert status["flaky"].error == "ValueError: kernel compilation failed"
    assert "flaky" not in [device.name for device in plugin_report().devices if device.available]


def test_a_plugin_registered_late_with_higher_priority_overrides_one_cpu_kernel():
    get_backend("cpu")
    register_plugin(KernelPlugin("cpu", "add", fake_add, priority=1), "fastadd")
    kernels = get_backend("cpu").kernels
    assert kernels.add is fake_add
    assert kernels.mul is CPU_KERNELS["mul"]
    assert (kernels.coverage()["add"], kernels.coverage()["mul"]) == ("fastadd", "cpu")


def test_a_kernel_with_lower_priority_does_not_override():
    register_plugin(KernelPlugin("cpu", "add", fake_add, priority=-1), "slowadd")
    assert get_backend("cpu").kernels.add is CPU_KERNELS["add"]


@pytest.mark.parametrize("register_first", [True, False], ids=["registered-first", "registered-last"])
def test_two_kernels_at_equal_priority_are_an_error_whatever_the_order(register_first):
    if not register_first:
        get_backend("cpu")
    register_plugin(KernelPlugin("cpu", "add", fake_add, priority=0), "clash")
    message = "kernel 'add' for device 'cpu' is registered twice at priority 0"
    with pytest.raises(RuntimeError, match=message) as raised:
        get_backend("cpu")
    assert "plugin 'cpu'" in str(raised.value) and "plugin 'clash'" in str(raised.value)


def test_a_device_type_declared_by_two_plugins_is_an_error():
    register_plugin(DevicePlugin(fake_device("cpu"), {}), "impostor")
    with pytest.raises(RuntimeError, match="device type 'cpu' is declared twice"):
        get_backend("cpu")


def test_disabled_plugins_blocks_the_cpu_backend(monkeypatch):
    installed = sorted({point.name for point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)})
    monkeypatch.setenv("EMBER_DISABLED_PLUGINS", ", ".join(installed))
    _reset_for_tests()
    message = "backend 'cpu' is installed but disabled by EMBER_DISABLED_PLUGINS"
    with pytest.raises(RuntimeError, match=message):
        get_backend("cpu")
    statuses = {plugin.name: plugin.status for plugin in plugin_report().plugins}
    assert statuses["cpu"] == "blocked" and set(statuses.values()) == {"blocked"}


def test_disabling_autoload_leaves_only_plugins_registered_by_hand(monkeypatch):
    monkeypatch.setenv("EMBER_DISABLE_PLUGIN_AUTOLOAD", "1")
    _reset_for_tests()
    with pytest.raises(RuntimeError, match="device string: cpu .backend autoload is off"):
        get_backend("cpu")
    register_plugin(ember_cpu.plugin, "cpu")
    assert get_backend("cpu").kernels.add is CPU_KERNELS["add"]


def test_an_unknown_device_type_names_the_known_ones():
    register_plugin(DevicePlugin(fake_device("toy"), {}), "toy")
    installed = {point.name for point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    known = ", ".join(sorted(installed | {"toy"}))  # each installed backend's plugin declares its namesake
    message = f"^Expected one of {known} device type at start of device string: foo$"
    with pytest.raises(RuntimeError, match=message):
        get_backend("foo")


def test_a_device_reporting_itself_unavailable_is_an_error_saying_so():
    register_plugin(DevicePlugin(fake_device("gpu", available=False), {}), "gpu")
    message = "backend 'gpu' is installed but unavailable: no gpu device is available"
    with pytest.raises(RuntimeError, match=message):
        get_backend("gpu")
    gpu = {device.name: device for device in plugin_report().devices}["gpu"]
    assert (gpu.available, gpu.device_count) == (False, 0)


def test_missing_kernels_are_none_when_optional_and_raise_when_required():
    register_plugin(DevicePlugin(fake_device("tiny"), {"add": fake_add}), "tiny")
    kernels = get_backend("tiny").kernels
    assert kernels.add is fake_add
    assert kernels.relu is None
    message = "device 'tiny' has no kernel 'mul' .required by the backend contract"
    with pytest.raises(NotImplementedError, match=message):
        kernels.mul(1, 2)


@pytest.mark.parametrize("name", ["conv-2d", "_private", "coverage", "device", ""])
def test_a_kernel_name_that_is_no_attribute_name_is_an_error(name):
    with pytest.raises(ValueError, match=f"invalid kernel name {name!r} for device 'cpu'"):
        Registry().add_kernel("cpu", name, fake_add)


def test_a_plugin_implementing_an_unknown_hook_is_refused():
    class Misspelled:
        @hookimpl
        def ember_register_kernel(self, registry):
            pass

    with pytest.raises(pluggy.PluginValidationError, match="unknown hooks .'ember_register_kernel'"):
        register_plugin(Misspelled(), "relu-plugin")
    register_plugin(KernelPlugin("cpu", "relu", fake_add, priority=1), "relu-plugin")  # the name is free
    assert get_backend("cpu").kernels.relu is fake_add


def _run_ember(*args: str) -> subprocess.CompletedProcess:
    """`python -m ember ARGS` in a fresh interpreter, with import times on stderr (-X importtime)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("EMBER_")}
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "ember", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_python_m_ember_info_lists_cpu_with_full_required_coverage():
    result = _run_ember("info")
    assert result.returncode == 0, result.stderr
    out = re.sub(" +", " ", result.stdout)  # the name column is as wide as the longest backend name
    assert "cpu ember_cpu.plugin (ember-cpu " in out
    dtypes = "bool, float16, float32, float64, int16, int32, int64, int8, uint8"
    assert f"cpu available device_count=1 dtypes: {dtypes}" in out
    full = len(REQUIRED_KERNELS)
    assert f"cpu required {full}/{full} from cpu\n" in out
    assert f"optional {len(OPTIONAL_KERNELS)}/{len(OPTIONAL_KERNELS)} from cpu: reshape" in out


def test_python_m_ember_info_does_not_import_torch():
    imported = [line.rpartition("|")[2].strip() for line in _run_ember("info").stderr.splitlines()]
    assert "ember_cpu.kernels" in imported
    assert not [name for name in imported if name == "torch" or name.startswith("torch.")]


@pytest.mark.parametrize("args", [(), ("frobnicate",)], ids=["no-command", "unknown-command"])
def test_python_m_ember_without_a_known_command_prints_usage_and_exits_2(args):
    result = _run_ember(*args)
    assert result.returncode == 2
    assert "usage: python -m ember" in result.stderr
