"""Hook specifications: what an ember backend plugin implements.

A backend plugin is a module named by an entry point of the ``ember.backends`` group (for instance
``cpu = "ember_cpu.plugin"``), or an object passed to :func:`ember.plugins.register_plugin`. It
implements the hooks below, marked with :data:`hookimpl`::

    from ember.plugins import hookimpl

    @hookimpl
    def ember_register_devices(registry):
        registry.add_device(MY_DEVICE_TYPE)
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from ember.plugins.registry import Registry

hookspec = pluggy.HookspecMarker("ember")
hookimpl = pluggy.HookimplMarker("ember")


@hookspec(historic=True)
def ember_register_devices(registry: Registry) -> None:
    """Declare the device types this plugin provides.

    Called once per plugin, just before its :func:`ember_register_kernels`, when ember first needs a
    backend.

    :param registry:
        The :class:`~ember.plugins.Registry` to declare device types in, with
        ``registry.add_device(DeviceType(...))``. A device type's name (``"cpu"``, ``"cuda"``) is what
        users pass to ``ember.device``; by convention it is also the plugin's entry point name, so
        that ember can name the device when the plugin fails to import. Declaring a name another
        plugin already declared is an error that makes the device unusable until one plugin is
        disabled.

    :return: Nothing; the declarations are what the registry records.

    A plugin that raises here (or in :func:`ember_register_kernels`) is skipped with everything it
    registered; its error is shown when one of its devices is requested and by
    ``python -m ember info``.

    This hook is historic: a plugin registered after ember has loaded its backends (with
    :func:`ember.plugins.register_plugin`) is called as well, and the kernel tables are rebuilt.
    """


@hookspec(historic=True)
def ember_register_kernels(registry: Registry) -> None:
    """Register kernels for one or more device types, op by op.

    Called once per plugin, when ember first needs a backend. A plugin may register kernels for a
    device type another plugin declares (a faster CPU ``matmul``, say): the kernel tables are built
    once every plugin has run.

    :param registry:
        The :class:`~ember.plugins.Registry` to register kernels in, with
        ``registry.add_kernel(device, op, fn, priority=0)`` or
        ``registry.add_kernels(device, {op: fn, ...}, priority=0)``. The names core looks for, and
        their signatures, are the backend contract: :data:`~ember.plugins.REQUIRED_KERNELS` and
        :data:`~ember.plugins.OPTIONAL_KERNELS`, documented in ``docs/internals.md``; the creation
        kernels (:data:`~ember.plugins.CREATION_KERNELS`) take ``index=``, the device index of the
        buffer they make. Any other identifier may be registered too (a backend's own fused kernel),
        reachable as ``kernels.get(name)``.

    :return: Nothing; the registrations are what the registry records.

    For each device and op, the kernel with the highest ``priority`` wins, whichever plugin loaded
    first. Two kernels for one op and device at the same priority are an error naming both plugins,
    never decided by load order. After all plugins ran, the winners are resolved into one
    :class:`~ember.plugins.KernelTable` per device type: no hook is called per op.

    This hook is historic: a plugin registered after ember has loaded its backends (with
    :func:`ember.plugins.register_plugin`) is called as well, and the kernel tables are rebuilt.
    """
