"""``ember.save`` and ``ember.load``: checkpoints without pickle.

`save` writes ember's format (`ember_format`: safetensors storages plus a JSON structure), atomically when
given a path. `load` reads that format, plain safetensors files (a dict of their tensors), and PyTorch's own
``torch.save`` zip checkpoints (`torch_zip`, through a restricted unpickler: PyTorch's ``weights_only=True``
rule). No file is ever unpickled freely, so loading an untrusted checkpoint cannot run code.
"""
from __future__ import annotations

import pickle
import zipfile
from typing import Any

from . import ember_format, files, torch_zip
from .errors import CorruptCheckpoint, UnsupportedContent
from .storages import Placement

__all__ = ["load", "save"]


def save(obj: Any, f: Any) -> None:
    """Save `obj` (tensors, Parameters, dicts, OrderedDicts, lists, tuples, sets, numbers, strings, bytes,
    None, dtypes, devices, nested freely) to `f`, a path or a writable binary file object.

    Tensors that share memory (views of one tensor, tied weights) are stored once and load sharing it again;
    requires_grad is kept, gradients are not (as with torch.save). A path is replaced atomically: a failure
    leaves the previous file as it was.
    """
    files.write_bytes(f, ember_format.dumps(obj))


def load(f: Any, map_location: Any = None, *, weights_only: bool | None = None, mmap: bool | None = None) -> Any:
    """The object saved in `f` (a path or a readable binary file object) by `save` or by ``torch.save``.

    `map_location` moves storages as in torch.load: a device or its name, a dict from saved location to
    location, or ``fn(storage, location)`` (a 1-D tensor; return one, or None to keep the location). ember
    always loads as PyTorch's ``weights_only=True`` does, whatever `weights_only` says; `mmap` is accepted
    and ignored (the file is read whole).
    """
    placement = Placement(map_location)
    name = files.describe(f)
    data = files.read_bytes(f)
    try:
        if torch_zip.is_torch_zip(data):
            return torch_zip.loads(data, placement)
        metadata = ember_format.read_metadata(data)
        if metadata is not None:
            return ember_format.loads(data, metadata, placement)
    except pickle.UnpicklingError as error:
        raise pickle.UnpicklingError(f"ember.load: {name}: Weights only load failed. WeightsUnpickler error: "
                                     f"{error}. ember reads only tensors, containers and primitives from "
                                     "PyTorch checkpoints, never arbitrary pickled objects.") from None
    except (CorruptCheckpoint, UnsupportedContent) as error:
        raise RuntimeError(f"ember.load: {name} cannot be loaded: {error}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, EOFError) as error:
        raise RuntimeError(f"ember.load: {name} is a damaged PyTorch checkpoint (PytorchStreamReader failed "
                           f"reading zip archive: {error})") from None
    if torch_zip.is_legacy_torch(data):
        raise RuntimeError(f"ember.load: {name} is in PyTorch's legacy (pre-1.6) pickle format, which ember "
                           "does not read; re-save it with a recent torch.save")
    if not data:
        raise RuntimeError(f"ember.load: {name} is empty")
    raise RuntimeError(f"ember.load: {name} is in an unknown format (neither an ember checkpoint, a safetensors "
                       "file nor a torch.save zip archive)")
