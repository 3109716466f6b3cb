"""Shapes that do not broadcast: PyTorch's error, class and message, for every op that broadcasts its operands.
As PyTorch's TensorIterator, ember broadcasts the operands in PyTorch's order (where's condition first,
masked_fill's mask first), each against those before it, and names the first mismatch from the right; expand
checks its sizes from the right too."""
from __future__ import annotations

import warnings

import pytest
from outcomes import same_message, settled

pytestmark = pytest.mark.oracle


def _ones(lib, *shape, dtype=None):
    return lib.ones(*shape, dtype=dtype if dtype is not None else lib.float32)


CASES = {
    "add": lambda L: _ones(L, 2, 3) + _ones(L, 4, 5),
    "mul_ in place": lambda L: _ones(L, 2, 3).mul_(_ones(L, 4, 5)),
    "sub 3-d": lambda L: _ones(L, 2, 3, 4) - _ones(L, 5, 1, 6),
    "maximum": lambda L: L.maximum(_ones(L, 2, 3), _ones(L, 4, 5)),
    "pow": lambda L: L.pow(_ones(L, 2, 3), _ones(L, 4, 5)),
    "eq": lambda L: _ones(L, 2, 3) == _ones(L, 4, 5),
    "atan2": lambda L: L.atan2(_ones(L, 2, 3), _ones(L, 4, 5)),
    "logical_and": lambda L: L.logical_and(_ones(L, 2, 3), _ones(L, 4, 5)),
    "bitwise_and": lambda L: L.bitwise_and(_ones(L, 2, 3, dtype=L.int64), _ones(L, 4, 5, dtype=L.int64)),
    "add out=": lambda L: L.add(_ones(L, 2, 3), _ones(L, 4, 5), out=L.empty(2, 3)),
    "where, tensors": lambda L: L.where(_ones(L, 2, dtype=L.bool), _ones(L, 3, 4), _ones(L, 3, 4)),
    "where, number other": lambda L: L.where(_ones(L, 2, 3, dtype=L.bool), _ones(L, 4, 5), 0.0),
    "where, three shapes": lambda L: L.where(_ones(L, 5, dtype=L.bool), _ones(L, 4, 5), _ones(L, 3, 1)),
    "where, input": lambda L: L.where(_ones(L, 3, 4, dtype=L.bool), _ones(L, 2), _ones(L, 3, 4)),
    "where, other": lambda L: L.where(_ones(L, 3, 4, dtype=L.bool), _ones(L, 3, 4), _ones(L, 2)),
    "masked_fill": lambda L: _ones(L, 3, 4).masked_fill(_ones(L, 2, dtype=L.bool), 0.0),
    "masked_select": lambda L: _ones(L, 3, 4).masked_select(_ones(L, 2, dtype=L.bool)),
    "lerp": lambda L: L.lerp(_ones(L, 2, 3), _ones(L, 4, 5), 0.5),
    "clamp, tensor min": lambda L: L.clamp(_ones(L, 2, 3), min=_ones(L, 4, 5)),
    "mse_loss": lambda L: L.nn.functional.mse_loss(_ones(L, 2, 3), _ones(L, 4, 5)),
    "l1_loss": lambda L: L.nn.functional.l1_loss(_ones(L, 2, 3), _ones(L, 4, 5)),
    "expand, two mismatches": lambda L: _ones(L, 2, 3).expand(4, 5),
    "expand, -1 leading": lambda L: _ones(L, 2, 3).expand(-1, 2, 3),
    "expand, negative against a size": lambda L: _ones(L, 2, 3).expand(2, -2),
    "expand, negative left of a mismatch": lambda L: _ones(L, 2, 3).expand(-2, 5),
}


def _error(lib, call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mse_loss's target-size warning
        try:
            settled(call(lib))
        except Exception as error:  # noqa: BLE001 -- the error is what is compared
            return error
    return None


@pytest.mark.parametrize("name", CASES)
def test_the_error_is_pytorchs(oracle, name):
    expected, got = _error(oracle.torch, CASES[name]), _error(oracle.ember, CASES[name])
    assert expected is not None and got is not None, (expected, got)
    assert type(got) is type(expected)
    assert same_message(got, expected), (str(got), str(expected))
