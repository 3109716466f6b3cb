"""``Tensor.view(dtype)`` (PyTorch's aten::view.dtype) against PyTorch: the bytes read bit for bit, shapes,
strides and storage offsets (the last dim scaled by the ratio of element sizes), every refusal with its
message, memory shared both ways with one version counter, no autograd history, the keyword and Python-type
forms, ``view_copy(dtype)``, and the memory-overlap checks of writes between a tensor and its dtype views."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import dtype_name

torch = pytest.importorskip("torch")

import ember  # noqa: E402

pytestmark = pytest.mark.oracle

NAMES = ("float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool")

# The inputs a dtype view is taken of, by what they exercise (each a function of the leaf tensor, shape (4, 16)).
LAYOUTS = {
    "contiguous": lambda x: x,
    "rows at an offset": lambda x: x[1::2, 8:],  # strides (32, 1), storage offset 24
    "odd offset": lambda x: x.view(-1)[1:9],
    "odd last size": lambda x: x[:, :3],
    "transposed": lambda x: x.t(),
    "stepped last dim": lambda x: x[:, ::2],
    "broadcast": lambda x: x[:1].expand(3, 16),
    "0-d": lambda x: x[1, 2],
    "empty rows": lambda x: x[:0],
    "one column": lambda x: x[:, 4:5],
}


def _leaves(name: str, seed: int):
    """A (4, 16) tensor of `name` in each library, from the same bytes: random bytes for the floats (NaNs,
    infinities and subnormals included), 0 and 1 for bool."""
    rng = np.random.default_rng(seed)
    if name == "bool":
        host = rng.integers(0, 2, (4, 16)).astype(bool)
    else:
        host = rng.integers(0, 256, 64 * np.dtype(name).itemsize, dtype=np.uint8).view(name).reshape(4, 16)
    return ember.tensor(host), torch.tensor(host)


def _bytes(tensor) -> np.ndarray:
    """The tensor's elements, row-major, as raw bytes."""
    return np.ascontiguousarray(tensor.detach().cpu().numpy()).view(np.uint8).reshape(-1)


def _same_view(got, expected, what: str) -> None:
    assert dtype_name(got.dtype) == dtype_name(expected.dtype), what
    assert tuple(got.shape) == tuple(expected.shape), f"{what}: shape {tuple(got.shape)}"
    assert got.stride() == expected.stride(), f"{what}: strides {got.stride()}, expected {expected.stride()}"
    assert got.storage_offset() == expected.storage_offset(), f"{what}: storage offset {got.storage_offset()}"
    np.testing.assert_array_equal(_bytes(got), _bytes(expected), err_msg=f"{what}: other bytes")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("new", NAMES)
@pytest.mark.parametrize("old", NAMES)
def test_view_dtype_matches_torch_bit_for_bit_or_refuses_as_torch(old, new, layout):
    ember_x, torch_x = _leaves(old, NAMES.index(old))
    view = LAYOUTS[layout]
    what = f"<{old} {layout}>.view({new})"
    try:
        expected = view(torch_x).view(getattr(torch, new))
    except RuntimeError as error:
        with pytest.raises(RuntimeError) as got:
            view(ember_x).view(getattr(ember, new))
        assert str(got.value) == str(error), what
        return
    _same_view(view(ember_x).view(getattr(ember, new)), expected, what)


def test_the_brief_pairs_round_trip():
    """float16<->int16, float32<->int32, float64<->int64, uint8<->int8<->bool, float32 -> uint8 and back: the
    round trip gives the same bits, and each step PyTorch's."""
    for chain in (("float16", "int16", "float16"), ("float32", "int32", "float32"), ("float64", "int64", "float64"),
                  ("uint8", "int8", "bool", "uint8"), ("float32", "uint8", "float32")):
        ember_x, torch_x = _leaves(chain[0], len(chain))
        for new in chain[1:]:
            ember_x, torch_x = ember_x.view(getattr(ember, new)), torch_x.view(getattr(torch, new))
            _same_view(ember_x, torch_x, " -> ".join(chain))


@pytest.mark.parametrize("build", [
    lambda lib: lib.arange(6, dtype=lib.int16)[1:].view(lib.int8).view(lib.int32),  # offset 2 in int8
    lambda lib: lib.zeros(6, dtype=lib.uint8)[1:5].view(lib.int16),
    lambda lib: lib.zeros(3, 0).view(lib.float64),
    lambda lib: lib.zeros(2, 3)[:, :0].view(lib.float64),
    lambda lib: lib.tensor(1.5).view(lib.float16),
    lambda lib: lib.zeros(3, 4).t().view(lib.uint8),
], ids=["offset through a chain", "odd byte offset", "empty stride(0)", "empty column slice", "0-d", "transposed"])
def test_refusals_are_pytorchs(oracle, build):
    oracle.raises_alike(build)


@pytest.mark.parametrize("call", [
    lambda lib, x: x.view(lib.int32, lib.int32),
    lambda lib, x: x.view(lib.int32, 2),
    lambda lib, x: x.view(2, dtype=lib.int32),
    lambda lib, x: x.view(size=(12,), dtype=lib.int32),
    lambda lib, x: x.view(2, 3, dtype=lib.int32),
], ids=["two dtypes", "dtype then size", "size and dtype=", "size= and dtype=", "sizes and dtype="])
def test_bad_combinations_are_pytorchs_type_error(oracle, call):
    oracle.raises_alike(lambda lib: call(lib, lib.zeros(3, 4)))


@pytest.mark.parametrize("call", [
    lambda lib, x: x.view(dtype="int32"),
    lambda lib, x: x.view(None),
    lambda lib, x: x.view([lib.int32]),
    lambda lib, x: x.view(12, lib.int32),
    lambda lib, x: x.view(dtype=lib.int32, size=(12,)),  # PyTorch lists the keywords in another order
], ids=["dtype=str", "None", "list of a dtype", "size then dtype", "dtype= and size="])
def test_other_arguments_are_a_type_error(call):
    with pytest.raises(TypeError):
        call(torch, torch.zeros(3, 4))
    with pytest.raises(TypeError):
        call(ember, ember.zeros(3, 4))


@pytest.mark.parametrize("form", [
    lambda lib, x: x.view(dtype=lib.int16),
    lambda lib, x: lib.Tensor.view(x, lib.int16),
    lambda lib, x: lib.Tensor.view(x, dtype=lib.int16),
    lambda lib, x: x.view(int),
    lambda lib, x: x.view(float),
    lambda lib, x: x.view(bool),
    lambda lib, x: x.view(dtype=int),
    lambda lib, x: x.view(lib.float32),
], ids=["dtype=", "Tensor.view", "Tensor.view dtype=", "int", "float", "bool", "dtype=int", "same dtype"])
def test_forms_of_the_call(form):
    ember_x, torch_x = _leaves("float32", 3)
    _same_view(form(ember, ember_x), form(torch, torch_x), "form")


@pytest.mark.parametrize("new", ["int32", "uint8", "float64", "float32"])
def test_memory_and_version_counter_are_shared(new):
    for lib in (ember, torch):
        x = lib.arange(8.0)
        y = x.view(getattr(lib, new))
        version = y._version_value if lib is ember else y._version
        y.zero_()
        assert not x.any() and x.sum().item() == 0, f"{lib.__name__}: a write into view({new}) missed x"
        x.fill_(1.5)
        assert (y.view(lib.float32) == 1.5).all(), f"{lib.__name__}: a write into x missed view({new})"
        versions = (x._version_value, y._version_value) if lib is ember else (x._version, y._version)
        assert versions == (version + 2, version + 2), f"{lib.__name__}: versions {versions}"


@pytest.mark.parametrize("new", ["float16", "float32", "float64", "int32", "bool"])
def test_no_history_whatever_the_dtypes(new):
    """PyTorch's view.dtype is not differentiable: no grad_fn, no grad required, a leaf and not a view, even
    from a float tensor to a float dtype (the same one included), with grad mode on."""
    for lib in (ember, torch):
        leaf = lib.ones(2, 4, requires_grad=True)
        for x in (leaf, leaf * 2):
            y = x.view(getattr(lib, new))
            assert (y.grad_fn, y.requires_grad, y.is_leaf, y._base) == (None, False, True, None), lib.__name__


def test_a_float_view_can_require_grad_as_a_leaf_of_its_own(oracle):
    ember_x, torch_x = _leaves("float32", 5)
    results = []
    for lib, x in ((ember, ember_x.abs().clamp(0.5, 2.0)), (torch, torch_x.abs().clamp(0.5, 2.0))):
        x.requires_grad_()
        y = x.view(lib.float16).requires_grad_()
        (y.float() * 3).sum().backward()
        results.append((y.grad, x.grad))
    oracle.assert_same(results[0][0], results[1][0], "the view's own gradient")
    assert results[0][1] is None and results[1][1] is None


def test_a_write_through_a_dtype_view_makes_saved_tensors_stale(oracle):
    errors = []
    for lib in (ember, torch):
        x = lib.ones(4, requires_grad=True)
        c = x.exp()
        c.view(lib.int32).add_(1)
        with pytest.raises(RuntimeError) as error:
            c.sum().backward()
        errors.append(str(error.value))
    assert "modified by an inplace operation" in errors[0] and "modified by an inplace operation" in errors[1]


@pytest.mark.parametrize("new", ["int32", "float16", "float32", "uint8"])
def test_view_copy_with_a_dtype_copies_the_view(new):
    # values whose every float16 half is a number: a copy keeps their bits on every device (NaN payloads need not)
    ember_x, torch_x = (lib.arange(1.0, 17.0).reshape(2, 8).requires_grad_() for lib in (ember, torch))
    got, expected = ember.view_copy(ember_x, getattr(ember, new)), torch.view_copy(torch_x, getattr(torch, new))
    _same_view(got, expected, f"view_copy({new})")
    assert (got.requires_grad, got.grad_fn) == (expected.requires_grad, expected.grad_fn) == (False, None)
    got.zero_()
    assert _bytes(ember_x).any(), "view_copy shares the input's memory"


def test_as_strided_and_storage_offset_count_in_the_new_elements():
    results = []
    for lib in (torch, ember):
        x = lib.arange(12.0)[2:]
        y = x.view(lib.uint8)
        z = y[8:16].view(lib.int64)
        results.append((y.storage_offset(), z.storage_offset(), y[4:].view(lib.float32).storage_offset(),
                        y.as_strided((4,), (1,), 8).tolist(), y.as_strided((2,), (4,), 0).tolist(),
                        z.as_strided((1,), (1,), 3).view(lib.float32).tolist()))
    assert results[1] == results[0]


@pytest.mark.parametrize("write", [
    lambda lib, x: x.add_(x.view(lib.int32)),
    lambda lib, x: x[1:].copy_(x.view(lib.int32)[:-1]),
    lambda lib, x: x.view(lib.int32)[1:].copy_(x[:-1]),
    lambda lib, x: x.view(lib.float16)[2:].copy_(x.view(lib.float16)[:-2]),
    lambda lib, x: x.copy_(x.view(lib.int32)),
    lambda lib, x: x.view(lib.uint8)[:8].copy_(x.view(lib.uint8)[8:16]),
    lambda lib, x: x[:2].copy_(x.view(lib.float64)),
    lambda lib, x: x[:2].add_(x.view(lib.float64)),
    lambda lib, x: x.view(lib.float64).add_(x[:2]),
    lambda lib, x: x.view(lib.float64).add_(x[2:6]),
    lambda lib, x: x.view(lib.float64)[:2].add_(x[4:6]),
    lambda lib, x: x[:4].expand(2, 4).view(lib.uint8).add_(1),
], ids=["full, int32", "shifted int32", "shifted into int32", "shifted float16", "copy from int32", "disjoint bytes",
        "float64 over half", "add float64 over half", "float64 plus half", "float64 plus a middle",
        "float64 plus the other half", "broadcast bytes"])
def test_overlapping_writes_are_judged_in_bytes_as_pytorchs(write):
    outcomes = []
    for lib in (torch, ember):
        x = lib.arange(8.0)
        try:
            write(lib, x)
            outcomes.append(("written", x.tolist()))
        except RuntimeError as error:
            outcomes.append(("refused", str(error)))
    assert outcomes[1] == outcomes[0]


def test_saving_one_memory_as_two_dtypes_is_refused_as_pytorchs(tmp_path):
    messages = []
    for lib in (torch, ember):
        x = lib.arange(8.0)[2:]
        with pytest.raises(RuntimeError) as error:
            lib.save({"x": x, "y": x.view(lib.uint8)}, tmp_path / f"{lib.__name__}.ckpt")
        messages.append(str(error.value))
        lib.save({"y": x.view(lib.uint8), "z": x.view(lib.uint8)[4:]}, tmp_path / f"{lib.__name__}.ckpt")
        loaded = lib.load(tmp_path / f"{lib.__name__}.ckpt")
        assert loaded["y"].tolist() == x.view(lib.uint8).tolist() and loaded["z"].shape == (20,)
    assert messages[1] == messages[0]
