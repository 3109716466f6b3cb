"""Python trees of tensors as torch.func sees them: tuples, lists, dicts (namedtuples and OrderedDicts too) are
nodes, anything else a leaf. The transforms flatten their inputs and outputs into leaves and rebuild them."""
from __future__ import annotations

from typing import Any


class TreeSpec:
    """The shape of a tree: its node type, the node's context (a dict's keys) and its children's specs;
    a leaf is ``TreeSpec(None, None, ())``."""

    def __init__(self, kind: type | None, context: Any, children: tuple) -> None:
        self.kind, self.context, self.children = kind, context, children
        self.num_leaves = 1 if kind is None else sum(child.num_leaves for child in children)

    def is_leaf(self) -> bool:
        return self.kind is None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TreeSpec) and (self.kind, self.context, self.children) == \
            (other.kind, other.context, other.children)

    def __hash__(self) -> int:
        return hash((self.kind, self.children))

    def __repr__(self) -> str:
        """PyTorch's form, ``TreeSpec(tuple, None, [*, *])``, as in its error messages."""
        if self.kind is None:
            return "*"
        context = None if self.context is None else list(self.context)
        children = ",\n  ".join(repr(child) for child in self.children)
        return f"TreeSpec({self.kind.__name__}, {context}, [{children}])"

    def pprint(self) -> str:
        """The tree drawn with ``*`` for leaves: ``(*, [*, *])``, ``{'a': *}``."""
        if self.kind is None:
            return "*"
        drawn = [child.pprint() for child in self.children]
        if issubclass(self.kind, dict):
            return "{" + ", ".join(f"{key!r}: {child}" for key, child in zip(self.context, drawn)) + "}"
        if self.kind is list:
            return "[" + ", ".join(drawn) + "]"
        return "(" + ", ".join(drawn) + ("," if len(drawn) == 1 else "") + ")"


LEAF = TreeSpec(None, None, ())


def _is_node(tree: Any) -> bool:
    return isinstance(tree, (tuple, list, dict))


def _children(tree: Any) -> tuple[Any, list]:
    """The context and children of a node (a dict's keys in insertion order, as PyTorch)."""
    if isinstance(tree, dict):
        return list(tree), list(tree.values())
    return None, list(tree)


def tree_flatten(tree: Any) -> tuple[list, TreeSpec]:
    """The leaves of `tree`, left to right, and its spec."""
    leaves: list = []
    return leaves, _flatten_into(tree, leaves)


def _flatten_into(tree: Any, leaves: list) -> TreeSpec:
    if not _is_node(tree):
        leaves.append(tree)
        return LEAF
    context, children = _children(tree)
    return TreeSpec(type(tree), context, tuple(_flatten_into(child, leaves) for child in children))


def tree_unflatten(leaves: list, spec: TreeSpec) -> Any:
    """The tree of shape `spec` holding `leaves`."""
    values = iter(leaves)
    return _build(values, spec)


def _build(values, spec: TreeSpec) -> Any:
    if spec.kind is None:
        return next(values)
    children = [_build(values, child) for child in spec.children]
    kind: Any = spec.kind
    if issubclass(kind, dict):
        result = kind()  # dict, OrderedDict, a defaultdict (without its factory)
        result.update(zip(spec.context, children))
        return result
    if kind is list:
        return children
    if hasattr(kind, "_fields"):  # a namedtuple
        return kind(*children)
    return kind(children) if kind is not tuple else tuple(children)


def tree_map(fn, tree: Any) -> Any:
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(leaf) for leaf in leaves], spec)


def broadcast_prefix(prefix: Any, tree_spec: TreeSpec) -> list | None:
    """The leaves of `prefix` repeated over the leaves of the tree it is a prefix of (an int in `in_dims` for a
    whole tuple of inputs), or None when `prefix` does not match the tree's structure."""
    result: list = []
    return result if _broadcast_into(prefix, tree_spec, result) else None


def _broadcast_into(prefix: Any, spec: TreeSpec, result: list) -> bool:
    if not _is_node(prefix):
        result.extend([prefix] * spec.num_leaves)
        return True
    if spec.kind is None or not isinstance(prefix, spec.kind):
        return False
    context, children = _children(prefix)
    if isinstance(prefix, dict):
        if set(context) != set(spec.context):
            return False
        by_key = dict(zip(context, children))
        children = [by_key[key] for key in spec.context]
    elif len(children) != len(spec.children):
        return False
    return all(_broadcast_into(child, child_spec, result) for child, child_spec in zip(children, spec.children))
