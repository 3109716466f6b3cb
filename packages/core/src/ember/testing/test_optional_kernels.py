"""Optional kernels the device provides, against numpy and against the result core composes without them.

Each kernel is checked on its own against numpy (computed in float64 for floating dtypes), special values
and huge magnitudes included, and then through ember's ops: the same op run with the kernel and with a
copy of the device's kernel table that lacks it, so that core composes it from required kernels, must
agree in values and gradients. A kernel the device lacks is a skip that names it.
"""
from __future__ import annotations

import functools

import numpy as np
import pytest

import ember
from ember.nn import functional
from ember.testing.cases import LAYOUTS, SPECIAL_ROWS, assert_fresh, describe_key, place, random_array, specials
from ember.testing.compare import assert_elementwise, assert_matches, no_warnings, reference
from ember.testing.harness import DTYPE_NAMES, FLOAT_NAMES, NUMERIC_NAMES

CHECKED_KERNELS = ("reshape", "permute", "slice", "storage_offset", "is_contiguous", "relu", "sigmoid", "min",
                   "argmin", "cat",
                   "softmax", "log_softmax", "cross_entropy", "binary_cross_entropy_with_logits", "sgd_step",
                   "adam_step", "addmm", "threshold_backward", "softmax_backward", "log_softmax_backward",
                   "cross_entropy_backward", "mse_loss", "mse_loss_backward", "zero_", "copy_to", "tanh_backward",
                   "sigmoid_backward", "conv2d", "cross_entropy_checked")


def optional_kernel(ember_device, name):
    """The device's optional kernel ``name``; skips the calling test when the device does not provide it."""
    kernel = ember_device.kernels.get(name)  # a contract name or an extra one (conv2d)
    if kernel is None:
        pytest.skip(f"device does not provide optional kernel '{name}'")
    return kernel


def _assert_is_a_view(ember_device, base, host, view, expected_view, what):
    """Writing new values into ``base`` (holding ``host``) must show through ``view``.

    ``expected_view`` maps the base's values to the view's.
    """
    changed = ~host if host.dtype == np.bool_ else (host + 1).astype(host.dtype)
    ember_device.kernels.copy_(base, ember_device.from_numpy(changed))
    assert_matches(ember_device.to_numpy(view), expected_view(changed), f"{what} is not a view of its input")


RESHAPES = (((3, 4), (12,)), ((2, 3, 4), (6, 4)), ((12,), (3, 1, 4)), ((), (1, 1)), ((1, 1), ()),
            ((0, 3), (3, 0)), ((2, 3, 4), (4, 6)))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_reshape_matches_numpy(ember_device, ember_rng, dtype_name, layout):
    reshape = optional_kernel(ember_device, "reshape")
    ember_device.dtype(dtype_name)
    for shape, new_shape in RESHAPES:
        host = random_array(ember_rng, shape, dtype_name)
        result = reshape(place(ember_device, host, layout), new_shape)
        assert_matches(ember_device.to_numpy(result), host.reshape(new_shape),
                       f"reshape(<{shape} {dtype_name}, {layout}>, {new_shape})")


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_reshape_of_a_contiguous_buffer_is_a_view(ember_device, ember_rng, dtype_name):
    reshape = optional_kernel(ember_device, "reshape")
    ember_device.dtype(dtype_name)
    host = random_array(ember_rng, (2, 3, 4), dtype_name)
    x = ember_device.from_numpy(host)
    view = reshape(x, (6, 4))
    _assert_is_a_view(ember_device, x, host, view, lambda a: a.reshape(6, 4), "reshape(<contiguous>, (6, 4))")


PERMUTES = (((3, 4), (1, 0)), ((2, 3, 4), (2, 0, 1)), ((2, 3, 4), (0, 1, 2)), ((), ()),
            ((2, 0, 3), (1, 2, 0)))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_permute_matches_numpy_and_is_a_view(ember_device, ember_rng, dtype_name, layout):
    permute = optional_kernel(ember_device, "permute")
    ember_device.dtype(dtype_name)
    for shape, dims in PERMUTES:
        host = random_array(ember_rng, shape, dtype_name)
        x = place(ember_device, host, layout)
        result = permute(x, dims)
        what = f"permute(<{shape} {dtype_name}, {layout}>, {dims})"
        assert_matches(ember_device.to_numpy(result), host.transpose(dims), what)
        _assert_is_a_view(ember_device, x, host, result, lambda a, dims=dims: a.transpose(dims), what)


# (shape, strides) of views whose row-major order the kernel must judge: size-1 dims' strides do not count
CONTIGUITY_CASES = (((3, 4), (4, 1), True), ((3, 4), (1, 3), False), ((3, 4), (8, 2), False), ((3, 1), (1, 7), True),
                    ((1, 4), (9, 1), True), ((1, 1), (0, 0), True), ((2, 1, 3), (3, 5, 1), True), ((4,), (2,), False),
                    ((), (), True), ((0, 3), (1, 1), True), ((2, 3), (3, 0), False), ((3, 2), (2, 1), True))


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_is_contiguous_reads_row_major_order(ember_device, ember_rng, dtype_name):
    is_contiguous = optional_kernel(ember_device, "is_contiguous")
    ember_device.dtype(dtype_name)
    base = ember_device.from_numpy(random_array(ember_rng, (24,), dtype_name))
    for shape, strides, expected in CONTIGUITY_CASES:
        view = ember_device.kernels.as_strided(base, shape, strides, 0)
        assert bool(is_contiguous(view)) is expected, f"is_contiguous(<{shape} strides {strides} {dtype_name}>)"
    for layout in LAYOUTS:  # the kit's layouts of a (3, 4) array: only "contiguous" is row-major
        view = place(ember_device, random_array(ember_rng, (3, 4), dtype_name), layout)
        assert bool(is_contiguous(view)) is (layout == "contiguous"), f"is_contiguous(<(3, 4) {layout}>)"


@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_storage_offset_places_a_view_in_its_base(ember_device, ember_rng, dtype_name):
    storage_offset = optional_kernel(ember_device, "storage_offset")
    ember_device.dtype(dtype_name)
    base = ember_device.from_numpy(random_array(ember_rng, (4, 6), dtype_name))
    k = ember_device.kernels
    rows = k.as_strided(base, (3, 6), (6, 1), 6)
    views = {"x": (base, 0), "x[1:]": (rows, 6), "x[1:].t()[2:4]": (k.as_strided(rows, (2, 3), (1, 6), 2), 8),
             "x[3, 5]": (k.as_strided(base, (), (), 23), 23),
             "x[1:][::2, ::3]": (k.as_strided(rows, (2, 2), (12, 3), 0), 6),
             "x[1:][:, 1:2].expand(3, 4)": (k.as_strided(rows, (3, 4), (6, 0), 1), 7),
             "x[4:]": (k.as_strided(base, (0, 6), (6, 1), 24), 24)}
    for what, (view, expected) in views.items():
        found = storage_offset(view, base)
        assert found == expected, f"storage_offset({what}, x) of a (4, 6) {dtype_name} x returned {found}, expected " \
                                  f"{expected} (elements, not bytes)"


def test_storage_offset_lets_core_refuse_partially_overlapping_writes(ember_device):
    """With the kernel, core refuses in-place writes that read memory they partly overwrite, as PyTorch does,
    and allows those that share none of it or all of it."""
    optional_kernel(ember_device, "storage_offset")
    ember_device.dtype("float32")
    x = ember.arange(24.0, device=ember_device.device).reshape(4, 6)
    assert (x[1:][::2, 1].storage_offset(), x.t()[2].storage_offset()) == (7, 2)
    for what, write in (("x[1:].sub_(x[:-1])", lambda: x[1:].sub_(x[:-1])),
                        ("x.add_(x[0])", lambda: x.add_(x[0])),
                        ("x[1:] = x[:-1]", lambda: x.__setitem__(slice(1, None), x[:-1]))):
        with pytest.raises(RuntimeError, match="single memory location"):
            write()
        assert_matches(ember_device.to_numpy(x._data), np.arange(24.0, dtype=np.float32).reshape(4, 6),
                       f"{what} changed x before refusing")
    x[:2].add_(x[2:])
    x.add_(x.view(4, 6))
    expected = np.arange(24.0, dtype=np.float32).reshape(4, 6)
    expected[:2] += expected[2:]
    assert_matches(ember_device.to_numpy(x._data), expected * 2, "x[:2].add_(x[2:]); x.add_(x.view(4, 6))")


SLICES = (((4, 3), (slice(1, None),)), ((4, 6), (slice(None), slice(0, 5, 2))), ((4, 3), (1,)),
          ((2, 3, 4), (Ellipsis, 0)), ((4, 3), (None, slice(1, 3))), ((2, 3, 4), (slice(None), None, 2)),
          ((5,), (slice(2, 2),)), ((2, 3, 4), (1, slice(None, None, 2), -1)))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_slice_matches_numpy_and_is_a_view(ember_device, ember_rng, dtype_name, layout):
    slice_kernel = optional_kernel(ember_device, "slice")
    ember_device.dtype(dtype_name)
    for shape, key in SLICES:
        host = random_array(ember_rng, shape, dtype_name)
        x = place(ember_device, host, layout)
        result = slice_kernel(x, key)
        what = f"slice(<{shape} {dtype_name}, {layout}>, {describe_key(key)})"
        assert_matches(ember_device.to_numpy(result), host[key], what)
        _assert_is_a_view(ember_device, x, host, result, lambda a, key=key: a[key], what)


# name: (reference, dtypes); the reference is what core composes from required kernels.
ACTIVATIONS = {
    "relu": (lambda x: np.maximum(x, 0), NUMERIC_NAMES),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), FLOAT_NAMES),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("op", "dtype_name"),
                         [(op, dtype_name) for op, (_, dtypes) in ACTIVATIONS.items()
                          for dtype_name in dtypes])
def test_activation_matches_reference(ember_device, ember_rng, op, dtype_name, layout):
    kernel = optional_kernel(ember_device, op)
    ember_device.dtype(dtype_name)
    function = ACTIVATIONS[op][0]
    for shape in ((), (0,), (7,), (3, 4), (2, 1, 3)):
        host = random_array(ember_rng, shape, dtype_name)
        result = kernel(place(ember_device, host, layout))
        assert_matches(ember_device.to_numpy(result), reference(function, dtype_name, host),
                       f"{op}(<{shape} {dtype_name}, {layout}>)")
    host = random_array(ember_rng, (3, 4), dtype_name)
    out = place(ember_device, random_array(ember_rng, (3, 4), dtype_name), layout)
    assert kernel(ember_device.from_numpy(host), out=out) is out, f"{op}(x, out=out) returns out"
    assert_matches(ember_device.to_numpy(out), reference(function, dtype_name, host),
                   f"{op}(x, out=<{layout} buffer>)")


@pytest.mark.parametrize(("op", "dtype_name"),
                         [(op, dtype_name) for op, (_, dtypes) in ACTIVATIONS.items()
                          for dtype_name in dtypes if dtype_name != "int32"])
def test_activation_on_special_values(ember_device, op, dtype_name):
    """NaN propagates, +-inf and +-1000 give the limits (sigmoid(-1000) is 0, not NaN), silently."""
    kernel = optional_kernel(ember_device, op)
    ember_device.dtype(dtype_name)
    host = specials(dtype_name)
    with no_warnings(f"{op}(<special {dtype_name} values>)"):
        result = kernel(ember_device.from_numpy(host))
    assert_elementwise(ember_device.to_numpy(result), reference(ACTIVATIONS[op][0], dtype_name, host), op,
                       dtype_name, host)


@pytest.mark.parametrize("keepdim", (False, True))
@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_min_and_argmin_propagate_nan(ember_device, dtype_name, keepdim):
    ember_device.dtype(dtype_name)
    host = np.array(SPECIAL_ROWS, dtype=dtype_name)
    for axes in ((1,), (0,), (0, 1)):
        min_kernel = optional_kernel(ember_device, "min")
        what = f"min(<rows {SPECIAL_ROWS} {dtype_name}>, axes={axes}, keepdim={keepdim})"
        with no_warnings(what):
            result = min_kernel(ember_device.from_numpy(host), axes, keepdim)
        assert_matches(ember_device.to_numpy(result), np.min(host, axis=axes, keepdims=keepdim), what)
    argmin = optional_kernel(ember_device, "argmin")
    for axis in (1, 0, None):
        what = f"argmin(<rows {SPECIAL_ROWS} {dtype_name}>, axis={axis}): a NaN is the minimum, the first one wins"
        with no_warnings(what):
            result = argmin(ember_device.from_numpy(host), axis, keepdim)
        assert_matches(ember_device.to_numpy(result),
                       np.asarray(np.argmin(host, axis, keepdims=keepdim), np.int64), what)


# What must return a new buffer, as (call, kernel on x: a (3, 1) float32 buffer of positive values).
FRESH_RESULTS = {
    "relu": ("relu(x)", lambda relu, x: relu(x)),
    "sigmoid": ("sigmoid(x)", lambda sigmoid, x: sigmoid(x)),
    "min": ("min(x, (1,), True) over a size-1 dim", lambda min_kernel, x: min_kernel(x, (1,), True)),
    "cat": ("cat([x], 0)", lambda cat, x: cat([x], 0)),
    "softmax": ("softmax(x, 0)", lambda softmax, x: softmax(x, 0)),
    "log_softmax": ("log_softmax(x, 0)", lambda log_softmax, x: log_softmax(x, 0)),
}


@pytest.mark.parametrize("op", tuple(FRESH_RESULTS))
def test_optional_results_are_new_buffers(ember_device, op):
    kernel = optional_kernel(ember_device, op)
    ember_device.dtype("float32")
    what, call = FRESH_RESULTS[op]
    host = np.array([[0.5], [1.5], [2.0]], dtype=np.float32)
    x = ember_device.from_numpy(host)
    assert_fresh(ember_device, call(kernel, x), ((x, host),), what)


MINS = (((7,), (0,)), ((3, 4), (1,)), ((2, 3, 4), (0, 2)), ((2, 3, 4), (0, 1, 2)), ((0, 3), (1,)),
        ((1, 1), (0,)))


@pytest.mark.parametrize("keepdim", (False, True))
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_min_matches_numpy(ember_device, ember_rng, dtype_name, layout, keepdim):
    min_kernel = optional_kernel(ember_device, "min")
    ember_device.dtype(dtype_name)
    for shape, axes in MINS:
        host = random_array(ember_rng, shape, dtype_name, "ties")
        result = min_kernel(place(ember_device, host, layout), axes, keepdim)
        assert_matches(ember_device.to_numpy(result), np.min(host, axis=axes, keepdims=keepdim),
                       f"min(<{shape} {dtype_name}, {layout}>, axes={axes}, keepdim={keepdim})")
    out = place(ember_device, random_array(ember_rng, (3,), dtype_name), layout)
    host = random_array(ember_rng, (3, 4), dtype_name)
    result = min_kernel(ember_device.from_numpy(host), (1,), False, out=out)
    assert result is out, "min(x, axes, keepdim, out=out) returns out"
    assert_matches(ember_device.to_numpy(out), np.min(host, axis=1),
                   f"min(x, (1,), False, out=<{layout} buffer>)")


@pytest.mark.parametrize("keepdim", (False, True))
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", NUMERIC_NAMES)
def test_argmin_matches_numpy_and_picks_the_first_of_ties(ember_device, ember_rng, dtype_name, layout,
                                                          keepdim):
    argmin = optional_kernel(ember_device, "argmin")
    ember_device.dtype(dtype_name)
    for shape, axis in (((), None), ((7,), 0), ((3, 4), None), ((3, 4), 1), ((2, 3, 4), 0), ((1, 1), 1)):
        host = random_array(ember_rng, shape, dtype_name, "ties")
        result = argmin(place(ember_device, host, layout), axis, keepdim)
        assert_matches(ember_device.to_numpy(result),
                       np.asarray(np.argmin(host, axis=axis, keepdims=keepdim), dtype=np.int64),
                       f"argmin(<{shape} {dtype_name}, {layout}>, axis={axis}, keepdim={keepdim})")


CATS = ((((2, 3), (4, 3)), 0), (((2, 3), (2, 0), (2, 5)), 1), (((3,),), 0), (((2, 3, 1), (2, 3, 2)), 2),
        (((0, 2), (0, 2)), 0))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_cat_matches_numpy(ember_device, ember_rng, dtype_name, layout):
    cat = optional_kernel(ember_device, "cat")
    ember_device.dtype(dtype_name)
    for shapes, axis in CATS:
        hosts = [random_array(ember_rng, shape, dtype_name) for shape in shapes]
        result = cat([place(ember_device, host, layout) for host in hosts], axis)
        assert_matches(ember_device.to_numpy(result), np.concatenate(hosts, axis),
                       f"cat({list(shapes)} {dtype_name}, {layout}, axis={axis})")


def _log_softmax(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _cross_entropy_losses(logits, target):
    return -_log_softmax(logits, 1)[np.arange(len(target)), target]


SOFTMAXES = {"softmax": lambda x, axis: np.exp(_log_softmax(x, axis)), "log_softmax": _log_softmax}


# Rows at very different offsets (a kernel subtracting one maximum for the whole buffer underflows all
# but one row) and with spreads of hundreds (exp of the spread overflows without the shift).
OFFSET_ROWS = np.array([[0.0, 1.0, 2.0, 3.0], [1000.0, 1001.0, 999.0, 1000.5], [-1000.0, -999.0, -1001.0, -1000.0],
                        [0.0, 300.0, -200.0, 100.0], [500.0, -500.0, 0.0, 499.0]])


def _softmax_inputs(ember_rng, dtype_name):
    """(host, axis, label) cases: random rows, shifted rows, and OFFSET_ROWS along either axis."""
    for shape, axis, shift in (((4, 5), 1, 0), ((4, 5), 0, 0), ((2, 3, 4), 2, 0), ((7,), 0, 0),
                               ((0, 5), 1, 0), ((3, 5), 1, 1000), ((2, 1), 1, 0)):
        host = (random_array(ember_rng, shape, dtype_name, "real") * 2 + shift).astype(dtype_name)
        yield host, axis, f"<{shape} {dtype_name}> + {shift}"
    yield OFFSET_ROWS.astype(dtype_name), 1, f"<rows at offsets and spreads of hundreds, {dtype_name}>"
    yield OFFSET_ROWS.T.astype(dtype_name), 0, f"<columns at offsets and spreads of hundreds, {dtype_name}>"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
@pytest.mark.parametrize("op", tuple(SOFTMAXES))
def test_softmax_matches_reference(ember_device, ember_rng, op, dtype_name, layout):
    kernel = optional_kernel(ember_device, op)
    ember_device.dtype(dtype_name)
    for host, axis, label in _softmax_inputs(ember_rng, dtype_name):
        what = f"{op}({label}, {layout}, axis={axis})"
        with no_warnings(what):
            result = kernel(place(ember_device, host, layout), axis)
        expected = reference(lambda x, axis=axis: SOFTMAXES[op](x, axis), dtype_name, host)
        assert_matches(ember_device.to_numpy(result), expected, what, terms=host.shape[axis],
                       magnitude=np.abs(expected) + 8.0)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_cross_entropy_matches_reference(ember_device, ember_rng, dtype_name, layout):
    cross_entropy = optional_kernel(ember_device, "cross_entropy")
    ember_device.dtype(dtype_name)
    cases = [((random_array(ember_rng, (n, classes), dtype_name) * 2 + shift).astype(dtype_name),
              f"<({n}, {classes}) {dtype_name}> + {shift}")
             for n, classes, shift in ((4, 5, 0), (1, 3, 0), (6, 2, 0), (3, 4, 1000), (0, 3, 0))]
    cases.append((OFFSET_ROWS.astype(dtype_name), f"<rows at offsets and spreads of hundreds, {dtype_name}>"))
    for logits, label in cases:
        n, classes = logits.shape
        for target in (ember_rng.integers(0, classes, size=n), np.argmin(logits, axis=1) if n else np.zeros(0)):
            target = target.astype(np.int64)
            what = f"cross_entropy({label}, {layout}, target={target.tolist()})"
            with no_warnings(what):
                losses, probs = cross_entropy(place(ember_device, logits, layout), ember_device.from_numpy(target))
            expected_losses = reference(functools.partial(_cross_entropy_losses, target=target), dtype_name, logits)
            assert_matches(ember_device.to_numpy(losses), expected_losses, f"{what} losses",
                           terms=classes, magnitude=np.abs(expected_losses) + 8.0)
            expected_probs = reference(lambda x: np.exp(_log_softmax(x, 1)), dtype_name, logits)
            assert_matches(ember_device.to_numpy(probs), expected_probs, f"{what} probs", terms=classes)


# (targets, ignore_index) of 5 rows of 4 classes: bad ones on either side, ignored ones in and out of range
CHECKED_TARGETS = (([0, 3, 1, 2, 0], -100), ([0, -100, 3, 7, -2], -100), ([1, 2, 4, 1, -1], 1),
                   ([-100] * 5, -100), ([9, 0, 1, 2, 3], 0))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_cross_entropy_checked_flags_bad_targets(ember_device, ember_rng, dtype_name, layout):
    """rows (2, N): the losses (0 where the target is ignored or out of range) over the weights (0 where
    ignored, else 1); the probabilities; flags: each target out of [0, C) and not ignore_index, else 0,
    and given an earlier call's flags, its nonzero rows kept (a kernel that lets bad targets through must
    fail here, not raise nothing later)."""
    kernel = optional_kernel(ember_device, "cross_entropy_checked")
    ember_device.dtype(dtype_name)
    logits = (random_array(ember_rng, (5, 4), dtype_name) * 2).astype(dtype_name)
    expected_probs = reference(lambda x: np.exp(_log_softmax(x, 1)), dtype_name, logits)
    earlier = np.array([0, 0, 11, 0, -5], dtype=np.int64)  # an earlier call's flags
    for targets, ignore_index in CHECKED_TARGETS:
        target = np.array(targets, dtype=np.int64)
        what = f"cross_entropy_checked(<(5, 4) {dtype_name}>, {layout}, target={targets}, ignore_index={ignore_index})"
        for given in (None, earlier):
            with no_warnings(what):
                rows, probs, flags = kernel(place(ember_device, logits, layout), ember_device.from_numpy(target),
                                            ignore_index, None if given is None else ember_device.from_numpy(given))
            kept, inside = target != ignore_index, (0 <= target) & (target < 4)
            losses = reference(functools.partial(_cross_entropy_losses, target=np.where(inside, target, 0)),
                               dtype_name, logits)
            expected_rows = np.stack([np.where(kept & inside, losses, 0), kept]).astype(dtype_name)
            assert_matches(ember_device.to_numpy(rows), expected_rows, f"{what} rows", terms=4,
                           magnitude=np.abs(expected_rows) + 8.0)
            assert_matches(ember_device.to_numpy(probs), expected_probs, f"{what} probs", terms=4)
            flagged = np.where(kept & ~inside, target, 0)
            expected_flags = flagged if given is None else np.where(given != 0, given, flagged)
            np.testing.assert_array_equal(ember_device.to_numpy(flags), expected_flags,
                                          err_msg=f"{what} flags, given earlier flags {given}")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_binary_cross_entropy_with_logits_matches_reference(ember_device, ember_rng, dtype_name, layout):
    kernel = optional_kernel(ember_device, "binary_cross_entropy_with_logits")
    ember_device.dtype(dtype_name)
    # Logits of +-15 to +-1000 overflow exp() unless the kernel uses the stable form core composes; each
    # loss is held to a tolerance of its own size, not the largest one's.
    logits = np.concatenate([random_array(ember_rng, (3, 4), dtype_name),
                             np.array([[-40, -15, 15, 40], [-1000, 1000, -0.001, 0.001]], dtype=dtype_name)])
    targets = ember_rng.uniform(0, 1, size=logits.shape).astype(dtype_name)
    targets[-1, :2] = (0, 1)
    what = f"binary_cross_entropy_with_logits on {dtype_name}, {layout}"
    with no_warnings(what):
        result = kernel(place(ember_device, logits, layout), place(ember_device, targets, layout))
    expected = reference(lambda x, y: np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x))),
                         dtype_name, logits, targets)
    assert_matches(ember_device.to_numpy(result), expected, what, terms=4,
                   magnitude=np.abs(logits.astype(np.float64)) + 1.0)


# (momentum, dampening, weight_decay, nesterov, maximize): PyTorch's SGD options, each on its own and mixed.
SGD_OPTIONS = ((0.0, 0.0, 0.0, False, False), (0.9, 0.0, 0.0, False, False), (0.9, 0.1, 0.01, False, False),
               (0.9, 0.0, 0.01, True, False), (0.0, 0.0, 0.1, False, True), (0.5, 0.5, 0.0, False, True))


def _sgd_reference(param, grad, buf, lr, momentum, dampening, weight_decay, nesterov, maximize, first):
    """One step of torch.optim.SGD on host float64 arrays; returns the new param and buf."""
    step = -grad if maximize else grad
    if weight_decay:
        step = step + weight_decay * param
    if momentum:
        buf = step.copy() if first else momentum * buf + (1 - dampening) * step
        step = step + momentum * buf if nesterov else buf
    return param - lr * step, buf


def _sgd_id(options):
    return "momentum={}-dampening={}-weight_decay={}-nesterov={}-maximize={}".format(*options)


@pytest.mark.parametrize("options", SGD_OPTIONS, ids=_sgd_id)
@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_sgd_step_follows_pytorchs_update_rule(ember_device, ember_rng, dtype_name, options):
    """One call steps every parameter of a group (of different shapes, 0-d too); a None momentum buffer is
    a parameter's first step, and the kernel returns the buffers."""
    sgd_step = optional_kernel(ember_device, "sgd_step")
    ember_device.dtype(dtype_name)
    momentum = options[0]
    hosts = [random_array(ember_rng, shape, dtype_name) for shape in ((3, 4), (5,), ())]
    params = [ember_device.from_numpy(host) for host in hosts]
    bufs = [None] * len(params) if momentum else None
    expected = [(host.astype(np.float64), None) for host in hosts]
    for first in (True, False):
        host_grads = [random_array(ember_rng, host.shape, dtype_name) for host in hosts]
        bufs = sgd_step(params, [ember_device.from_numpy(g) for g in host_grads], bufs, 0.1, *options)
        expected = [_sgd_reference(param, grad.astype(np.float64), buf, 0.1, *options, first)
                    for (param, buf), grad in zip(expected, host_grads)]
        for position, (param, buf) in enumerate(expected):
            what = f"sgd_step(first={first}) on {dtype_name}, parameter {position}"
            assert_matches(ember_device.to_numpy(params[position]), param.astype(dtype_name), f"{what}: param",
                           terms=4, magnitude=2.0)
            if momentum:
                ember_device.kernels.copy_(bufs[position], bufs[position])  # a buffer of the device, not a scalar
                assert_matches(ember_device.to_numpy(bufs[position]), buf.astype(dtype_name), f"{what}: buf",
                               terms=4, magnitude=2.0)
            else:
                assert bufs is None, f"{what}: without momentum the kernel returns None, not {bufs!r}"


# (amsgrad, maximize, weight_decay, decoupled_weight_decay): PyTorch's Adam and AdamW options.
ADAM_OPTIONS = ((False, False, 0.0, False), (True, False, 0.0, False), (False, True, 0.1, False),
                (True, True, 0.1, True), (False, False, 0.1, True))


def _adam_reference(param, grad, moments, step, lr, beta1, beta2, eps, amsgrad, maximize, weight_decay, decoupled):
    """One step of torch.optim.Adam on host float64 arrays; `moments` = [m, v, vmax], updated in place."""
    grad = -grad if maximize else grad
    if weight_decay and decoupled:
        param = param * (1 - lr * weight_decay)
    elif weight_decay:
        grad = grad + weight_decay * param
    moments[0] = beta1 * moments[0] + (1 - beta1) * grad
    moments[1] = beta2 * moments[1] + (1 - beta2) * grad * grad
    moments[2] = np.maximum(moments[2], moments[1])
    second = moments[2] if amsgrad else moments[1]
    denom = np.sqrt(second) / np.sqrt(1 - beta2**step) + eps
    return param - lr / (1 - beta1**step) * moments[0] / denom


@pytest.mark.parametrize("options", ADAM_OPTIONS, ids=lambda o: "amsgrad={}-maximize={}-wd={}-decoupled={}".format(*o))
@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_adam_step_follows_pytorchs_update_rule(ember_device, ember_rng, dtype_name, options):
    """One call steps every parameter of a group (of different shapes, 0-d too), in place with its moments;
    each parameter has its own step count (the last one joined the optimizer later)."""
    adam_step = optional_kernel(ember_device, "adam_step")
    ember_device.dtype(dtype_name)
    amsgrad, maximize, weight_decay, decoupled = options
    hosts = [random_array(ember_rng, shape, dtype_name) for shape in ((3, 4), (5,), ())]
    params = [ember_device.from_numpy(host) for host in hosts]
    buffers = [[ember_device.from_numpy(np.zeros_like(host)) for host in hosts] for _ in range(3)]
    expected = [(host.astype(np.float64), [np.zeros(host.shape)] * 3) for host in hosts]
    for first_step in (1, 2, 3):
        steps = [float(first_step), float(first_step), float(first_step + 4)]
        host_grads = [random_array(ember_rng, host.shape, dtype_name) for host in hosts]
        with no_warnings(f"adam_step on {dtype_name}"):
            result = adam_step(params, [ember_device.from_numpy(g) for g in host_grads], buffers[0], buffers[1],
                               buffers[2] if amsgrad else None, steps, 0.01, 0.9, 0.99, weight_decay, 1e-3,
                               amsgrad, maximize, decoupled)
        assert result is None, f"adam_step returns None (it updates in place), not {result!r}"
        expected = [(_adam_reference(param, grad.astype(np.float64), moments, step, 0.01, 0.9, 0.99, 1e-3,
                                     *options), moments)
                    for (param, moments), grad, step in zip(expected, host_grads, steps)]
        for position, (param, moments) in enumerate(expected):
            what = f"adam_step(step {steps[position]:g}) on {dtype_name}, parameter {position}"
            assert_matches(ember_device.to_numpy(params[position]), param.astype(dtype_name), f"{what}: param",
                           terms=8, magnitude=np.abs(param) + 0.1)
            for name, buffer, moment in zip(("exp_avg", "exp_avg_sq"), buffers, moments):
                assert_matches(ember_device.to_numpy(buffer[position]), moment.astype(dtype_name),
                               f"{what}: {name}", terms=4, magnitude=np.abs(moment) + 1e-3)
            if amsgrad:
                assert_matches(ember_device.to_numpy(buffers[2][position]), moments[2].astype(dtype_name),
                               f"{what}: max_exp_avg_sq", terms=4, magnitude=np.abs(moments[2]) + 1e-3)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_addmm_matches_reference(ember_device, ember_rng, dtype_name, layout):
    """bias + a @ b with b in any layout (linear passes its weight transposed, as a view)."""
    addmm = optional_kernel(ember_device, "addmm")
    ember_device.dtype(dtype_name)
    for rows, inner, columns, bias_shape in ((4, 3, 5, (5,)), (1, 7, 2, (1, 2)), (3, 4, 2, (3, 2)), (2, 0, 3, (3,))):
        a, b = (random_array(ember_rng, shape, dtype_name) for shape in ((rows, inner), (inner, columns)))
        bias = random_array(ember_rng, bias_shape, dtype_name)
        what = f"addmm(<{bias_shape}>, <({rows}, {inner})>, <({inner}, {columns}) {dtype_name}, {layout}>)"
        with no_warnings(what):
            result = addmm(ember_device.from_numpy(bias), ember_device.from_numpy(a), place(ember_device, b, layout))
        expected = reference(lambda bias, a, b: bias + a @ b, dtype_name, bias, a, b)
        assert_matches(ember_device.to_numpy(result), expected, what, terms=inner + 1, magnitude=np.abs(expected) + 4.0)


def _cross_correlation(x, w, bias=None, *, stride, padding, dilation, groups):
    """conv2d by its definition: for each kernel offset, the strided (dilated) slice of the zero-padded
    input times that offset's weights, per group."""
    (top, bottom), (left, right) = padding
    x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    n, _, height, width = x.shape
    out_channels, per_group, kh, kw = w.shape
    rows = (height - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    cols = (width - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, groups, out_channels // groups, rows, cols))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i * dilation[0]:i * dilation[0] + stride[0] * (rows - 1) + 1:stride[0],
                      j * dilation[1]:j * dilation[1] + stride[1] * (cols - 1) + 1:stride[1]]
            weights = w[:, :, i, j].reshape(groups, out_channels // groups, per_group)
            out += np.einsum("ngcrs,goc->ngors", patch.reshape(n, groups, per_group, rows, cols), weights)
    out = out.reshape(n, out_channels, rows, cols)
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)


# (input shape, weight shape, bias, stride, padding, dilation, groups)
CONV2D_CASES = (((2, 4, 5, 6), (6, 2, 3, 2), True, (2, 1), ((1, 1), (0, 2)), (1, 2), 2),
                ((1, 3, 4, 4), (2, 3, 1, 1), False, (1, 1), ((0, 0), (0, 0)), (1, 1), 1),
                ((2, 3, 5, 5), (4, 3, 3, 3), True, (1, 1), ((1, 1), (1, 1)), (1, 1), 1))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_conv2d_matches_reference(ember_device, ember_rng, dtype_name, layout):
    """conv2d(x, weight, bias, stride, padding, dilation, groups): a grouped, strided, dilated,
    zero-padded cross-correlation, bias included (None for none); x in any layout."""
    conv2d = optional_kernel(ember_device, "conv2d")
    ember_device.dtype(dtype_name)
    for x_shape, w_shape, with_bias, stride, padding, dilation, groups in CONV2D_CASES:
        x, w = (random_array(ember_rng, shape, dtype_name) for shape in (x_shape, w_shape))
        bias = random_array(ember_rng, (w_shape[0],), dtype_name) if with_bias else None
        what = (f"conv2d(<{x_shape} {dtype_name}, {layout}>, <{w_shape}>, bias={with_bias}, stride={stride}, "
                f"padding={padding}, dilation={dilation}, groups={groups})")
        with no_warnings(what):
            result = conv2d(place(ember_device, x, layout), ember_device.from_numpy(w),
                            None if bias is None else ember_device.from_numpy(bias), stride, padding, dilation,
                            groups)
        geometry = functools.partial(_cross_correlation, stride=stride, padding=padding, dilation=dilation,
                                     groups=groups)
        expected = reference(geometry, dtype_name, *((x, w) if bias is None else (x, w, bias)))
        terms = w_shape[1] * w_shape[2] * w_shape[3] + 1
        assert_matches(ember_device.to_numpy(result), expected, what, terms=terms, magnitude=np.abs(expected) + 4.0)


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_threshold_backward_passes_the_gradient_above_the_threshold(ember_device, dtype_name):
    kernel = optional_kernel(ember_device, "threshold_backward")
    ember_device.dtype(dtype_name)
    x = np.array([-1.0, -0.0, 0.0, 0.5, 2.0, np.nan, np.inf, -np.inf], dtype=dtype_name)
    grad = np.arange(1, 9, dtype=dtype_name)
    for threshold in (0, 0.5):
        what = f"threshold_backward(grad, {x.tolist()}, {threshold})"
        result = kernel(ember_device.from_numpy(grad), ember_device.from_numpy(x), threshold)
        assert_matches(ember_device.to_numpy(result), np.where(x <= threshold, 0, grad).astype(dtype_name), what)
    for value in (-1.0, 2.0):  # 0-d buffers give a 0-d buffer of the device, not a host scalar
        result = kernel(ember_device.from_numpy(np.array(3.0, dtype=dtype_name)),
                        ember_device.from_numpy(np.array(value, dtype=dtype_name)), 0)
        ember_device.kernels.copy_(result, ember_device.kernels.add(result, 1.0))
        assert_matches(ember_device.to_numpy(result), np.array(1.0 if value < 0 else 4.0, dtype=dtype_name),
                       f"threshold_backward(3.0, {value}, 0) + 1, written into its 0-d result")


ACTIVATION_BACKWARDS = {"tanh_backward": (np.tanh, lambda g, y: g * (1 - y * y)),
                        "sigmoid_backward": (lambda x: 1 / (1 + np.exp(-x)), lambda g, y: g * (1 - y) * y)}


@pytest.mark.parametrize("dtype_name", ("float32", "float64"))
@pytest.mark.parametrize("op", tuple(ACTIVATION_BACKWARDS))
def test_activation_backward_matches_reference(ember_device, ember_rng, op, dtype_name):
    """tanh's and sigmoid's gradient from their result: random values, a broadcast (stride-0) gradient as
    a sum's backward gives, non-finite gradients, 0-d buffers (a 0-d device buffer, not a host scalar)."""
    kernel = optional_kernel(ember_device, op)
    ember_device.dtype(dtype_name)
    forward, formula = ACTIVATION_BACKWARDS[op]
    y = forward(np.concatenate([random_array(ember_rng, (13,), "float64") * 4, [0.0, 30.0, -30.0]])).astype(dtype_name)
    for grad in (random_array(ember_rng, (16,), dtype_name), np.array([np.inf, -np.inf, np.nan, 0.0] * 4, dtype_name)):
        what = f"{op}(<{grad.tolist()}>, <{y.tolist()}>)"
        with no_warnings(what):
            result = kernel(ember_device.from_numpy(grad), ember_device.from_numpy(y))
        assert_matches(ember_device.to_numpy(result), reference(formula, dtype_name, grad, y), what, terms=3)
    one = ember_device.from_numpy(np.ones((), dtype_name))
    broadcast = ember_device.kernels.as_strided(one, (16,), (0,), 0)  # a sum's gradient: ones expanded
    result = kernel(broadcast, ember_device.from_numpy(y))
    assert_matches(ember_device.to_numpy(result), reference(formula, dtype_name, np.ones(16, dtype_name), y),
                   f"{op}(<ones expanded to (16,)>, y)", terms=3)
    result = kernel(ember_device.from_numpy(np.array(2.0, dtype_name)), ember_device.from_numpy(y[:1].reshape(())))
    ember_device.kernels.copy_(result, ember_device.kernels.add(result, 1.0))
    assert_matches(ember_device.to_numpy(result), reference(formula, dtype_name, np.array(2.0), y[:1].reshape(())) + 1,
                   f"{op}(2.0, {y[0]}) + 1, written into its 0-d result", terms=4)


SOFTMAX_BACKWARDS = {"softmax_backward": lambda g, y, axis: y * (g - (g * y).sum(axis, keepdims=True)),
                     "log_softmax_backward": lambda g, y, axis: g - np.exp(y) * g.sum(axis, keepdims=True)}


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
@pytest.mark.parametrize("op", tuple(SOFTMAX_BACKWARDS))
def test_softmax_backward_matches_reference(ember_device, ember_rng, op, dtype_name):
    kernel = optional_kernel(ember_device, op)
    ember_device.dtype(dtype_name)
    forward = SOFTMAXES[op[:-len("_backward")]]
    for host, axis, label in _softmax_inputs(ember_rng, dtype_name):
        result_host = forward(host.astype(np.float64), axis).astype(dtype_name)
        grad = random_array(ember_rng, host.shape, dtype_name)
        what = f"{op}(grad, {op[:-9]}({label}), axis={axis})"
        with no_warnings(what):
            result = kernel(ember_device.from_numpy(grad), ember_device.from_numpy(result_host), axis)
        expected = reference(lambda g, y, axis=axis: SOFTMAX_BACKWARDS[op](g, y, axis), dtype_name, grad, result_host)
        assert_matches(ember_device.to_numpy(result), expected, what, terms=host.shape[axis] + 1,
                       magnitude=np.abs(expected) + 4.0)


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_cross_entropy_backward_is_probs_minus_one_hot_scaled(ember_device, ember_rng, dtype_name):
    """(probs - one_hot(target)) * grad * scale, per row: grad 0-d or per row, scale a number or a 0-d
    buffer, rows outside `kept` (a bool mask, or 0. / 1. weights of probs' dtype) 0 (even for a NaN gradient)."""
    kernel = optional_kernel(ember_device, "cross_entropy_backward")
    ember_device.dtype(dtype_name)
    probs = np.exp(_log_softmax(random_array(ember_rng, (5, 4), dtype_name).astype(np.float64), 1)).astype(dtype_name)
    target = np.array([0, 3, 1, 2, 0], dtype=np.int64)
    one_hot = np.eye(4)[target]
    kept = np.array([True, False, True, True, True])
    per_row = np.array([1.0, np.nan, -2.0, 0.5, 3.0], dtype=dtype_name)
    for grad, scale, mask in ((np.array(1.5, dtype=dtype_name), 0.2, None), (per_row, 1.0, kept),
                              (np.array(2.0, dtype=dtype_name), np.array(0.25, dtype=dtype_name), kept),
                              (per_row, 1.0, kept.astype(dtype_name))):
        what = f"cross_entropy_backward(grad={grad.tolist()}, scale={scale}, kept={mask})"
        with no_warnings(what):
            result = kernel(ember_device.from_numpy(grad), ember_device.from_numpy(probs),
                            ember_device.from_numpy(target),
                            scale if isinstance(scale, float) else ember_device.from_numpy(scale),
                            None if mask is None else ember_device.from_numpy(mask))
        rows = np.broadcast_to(grad.astype(np.float64) * np.float64(scale), (5,))
        rows = rows if mask is None else np.where(mask, rows, 0.0)
        expected = ((probs.astype(np.float64) - one_hot) * rows[:, None]).astype(dtype_name)
        assert_matches(ember_device.to_numpy(result), expected, what, terms=2, magnitude=np.abs(expected) + 1.0)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_mse_loss_and_its_backward_match_reference(ember_device, ember_rng, dtype_name, layout):
    forward = optional_kernel(ember_device, "mse_loss")
    backward = optional_kernel(ember_device, "mse_loss_backward")
    ember_device.dtype(dtype_name)
    x, y = (random_array(ember_rng, (3, 4), dtype_name) for _ in range(2))
    references = {"none": lambda x, y: (x - y) ** 2, "sum": lambda x, y: ((x - y) ** 2).sum(),
                  "mean": lambda x, y: ((x - y) ** 2).mean()}
    for reduction, function in references.items():
        expected = reference(function, dtype_name, x, y)
        what = f"mse_loss(<(3, 4) {dtype_name}, {layout}>, y, {reduction!r})"
        with no_warnings(what):
            result = forward(place(ember_device, x, layout), ember_device.from_numpy(y), reduction)
        assert_matches(ember_device.to_numpy(result), expected, what, terms=12, magnitude=np.abs(expected) + 1.0)
    scalar_x, scalar_y = (ember_device.from_numpy(np.array(value, dtype=dtype_name)) for value in (1.5, -0.5))
    for what, result in [(f"mse_loss(<() {dtype_name}>, <()>, {reduction!r})", forward(scalar_x, scalar_y, reduction))
                         for reduction in ("none", "sum", "mean")] + [
            (f"mse_loss_backward of <() {dtype_name}> inputs", backward(scalar_x, scalar_x, scalar_y, 1.0))]:
        ember_device.kernels.copy_(result, 1.0)  # a buffer of the device, not a host scalar
        assert_matches(ember_device.to_numpy(result), np.array(1.0, dtype=dtype_name), f"{what}: a writable buffer")
    empty = ember_device.from_numpy(np.zeros((0, 3), dtype=dtype_name))
    with no_warnings("mse_loss of empty inputs, 'mean'"):
        assert np.isnan(ember_device.to_numpy(forward(empty, empty, "mean"))), "mse_loss's empty mean is NaN"
    grad = np.array(0.5, dtype=dtype_name)
    what = f"mse_loss_backward(0.5, <(3, 4) {dtype_name}, {layout}>, y, scale=2/12)"
    result = backward(ember_device.from_numpy(grad), place(ember_device, x, layout), ember_device.from_numpy(y), 2 / 12)
    expected = reference(lambda g, x, y: (x - y) * (2 / 12) * g, dtype_name, grad, x, y)
    assert_matches(ember_device.to_numpy(result), expected, what, terms=2, magnitude=np.abs(expected) + 1.0)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype_name", DTYPE_NAMES)
def test_zero_fills_every_buffer_of_the_list(ember_device, ember_rng, dtype_name, layout):
    zero_ = optional_kernel(ember_device, "zero_")
    ember_device.dtype(dtype_name)
    host = random_array(ember_rng, (3, 4), dtype_name)
    buffers = [place(ember_device, host, layout), ember_device.from_numpy(random_array(ember_rng, (5,), dtype_name))]
    zero_(buffers)
    for buffer, shape in zip(buffers, ((3, 4), (5,))):
        assert_matches(ember_device.to_numpy(buffer), np.zeros(shape, dtype=dtype_name),
                       f"zero_ of a <{shape} {dtype_name}, {layout}> buffer")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_copy_to_makes_a_copy_on_the_last_device(ember_device, ember_rng, layout):
    copy_to = optional_kernel(ember_device, "copy_to")
    last = ember_device.device_type.device_count() - 1
    host = random_array(ember_rng, (3, 4), "float32")
    x = place(ember_device, host, layout)
    moved = copy_to(x, last)
    what = f"copy_to(<(3, 4) float32, {layout}>, {last})"
    assert_matches(ember_device.to_numpy(moved), host, what)
    assert_fresh(ember_device, moved, [(x, host)], what)


def _host(tensor):
    return tensor.detach().cpu().numpy()


def _through_ember_ops(ember_device, function, hosts):
    """``function`` of ember tensors on the device holding ``hosts``, as (label, host array) pairs: its
    outputs, then the gradients of a weighted sum of its floating outputs."""
    leaves = [ember.tensor(host, device=ember_device.device, requires_grad=host.dtype.kind == "f")
              for host in hosts]
    outputs = function(*leaves)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    results = [(f"output {position}", _host(output)) for position, output in enumerate(outputs)]
    floating = [output for output in outputs if output.requires_grad]
    if floating:
        weights = np.random.default_rng(0)
        total = sum((output * ember.tensor(weights.uniform(0.5, 1.5, tuple(output.shape)).astype(np.float32),
                                           device=ember_device.device)).sum() for output in floating)
        total.backward()
        results += [(f"gradient of input {position}", _host(leaf.grad)) for position, leaf in enumerate(leaves)
                    if leaf.grad is not None]
    return results


def _sgd_steps(param, grad):
    """Two steps of SGD with momentum, weight decay and nesterov on ``param``; returns the new param."""
    optimizer = ember.optim.SGD([param], lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True)
    for scale in (1.0, -2.0):
        param.grad = (grad * scale).detach()
        optimizer.step()
    return param.detach() * 1


def _adam_steps(param, grad):
    """Three steps of Adam with AMSGrad and weight decay on ``param``; returns the new param."""
    optimizer = ember.optim.Adam([param], lr=0.1, amsgrad=True, weight_decay=0.01)
    for scale in (1.0, -2.0, 0.5):
        param.grad = (grad * scale).detach()
        optimizer.step()
    return param.detach() * 1


def _zeroed_grad(x):
    """x's gradient after an optimizer zeroes it in place and x * 2 accumulates into it."""
    (x * 3).sum().backward()
    ember.optim.SGD([x], lr=0.1).zero_grad(set_to_none=False)
    (x * 2).sum().backward()
    return x.grad * 1


def _composition_inputs():
    """Host inputs of the composition cases, in float32 (which every device has)."""
    gradient = np.resize(specials("float32"), OFFSET_ROWS.shape)
    gradient[~np.isfinite(gradient)] = 0.5
    return {"rows": OFFSET_ROWS.astype(np.float32), "special": np.array(SPECIAL_ROWS, dtype=np.float32),
            "flat": specials("float32"), "target": np.array([0, 3, 1, 2, 0], dtype=np.int64),
            "probability": np.linspace(0, 1, 20, dtype=np.float32).reshape(5, 4), "gradient": gradient,
            "bias": np.array([0.5, -1.0, 2.0, 0.0, 3.0], dtype=np.float32),
            "image": np.resize(OFFSET_ROWS, (2, 2, 5, 4)).astype(np.float32) / 100,
            "filters": np.linspace(-1, 1, 5 * 1 * 3 * 2, dtype=np.float32).reshape(5, 1, 3, 2),
            "square": SQUARE, "positive_definite": (SQUARE @ SQUARE.T + np.eye(4)).astype(np.float32)}


# A well-conditioned matrix whose LU factorization swaps rows (its largest entries are below the diagonal).
SQUARE = (np.cos(np.arange(16.0)).reshape(4, 4) + 3 * np.eye(4, k=-1) + np.eye(4)).astype(np.float32)


# kernel: (what, ember op, names of its inputs in _composition_inputs)
COMPOSITIONS = {
    "reshape": ("x.reshape(2, 10), x.t().reshape(20)", lambda x: (x.reshape(2, 10) * 1, x.t().reshape(20) * 1),
                ("rows",)),
    "permute": ("x.permute(1, 0)", lambda x: x.permute(1, 0) * 1, ("rows",)),
    "slice": ("x[1:, ::2], x[2]", lambda x: (x[1:, ::2] * 1, x[2] * 1), ("rows",)),
    "relu": ("relu(x)", ember.relu, ("flat",)),
    "sigmoid": ("sigmoid(x)", ember.sigmoid, ("flat",)),
    "min": ("amin(x, 1), x.min(0)", lambda x: (ember.amin(x, 1), x.min(0).values), ("special",)),
    "argmin": ("x.argmin(1), x.argmin()", lambda x: (x.argmin(1), x.argmin()), ("special",)),
    "cat": ("cat([x, 2 * x], 1)", lambda x: ember.cat([x, 2 * x], 1), ("rows",)),
    "softmax": ("softmax(x, 1), softmax(x, 0)", lambda x: (ember.softmax(x, 1), ember.softmax(x, 0)), ("rows",)),
    "log_softmax": ("log_softmax(x, 1), log_softmax(x, 0)",
                    lambda x: (ember.log_softmax(x, 1), ember.log_softmax(x, 0)), ("rows",)),
    "cross_entropy": ("cross_entropy(x, target, reduction='none')",
                      lambda x, t: functional.cross_entropy(x, t, reduction="none"), ("rows", "target")),
    "cross_entropy_checked": ("cross_entropy(x, target), mean with ignore_index=1, sum and none",
                              lambda x, t: (functional.cross_entropy(x, t, ignore_index=1),
                                            functional.cross_entropy(x, t, reduction="sum"),
                                            functional.cross_entropy(x, t, reduction="none", ignore_index=0)),
                              ("rows", "target")),
    "binary_cross_entropy_with_logits": (
        "binary_cross_entropy_with_logits(x, y, reduction='none')",
        lambda x, y: functional.binary_cross_entropy_with_logits(x, y, reduction="none"), ("rows", "probability")),
    "sgd_step": ("SGD(momentum=0.9, weight_decay=0.01, nesterov=True), two steps", _sgd_steps,
                 ("rows", "gradient")),
    "adam_step": ("Adam(amsgrad=True, weight_decay=0.01), three steps", _adam_steps, ("rows", "gradient")),
    "addmm": ("linear(x, w, b)", lambda x, w, b: functional.linear(x, w, b), ("rows", "rows", "bias")),
    "threshold_backward": ("relu(x)", ember.relu, ("flat",)),
    "softmax_backward": ("softmax(x, 1)", lambda x: ember.softmax(x, 1), ("rows",)),
    "log_softmax_backward": ("log_softmax(x, 0)", lambda x: ember.log_softmax(x, 0), ("rows",)),
    "cross_entropy_backward": ("cross_entropy(x, target), mean and sum",
                               lambda x, t: (functional.cross_entropy(x, t),
                                             functional.cross_entropy(x, t, reduction="sum", ignore_index=1)),
                               ("rows", "target")),
    "mse_loss": ("mse_loss(x, y), mean and none", lambda x, y: (functional.mse_loss(x, y),
                                                                functional.mse_loss(x, y, reduction="none")),
                 ("rows", "probability")),
    "mse_loss_backward": ("mse_loss(x, y, reduction='sum')", lambda x, y: functional.mse_loss(x, y, reduction="sum"),
                          ("rows", "probability")),
    "conv2d": ("conv2d(x, w[:4], b[:4], stride=2, padding=1, groups=2)",
               lambda x, w, b: functional.conv2d(x, w[:4], b[:4], stride=2, padding=1, groups=2),
               ("image", "filters", "bias")),
    "zero_": ("x.grad zeroed by zero_grad(set_to_none=False), then x * 2 accumulated", _zeroed_grad, ("rows",)),
    "lu_factor": ("linalg.det(x), linalg.solve(x, y), linalg.inv(x)",
                  lambda x, y: (ember.linalg.det(x), ember.linalg.solve(x, y), ember.linalg.inv(x)),
                  ("square", "positive_definite")),
    "cholesky": ("linalg.cholesky(x)", ember.linalg.cholesky, ("positive_definite",)),
    "triangular_solve": ("linalg.solve_triangular(x, y, upper=True), cholesky_solve(y, x)",
                         lambda x, y: (ember.linalg.solve_triangular(x, y, upper=True), ember.cholesky_solve(y, x)),
                         ("square", "positive_definite")),
    "tanh_backward": ("tanh(x)", ember.tanh, ("flat",)),
    "sigmoid_backward": ("sigmoid(x)", ember.sigmoid, ("flat",)),
}


# dtypes a row needs beyond float32: the factorizations' pivots and infos are int32, as PyTorch's
_ROW_DTYPES = {"lu_factor": ("int32",), "cholesky": ("int32",), "triangular_solve": ("int32",)}


@pytest.mark.parametrize("op", tuple(COMPOSITIONS))
def test_optional_kernel_agrees_with_cores_composition(ember_device, op):
    """The ember op with the kernel and without it (core composing it) agree, values and gradients."""
    optional_kernel(ember_device, op)
    for name in ("float32", *_ROW_DTYPES.get(op, ())):
        ember_device.dtype(name)
    what, function, names = COMPOSITIONS[op]
    hosts = [_composition_inputs()[name] for name in names]
    with_kernel = _through_ember_ops(ember_device, function, hosts)
    with ember_device.composing(op):
        composed = _through_ember_ops(ember_device, function, hosts)
    assert [label for label, _ in with_kernel] == [label for label, _ in composed], what
    for (label, fused), (_, expected) in zip(with_kernel, composed):
        assert_matches(fused, expected, f"{what}: the {label} with the '{op}' kernel differs from core's "
                                        "composition without it", terms=8, magnitude=np.abs(expected) + 1.0)
