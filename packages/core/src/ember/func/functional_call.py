"""``functional_call``: a module called with some of its parameters and buffers replaced by given tensors (the
module is left as it was afterwards), and ``stack_module_state``: the parameters and buffers of several
models of one class stacked, for vmapping over them as an ensemble."""
from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from .._ops.joining import stack
from .._tensor import Tensor

_ABSENT = object()


def functional_call(module, parameter_and_buffer_dicts: dict[str, Tensor] | Sequence[dict[str, Tensor]],
                    args: Any = None, kwargs: dict[str, Any] | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """``module(*args, **kwargs)`` with the parameters and buffers named (``'0.weight'``) in the dicts replaced
    by the given tensors. `tie_weights` replaces a tied tensor under all its names; `strict` requires every
    parameter and buffer, and nothing else."""
    if isinstance(parameter_and_buffer_dicts, dict):
        values = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, (list, tuple)):
        counts = Counter(key for each in parameter_and_buffer_dicts for key in each)
        repeated = [key for key, count in counts.items() if count > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is ambiguous")
        values = {key: value for each in parameter_and_buffer_dicts for key, value in each.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                         f"{type(parameter_and_buffer_dicts)}")
    return call_reparametrized(module, values, args, kwargs, tie_weights, strict)


def call_reparametrized(module, values: dict, args: Any, kwargs: dict | None, tie_weights: bool, strict: bool) -> Any:
    """`module` called with `values` in place of its parameters and buffers of those names."""
    for value in values.values():
        if not isinstance(value, Tensor):
            raise TypeError(f"{value} is not an instance of ember.Tensor")
    if not isinstance(args, tuple):
        args = () if args is None else (args,)
    with _reparametrized(module, _with_tied(module, values) if tie_weights else values, strict):
        return module(*args, **(kwargs or {}))


def _state_names(module) -> dict[str, Tensor]:
    """Every name of every parameter and buffer (a tied tensor under each of its names)."""
    return {**dict(module.named_parameters(remove_duplicate=False)),
            **dict(module.named_buffers(remove_duplicate=False))}


def _with_tied(module, values: dict) -> dict:
    """`values` extended to every name of each tied tensor given under one of its names."""
    names_of: dict[int, list[str]] = {}
    for name, tensor in _state_names(module).items():
        names_of.setdefault(id(tensor), []).append(name)
    result = dict(values)
    for names in names_of.values():
        given = [name for name in names if name in values]
        if len(names) < 2 or not given:
            continue
        if len({id(values[name]) for name in given}) > 1:
            raise ValueError(f"functional_call got multiple values for keys {given}, which are tied. Consider using "
                             "tie_weights=False")
        result.update((name, values[given[0]]) for name in names)
    return result


@contextlib.contextmanager
def _reparametrized(module, values: dict, strict: bool) -> Iterator[None]:
    if strict:
        known = set(_state_names(module))
        unexpected, missing = sorted(set(values) - known), sorted(known - set(values))
        errors = ([f"Unexpected key(s): {', '.join(map(repr, unexpected))}."] if unexpected else []) + \
            ([f"Missing key(s): {', '.join(map(repr, missing))}."] if missing else [])
        if errors:
            raise RuntimeError(f"Error(s) in reparametrizing for {module._get_name()}:\n\t" + "\n\t".join(errors))
    saved = []
    try:
        for name, value in values.items():
            owner_name, _, attribute = name.rpartition(".")
            owner = module.get_submodule(owner_name) if owner_name else module
            saved.append((owner, attribute, _swapped(owner, attribute, value)))
        yield
    finally:
        for owner, attribute, old in reversed(saved):
            _swapped(owner, attribute, old)


def _swapped(owner, attribute: str, value: Any) -> Any:
    """Put `value` in `owner`'s parameter, buffer or plain attribute `attribute`; returns what was there."""
    for table in (owner._parameters, owner._buffers):
        if attribute in table:
            old, table[attribute] = table[attribute], value
            return old
    old = owner.__dict__.get(attribute, _ABSENT)
    if value is _ABSENT:
        del owner.__dict__[attribute]
    else:
        owner.__dict__[attribute] = value
    return old


def stack_module_state(models) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """``(params, buffers)``: each parameter and buffer of `models` (of one class) stacked along a new first
    dimension; stacked parameters are new leaves requiring grad when the models' do."""
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or not any(m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    if any(type(m) is not type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    params = [dict(m.named_parameters()) for m in models]
    buffers = [dict(m.named_buffers()) for m in models]
    return ({name: _stacked_leaf([each[name] for each in params], name) for name in params[0]},
            {name: _stacked_leaf([each[name] for each in buffers], name) for name in buffers[0]})


def _stacked_leaf(tensors: list, name: str) -> Tensor:
    requires_grad = {t.requires_grad for t in tensors}
    if len(requires_grad) > 1:
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    result = stack(tensors)
    return result.detach().requires_grad_() if True in requires_grad else result
