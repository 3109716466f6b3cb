"""Where checkpoint bytes come from and go to: paths (written atomically) or binary file objects."""
from __future__ import annotations

import os
import secrets
from typing import Any


def describe(f: Any) -> str:
    """How error messages name the checkpoint: its path, or the file object's name."""
    if isinstance(f, (str, bytes, os.PathLike)):
        return repr(os.fsdecode(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"


def _is_path(f: Any) -> bool:
    return isinstance(f, (str, bytes, os.PathLike))


def read_bytes(f: Any) -> bytes:
    """All the bytes of a path or a readable binary file object."""
    if _is_path(f):
        with open(f, "rb") as file:
            return file.read()
    if not hasattr(f, "read"):
        raise TypeError(f"ember.load(): f must be a path or a binary file object, not {type(f).__name__}")
    data = f.read()
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"ember.load(): {describe(f)} must be opened in binary mode ('rb')")
    return bytes(data)


def write_bytes(f: Any, data: bytes) -> None:
    """Write `data` to a path atomically (see `write_atomically`), or to a writable binary file object."""
    if _is_path(f):
        write_atomically(os.fsdecode(f), data)
        return
    if not hasattr(f, "write"):
        raise TypeError(f"ember.save(): f must be a path or a binary file object, not {type(f).__name__}")
    f.write(data)


def write_atomically(path: str, data: bytes) -> None:
    """Replace `path` with a file holding `data`, or leave it as it was: the bytes go to a temporary file in
    the same directory, reach the disk (fsync), and then take the path's place in one rename."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise RuntimeError(f"Parent directory {directory} does not exist.")  # PyTorch's error
    temporary = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    # os.open with mode 0o666 gives the file the permissions a plain open() would (the umask applies)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX); platforms that cannot open a directory skip it."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
