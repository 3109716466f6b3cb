"""What the harness measures. Each case is built once for a framework with PyTorch's API (ember and
PyTorch run the same code) and once in raw numpy, with the same math written out by hand.

A builder returns `run`, one call of the timed work; what `run` returns is what a sample waits for on
devices with queues.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

Run = Callable[[], Any]

SGD_LR = 0.01
SGD_MOMENTUM = 0.9


@dataclass(frozen=True)
class Target:
    """The goal for ember: at most `ratio` times the time of `baseline` ("torch" or "numpy")."""

    baseline: str
    ratio: float

    def __str__(self) -> str:
        return f"<= {self.ratio:g}x {self.baseline}"


@dataclass(frozen=True)
class Case:
    name: str
    target: Target | None
    framework: Callable[[ModuleType, str], Run]  # (ember or torch module, device) -> run
    numpy: Callable[[], Run]


def _arrays(*shapes: tuple[int, ...]) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.standard_normal(shape, dtype=np.float32) for shape in shapes]


# Per-op overhead on 4x4 float32 tensors: the framework op, the numpy op, and numpy's hand-written
# backward (inputs, output gradient -> input gradients).
Op = Callable[..., Any]


@dataclass(frozen=True)
class _TinyOp:
    name: str
    arity: int
    framework: Op
    numpy: Op
    numpy_backward: Callable[..., tuple[np.ndarray, ...]]
    scalar_output: bool = False


TINY_OPS = (
    _TinyOp("add", 2, lambda a, b: a + b, np.add, lambda a, b, g: (g, g)),
    _TinyOp("mul", 2, lambda a, b: a * b, np.multiply, lambda a, b, g: (g * b, g * a)),
    _TinyOp("matmul", 2, lambda a, b: a @ b, np.matmul, lambda a, b, g: (g @ b.T, a.T @ g)),
    _TinyOp(
        "sum", 1, lambda a: a.sum(), np.sum, lambda a, g: (np.full(a.shape, g, a.dtype),), scalar_output=True
    ),
    _TinyOp("relu", 1, lambda a: a.relu(), lambda a: np.maximum(a, 0), lambda a, g: (g * (a > 0),)),
)
TINY_SHAPE = (4, 4)
PER_OP_TARGET = Target("torch", 0.5)


def _tiny_forward(op: _TinyOp) -> Case:
    def framework(fw: ModuleType, device: str) -> Run:
        inputs = [fw.tensor(a, device=device) for a in _arrays(*[TINY_SHAPE] * op.arity)]
        return lambda: op.framework(*inputs)

    def numpy() -> Run:
        inputs = _arrays(*[TINY_SHAPE] * op.arity)
        return lambda: op.numpy(*inputs)

    return Case(f"{op.name} 4x4 fwd", PER_OP_TARGET, framework, numpy)


def _tiny_forward_backward(op: _TinyOp) -> Case:
    def framework(fw: ModuleType, device: str) -> Run:
        inputs = [fw.tensor(a, device=device, requires_grad=True) for a in _arrays(*[TINY_SHAPE] * op.arity)]
        grad = None if op.scalar_output else fw.ones(TINY_SHAPE, device=device)

        def run() -> Any:
            for x in inputs:
                x.grad = None
            op.framework(*inputs).backward(grad)
            return inputs[0].grad

        return run

    def numpy() -> Run:
        inputs = _arrays(*[TINY_SHAPE] * op.arity)
        grad = np.float32(1.0) if op.scalar_output else np.ones(TINY_SHAPE, np.float32)

        def run() -> Any:
            op.numpy(*inputs)
            return op.numpy_backward(*inputs, grad)

        return run

    return Case(f"{op.name} 4x4 fwd+bwd", PER_OP_TARGET, framework, numpy)


# A training step of a 784-256-10 MLP: forward, cross-entropy, backward, SGD with momentum.
MLP_SIZES = (784, 256, 10)


def _mlp_data(batch: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Weights and biases (PyTorch's Linear layout), inputs and integer labels, the same for all."""
    n_in, n_hidden, n_out = MLP_SIZES
    rng = np.random.default_rng(0)

    def uniform(shape: tuple[int, ...], fan_in: int) -> np.ndarray:
        bound = 1.0 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, shape).astype(np.float32)

    params = [
        uniform((n_hidden, n_in), n_in),
        uniform((n_hidden,), n_in),
        uniform((n_out, n_hidden), n_hidden),
        uniform((n_out,), n_hidden),
    ]
    x = rng.standard_normal((batch, n_in), dtype=np.float32)
    y = rng.integers(0, n_out, batch)
    return params, x, y


def mlp_step(fw: ModuleType, device: str, batch: int) -> Run:
    """One training step of the MLP with PyTorch's API (ember or PyTorch): the timed work, and what
    run.py profiles to count kernel calls per step."""
    params, x_values, y_values = _mlp_data(batch)
    n_in, n_hidden, n_out = MLP_SIZES
    model = fw.nn.Sequential(fw.nn.Linear(n_in, n_hidden), fw.nn.ReLU(), fw.nn.Linear(n_hidden, n_out))
    model = model.to(device)
    with fw.no_grad():
        for parameter, value in zip(model.parameters(), params):
            parameter.copy_(fw.tensor(value, device=device))
    loss_fn = fw.nn.CrossEntropyLoss()
    optimizer = fw.optim.SGD(model.parameters(), lr=SGD_LR, momentum=SGD_MOMENTUM)
    x = fw.tensor(x_values, device=device)
    y = fw.tensor(y_values, device=device)

    def run() -> Any:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return run


def _mlp_step(batch: int, target: Target) -> Case:
    def framework(fw: ModuleType, device: str) -> Run:
        return mlp_step(fw, device, batch)

    def numpy() -> Run:
        params, x, y = _mlp_data(batch)
        w1, b1, w2, b2 = params
        momentum_buffers: list[np.ndarray] = []
        rows = np.arange(batch)

        def run() -> Any:
            hidden = x @ w1.T + b1
            activation = np.maximum(hidden, 0)
            logits = activation @ w2.T + b2
            # mean cross-entropy through a stable log-softmax
            shifted = logits - logits.max(axis=1, keepdims=True)
            exp = np.exp(shifted)
            exp_sum = exp.sum(axis=1, keepdims=True)
            loss = -(shifted[rows, y] - np.log(exp_sum[:, 0])).mean()
            # d loss / d logits = (softmax - one_hot) / batch
            grad_logits = exp / exp_sum
            grad_logits[rows, y] -= 1
            grad_logits /= batch
            grad_activation = grad_logits @ w2
            grad_hidden = grad_activation * (hidden > 0)
            grads = [grad_hidden.T @ x, grad_hidden.sum(0), grad_logits.T @ activation, grad_logits.sum(0)]
            # PyTorch's SGD: buf = momentum * buf + grad (buf = grad on the first step); p -= lr * buf
            if not momentum_buffers:
                momentum_buffers.extend(g.copy() for g in grads)
            else:
                for buf, g in zip(momentum_buffers, grads):
                    buf *= SGD_MOMENTUM
                    buf += g
            for p, buf in zip(params, momentum_buffers):
                p -= SGD_LR * buf
            return loss

        return run

    return Case(f"mlp 784-256-10 step b{batch}", target, framework, numpy)


# One large matmul, forward and backward: BLAS time, where the framework's overhead should vanish.
MATMUL_SIZE = 1024


def _big_matmul() -> Case:
    shape = (MATMUL_SIZE, MATMUL_SIZE)

    def framework(fw: ModuleType, device: str) -> Run:
        a, b = (fw.tensor(v, device=device, requires_grad=True) for v in _arrays(shape, shape))
        grad = fw.ones(shape, device=device)

        def run() -> Any:
            a.grad = None
            b.grad = None
            (a @ b).backward(grad)
            return a.grad

        return run

    def numpy() -> Run:
        a, b = _arrays(shape, shape)
        grad = np.ones(shape, np.float32)

        def run() -> Any:
            np.matmul(a, b)
            return grad @ b.T, a.T @ grad

        return run

    return Case(f"matmul {MATMUL_SIZE}x{MATMUL_SIZE} fwd+bwd", Target("numpy", 1.05), framework, numpy)


# Device backends (issue 8): a fused-size elementwise expression on 4M float32, and GEMM forward alone.
def _mul_add_4m() -> Case:
    shape = (4 * 1024 * 1024,)

    def framework(fw: ModuleType, device: str) -> Run:
        a, b = (fw.tensor(v, device=device) for v in _arrays(shape, shape))
        return lambda: a * b + a

    def numpy() -> Run:
        a, b = _arrays(shape, shape)
        return lambda: a * b + a

    return Case("a*b+a 4M float32", Target("numpy", 2.0), framework, numpy)


def _gemm(size: int) -> Case:
    def framework(fw: ModuleType, device: str) -> Run:
        a, b = (fw.tensor(v, device=device) for v in _arrays((size, size), (size, size)))
        return lambda: a @ b

    def numpy() -> Run:
        a, b = _arrays((size, size), (size, size))
        return lambda: a @ b

    return Case(f"gemm {size}^3 fwd", Target("numpy", 4.0), framework, numpy)


# einsum on 1M-element operands against np.einsum: matmul-like (one bmm) and reduction-like (a sum).
def _einsum(equation: str, *shapes: tuple[int, ...]) -> Case:
    def framework(fw: ModuleType, device: str) -> Run:
        operands = [fw.tensor(v, device=device) for v in _arrays(*shapes)]
        return lambda: fw.einsum(equation, *operands)

    def numpy() -> Run:
        operands = _arrays(*shapes)
        return lambda: np.einsum(equation, *operands)

    return Case(f"einsum {equation} {' '.join('x'.join(map(str, s)) for s in shapes)}", Target("numpy", 1.5),
                framework, numpy)


# New ops on 1M float32 elements against numpy's own function for the same result: each elementwise op
# <= 1.2x its ufunc; the scans, the sort, gather and scatter_add <= 1.5x their numpy equivalents.
LARGE = 1_000_000
_Million = Callable[[Any, Any, Any], Any]  # (library, input, second input) -> result


def _million(name: str, framework_op: _Million, numpy_op: _Million, ratio: float, low: float = -0.9,
             high: float = 0.9, dtype: str = "float32", second: np.ndarray | None = None) -> Case:
    """`second` (default: the input rolled by one) is made a tensor once, outside the timed call."""
    def inputs() -> tuple[np.ndarray, np.ndarray]:
        x = np.random.default_rng(0).uniform(low, high, LARGE)
        x = x.astype(dtype) if dtype != "int32" else (x * 1000).astype(np.int32)
        return x, np.roll(x, 1) if second is None else second

    def framework(fw: ModuleType, device: str) -> Run:
        x, y = (fw.tensor(v, device=device) for v in inputs())
        return lambda: framework_op(fw, x, y)

    def numpy() -> Run:
        x, y = inputs()
        return lambda: numpy_op(np, x, y)

    return Case(f"{name} 1M", Target("numpy", ratio), framework, numpy)


def _elementwise(name: str, ufunc: str, low: float = -0.9, high: float = 0.9) -> Case:
    return _million(name, lambda fw, x, _: getattr(fw, name)(x), lambda np_, x, _: getattr(np_, ufunc)(x), 1.2,
                    low, high)


def _binary(name: str, ufunc: str, dtype: str = "float32") -> Case:
    return _million(name, lambda fw, x, y: getattr(fw, name)(x, y), lambda np_, x, y: getattr(np_, ufunc)(x, y),
                    1.2, 0.1, 0.9, dtype)


_INDEX = np.random.default_rng(1).integers(0, LARGE, LARGE)
_ELEMENTWISE_1M = (
    _elementwise("exp2", "exp2"), _elementwise("expm1", "expm1"), _elementwise("log1p", "log1p", 0.1),
    _elementwise("tan", "tan"), _elementwise("asin", "arcsin"), _elementwise("atan", "arctan"),
    _elementwise("sinh", "sinh"), _elementwise("asinh", "arcsinh"), _elementwise("floor", "floor"),
    _elementwise("round", "round"), _elementwise("trunc", "trunc"),
    _binary("atan2", "arctan2"), _binary("hypot", "hypot"), _binary("logaddexp", "logaddexp"),
    _binary("remainder", "remainder"), _binary("floor_divide", "floor_divide"),
    _binary("bitwise_and", "bitwise_and", "int32"),
)
_SCANS_1M = (
    _million("cumsum", lambda fw, x, _: fw.cumsum(x, 0), lambda np_, x, _: np_.cumsum(x), 1.5),
    _million("cumprod", lambda fw, x, _: fw.cumprod(x, 0), lambda np_, x, _: np_.cumprod(x), 1.5, 0.999, 1.001),
    # torch.sort returns values and indices: numpy's equivalent is a stable argsort and the take.
    _million("sort", lambda fw, x, _: fw.sort(x, stable=True),
             lambda np_, x, _: (lambda i: (x[i], i))(np_.argsort(x, kind="stable")), 1.5),
    _million("gather", lambda fw, x, i: fw.gather(x, 0, i), lambda np_, x, i: np_.take_along_axis(x, i, 0), 1.5,
             second=_INDEX),
    _million("scatter_add", lambda fw, x, i: fw.zeros(LARGE).scatter_add(0, i, x),
             lambda np_, x, i: _numpy_scatter_add(x, i), 1.5, second=_INDEX),
)


def _numpy_scatter_add(x: np.ndarray, index: np.ndarray) -> np.ndarray:
    out = np.zeros(LARGE, dtype=x.dtype)
    np.add.at(out, index, x)
    return out


# A chain of 125 small ops (25 rounds of mul, add, tanh, sub, exp on 4x4 float32) and its backward:
# the per-op cost of recording and of the engine, where the arithmetic is negligible.
CHAIN_ROUNDS = 25


def _chain() -> Case:
    def framework(fw: ModuleType, device: str) -> Run:
        x_value, w_value = _arrays(TINY_SHAPE, TINY_SHAPE)
        x = fw.tensor(x_value, device=device, requires_grad=True)
        w = fw.tensor(w_value * 0.1, device=device)

        def run() -> Any:
            x.grad = None
            y = x
            for _ in range(CHAIN_ROUNDS):
                y = ((y * w + 0.5).tanh() - w).exp()
            y.sum().backward()
            return x.grad

        return run

    def numpy() -> Run:
        x, w = _arrays(TINY_SHAPE, TINY_SHAPE)
        w = w * 0.1

        def run() -> Any:
            tanhs, exps, y = [], [], x
            for _ in range(CHAIN_ROUNDS):
                t = np.tanh(y * w + 0.5)
                y = np.exp(t - w)
                tanhs.append(t)
                exps.append(y)
            y.sum()
            g = np.ones_like(y)
            for t, e in zip(reversed(tanhs), reversed(exps)):
                g = g * e * (1 - t * t) * w
            return g

        return run

    return Case(f"chain of {5 * CHAIN_ROUNDS} ops 4x4 fwd+bwd", Target("torch", 0.8), framework, numpy)


CASES: tuple[Case, ...] = (
    *(_tiny_forward(op) for op in TINY_OPS),
    *(_tiny_forward_backward(op) for op in TINY_OPS),
    _chain(),
    _mlp_step(64, Target("numpy", 1.10)),
    _mlp_step(512, Target("numpy", 1.05)),
    _big_matmul(),
    _mul_add_4m(),
    _gemm(512),
    _gemm(1024),
    _einsum("ij,jk->ik", (1000, 1000), (1000, 1000)),
    _einsum("ij->j", (1000, 1000)),
    _einsum("ij,ij->i", (1000, 1000), (1000, 1000)),
    _einsum("ij->i", (1000, 1000)),
    *_ELEMENTWISE_1M,
    *_SCANS_1M,
)
