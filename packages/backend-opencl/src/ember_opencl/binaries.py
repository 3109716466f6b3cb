"""The compiled programs kept on disk between processes, by device and source: a program built from its
binary takes milliseconds, where a build from source takes ~0.2 s on PoCL even when PoCL's own cache holds it
(it still preprocesses and hashes the source), and ~1 s when nothing holds it. pyopencl keeps no binaries for
PoCL (it counts on PoCL's cache), so the backend keeps its own, under ``$XDG_CACHE_HOME/ember/opencl``
(``~/.cache`` by default). A binary the driver refuses is built again from source and replaced.
"""
from __future__ import annotations

import hashlib
import os
import tempfile

from .device import Device, cl


def _directory() -> str:
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(home, "ember", "opencl")


def _path(device: Device, text: str) -> str:
    """The file of `text`'s program for `device`: named by a hash of the source and of what the binary
    depends on (the device, its driver, its platform and pyopencl's version)."""
    cl_device = device.device
    what = "\0".join((cl_device.name, cl_device.vendor, cl_device.driver_version, cl_device.version,
                      cl_device.platform.version, cl.VERSION_TEXT, text))
    return os.path.join(_directory(), hashlib.sha256(what.encode()).hexdigest() + ".bin")


def built(device: Device, text: str) -> cl.Program:
    """`text` built for `device`: from the binary on disk when there is one the driver takes, else from
    source (and its binary saved for the next process)."""
    path = _path(device, text)
    try:
        with open(path, "rb") as file:
            binary = file.read()
        return cl.Program(device.context, [device.device], [binary]).build(devices=[device.device])
    except (OSError, cl.Error):  # none yet, or one the driver refuses: build from source
        pass
    program = cl.Program(device.context, text).build(devices=[device.device])
    binaries = dict(zip(program.get_info(cl.program_info.DEVICES), program.get_info(cl.program_info.BINARIES)))
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=os.path.dirname(path), delete=False) as file:
            file.write(binaries[device.device])
        os.replace(file.name, path)  # whole or not at all, for a process reading it meanwhile
    except OSError:  # a read-only home: the next process builds from source again
        pass
    return program
