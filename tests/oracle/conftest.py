"""Shared machinery of the oracle tests: run one expression in ember and in PyTorch on the same numpy
inputs, then compare values, dtypes, shapes and the gradients of a random upstream gradient."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from outcomes import settled

# Tolerances by the dtype being compared: float32 kernels may sum in another order than PyTorch's.
TOLERANCES = {
    "float16": {"rtol": 1e-2, "atol": 1e-3},
    "float32": {"rtol": 1e-4, "atol": 1e-5},
    "float64": {"rtol": 1e-7, "atol": 1e-10},
}

# Layouts a leaf can be viewed through before an op sees it; all but "contiguous" give non-contiguous
# views, and "offset_permuted" is a view of a view with a storage offset (`a[1:].permute(...)`).
LAYOUTS = ("contiguous", "transposed", "stepped", "offset_permuted")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "oracle: compares ember with PyTorch on the same inputs (needs torch)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With a default device other than the CPU (EMBER_DEFAULT_DEVICE=opencl), the tests of CPU-only
    semantics skip, so do those a stand-in device cannot show and those of CPU results PyTorch does not give on
    that device either, and the divergences known on that device are strict xfails (device_divergences.py)."""
    from device_divergences import CPU_ONLY, CPU_RESULTS, KNOWN, STAND_IN

    import ember

    device_type = ember.get_default_device().type
    if device_type == "cpu":
        return
    known, stand_in, cpu_results = (table.get(device_type, {}) for table in (KNOWN, STAND_IN, CPU_RESULTS))
    for item in items:
        test = item.nodeid.split("::", 1)[-1]
        name = test.split("[", 1)[0]
        module = item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
        reason = CPU_ONLY.get(f"{module}::{name}")
        limit, cpu_result = (next((table[key] for key in (module, f"{module}::{name}", f"{module}::{test}")
                                   if key in table), None) for table in (stand_in, cpu_results))
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=f"CPU-only semantics: {reason}"))
        elif limit is not None:
            item.add_marker(pytest.mark.skip(reason=f"not shown by the {device_type} stand-in: {limit}"))
        elif cpu_result is not None:
            item.add_marker(pytest.mark.skip(reason=f"PyTorch's CPU result, not its {device_type} one: {cpu_result}"))
        elif f"{module}::{test}" in known:
            item.add_marker(pytest.mark.xfail(reason=known[f"{module}::{test}"], strict=True))


def dtype_name(dtype: Any) -> str:
    """`float32` for both `ember.float32` and `torch.float32`."""
    return repr(dtype).rsplit(".", 1)[-1]


class Oracle:
    """Builds ember/PyTorch tensor pairs from numpy arrays and compares what both libraries compute."""

    layouts = LAYOUTS

    def __init__(self, ember: Any, torch: Any) -> None:
        self.ember = ember
        self.torch = torch

    # --- inputs -------------------------------------------------------------------------------------

    @staticmethod
    def rng(seed: int = 0) -> np.random.Generator:
        return np.random.default_rng(seed)

    @staticmethod
    def array(
        rng: np.random.Generator, shape: Sequence[int], dtype: str = "float32", domain: str = "real"
    ) -> np.ndarray:
        """Random values of `domain`: "real" (|x| in [0.25, 2], away from the kinks of abs/relu/clamp),
        "positive" ([0.5, 2]), "unit" ((0.05, 0.95), probabilities), "any" (standard normal),
        "small_int" (integers in [-4, 4]), "positive_int" ([1, 4]) or "bool"."""
        shape = tuple(shape)
        if domain == "bool":
            return rng.random(shape) < 0.5
        if domain == "small_int":
            return rng.integers(-4, 5, size=shape).astype(dtype)
        if domain == "positive_int":
            return rng.integers(1, 5, size=shape).astype(dtype)
        if domain == "any":
            values = rng.standard_normal(shape)
        elif domain == "real":
            values = rng.uniform(0.25, 2.0, shape) * rng.choice([-1.0, 1.0], size=shape)
        elif domain == "positive":
            values = rng.uniform(0.5, 2.0, shape)
        elif domain == "unit":
            values = rng.uniform(0.05, 0.95, shape)
        else:
            raise ValueError(f"unknown domain {domain!r}")
        return np.asarray(values, dtype=dtype)

    def pair(self, array: np.ndarray, requires_grad: bool | None = None) -> tuple[Any, Any]:
        """The same numpy array as an ember tensor and a torch tensor (floating arrays require grad)."""
        if requires_grad is None:
            requires_grad = np.issubdtype(array.dtype, np.floating)
        return (
            self.ember.tensor(array, requires_grad=requires_grad),
            self.torch.tensor(array, requires_grad=requires_grad),
        )

    @staticmethod
    def leaf_shape(shape: Sequence[int], layout: str) -> tuple[int, ...]:
        """Shape of the leaf that `view_as_layout` turns into a view of `shape`."""
        shape = tuple(shape)
        if layout == "contiguous" or not shape:
            return shape
        if layout == "transposed":
            return shape[::-1]
        if layout == "stepped":
            return shape[:-1] + (2 * shape[-1],)
        if layout == "offset_permuted":
            reversed_shape = shape[::-1]
            return (reversed_shape[0] + 1,) + reversed_shape[1:]
        raise ValueError(f"unknown layout {layout!r}")

    @staticmethod
    def view_as_layout(tensor: Any, layout: str) -> Any:
        """A view of a `leaf_shape(shape, layout)` tensor with shape `shape` (works for ember and torch)."""
        if layout == "contiguous" or tensor.dim() == 0:
            return tensor
        reverse = tuple(range(tensor.dim() - 1, -1, -1))
        if layout == "transposed":
            return tensor.permute(*reverse)
        if layout == "stepped":
            return tensor[..., ::2]
        if layout == "offset_permuted":
            return tensor[1:].permute(*reverse)
        raise ValueError(f"unknown layout {layout!r}")

    def layout_array(
        self,
        rng: np.random.Generator,
        shape: Sequence[int],
        layout: str,
        dtype: str = "float32",
        domain: str = "real",
    ) -> np.ndarray:
        return self.array(rng, self.leaf_shape(shape, layout), dtype, domain)

    # --- comparison ---------------------------------------------------------------------------------

    def assert_same(self, got: Any, expected: Any, what: str = "result", **tolerance: float) -> None:
        """`got` (ember) equals `expected` (torch): same structure, shape, dtype and values."""
        if isinstance(expected, (tuple, list)):
            assert isinstance(got, (tuple, list)), f"{what}: expected a sequence, got {type(got).__name__}"
            assert len(got) == len(expected), f"{what}: expected {len(expected)} results, got {len(got)}"
            for index, (g, e) in enumerate(zip(got, expected)):
                self.assert_same(g, e, f"{what}[{index}]", **tolerance)
            return
        if expected is None:
            assert got is None, f"{what}: expected None, got {got!r}"
            return
        if not isinstance(expected, self.torch.Tensor):
            assert got == pytest.approx(expected), f"{what}: expected {expected!r}, got {got!r}"
            return
        assert isinstance(got, self.ember.Tensor), (
            f"{what}: expected an ember.Tensor, got {type(got).__name__}"
        )
        assert tuple(got.shape) == tuple(expected.shape), (
            f"{what}: shape {tuple(got.shape)}, expected {tuple(expected.shape)}"
        )
        assert dtype_name(got.dtype) == dtype_name(expected.dtype), (
            f"{what}: dtype {dtype_name(got.dtype)}, expected {dtype_name(expected.dtype)}"
        )
        got_values = np.asarray(got.detach().cpu().numpy())
        expected_values = expected.detach().cpu().numpy()
        if expected.dtype.is_floating_point:
            tol = {**TOLERANCES[dtype_name(expected.dtype)], **tolerance}
            np.testing.assert_allclose(got_values, expected_values, err_msg=what, equal_nan=True, **tol)
        else:
            np.testing.assert_array_equal(got_values, expected_values, err_msg=what)

    def check(
        self,
        fn: Callable[..., Any],
        *arrays: np.ndarray,
        grad: bool = True,
        seed: int = 0,
        **tolerance: float,
    ) -> tuple[Any, Any]:
        """Run `fn(lib, *leaves)` with lib = ember and lib = torch on the same arrays and compare the
        results; then (if `grad`) backpropagate the same random upstream gradient through every
        differentiable result and compare the leaves' gradients. Returns (ember result, torch result)."""
        pairs = [self.pair(array, requires_grad=None if grad else False) for array in arrays]
        ember_leaves = [p[0] for p in pairs]
        torch_leaves = [p[1] for p in pairs]
        torch_result = fn(self.torch, *torch_leaves)
        ember_result = fn(self.ember, *ember_leaves)
        self.assert_same(ember_result, torch_result, **tolerance)
        torch_outputs = _flatten(torch_result)
        ember_outputs = _flatten(ember_result)
        for index, (e, t) in enumerate(zip(ember_outputs, torch_outputs)):
            assert e.requires_grad == t.requires_grad, (
                f"result[{index}].requires_grad is {e.requires_grad}, expected {t.requires_grad}"
            )
        if not grad:
            return ember_result, torch_result
        differentiable = [i for i, t in enumerate(torch_outputs) if t.requires_grad]
        if not differentiable:
            return ember_result, torch_result
        rng = self.rng(seed + 1)
        upstream = [
            self.array(rng, torch_outputs[i].shape, dtype_name(torch_outputs[i].dtype), "any")
            for i in differentiable
        ]
        self.torch.autograd.backward(
            [torch_outputs[i] for i in differentiable], [self.torch.tensor(g) for g in upstream]
        )
        if len(differentiable) == 1:
            ember_outputs[differentiable[0]].backward(self.ember.tensor(upstream[0]))
        else:
            self.ember.autograd.backward(
                [ember_outputs[i] for i in differentiable], [self.ember.tensor(g) for g in upstream]
            )
        for index, (e, t) in enumerate(zip(ember_leaves, torch_leaves)):
            self.assert_same(e.grad, t.grad, f"grad of input {index}", **tolerance)
        return ember_result, torch_result

    def check_forward(self, fn: Callable[..., Any], *arrays: np.ndarray, **tolerance: float) -> None:
        """`fn(lib, *tensors)` (no grad) gives ember the result torch gives (dtype included), or raises the
        exception type torch raises. A dtype torch has no kernel for (NotImplementedError) is skipped:
        PyTorch's kernel gaps are not behaviour to copy."""
        torch_inputs = [self.torch.tensor(array) for array in arrays]
        ember_inputs = [self.ember.tensor(array) for array in arrays]
        try:
            expected = fn(self.torch, *torch_inputs)
        except NotImplementedError as gap:
            pytest.skip(f"torch has no kernel here: {gap}")
        except Exception as error:
            with pytest.raises(type(error)):
                settled(fn(self.ember, *ember_inputs))
            return
        self.assert_same(fn(self.ember, *ember_inputs), expected, **tolerance)

    def check_raises(self, fn: Callable[..., Any], *arrays: np.ndarray) -> type[BaseException]:
        """`fn` raises in torch, and ember raises the same exception type. Returns that type."""
        pairs = [self.pair(array, requires_grad=False) for array in arrays]
        with pytest.raises(Exception) as torch_error:
            fn(self.torch, *[p[1] for p in pairs])
        with pytest.raises(torch_error.type):
            settled(fn(self.ember, *[p[0] for p in pairs]))
        return torch_error.type

    def copy_parameters(self, torch_module: Any, ember_module: Any) -> None:
        """Give `ember_module` the values of `torch_module`'s parameters (same names, same order)."""
        torch_parameters = dict(torch_module.named_parameters())
        ember_parameters = dict(ember_module.named_parameters())
        assert list(ember_parameters) == list(torch_parameters)
        with self.ember.no_grad():
            for name, p_t in torch_parameters.items():
                ember_parameters[name].copy_(self.ember.tensor(p_t.detach().cpu().numpy()))

    def raises_alike(self, build: Callable[[Any], Any]) -> None:
        """`build(torch)` raises, and `build(ember)` raises the same type with the same message (ember's
        dtypes print as ``ember.float32`` where PyTorch's print ``torch.float32``)."""
        with pytest.raises(Exception) as expected:
            build(self.torch)
        with pytest.raises(type(expected.value)) as got:
            build(self.ember)
        assert str(got.value) == str(expected.value).replace("torch.", "ember.")

    def grad_fn_name(self, tensor: Any) -> str | None:
        return None if tensor.grad_fn is None else type(tensor.grad_fn).__name__


def _flatten(result: Any) -> list[Any]:
    if isinstance(result, (tuple, list)):
        return [t for item in result for t in _flatten(item)]
    return [result]


@pytest.fixture(scope="session")
def oracle() -> Oracle:
    torch = pytest.importorskip("torch")
    import ember

    torch.manual_seed(0)
    torch.set_num_threads(1)  # tiny tensors: threads only add overhead on a small machine
    return Oracle(ember, torch)
