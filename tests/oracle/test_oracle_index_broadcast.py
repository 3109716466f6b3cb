"""Index tensors that do not broadcast together: PyTorch's IndexError and message, raised by core before
any kernel (a bool mask counts as the 1-d index of its Trues, a 0-d False as an empty one), for reads and
writes, whatever the device (the OpenCL kernels raised their own ValueError)."""
from __future__ import annotations

import pytest
from outcomes import same_message

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

KEYS = {
    "int tensor, False": lambda lib: (lib.tensor([0, 1]), False),
    "list, False": lambda lib: ([1, 0], False),
    "bool list, False": lambda lib: ([True, False, True], False),
    "0-d False tensor, list": lambda lib: (lib.tensor(False), [0, 1]),
    "mask tensor, int tensor": lambda lib: (lib.tensor([True, False, True]), lib.tensor([0, 1, 2])),
    "int tensors": lambda lib: (lib.tensor([0, 1]), lib.tensor([0, 1, 2])),
    "2-d and 1-d int tensors": lambda lib: (lib.tensor([[0, 1], [1, 0]]), lib.tensor([0, 1, 2])),
    "slice between": lambda lib: (lib.tensor([0, 1]), slice(None), lib.tensor([0, 1, 0])),
}


def _outcome(lib, key, write):
    x = lib.arange(24.0).reshape(3, 4, 2)
    try:
        if write:
            x[KEYS[key](lib)] = 1.0
        else:
            x[KEYS[key](lib)]
    except Exception as error:
        return error
    return None


@pytest.mark.parametrize("write", [False, True], ids=["getitem", "setitem"])
@pytest.mark.parametrize("key", KEYS)
def test_index_shape_mismatch_is_pytorchs_error(key, write):
    expected, got = _outcome(torch, key, write), _outcome(ember, key, write)
    assert type(expected) is IndexError
    assert type(got) is IndexError, repr(got)
    assert same_message(got, expected), (str(got), str(expected))
