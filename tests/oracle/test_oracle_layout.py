"""Issue 6, layouts: the strides of clone, the *_like factories, to(), masked_fill and elementwise results,
and of advanced-indexing results, compared with PyTorch's over contiguous, permuted and sliced inputs."""

from __future__ import annotations

import itertools

import pytest
from outcomes import settled

pytestmark = pytest.mark.oracle

# Inputs as (name, make(lib)): row-major, transposed, permuted, sliced (gapped), expanded (overlapping).
SOURCES = {
    "contiguous": lambda lib: lib.arange(24.0).reshape(2, 3, 4),
    "permuted": lambda lib: lib.arange(24.0).reshape(4, 2, 3).permute(1, 2, 0),
    "permuted2": lambda lib: lib.arange(24.0).reshape(3, 4, 2).permute(2, 0, 1),
    "reversed": lambda lib: lib.arange(24.0).reshape(4, 3, 2).permute(2, 1, 0),
    "gapped": lambda lib: lib.arange(48.0).reshape(2, 3, 8)[..., ::2],
    "gapped_permuted": lambda lib: lib.arange(48.0).reshape(4, 2, 6)[..., ::2].permute(1, 2, 0),
    "expanded": lambda lib: lib.arange(4.0).reshape(1, 1, 4).expand(2, 3, 4),
    "size_one": lambda lib: lib.arange(8.0).reshape(4, 1, 2).permute(1, 2, 0),
    "transposed_2d": lambda lib: lib.arange(12.0).reshape(4, 3).t(),
}


def _same_layout(oracle, fn, source):
    expected = fn(oracle.torch, SOURCES[source](oracle.torch))
    got = fn(oracle.ember, SOURCES[source](oracle.ember))
    assert tuple(got.shape) == tuple(expected.shape)
    assert got.stride() == expected.stride(), f"strides {got.stride()}, PyTorch's {expected.stride()}"
    oracle.assert_same(got, expected)


COPIES = {
    "clone": lambda lib, x: x.clone(),
    "torch.clone": lambda lib, x: lib.clone(x),
    "clone preserve_format": lambda lib, x: x.clone(memory_format=lib.preserve_format),
    "clone contiguous_format": lambda lib, x: x.clone(memory_format=lib.contiguous_format),
    "contiguous": lambda lib, x: x.contiguous(),
    "zeros_like contiguous_format": lambda lib, x: lib.zeros_like(x, memory_format=lib.contiguous_format),
    "randint_like": lambda lib, x: lib.randint_like(x, 1, 2),
    "masked_fill": lambda lib, x: x.masked_fill(x > 3, 0.5),
    "masked_fill tensor value": lambda lib, x: x.masked_fill(x > 3, lib.tensor(0.5)),
}
# numpy's kernels pick their own strides for size-1 dims (which address nothing), so the "size_one"
# source is left out for these: the dims' order is PyTorch's, a size-1 dim's stride may differ.
ELEMENTWISE = {
    "to float64": lambda lib, x: x.to(lib.float64),
    "to float64 contiguous_format": lambda lib, x: x.to(lib.float64, memory_format=lib.contiguous_format),
    "double contiguous_format": lambda lib, x: x.double(memory_format=lib.contiguous_format),
    "exp": lambda lib, x: x.exp(),
    "neg": lambda lib, x: -x,
    "add number": lambda lib, x: x + 1,
    "add self": lambda lib, x: x + x,
    "mul row": lambda lib, x: x * lib.ones(4),
    "gt": lambda lib, x: x > 3,
    "where": lambda lib, x: lib.where(x > 3, x, x),
}


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("op", sorted(COPIES))
def test_copy_strides_match_pytorchs(oracle, op, source):
    _same_layout(oracle, COPIES[op], source)


@pytest.mark.parametrize("source", sorted(set(SOURCES) - {"size_one"}))
@pytest.mark.parametrize("op", sorted(ELEMENTWISE))
def test_elementwise_result_strides_match_pytorchs(oracle, op, source):
    _same_layout(oracle, ELEMENTWISE[op], source)


def test_memory_format_errors_match_pytorchs(oracle):
    oracle.check_raises(lambda lib: lib.zeros(2, 3).t().contiguous(memory_format=lib.preserve_format))
    oracle.check_raises(lambda lib: lib.zeros(2, 3).clone(memory_format="contiguous"))
    oracle.check_raises(lambda lib: lib.zeros_like(lib.zeros(2), memory_format=1))


# ----- advanced indexing --------------------------------------------------------------------------------
def _index(lib, values):
    return lib.tensor(values)


KEY_ITEMS = {
    "int tensor": lambda lib: _index(lib, [0, 1]),
    "2-d int tensor": lambda lib: _index(lib, [[0, 1], [1, 0]]),
    "transposed 2-d int tensor": lambda lib: _index(lib, [[0, 1], [1, 0], [1, 1]]).t(),
    "column int tensor": lambda lib: _index(lib, [[1], [0]]),
    "size-1 tensor": lambda lib: _index(lib, [1]),
    "int32 tensor": lambda lib: lib.tensor([1, 0], dtype=lib.int32),
    "empty int tensor": lambda lib: lib.tensor([], dtype=lib.int64),
    "list": lambda lib: [1, 0],
    "bool list": lambda lib: [True, False],
    "slice": lambda lib: slice(None),
    "slice 1:": lambda lib: slice(1, None),
    "slice ::2": lambda lib: slice(None, None, 2),
    "int": lambda lib: 1,
    "None": lambda lib: None,
    "True": lambda lib: True,
    "False": lambda lib: False,
    "0-d bool tensor": lambda lib: lib.tensor(True),
}
ADVANCED = ("int tensor", "2-d int tensor", "transposed 2-d int tensor", "column int tensor", "size-1 tensor",
            "int32 tensor", "empty int tensor", "list", "bool list", "True", "0-d bool tensor", "False")


def _keys():
    """Every key of 1 to 3 items with at least one advanced item (tensors, lists, bool scalars)."""
    names = sorted(KEY_ITEMS)
    for length in (1, 2, 3):
        for combo in itertools.product(names, repeat=length):
            if any(name in ADVANCED for name in combo) and sum(name in ADVANCED for name in combo) <= 2:
                yield combo


KEYS = list(_keys())


def _try_index(lib, source, combo):
    x = SOURCES[source](lib)
    key = tuple(KEY_ITEMS[name](lib) for name in combo)
    try:
        return settled(x[key])
    except (IndexError, RuntimeError, ValueError) as error:
        return type(error)


@pytest.mark.parametrize("source", ["contiguous", "permuted", "reversed", "gapped", "size_one", "transposed_2d"])
def test_advanced_indexing_result_strides_match_pytorchs(oracle, source):
    """One test per source over all keys (a few thousand): the result's shape, strides and values."""
    mismatches = []
    for combo in KEYS:
        expected = _try_index(oracle.torch, source, combo)
        got = _try_index(oracle.ember, source, combo)
        if isinstance(expected, type):
            if not (isinstance(got, type) and issubclass(got, (IndexError, RuntimeError))):
                mismatches.append((combo, "raises" if isinstance(got, type) else tuple(got.shape), expected))
            continue
        if isinstance(got, type):
            mismatches.append((combo, got, tuple(expected.shape)))
        elif (tuple(got.shape), got.stride()) != (tuple(expected.shape), expected.stride()):
            mismatches.append((combo, (tuple(got.shape), got.stride()), (tuple(expected.shape), expected.stride())))
        else:
            oracle.assert_same(got, expected, f"x[{combo}]")
    assert not mismatches, f"{len(mismatches)} of {len(KEYS)} keys differ, e.g. {mismatches[:5]}"


@pytest.mark.parametrize("source", ["permuted", "transposed_2d", "gapped"])
def test_a_mask_over_several_dims_keeps_pytorchs_strides(oracle, source):
    def fn(lib):
        x = SOURCES[source](lib)
        mask = (x > 5)[..., 0] if x.dim() == 3 else x[:, :1] > 5
        return x[mask] if x.dim() == 3 else x[mask[:, 0]]
    expected, got = fn(oracle.torch), fn(oracle.ember)
    assert (tuple(got.shape), got.stride()) == (tuple(expected.shape), expected.stride())
    oracle.assert_same(got, expected)


def test_indexing_gradients_flow_through_a_restrided_result(oracle):
    oracle.check(lambda lib, x: x.t()[:, lib.tensor([0, 2, 2])] * 2, oracle.array(oracle.rng(), (3, 4)))
