"""``argnums``: which positional arguments a transform differentiates, checked and picked out as PyTorch's."""
from __future__ import annotations

from typing import Any

from ._levels import Level
from ._pytree import TreeSpec, tree_flatten, tree_unflatten


def _wrapped(argnum: Any, num_args: int) -> int:
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if -num_args <= argnum < num_args:
        return argnum % num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def checked(argnums: Any, num_args: int) -> int | tuple[int, ...]:
    """`argnums` with negative positions wrapped; RuntimeError for a bad type, position or repeat."""
    if not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if isinstance(argnums, int):
        return _wrapped(argnums, num_args)
    wrapped = tuple(_wrapped(argnum, num_args) for argnum in argnums)
    if not wrapped:
        raise RuntimeError("argnums must be non-empty")
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return wrapped


def selected(args: tuple, argnums: int | tuple[int, ...]) -> Any:
    """The argument at `argnums`, or the tuple of those at each position of a tuple `argnums`."""
    return args[argnums] if isinstance(argnums, int) else tuple(args[argnum] for argnum in argnums)


def replaced(args: tuple, argnums: int | tuple[int, ...], values: Any) -> tuple:
    """`args` with the arguments at `argnums` replaced by `values` (shaped as `selected`'s result)."""
    result = list(args)
    if isinstance(argnums, int):
        result[argnums] = values
    else:
        for argnum, value in zip(argnums, values):
            result[argnum] = value
    return tuple(result)


def lifted(level: Level, args: tuple, argnums: Any, check=None) -> tuple[list, TreeSpec, tuple]:
    """The leaves of the arguments at `argnums` (after `check(leaves)`) lifted into `level`, their tree, and
    `args` holding them in place of the arguments."""
    positions = checked(argnums, len(args))
    leaves, spec = tree_flatten(selected(args, positions))
    if check is not None:
        check(leaves)
    lifted_leaves = [level.lift(leaf) for leaf in leaves]
    return lifted_leaves, spec, replaced(args, positions, tree_unflatten(lifted_leaves, spec))
