"""``python -m ember info``: installed backend plugins, their devices, and each device's kernel coverage."""
from __future__ import annotations

import argparse
import importlib.metadata
import platform
import sys
import textwrap
from collections.abc import Sequence

from ember.plugins import OPTIONAL_KERNELS, REQUIRED_KERNELS, plugin_report
from ember.plugins.manager import ENTRY_POINT_GROUP, DeviceStatus, PluginReport, PluginStatus

_WIDTH = 110


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _plugin_line(plugin: PluginStatus, name_width: int, verbose: bool) -> str:
    origin = plugin.module
    if plugin.distribution is not None:
        origin += f" ({plugin.distribution} {plugin.version})"
    elif plugin.version is not None:
        origin += f" ({plugin.version})"
    status = plugin.status
    if plugin.error is not None:
        status += f": {plugin.error}"
    elif status == "blocked":
        status += " by EMBER_DISABLED_PLUGINS"
    line = f"  {plugin.name:<{name_width}}  {origin}  {status}"
    if verbose and plugin.traceback is not None:
        line += "\n" + textwrap.indent(plugin.traceback.rstrip(), "      ")
    return line


def _device_line(device: DeviceStatus, name_width: int) -> str:
    if not device.available:
        line = f"  {device.name:<{name_width}}  unavailable: {device.error or 'unknown reason'}"
    else:
        line = (f"  {device.name:<{name_width}}  available  device_count={device.device_count}  "
                f"dtypes: {', '.join(device.dtypes)}  (plugin {device.plugin})")
    indent = " " * (name_width + 6)
    return "\n".join([line, *(indent + note for note in device.notes)])


def _by_plugin(coverage: dict[str, str | None], ops: Sequence[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for op in ops:
        plugin = coverage[op]
        if plugin is not None:
            groups.setdefault(plugin, []).append(op)
    return groups


def _coverage_lines(device: DeviceStatus, name_width: int) -> list[str]:
    indent = " " * (name_width + 4)
    required = _by_plugin(device.coverage, REQUIRED_KERNELS)
    present = sum(len(ops) for ops in required.values())
    missing = [op for op in REQUIRED_KERNELS if device.coverage[op] is None]
    text = f"required {present}/{len(REQUIRED_KERNELS)}"
    if required:
        # The plugin providing most kernels is named once; any other lists the ops it provides.
        main = max(required, key=lambda plugin: len(required[plugin]))
        text += f" from {main}" + "".join(f", and from {plugin}: {' '.join(ops)}"
                                          for plugin, ops in required.items() if plugin != main)
    if missing:
        text += f"; missing: {' '.join(missing)}"
    optional = _by_plugin(device.coverage, OPTIONAL_KERNELS)
    optional_text = f"optional {sum(len(ops) for ops in optional.values())}/{len(OPTIONAL_KERNELS)}"
    optional_text += ",".join(f" from {plugin}: {' '.join(ops)}" for plugin, ops in optional.items())
    first = f"  {device.name:<{name_width}}  "
    return [textwrap.fill(text, _WIDTH, initial_indent=first, subsequent_indent=indent + "  "),
            textwrap.fill(optional_text, _WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")]


def format_report(report: PluginReport, verbose: bool = False) -> str:
    """The text of ``python -m ember info`` for a plugin report."""
    lines = [f"ember {_version('ember-core')} (Python {platform.python_version()}, "
             f"numpy {_version('numpy')}, pluggy {_version('pluggy')})", "",
             f'Plugins (entry point group "{ENTRY_POINT_GROUP}"):']
    if not report.autoload:
        lines.append("  entry point loading is off: EMBER_DISABLE_PLUGIN_AUTOLOAD is set")
    names = [plugin.name for plugin in report.plugins] + [device.name for device in report.devices]
    name_width = max(map(len, names), default=0)
    lines += [_plugin_line(plugin, name_width, verbose) for plugin in report.plugins] or ["  (none)"]
    lines += ["", "Devices:"]
    lines += [_device_line(device, name_width) for device in report.devices] or ["  (none)"]
    lines += ["", "Kernel coverage:"]
    covered = [device for device in report.devices if device.coverage]
    for device in covered:
        lines += _coverage_lines(device, name_width)
    if not covered:
        lines.append("  (no usable device)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ember", description="ember's command line.")
    commands = parser.add_subparsers(dest="command", metavar="command", required=True)
    info = commands.add_parser("info", help="list backend plugins, devices and kernel coverage",
                               description="List backend plugins, devices and kernel coverage.")
    info.add_argument("-v", "--verbose", action="store_true", help="show the traceback of failed plugins")
    args = parser.parse_args(argv)
    print(format_report(plugin_report(), verbose=args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
