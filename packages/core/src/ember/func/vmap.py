"""``vmap``: a function mapped over a dimension of its inputs, as torch.func's. ember has no batching rules:
the function runs once per sample (its inputs selected at the batch index) and the outputs are stacked, so the
result is PyTorch's but the cost is the batch size times one call, plus the stacking; ``chunk_size`` (how many
samples PyTorch vectorizes at once) changes nothing. Transforms nest in any order (``vmap(grad(f))`` gives
per-sample gradients) because every step is an ordinary differentiable op."""
from __future__ import annotations

import functools
from typing import Any

from .._ops.creation import zeros
from .._ops.joining import stack
from .._ops.norms import equal
from .._tensor import Tensor
from ._pytree import broadcast_prefix as _broadcast_prefix
from ._pytree import tree_flatten, tree_unflatten
from .randomness import Randomness, check_randomness


def vmap(func, in_dims: Any = 0, out_dims: Any = 0, randomness: str = "error", *, chunk_size: int | None = None):
    """`func` mapped over dimension `in_dims` of its inputs (per argument, per tree leaf; None: not mapped), its
    outputs stacked at `out_dims` (None: an output the same for every sample). Keyword arguments are not
    mapped."""
    check_randomness(randomness)
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        return _Mapping(func, in_dims, out_dims).run(args, kwargs, randomness)
    return wrapped


def _name(func) -> str:
    return getattr(func, "__name__", repr(func))


class _Mapping:
    """One call of a vmapped function: its checked inputs, the per-sample calls and the stacked outputs."""

    def __init__(self, func, in_dims: Any, out_dims: Any) -> None:
        self.func, self.in_dims, self.out_dims, self.name = func, in_dims, out_dims, _name(func)

    def run(self, args: tuple, kwargs: dict, randomness: str) -> Any:
        leaves, spec, dims, batch = self._inputs(args)
        with Randomness(randomness) as mode:
            if batch == 0:  # no sample to run: one on zeros gives the outputs' shapes, each stacked zero times
                sample = [x if dim is None else zeros([n for d, n in enumerate(x.shape) if d != dim % x.dim()],
                                                      dtype=x.dtype, device=x.device) for x, dim in zip(leaves, dims)]
                return self._stacked([self.func(*tree_unflatten(sample, spec), **kwargs)], empty=True)
            outputs = []
            for index in range(batch):
                if index:
                    mode.next_sample()
                sample = [x if dim is None else x.select(dim, index) for x, dim in zip(leaves, dims)]
                outputs.append(self.func(*tree_unflatten(sample, spec), **kwargs))
        return self._stacked(outputs, empty=False)

    def _complaint(self, message: str) -> ValueError:
        return ValueError(f"vmap({self.name}, in_dims={self.in_dims}, ...)(<inputs>): {message}")

    def _inputs(self, args: tuple) -> tuple[list, Any, list, int]:
        """The inputs' leaves and tree, each leaf's mapped dimension, and the batch size; PyTorch's refusals."""
        if not args:
            raise ValueError(f"vmap({self.name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you "
                             "are trying to vmap over a function with no inputs. The latter is unsupported.")
        if not isinstance(self.in_dims, (int, tuple)):
            raise self._complaint("expected `in_dims` to be int or a (potentially nested) tuple matching the "
                                  f"structure of inputs, got: {type(self.in_dims)}.")
        leaves, spec = tree_flatten(args)
        dims = _broadcast_prefix(self.in_dims, spec) if isinstance(self.in_dims, tuple) else \
            [self.in_dims] * len(leaves)
        if dims is None:
            raise self._complaint(f"in_dims is not compatible with the structure of `inputs`. in_dims has structure "
                                  f"{tree_flatten(self.in_dims)[1]} but inputs has structure {spec}.")
        sizes = []
        for x, dim in zip(leaves, dims):
            if dim is None:
                continue
            if not isinstance(dim, int):
                raise self._complaint(f"Got in_dim={dim} for an input but in_dim must be either an integer "
                                      "dimension or None.")
            if not isinstance(x, Tensor):
                raise self._complaint(f"Got in_dim={dim} for an input but the input is of type {type(x)}. We cannot "
                                      "vmap over non-Tensor arguments, please use None as the respective in_dim")
            if not -x.dim() <= dim < x.dim():
                raise self._complaint(f"Got in_dim={dim} for some input, but that input is a Tensor of "
                                      f"dimensionality {x.dim()} so expected in_dim to satisfy -{x.dim()} <= in_dim "
                                      f"< {x.dim()}.")
            sizes.append(x.shape[dim])
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if len(set(sizes)) > 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                             f"{sizes} for the mapped dimension")
        return leaves, spec, dims, sizes[0]

    def _stacked(self, outputs: list, empty: bool) -> Any:
        """The per-sample outputs stacked at their out_dims (none of them when `empty`), in the output's tree."""
        per_sample = [tree_flatten(out) for out in outputs]
        spec = per_sample[0][1]
        if any(other != spec for _, other in per_sample):
            raise ValueError(f"vmap({self.name}, ...): `{self.name}` returned outputs of different structures for "
                             "different samples")
        if not isinstance(self.out_dims, (int, tuple, list)) and self.out_dims is not None:
            raise ValueError(f"vmap({self.name}, ..., out_dims={self.out_dims}): `out_dims` must be an int, None or a "
                             "python collection of ints representing where in the outputs the vmapped dimension "
                             "should appear.")
        dims = _broadcast_prefix(self.out_dims, spec)
        if dims is None:
            raise ValueError(f"vmap({self.name}, ..., out_dims={self.out_dims})(<inputs>): out_dims is not "
                             f"compatible with the structure of `outputs`. out_dims has structure "
                             f"{tree_flatten(self.out_dims)[1]} but outputs has structure {spec}.")
        columns = zip(*(leaves for leaves, _ in per_sample))
        return tree_unflatten([self._stacked_leaf(list(column), dim, empty) for column, dim in zip(columns, dims)],
                              spec)

    def _stacked_leaf(self, column: list, dim: int | None, empty: bool) -> Any:
        first = column[0]
        if dim is None:
            if isinstance(first, Tensor) and not all(_same(first, other) for other in column[1:]):
                raise ValueError(f"vmap({self.name}, ...): `{self.name}` can not return a BatchedTensor when out_dim "
                                 "is None")
            return first
        if not isinstance(first, Tensor):
            raise ValueError(f"vmap({self.name}, ...): `{self.name}` must only return Tensors, got type "
                             f"{type(first)}. Did you mean to set out_dims= to None for output?")
        if empty:
            return first.unsqueeze(dim).narrow(dim, 0, 0)
        return stack(column, dim=dim)


def _same(first: Tensor, other: Any) -> bool:
    """Whether a sample's output is the first one's (an unmapped output: the same tensor, or equal values)."""
    return other is first or (isinstance(other, Tensor) and other.shape == first.shape and equal(first, other))
