"""Finds backend plugins, runs their hooks once, and hands out each device type's backend.

Backends are the entry points of the ``ember.backends`` group, loaded lazily on the first
:func:`get_backend` call. ``EMBER_DISABLE_PLUGIN_AUTOLOAD=1`` turns that off (only plugins given to
:func:`register_plugin` count) and ``EMBER_DISABLED_PLUGINS=a,b`` blocks plugins by name. A plugin
that fails to import or to register is recorded and skipped; the others keep working. Tests start
over, as in a fresh process, with :func:`_reset_for_tests`.
"""
from __future__ import annotations

import importlib
import importlib.metadata
import os
import threading
import traceback
import types
from dataclasses import dataclass, field
from typing import Any

import pluggy

from ember.plugins.registry import DeviceType, KernelTable, RegistrationConflict, Registry

ENTRY_POINT_GROUP = "ember.backends"
# By module name: the package attribute `ember.plugins.hookspec` is the marker, not this module.
_HOOKSPECS = importlib.import_module("ember.plugins.hookspec")


@dataclass(frozen=True, slots=True)
class Backend:
    """A usable device type: its DeviceType, its resolved KernelTable and the plugin that declared it."""

    device_type: DeviceType
    kernels: KernelTable
    plugin: str


@dataclass(frozen=True)
class PluginStatus:
    """One plugin in :func:`plugin_report`: where it comes from and whether it loaded."""

    name: str
    module: str
    distribution: str | None  # the installed distribution providing the entry point, when known
    version: str | None
    status: str  # "ok", "failed" or "blocked" (by EMBER_DISABLED_PLUGINS)
    error: str | None = None  # the exception as one line, when failed
    traceback: str | None = None


@dataclass(frozen=True)
class DeviceStatus:
    """One device type in :func:`plugin_report`: availability, dtypes and kernel coverage."""

    name: str
    plugin: str | None
    available: bool
    device_count: int
    dtypes: tuple[str, ...]
    error: str | None  # why the device cannot be used, when known
    coverage: dict[str, str | None] = field(default_factory=dict)  # op -> providing plugin (None: missing)
    notes: tuple[str, ...] = ()  # the device type's own lines (DeviceType.notes)


@dataclass(frozen=True)
class PluginReport:
    """What ``python -m ember info`` prints: every plugin and every device type ember knows of."""

    plugins: tuple[PluginStatus, ...]
    devices: tuple[DeviceStatus, ...]
    autoload: bool  # False when EMBER_DISABLE_PLUGIN_AUTOLOAD turned entry point loading off


@dataclass(frozen=True)
class _Failure:
    """An exception kept from a plugin: one line for messages, the traceback for whoever needs it."""

    error: str
    traceback: str

    @classmethod
    def of(cls, exception: BaseException) -> _Failure:
        message = str(exception).partition("\n")[0]
        one_line = f"{type(exception).__name__}: {message}" if message else type(exception).__name__
        return cls(one_line, "".join(traceback.format_exception(exception)))


@dataclass
class _Resolution:
    """The outcome of running every plugin's hooks: device types, kernel tables, and what failed."""

    devices: dict[str, tuple[DeviceType, str]]  # name -> (device type, declaring plugin)
    tables: dict[str, KernelTable]
    plugin_failures: dict[str, _Failure]  # plugin name -> error raised in its hooks
    device_failures: dict[str, _Failure]  # device name -> why it cannot be used


class _BackendManager:
    """The process-wide plugin state behind get_backend, register_plugin and plugin_report."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Forget every plugin and table; the next get_backend loads entry points again."""
        with self._lock:
            self._pm = pluggy.PluginManager("ember")
            self._pm.add_hookspecs(_HOOKSPECS)
            self._loaded = False
            self._autoload = True
            self._origins: dict[str, tuple[str, str | None, str | None]] = {}  # name -> module, dist, version
            self._import_failures: dict[str, _Failure] = {}
            self._blocked_entry_points: list[str] = []
            self._resolution: _Resolution | None = None
            self._backends: dict[str, Backend] = {}

    def get_backend(self, name: str) -> Backend:
        backend = self._backends.get(name)
        if backend is None:
            with self._lock:
                backend = self._make_backend(name, self._resolve())
                self._backends[name] = backend
        return backend

    def register_plugin(self, plugin: object, name: str) -> None:
        with self._lock:
            self._register(plugin, name)
            self._resolution = None
            self._backends = {}

    def plugin_report(self) -> PluginReport:
        with self._lock:
            resolution = self._resolve()
            plugins = [self._plugin_status(name, plugin, resolution)
                       for name, plugin in self._pm.list_name_plugin() if plugin is not None]
            for name, failure in self._import_failures.items():
                plugins.append(PluginStatus(name, *self._origins[name], "failed", failure.error,
                                            failure.traceback))
            for name in self._blocked_entry_points:
                plugins.append(PluginStatus(name, *self._origins[name], "blocked"))
            devices = [_device_status(name, device_type, plugin, resolution.tables[name])
                       for name, (device_type, plugin) in resolution.devices.items()
                       if name not in resolution.device_failures]
            devices += [DeviceStatus(name, None, False, 0, (), failure.error)
                        for name, failure in resolution.device_failures.items()]
            return PluginReport(tuple(sorted(plugins, key=lambda status: status.name)),
                                tuple(sorted(devices, key=lambda status: status.name)), self._autoload)

    def _resolve(self) -> _Resolution:
        if not self._loaded:
            self._load_entry_points()
        if self._resolution is None:
            self._resolution = self._run_hooks()
        return self._resolution

    def _load_entry_points(self) -> None:
        """Import and register each entry point on its own, so that one broken backend spares the rest."""
        self._loaded = True
        for name in _environment_list("EMBER_DISABLED_PLUGINS"):
            self._pm.set_blocked(name)
        if os.environ.get("EMBER_DISABLE_PLUGIN_AUTOLOAD", "") not in ("", "0"):
            self._autoload = False
            return
        entry_points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
        for entry_point in sorted(entry_points, key=lambda entry_point: entry_point.name):
            name = entry_point.name
            if self._pm.has_plugin(name):  # a plugin registered by hand under this name wins
                continue
            self._origins[name] = _origin(entry_point)
            if self._pm.is_blocked(name):
                self._blocked_entry_points.append(name)
                continue
            try:
                self._register(entry_point.load(), name)
            except Exception as error:
                self._import_failures[name] = _Failure.of(error)

    def _register(self, plugin: object, name: str) -> None:
        self._pm.register(plugin, name=name)
        unknown = [caller.name for caller in self._pm.get_hookcallers(plugin) or () if not caller.has_spec()]
        if unknown:
            self._pm.unregister(plugin=plugin, name=name)
            raise pluggy.PluginValidationError(
                plugin, f"plugin {name!r} implements unknown hooks {unknown}; ember's hooks are "
                        "ember_register_devices and ember_register_kernels")

    def _run_hooks(self) -> _Resolution:
        """Call every plugin's hooks, each plugin on its own, and build one kernel table per device type.

        Not one call_historic over all plugins: calling each plugin's implementations separately keeps
        a failing plugin from stopping the others and credits every registration to its plugin.
        """
        registry = Registry()
        plugin_failures: dict[str, _Failure] = {}
        # By convention an entry point is named after the device type it provides.
        device_failures = dict(self._import_failures)
        plugins = [(name, plugin) for name, plugin in self._pm.list_name_plugin() if plugin is not None]
        for name, plugin in plugins:
            checkpoint = registry._begin(name)
            try:
                self._call_hooks(plugin, registry)
            except Exception as error:
                failure = _Failure.of(error)
                plugin_failures[name] = failure
                if isinstance(error, RegistrationConflict):
                    affected = [error.device]
                else:
                    affected = [device for device, (_, owner) in registry.devices().items() if owner == name]
                    if not affected and name in self._origins:
                        affected = [name]
                registry._rollback(checkpoint)
                for device in affected:
                    device_failures.setdefault(device, failure)
        devices = registry.devices()
        tables = {name: registry.kernel_table(name) for name in devices if name not in device_failures}
        return _Resolution(devices, tables, plugin_failures, device_failures)

    def _call_hooks(self, plugin: object, registry: Registry) -> None:
        """Run the plugin's implementations of both hooks with the arguments each names, as pluggy does."""
        arguments = {"registry": registry}
        for hook in (self._pm.hook.ember_register_devices, self._pm.hook.ember_register_kernels):
            for implementation in hook.get_hookimpls():
                if implementation.plugin is plugin:
                    implementation.function(*[arguments[name] for name in implementation.argnames])

    def _make_backend(self, name: str, resolution: _Resolution) -> Backend:
        failure = resolution.device_failures.get(name)
        if failure is not None:
            raise RuntimeError(f"backend {name!r} is installed but unavailable: {failure.error}\n"
                               f"{failure.traceback}")
        if name not in resolution.devices:
            raise self._not_a_device(name, resolution)
        device_type, plugin = resolution.devices[name]
        why = _unavailable_reason(device_type)
        if why is not None:
            raise RuntimeError(f"backend {name!r} is installed but unavailable: {why}")
        return Backend(device_type, resolution.tables[name], plugin)

    def _not_a_device(self, name: str, resolution: _Resolution) -> RuntimeError:
        """The error for a name no loaded plugin declares: disabled, or unknown (PyTorch's message)."""
        if name in self._blocked_entry_points:
            disabled = os.environ.get("EMBER_DISABLED_PLUGINS", "")
            return RuntimeError(f"backend {name!r} is installed but disabled by "
                                f"EMBER_DISABLED_PLUGINS={disabled}")
        known = sorted({*resolution.devices, *resolution.device_failures, *self._blocked_entry_points})
        known_text = ", ".join(known) or "(no backend loaded)"
        hint = "" if self._autoload else " (backend autoload is off: EMBER_DISABLE_PLUGIN_AUTOLOAD is set)"
        return RuntimeError(f"Expected one of {known_text} device type at start of device string: "
                            f"{name}{hint}")

    def _plugin_status(self, name: str, plugin: object, resolution: _Resolution) -> PluginStatus:
        module, distribution, version = self._origins.get(name) or _describe(plugin)
        failure = resolution.plugin_failures.get(name)
        if failure is None:
            return PluginStatus(name, module, distribution, version, "ok")
        return PluginStatus(name, module, distribution, version, "failed", failure.error, failure.traceback)


def _environment_list(variable: str) -> list[str]:
    return [item.strip() for item in os.environ.get(variable, "").split(",") if item.strip()]


def _origin(entry_point: importlib.metadata.EntryPoint) -> tuple[str, str | None, str | None]:
    """Module, distribution and version of an entry point plugin."""
    distribution = getattr(entry_point, "dist", None)
    if distribution is None:
        return entry_point.value, None, None
    return entry_point.value, distribution.name, distribution.version


def _describe(plugin: object) -> tuple[str, str | None, str | None]:
    """Module, distribution and version of a plugin registered by hand (no entry point to ask)."""
    if isinstance(plugin, types.ModuleType):
        module = plugin.__name__
    else:
        module = f"{type(plugin).__module__}.{type(plugin).__qualname__}"
    return module, None, getattr(plugin, "__version__", None)


def _unavailable_reason(device_type: DeviceType) -> str | None:
    """Why a declared device type cannot be used now, or None when it can. A device type says why by
    raising ember.DeviceUnavailableError from is_available (a missing driver: no traceback to show)."""
    from ember._device import DeviceUnavailableError

    try:
        if device_type.is_available():
            return None
    except DeviceUnavailableError as error:
        return str(error)
    except Exception as error:
        failure = _Failure.of(error)
        return f"{failure.error}\n{failure.traceback}"
    return f"no {device_type.name} device is available (is_available() returned False)"


def _device_status(name: str, device_type: DeviceType, plugin: str, table: KernelTable) -> DeviceStatus:
    why = _unavailable_reason(device_type)
    error = why and why.partition("\n")[0]
    count = 0
    if why is None:
        try:
            count = device_type.device_count()
        except Exception as exception:
            error = _Failure.of(exception).error
    notes = device_type.notes() if device_type.notes is not None else ()
    return DeviceStatus(name, plugin, why is None, count, tuple(sorted(device_type.dtypes)), error,
                        table.coverage(), tuple(notes))


_manager = _BackendManager()


def get_backend(device_type: str) -> Backend:
    """The backend of a device type ("cpu"), loading the plugins on first use.

    Raises RuntimeError for an unknown device type (naming the known ones), and for a device type
    whose plugin is installed but failed, is disabled, or reports the device unavailable (saying why).
    """
    return _manager.get_backend(device_type)


def register_plugin(plugin: Any, name: str) -> None:
    """Register a module or object implementing ember's hooks by hand, under `name`.

    For tests and in-process backends. The kernel tables are rebuilt on the next get_backend, so a
    plugin registered late with a higher priority takes over; backends obtained before keep their
    old tables. Raises ValueError if `name` is taken and pluggy.PluginValidationError for bad hooks;
    a name listed in EMBER_DISABLED_PLUGINS stays blocked.
    """
    _manager.register_plugin(plugin, name)


def plugin_report() -> PluginReport:
    """Every plugin (origin, ok/failed/blocked) and device type (availability, dtypes, coverage)."""
    return _manager.plugin_report()


def _reset_for_tests() -> None:
    """Forget all plugins, failures and tables, as in a fresh process; for tests only.

    The next get_backend loads the entry points again and reads EMBER_DISABLE_PLUGIN_AUTOLOAD and
    EMBER_DISABLED_PLUGINS anew. Devices and tensors made before keep the kernel tables they hold.
    """
    _manager.reset()
