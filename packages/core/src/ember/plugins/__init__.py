"""ember's plugin system: device backends are pluggy plugins found through the ``ember.backends`` group.

A backend implements the hooks of :mod:`ember.plugins.hookspec` with :data:`hookimpl`, declaring its
:class:`DeviceType` and registering kernels into the :class:`Registry`; core then uses one resolved
:class:`KernelTable` per device type, obtained with :func:`get_backend`. ``docs/internals.md`` gives
the kernel contract.
"""
from ember.plugins.hookspec import hookimpl, hookspec
from ember.plugins.manager import get_backend, plugin_report, register_plugin
from ember.plugins.registry import (
    CREATION_KERNELS,
    OPTIONAL_KERNELS,
    REQUIRED_KERNELS,
    DeviceType,
    KernelTable,
    Registry,
)

__all__ = [
    "hookimpl", "hookspec", "get_backend", "register_plugin", "plugin_report",
    "DeviceType", "Registry", "KernelTable", "REQUIRED_KERNELS", "OPTIONAL_KERNELS", "CREATION_KERNELS",
]
