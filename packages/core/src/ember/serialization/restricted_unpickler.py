"""A pickle reader that builds only what PyTorch's ``weights_only=True`` accepts: containers, primitives and
the globals its caller allows (tensor rebuild functions, dtypes, devices). It interprets the opcodes itself,
so no other code is ever imported or called: an unknown global, opcode, or a call to anything else is a
pickle.UnpicklingError before it happens.
"""
from __future__ import annotations

import _compat_pickle
import io
import pickle
import struct
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

_NOT_CALLABLE = object()


class RestrictedUnpickler:
    """Reads one pickle from `data`. `allowed` maps ``(module, name)`` to the object a GLOBAL names; those
    listed in `callables` may be called by REDUCE/NEWOBJ. `persistent_load(pid)` supplies BINPERSID objects.
    """

    def __init__(self, data: bytes, allowed: dict[tuple[str, str], Any], callables: set[int],
                 persistent_load: Callable[[Any], Any]) -> None:
        self._file = io.BytesIO(data)
        self._allowed = allowed
        self._callables = callables
        self._persistent_load = persistent_load
        self._memo: dict[int, Any] = {}
        self._stack: list[Any] = []
        self._marks: list[list[Any]] = []

    # ----- reading bytes ---------------------------------------------------------------------------
    def _read(self, n: int) -> bytes:
        if n < 0:
            raise pickle.UnpicklingError("negative length in pickle data")
        data = self._file.read(n)
        if len(data) != n:
            raise pickle.UnpicklingError("pickle data was truncated")
        return data

    def _line(self) -> str:
        line = self._file.readline()
        if not line.endswith(b"\n"):
            raise pickle.UnpicklingError("pickle data was truncated")
        return line[:-1].decode("utf-8")

    def _unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self._read(struct.calcsize(fmt)))[0]

    # ----- the stack ------------------------------------------------------------------------------
    def _pop(self) -> Any:
        if not self._stack:
            raise pickle.UnpicklingError("unpickling stack underflow")
        return self._stack.pop()

    def _top(self) -> Any:
        if not self._stack:
            raise pickle.UnpicklingError("unpickling stack underflow")
        return self._stack[-1]

    def _pop_mark(self) -> list[Any]:
        if not self._marks:
            raise pickle.UnpicklingError("could not find MARK")
        items = self._stack
        self._stack = self._marks.pop()
        return items

    def _top_of(self, kind: type, op: str) -> Any:
        target = self._top()
        if type(target) is not kind and not (kind is dict and type(target) is OrderedDict):
            raise pickle.UnpicklingError(f"{op} can only add to a {kind.__name__}, but got {type(target)}")
        return target

    # ----- globals and calls ------------------------------------------------------------------------
    def _global(self, module: str, name: str) -> None:
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        found = self._allowed.get((module, name), _NOT_CALLABLE)
        if found is _NOT_CALLABLE:
            raise pickle.UnpicklingError(f"Unsupported global: GLOBAL {module}.{name} was not an allowed global "
                                         "by default")
        self._stack.append(found)

    def _call(self, func: Any, args: Any, op: str) -> Any:
        if id(func) not in self._callables:
            raise pickle.UnpicklingError(f"Trying to call {op} for unrecognized function {func!r}")
        if type(args) is not tuple:
            raise pickle.UnpicklingError(f"{op} arguments must be a tuple, but got {type(args)}")
        return func(*args)

    def _build(self) -> None:
        state = self._pop()
        target = self._top()
        if type(target) is not OrderedDict or not isinstance(state, dict) or \
                not all(type(key) is str for key in state):
            raise pickle.UnpicklingError(f"Can only build OrderedDict attributes, but got {type(target)}")
        target.__dict__.update(state)  # Module.state_dict()'s ``_metadata``

    def _persid(self) -> None:
        pid = self._pop()
        if type(pid) is not tuple or not pid or pid[0] not in ("storage", b"storage"):
            raise pickle.UnpicklingError(f"Only persistent_load of storage is allowed, but got {pid!r}")
        self._stack.append(self._persistent_load(pid))

    # ----- the machine -------------------------------------------------------------------------------
    def load(self) -> Any:
        """The object the pickle describes."""
        ops = _OPS
        while True:
            code = self._read(1)
            if code == pickle.STOP:
                if len(self._stack) != 1 or self._marks:
                    raise pickle.UnpicklingError("pickle ended with an unbalanced stack")
                return self._stack[0]
            op = ops.get(code)
            if op is None:
                raise pickle.UnpicklingError(f"Unsupported operand {code[0]}")
            op(self)

    def _proto(self) -> None:
        if self._read(1)[0] > 5:
            raise pickle.UnpicklingError("unsupported pickle protocol")

    def _mark(self) -> None:
        self._marks.append(self._stack)
        self._stack = []

    def _set_items(self, items: list[Any]) -> None:
        if len(items) % 2:
            raise pickle.UnpicklingError("SETITEMS needs key/value pairs")
        target = self._top_of(dict, "SETITEMS")
        for i in range(0, len(items), 2):
            target[items[i]] = items[i + 1]

    def _put(self, index: int) -> None:
        self._memo[index] = self._top()

    def _get(self, index: int) -> None:
        if index not in self._memo:
            raise pickle.UnpicklingError(f"Memo value not found at index {index}")
        self._stack.append(self._memo[index])

    def _reduce(self) -> None:
        args = self._pop()
        self._stack[-1] = self._call(self._top(), args, "reduce")

    def _newobj(self) -> None:
        args = self._pop()
        self._stack[-1] = self._call(self._top(), args, "NEWOBJ")

    def _stack_global(self) -> None:
        name, module = self._pop(), self._pop()
        if type(name) is not str or type(module) is not str:
            raise pickle.UnpicklingError("STACK_GLOBAL requires str")
        self._global(module, name)

    def _tuple(self, n: int) -> None:
        if len(self._stack) < n:
            raise pickle.UnpicklingError("unpickling stack underflow")
        items = tuple(self._stack[len(self._stack) - n:])
        del self._stack[len(self._stack) - n:]
        self._stack.append(items)


def _push(value_of: Callable[[RestrictedUnpickler], Any]) -> Callable[[RestrictedUnpickler], None]:
    def push(u: RestrictedUnpickler) -> None:
        value = value_of(u)  # first: it may pop a MARK, which replaces the stack
        u._stack.append(value)
    return push


def _text(u: RestrictedUnpickler, fmt: str) -> str:
    return str(u._read(u._unpack(fmt)), "utf-8", "surrogatepass")


def _append(u: RestrictedUnpickler) -> None:
    item = u._pop()
    u._top_of(list, "APPEND").append(item)


def _appends(u: RestrictedUnpickler) -> None:
    items = u._pop_mark()
    u._top_of(list, "APPENDS").extend(items)


def _setitem(u: RestrictedUnpickler) -> None:
    value, key = u._pop(), u._pop()
    u._top_of(dict, "SETITEM")[key] = value


def _additems(u: RestrictedUnpickler) -> None:
    items = u._pop_mark()
    u._top_of(set, "ADDITEMS").update(items)


def _memoize(u: RestrictedUnpickler) -> None:
    u._memo[len(u._memo)] = u._top()


def _frame(u: RestrictedUnpickler) -> None:
    u._read(8)  # the frame's length: the opcodes follow in this same buffer


_OPS: dict[bytes, Callable[[RestrictedUnpickler], None]] = {
    pickle.PROTO: RestrictedUnpickler._proto,
    pickle.FRAME: _frame,
    pickle.MARK: RestrictedUnpickler._mark,
    pickle.POP: lambda u: u._pop(),
    pickle.POP_MARK: lambda u: u._pop_mark().clear(),
    pickle.DUP: _push(lambda u: u._top()),
    pickle.NONE: _push(lambda u: None),
    pickle.NEWTRUE: _push(lambda u: True),
    pickle.NEWFALSE: _push(lambda u: False),
    pickle.BININT: _push(lambda u: u._unpack("<i")),
    pickle.BININT1: _push(lambda u: u._read(1)[0]),
    pickle.BININT2: _push(lambda u: u._unpack("<H")),
    pickle.LONG1: _push(lambda u: pickle.decode_long(u._read(u._read(1)[0]))),
    pickle.LONG4: _push(lambda u: pickle.decode_long(u._read(u._unpack("<i")))),
    pickle.BINFLOAT: _push(lambda u: u._unpack(">d")),
    pickle.BINUNICODE: _push(lambda u: _text(u, "<I")),
    pickle.SHORT_BINUNICODE: _push(lambda u: _text(u, "<B")),
    pickle.BINUNICODE8: _push(lambda u: _text(u, "<Q")),
    pickle.BINBYTES: _push(lambda u: u._read(u._unpack("<I"))),
    pickle.SHORT_BINBYTES: _push(lambda u: u._read(u._unpack("<B"))),
    pickle.BINBYTES8: _push(lambda u: u._read(u._unpack("<Q"))),
    pickle.EMPTY_TUPLE: _push(lambda u: ()),
    pickle.TUPLE: _push(lambda u: tuple(u._pop_mark())),
    pickle.TUPLE1: lambda u: u._tuple(1),
    pickle.TUPLE2: lambda u: u._tuple(2),
    pickle.TUPLE3: lambda u: u._tuple(3),
    pickle.EMPTY_LIST: _push(lambda u: []),
    pickle.LIST: _push(lambda u: u._pop_mark()),
    pickle.APPEND: _append,
    pickle.APPENDS: _appends,
    pickle.EMPTY_DICT: _push(lambda u: {}),
    pickle.SETITEM: _setitem,
    pickle.SETITEMS: lambda u: u._set_items(u._pop_mark()),
    pickle.EMPTY_SET: _push(lambda u: set()),
    pickle.ADDITEMS: _additems,
    pickle.BINPUT: lambda u: u._put(u._read(1)[0]),
    pickle.LONG_BINPUT: lambda u: u._put(u._unpack("<I")),
    pickle.MEMOIZE: _memoize,
    pickle.BINGET: lambda u: u._get(u._read(1)[0]),
    pickle.LONG_BINGET: lambda u: u._get(u._unpack("<I")),
    pickle.GLOBAL: lambda u: u._global(u._line(), u._line()),
    pickle.STACK_GLOBAL: RestrictedUnpickler._stack_global,
    pickle.REDUCE: RestrictedUnpickler._reduce,
    pickle.NEWOBJ: RestrictedUnpickler._newobj,
    pickle.BUILD: RestrictedUnpickler._build,
    pickle.BINPERSID: RestrictedUnpickler._persid,
}
