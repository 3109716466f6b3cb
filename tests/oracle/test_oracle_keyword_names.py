"""PyTorch's keyword forms of every op ember shares with it: for each function of ``torch``, method of
``torch.Tensor`` and function of ``torch.nn.functional`` that ember also has, each argument is passed by
PyTorch's parameter name (``x.split(split_size=2)``, ``x.pow(exponent=2)``,
``x.swapaxes(axis0=0, axis1=1)``) on small inputs, and ember must take the call and give PyTorch's result.

The names come from PyTorch itself: the Python signatures of ``torch.overrides.get_testing_overrides()``
and the ATen schemas of the op (``torch._C._jit_get_schemas_for_operator``), which name the arguments of the
bindings; a call is a case only where PyTorch really takes it (the lambdas are wrong about some names), so
the list is what PyTorch accepts. Run this file as a script to print the audit: every case ember refuses
or answers differently."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from conftest import dtype_name

torch = pytest.importorskip("torch")
import torch.nn.functional as torch_functional  # noqa: E402
from torch.overrides import get_testing_overrides  # noqa: E402

import ember  # noqa: E402
import ember.nn.functional as ember_functional  # noqa: E402

pytestmark = pytest.mark.oracle

SPACES = {"torch": (torch, ember), "Tensor": (torch.Tensor, ember.Tensor), "F": (torch_functional, ember_functional)}

# The first argument of every call: positional, as PyTorch's users pass it (``self``/``input``).
INPUT = np.arange(1, 7, dtype=np.float64).reshape(2, 3) / 7 + 0.1
# Ops whose first argument needs another shape (a batch and channels, a square matrix...).
INPUT_SHAPES = {
    **dict.fromkeys(("adaptive_avg_pool1d", "adaptive_max_pool1d", "avg_pool1d", "max_pool1d", "lp_pool1d",
                     "max_pool1d_with_indices", "pixel_shuffle", "pixel_unshuffle", "conv1d"), (1, 2, 3)),
    **dict.fromkeys(("adaptive_avg_pool2d", "adaptive_max_pool2d", "avg_pool2d", "max_pool2d", "lp_pool2d",
                     "max_pool2d_with_indices", "instance_norm", "local_response_norm",
                     "adaptive_max_pool2d_with_indices"), (1, 1, 2, 3)),
    **dict.fromkeys(("adaptive_avg_pool3d", "adaptive_max_pool3d", "avg_pool3d", "max_pool3d", "lp_pool3d",
                     "max_pool3d_with_indices", "adaptive_max_pool3d_with_indices"), (1, 1, 1, 2, 3)),
}

# Parameters not passed: the tensor factories' options and out= have their own oracle tests.
NOT_PASSED = frozenset(("out", "layout", "device", "requires_grad", "pin_memory", "names", "non_blocking",
                        "copy", "self", "memory_format"))

# Ops whose results are random or defined up to signs: their calls are checked for shape and dtype only.
RANDOM = frozenset(("bernoulli", "bernoulli_", "poisson", "cauchy_", "exponential_", "geometric_", "log_normal_",
                    "normal_", "random_", "uniform_", "dropout", "dropout1d", "dropout2d", "dropout3d",
                    "alpha_dropout", "feature_alpha_dropout", "rrelu", "gumbel_softmax", "empty_like",
                    "multinomial", "svd", "rand_like", "randn_like", "randint_like", "normal", "new_empty",
                    "empty"))

# Where the shared samples do not fit an op: its own values by parameter name (numpy arrays become tensors),
# "" naming its first argument; keyed by op, or by "space.op" where the spaces' ops differ (Tensor.unfold).
_SQUARE = np.array([[2.0, 0.5, 0.1], [0.5, 3.0, 0.2], [0.1, 0.2, 4.0]])
_INTS = np.array([[3, 4, 6], [8, 9, 12]])
_LOWER = np.linalg.cholesky(_SQUARE)
_DROPOUT = {"p": 0.5}
OWN_SAMPLES: dict[str, dict[str, Any]] = {
    "permute": {"dims": (1, 0)}, "permute_copy": {"dims": (1, 0)}, "roll": {"dims": (1, 0), "shifts": (1, 2)},
    "expand": {"size": (2, 2, 3)}, "expand_copy": {"size": (2, 2, 3)}, "broadcast_to": {"size": (2, 2, 3)},
    "sum_to_size": {"size": (1, 3)}, "repeat": {"repeats": (2, 1)}, "tile": {"dims": (2, 1)},
    "new_full": {"size": (3, 2)}, "vsplit": {"sections": 2}, "hsplit": {"sections": 3},
    "unflatten": {"dim": 1, "sizes": (3, 1)}, "Tensor.unfold": {"dimension": 1, "size": 2, "step": 1},
    "F.unfold": {"": INPUT.reshape(1, 1, 2, 3), "kernel_size": (1, 2)},
    **dict.fromkeys(("addmm", "addmm_"), {"mat1": INPUT, "mat2": _SQUARE}),
    **dict.fromkeys(("addbmm", "addbmm_", "baddbmm"), {"batch1": INPUT[None], "batch2": _SQUARE[None]}),
    "baddbmm_": {"": INPUT[None], "batch1": INPUT[None], "batch2": _SQUARE[None]},
    **dict.fromkeys(("addmv", "addmv_"), {"": INPUT[:, 0], "mat": INPUT, "vec": INPUT[1]}),
    "bmm": {"": INPUT[None], "mat2": _SQUARE[None]}, "matmul": {"other": _SQUARE},
    "dot": {"": INPUT[0], "tensor": INPUT[1], "other": INPUT[1]}, "vdot": {"": INPUT[0], "other": INPUT[1]},
    "outer": {"": INPUT[0], "vec2": INPUT[1]}, "ger": {"": INPUT[0], "vec2": INPUT[1]},
    "matrix_power": {"": _SQUARE, "n": 2}, "slogdet": {"": _SQUARE}, "pinverse": {"rcond": 1e-10},
    "cholesky_solve": {"": INPUT.T.copy(), "input2": _LOWER, "upper": False},
    "index_add": {"index": np.array([1, 0]), "source": INPUT},
    "index_add_": {"index": np.array([1, 0]), "source": INPUT},
    "index_copy": {"index": np.array([1, 0]), "source": INPUT},
    "index_copy_": {"index": np.array([1, 0]), "source": INPUT},
    "index_fill": {"index": np.array([1]), "value": 0.5}, "index_fill_": {"index": np.array([1]), "value": 0.5},
    "index_select": {"index": np.array([1, 0, 1])},
    "index_reduce": {"index": np.array([1, 0]), "source": INPUT, "reduce": "prod"},
    "index_reduce_": {"index": np.array([1, 0]), "source": INPUT, "reduce": "prod"},
    "select": {"index": 1}, "select_copy": {"index": 1}, "select_scatter": {"src": INPUT[0], "index": 1},
    "diagonal_scatter": {"src": INPUT[0, :2]}, "masked_scatter": {"source": INPUT},
    "masked_scatter_": {"source": INPUT},
    "put": {"index": np.array([0, 4]), "source": np.array([9.0, 8.0])},
    # No index twice in a row: which of two values lands there is the CPU's order (the last), not a GPU's
    "max_unpool1d": {"indices": np.array([[0, 1, 2], [2, 0, 1]])},
    "put_": {"index": np.array([0, 4]), "source": np.array([9.0, 8.0])},
    "index_put": {"indices": (np.array([1, 0]),), "values": INPUT[0]},
    "index_put_": {"indices": (np.array([1, 0]),), "values": INPUT[0]},
    "as_strided": {"size": (2, 2), "stride": (1, 2), "storage_offset": 1},
    "as_strided_": {"size": (2, 2), "stride": (1, 2), "storage_offset": 1},
    "as_strided_copy": {"size": (2, 2), "stride": (1, 2), "storage_offset": 1},
    "as_strided_scatter": {"src": INPUT[:, :2], "size": (2, 2), "stride": (1, 2), "storage_offset": 1},
    "unfold_copy": {"dimension": 1, "size": 2, "step": 1},
    **{name: {"": _INTS, "other": _INTS[::-1].copy()} for name in (
        "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm",
        "bitwise_and_", "bitwise_or_", "bitwise_xor_", "bitwise_left_shift_", "bitwise_right_shift_", "gcd_", "lcm_")},
    **{name: {"dim": 1, "": (INPUT, INPUT[::-1].copy())} for name in ("cat", "concat", "concatenate", "stack")},
    "combinations": {"": INPUT[0], "r": 2, "with_replacement": True},
    "bincount": {"": np.array([0, 2, 2, 3]), "weights": np.array([0.5, 1.0, 2.0, 4.0]), "minlength": 6},
    "channel_shuffle": {"": INPUT.reshape(1, 2, 1, 3), "groups": 2},
    "native_channel_shuffle": {"": INPUT.reshape(1, 2, 1, 3), "groups": 2},
    "local_response_norm": {"size": 2, "alpha": 0.5, "beta": 0.5, "k": 2.0},
    "interpolate": {"": INPUT.reshape(1, 2, 3), "size": 6, "scale_factor": 2.0, "mode": "linear",
                    "align_corners": True, "recompute_scale_factor": True, "antialias": False},
    "affine_grid": {"": INPUT.reshape(1, 2, 3), "size": (1, 1, 2, 3), "align_corners": True},
    "grid_sample": {"": INPUT.reshape(1, 1, 2, 3), "grid": INPUT.reshape(1, 1, 3, 2) - 0.5, "mode": "nearest",
                    "padding_mode": "border", "align_corners": True},
    "fold": {"": INPUT.reshape(1, 2, 3), "output_size": (4, 1), "kernel_size": (2, 1), "stride": 1, "padding": 0,
             "dilation": 1},
    "scaled_dot_product_attention": {"": INPUT.reshape(1, 2, 3), "key": INPUT[::-1].copy().reshape(1, 2, 3),
                                     "value": INPUT.reshape(1, 2, 3) * 2, "dropout_p": 0.0, "is_causal": True,
                                     "scale": 0.5},
    **{name: {"": INPUT.reshape(1, 2, 3), "weight": np.full((2, 2, 1), 0.5), "bias": np.array([0.1, 0.2])}
       for name in ("conv1d", "conv_transpose1d")},
    **{name: {"": INPUT.reshape(1, 1, 2, 3), "weight": np.full((1, 1, 1, 2), 0.5), "bias": np.array([0.1])}
       for name in ("conv2d", "conv_transpose2d")},
    **{name: {"": INPUT.reshape(1, 1, 1, 2, 3), "weight": np.full((1, 1, 1, 1, 2), 0.5), "bias": np.array([0.1])}
       for name in ("conv3d", "conv_transpose3d")},
    "linear": {"weight": np.full((4, 3), 0.25), "bias": np.arange(4.0)},
    "bilinear": {"input2": INPUT[::-1].copy(), "weight": np.full((4, 3, 3), 0.25), "bias": np.arange(4.0)},
    "prelu": {"weight": np.array([0.25])},
    "embedding": {"": np.array([[0, 2], [1, 0]]), "weight": INPUT.T.copy(), "padding_idx": 1, "max_norm": None},
    "one_hot": {"": np.array([0, 2, 1]), "num_classes": 4},
    "nll_loss": {"target": np.array([2, 0]), "weight": np.array([1.0, 2.0, 3.0]), "ignore_index": 0},
    "multi_margin_loss": {"target": np.array([2, 0]), "p": 1, "margin": 0.5, "weight": np.array([1.0, 2.0, 3.0])},
    "multilabel_margin_loss": {"target": np.array([[2, -1, 0], [0, 1, -1]])},
    "cosine_embedding_loss": {"input2": INPUT[::-1].copy(), "target": np.array([1.0, -1.0]), "margin": 0.1},
    "poisson_nll_loss": {"log_input": True, "full": True},
    "linspace": {"": 0.5, "end": 1.5, "steps": 5}, "logspace": {"": 0.5, "end": 1.5, "steps": 5, "base": 3.0},
    "vander": {"": INPUT[0], "N": 4, "increasing": True},
    "unravel_index": {"": np.array([1, 5]), "shape": (2, 3)},
    "nonzero_static": {"size": 8, "fill_value": -2},
    "tensordot": {"b": INPUT.T.copy(), "dims": 1},
    "torch.where": {"": INPUT > 0.5, "input": INPUT, "other": -INPUT},
    "dsplit": {"": INPUT.reshape(1, 2, 3), "sections": 3, "indices": [1]},
    "embedding_renorm_": {"": INPUT.T.copy(), "indices": np.array([0, 2]), "max_norm": 0.5, "norm_type": 1.0},
    "embedding_bag": {"": np.array([0, 2, 1, 0]), "weight": INPUT.T.copy(), "offsets": np.array([0, 2]),
                      "mode": "max", "include_last_offset": False, "padding_idx": 1,
                      "per_sample_weights": None},
    "batch_norm": {"weight": np.array([1.0, 2.0, 3.0]), "bias": np.array([0.1, 0.2, 0.3]), "training": False,
                   "cudnn_enabled": False},
    "instance_norm": {"": INPUT.reshape(1, 2, 3), "weight": np.array([1.0, 2.0]), "bias": np.array([0.1, 0.2]),
                      "running_mean": None, "running_var": None, "use_input_stats": True, "cudnn_enabled": False},
    **{name: _DROPOUT for name in ("dropout", "dropout_", "alpha_dropout", "alpha_dropout_", "feature_alpha_dropout",
                                   "feature_alpha_dropout_", "dropout1d", "dropout2d", "dropout3d", "geometric_")},
}


def samples(lib: Any) -> dict[str, Any]:
    """A value for each parameter name, in `lib`, that fits a (2, 3) float64 first argument."""
    t = lambda a: lib.tensor(np.asarray(a))  # noqa: E731
    reverse = INPUT[::-1].copy()
    return {
        "other": t(reverse), "exponent": 2, "split_size": 1, "split_size_or_sections": 1, "split_sizes": [1, 1],
        "dim": 0, "dim0": 0, "dim1": 1, "axis0": 0, "axis1": 1, "source": 0, "destination": 1, "dims": (0,),
        "size": (3, 2), "shape": (3, 2), "chunks": 2, "sections": 2, "indices_or_sections": 2, "repeats": 2,
        "k": 1, "diagonal": 0, "offset": 0, "alpha": 2, "value": 0.5, "min": 0.2, "max": 0.6, "p": 2,
        "keepdim": True, "mat2": t(INPUT.T.copy()), "tensor1": t(INPUT), "tensor2": t(reverse), "end": t(reverse),
        "weight": 0.5, "index": lib.tensor([[0, 1, 0], [1, 0, 1]]), "src": t(reverse), "mask": t(INPUT > 0.5),
        "q": 0.5, "input2": t(reverse), "vec": t(INPUT[0]), "mat": t(INPUT), "descending": True, "sorted": True,
        "largest": False, "start": 0, "length": 1, "step": 1, "decimals": 1, "n": 1, "dtype": lib.float32,
        "rtol": 1e-5, "atol": 1e-8, "equal_nan": True, "eps": 1e-6, "unbiased": False, "correction": 0,
        "approximate": "tanh", "negative_slope": 0.1, "lambd": 0.5, "beta": 2.0, "threshold": 0.5,
        "min_val": 0.0, "max_val": 0.5, "inplace": False, "training": False, "rounding_mode": "floor",
        "mode": "constant", "pad": (1, 1), "normalized_shape": (3,), "num_classes": 3, "target": t(reverse),
        "reduction": "sum", "upper": False, "some": True, "ord": 2, "stable": True, "accumulate": False,
        "reduce": "sum", "include_self": True, "kernel_size": 1, "stride": 1, "padding": 0, "output_size": 1,
        "x1": t(INPUT), "x2": t(reverse), "posinf": 1.0, "neginf": -1.0, "nan": 0.0, "bins": 3, "minlength": 0,
        "upscale_factor": 1, "downscale_factor": 1, "fill_value": 1.5, "sizes": (2, 3), "dimension": 0,
        "interpolation": "nearest", "margin": 0.5, "delta": 2.0, "log_target": True, "ignore_index": -100,
        "label_smoothing": 0.1, "right": True, "side": "right", "align_corners": False, "num_groups": 1,
        "groups": 1, "dilation": 1, "ceil_mode": False, "count_include_pad": False, "return_indices": True,
        "generator": None, "median": 0, "sigma": 1, "mean": 0.0, "std": 1.0, "to": 2, "from": 0,
        "y": t(reverse), "values": t(reverse), "shifts": 1, "tau": t(INPUT[0]), "maxnorm": 1.0,
        "indices": lib.tensor([[0, 1, 0], [1, 0, 1]]), "b": t(INPUT.T.copy()), "boundaries": t([0.2, 0.5]),
        "vec1": t(INPUT[:, 0]), "vec2": t(INPUT[0]), "mat1": t(INPUT), "batch1": t(INPUT[None]),
        "batch2": t(INPUT.T[None].copy()), "num_samples": 2, "train": False, "test_elements": t([0.2, 0.5]),
        "elements": t(reverse), "decimals_": 1, "lower": True, "out_int32": True, "diagonal_": 0,
        "implicit": True, "norm_type": 2.0, "keepdims": True, "axis": 0, "unitriangular": False,
        "mat1_": t(INPUT), "other_": t(reverse), "input": t(INPUT), "tensors": (t(INPUT), t(reverse)),
        "storage_offset": 0, "scale_factor": 2.0, "beta1": 1.0, "weights": None, "weight_": None,
        "fweights": None, "aweights": None, "prepend": t(INPUT[:, :1].copy()), "append": t(INPUT[:, :1].copy()),
        "start_dim": 0, "end_dim": 1, "unflattened_size": (3, 1), "sorter": None, "dtype_": None,
        "lambd_": 0.5, "nonzero": None, "output_ratio": None, "bias": None, "running_mean": t([0.1, 0.2, 0.3]),
        "running_var": t([1.0, 2.0, 3.0]), "momentum": 0.1, "var": t(reverse), "full": True, "log_input": False,
        "positive": t(reverse), "negative": t(INPUT), "swap": True, "sizes_": None, "scale": 2.0,
        "exponential_average_factor": 0.1, "correction_": 1, "return_counts": True, "return_inverse": True,
        "as_tuple": False, "fill": 1.5, "tol": None, "hermitian": False, "rcond": None, "driver": None,
        "compute_uv": True, "full_matrices": False, "pivot": True, "check_errors": False, "left": True,
        "A": t(INPUT), "B": t(reverse), "out_dtype": None, "value_": 0.5, "ndim": 2, "dims_": (0,),
    }


def _parameter_sets(space: str, name: str, function: Any, overrides: dict) -> Iterator[tuple[list[str], list[str]]]:
    """(required names, optional names) of each signature PyTorch publishes for `function`, the first
    argument left out."""
    lambda_ = overrides.get(function)
    if lambda_ is not None:
        params = [p for p in inspect.signature(lambda_).parameters.values()
                  if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)][1:]
        yield ([p.name for p in params if p.default is p.empty], [p.name for p in params if p.default is not p.empty])
    for schema in torch._C._jit_get_schemas_for_operator(f"aten::{name}"):
        args = schema.arguments
        if not args or str(args[0].type) != "Tensor" or any(a.name == "out" for a in args):
            continue
        names = ["input" if a.name == "self" else a.name for a in args[1:]]  # the bindings' name of self
        yield ([n for n, a in zip(names, args[1:]) if not a.has_default_value()],
               [n for n, a in zip(names, args[1:]) if a.has_default_value()])


def _torch_call(space: str, name: str, keywords: tuple[str, ...]) -> Any:
    return _call(torch, space, name, keywords)


def _own_samples(lib: Any, space: str, name: str) -> dict[str, Any]:
    own = OWN_SAMPLES.get(f"{space}.{name}", OWN_SAMPLES.get(name, {}))
    return {key: _in(lib, value) for key, value in own.items()}


def _in(lib: Any, value: Any) -> Any:
    """`value` with its numpy arrays as `lib`'s tensors."""
    if isinstance(value, np.ndarray):
        return lib.tensor(np.ascontiguousarray(value))
    if isinstance(value, tuple) and any(isinstance(v, np.ndarray) for v in value):
        return tuple(lib.tensor(np.ascontiguousarray(v)) for v in value)
    return value


def _call(lib: Any, space: str, name: str, keywords: tuple[str, ...]) -> Any:
    values = {**samples(lib), **_own_samples(lib, space, name)}
    x = values.pop("", None)
    if x is None:
        x = lib.tensor(INPUT.reshape(INPUT_SHAPES.get(name, INPUT.shape)))
    namespace = SPACES[space][0 if lib is torch else 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(namespace, name)(x, **{k: values[k] for k in keywords})


def keyword_cases() -> list[tuple[str, str, tuple[str, ...]]]:
    """(space, op, keyword names) of every call by PyTorch's names that PyTorch takes on the sample inputs,
    for the ops ember has too: the required arguments by name, then each optional one added alone."""
    overrides = get_testing_overrides()
    cases = []
    for space, (torch_space, ember_space) in SPACES.items():
        for name in sorted(dir(ember_space)):
            known = {**samples(torch), **_own_samples(torch, space, name)}
            function = getattr(torch_space, name, None)
            if name.startswith("_") or not callable(function) or isinstance(function, type) \
                    or not callable(getattr(ember_space, name, None)):
                continue
            tried = set()
            for required, optional in _parameter_sets(space, name, function, overrides):
                required = [n for n in required if n not in NOT_PASSED]
                if any(n not in known for n in required):
                    continue
                for extra in ([], *([n] for n in optional if n in known and n not in NOT_PASSED)):
                    keywords = tuple(required + extra)
                    if not keywords or keywords in tried:
                        continue
                    tried.add(keywords)
                    try:
                        with torch.no_grad():
                            _torch_call(space, name, keywords)
                    except Exception:  # noqa: BLE001,S112 -- PyTorch does not take this form: no case
                        continue
                    cases.append((space, name, keywords))
    return cases


# Keyword calls PyTorch takes that ember still answers otherwise, each with why.
ALLOWED: dict[tuple[str, str, tuple[str, ...]], str] = {}

CASES = keyword_cases()


def _case_id(case: tuple[str, str, tuple[str, ...]]) -> str:
    space, name, keywords = case
    return f"{space}.{name}({','.join(keywords)})"


@pytest.mark.parametrize("case", [
    pytest.param(case, marks=pytest.mark.xfail(reason=ALLOWED[case], strict=True)) if case in ALLOWED else case
    for case in CASES], ids=_case_id)
def test_keyword_call(oracle, case):
    space, name, keywords = case
    with torch.no_grad():
        expected = _torch_call(space, name, keywords)
    got = _call(ember, space, name, keywords)
    if name in RANDOM:
        for g, e in zip(*(r if isinstance(r, (tuple, list)) else (r,) for r in (got, expected))):
            assert tuple(g.shape) == tuple(e.shape) and dtype_name(g.dtype) == dtype_name(e.dtype)
    elif isinstance(expected, torch.dtype):
        assert dtype_name(got) == dtype_name(expected)
    else:
        oracle.assert_same(got, expected)


def test_audit_covers_the_reported_forms():
    """The forms QA found refused are among the cases, so the audit keeps checking them."""
    for case in [("Tensor", "split", ("split_size",)), ("Tensor", "pow", ("exponent",)),
                 ("torch", "pow", ("exponent",)), ("Tensor", "swapaxes", ("axis0", "axis1")),
                 ("Tensor", "view", ("size",)), ("Tensor", "reshape", ("shape",)), ("Tensor", "permute", ("dims",))]:
        assert case in CASES, case


# Ops whose Python wrapper in PyTorch takes its schema's keyword-only parameters positionally all the same
# (``torch.norm(x, 2, None, False, None, torch.float64)``).
POSITIONAL_WRAPPERS = frozenset((("torch", "norm"), ("Tensor", "norm"), ("F", "kl_div")))
_OPTIONS = frozenset(("out", "layout", "device", "pin_memory", "requires_grad", "memory_format", "generator", "names"))


def keyword_only_parameters() -> list[tuple[str, str, tuple[str, ...]]]:
    """(space, op, names) of the parameters PyTorch's schemas take by keyword only (in every overload),
    for the ops ember has whose signature can be read (no ``*args``)."""
    found = []
    for space, (torch_space, ember_space) in SPACES.items():
        for name in sorted(dir(ember_space)):
            function, ours = getattr(torch_space, name, None), getattr(ember_space, name, None)
            if name.startswith("_") or not callable(function) or isinstance(function, type) or not callable(ours) \
                    or (space, name) in POSITIONAL_WRAPPERS:
                continue
            keyword_only, positional = set(), set()
            for schema in torch._C._jit_get_schemas_for_operator(f"aten::{name}"):
                if schema.arguments and str(schema.arguments[0].type) == "Tensor":
                    for argument in schema.arguments[1:]:
                        (keyword_only if argument.kwarg_only else positional).add(argument.name)
            keyword_only -= positional | _OPTIONS
            try:
                parameters = inspect.signature(ours).parameters
            except (TypeError, ValueError):
                continue
            if keyword_only and not any(p.kind == p.VAR_POSITIONAL for p in parameters.values()):
                found.append((space, name, tuple(sorted(n for n in keyword_only if n in parameters))))
    return found


@pytest.mark.parametrize("case", keyword_only_parameters(), ids=_case_id)
def test_keyword_only_parameters(case):
    """PyTorch's keyword-only parameters are keyword-only in ember too (``F.gelu(x, approximate="tanh")``)."""
    space, name, names = case
    parameters = inspect.signature(getattr(SPACES[space][1], name)).parameters
    assert [n for n in names if parameters[n].kind != inspect.Parameter.KEYWORD_ONLY] == []


# Calls PyTorch refuses with a TypeError, the keyword forms above given wrong: ember refuses them too.
REFUSED = {
    "tensor_split both": lambda lib, x: x.tensor_split(2, sections=2),
    "tensor_split sections list": lambda lib, x: lib.tensor_split(x, sections=[1]),
    "tensor_split indices int": lambda lib, x: lib.tensor_split(x, indices=1),
    "tensor_split none": lambda lib, x: lib.tensor_split(x),
    "vsplit sections list": lambda lib, x: x.vsplit(sections=[1]),
    "pow no exponent": lambda lib, x: lib.pow(x),
    "pow exponent twice": lambda lib, x: x.pow(2, exponent=2),
    "method split by function's name": lambda lib, x: x.split(split_size_or_sections=1),
    "function split by method's name": lambda lib, x: lib.split(x, split_size=1),
    "swapaxes by transpose's names": lambda lib, x: x.swapaxes(dim0=0, dim1=1),
    "transpose by swapaxes' names": lambda lib, x: x.transpose(axis0=0, axis1=1),
    "copy_ src": lambda lib, x: x.clone().copy_(src=x),
    "uniform_ from twice": lambda lib, x: x.clone().uniform_(0.1, **{"from": 0.2}),
    "uniform_ a": lambda lib, x: x.clone().uniform_(a=0.5),
    "broadcast_to shape": lambda lib, x: lib.broadcast_to(x, shape=(2, 2, 3)),
    "as_tensor dtype positional": lambda lib, x: lib.as_tensor([1.0], lib.float64),
    "gelu approximate positional": lambda lib, x: lib.nn.functional.gelu(x, "tanh"),
    "sdpa scale positional": lambda lib, x: lib.nn.functional.scaled_dot_product_attention(x, x, x, None, 0.0,
                                                                                            False, 0.5),
}


@pytest.mark.parametrize("name", REFUSED)
def test_keyword_refusals(name):
    build = REFUSED[name]
    for lib in (torch, ember):
        with pytest.raises(TypeError):
            build(lib, lib.tensor(INPUT))


def test_bounds_by_keyword():
    """``random_(to=)`` draws from [0, to) and ``uniform_(from=, to=)`` from [from, to), as PyTorch's."""
    for lib in (torch, ember):
        drawn = lib.zeros(2000, dtype=lib.float64).random_(to=3).cpu().numpy()
        assert set(np.unique(drawn)) == {0.0, 1.0, 2.0}
        drawn = lib.zeros(2000, dtype=lib.float64).uniform_(**{"from": 0.5, "to": 0.75}).cpu().numpy()
        assert drawn.min() >= 0.5 and drawn.max() < 0.75 and drawn.max() - drawn.min() > 0.2


def test_torch_adaptive_max_pool1d_is_a_pair(oracle):
    """torch.adaptive_max_pool1d (not F's) gives the values and the indices."""
    x = INPUT.reshape(1, 2, 3)
    oracle.assert_same(ember.adaptive_max_pool1d(ember.tensor(x), output_size=2),
                       torch.adaptive_max_pool1d(torch.tensor(x), output_size=2))


def test_torch_instance_norm_order(oracle):
    """torch.instance_norm's positional order (weight and bias first), not F's (running stats first)."""
    oracle.check(lambda lib, x, w, b: lib.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
                 INPUT.reshape(1, 2, 3), np.array([1.0, 2.0]), np.array([0.1, 0.2]))


def test_elu_in_place_scales(oracle):
    """F.elu_'s binding's scale and input_scale, values and gradients (EluBackward1, from the result)."""
    x = np.array([-2.0, -0.5, 0.3, 1.5])
    ember_result, torch_result = oracle.check(
        lambda lib, t: lib.nn.functional.elu_(t * 1, alpha=1.3, scale=2.0, input_scale=0.7), x)
    assert type(ember_result.grad_fn).__name__ == type(torch_result.grad_fn).__name__ == "EluBackward1"


def test_rrelu_generator():
    """torch.rrelu's and F.rrelu_'s slopes come from the generator given."""
    x = ember.tensor(-INPUT)
    seeded = lambda seed: ember.Generator(x.device).manual_seed(seed)  # noqa: E731
    drawn = [ember.rrelu(x, training=True, generator=seeded(5)) for _ in range(2)]
    drawn.append(ember.nn.functional.rrelu_(x.clone(), training=True, generator=seeded(5)))
    assert all(np.array_equal(d.cpu().numpy(), drawn[0].cpu().numpy()) for d in drawn)
    other = ember.rrelu(x, training=True, generator=seeded(6))
    assert not np.array_equal(other.cpu().numpy(), drawn[0].cpu().numpy())


if __name__ == "__main__":  # the audit: every case ember refuses or answers otherwise
    for space, name, keywords in CASES:
        try:
            with torch.no_grad():
                expected = _torch_call(space, name, keywords)
            got = _call(ember, space, name, keywords)
        except Exception as error:  # noqa: BLE001 -- the audit lists it
            print(f"{space}.{name}({', '.join(keywords)}): {type(error).__name__}: {str(error)[:150]}")
    print(len(CASES), "cases")
