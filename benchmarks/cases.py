"""What the harness measures. Each case is built once for a framework with PyTorch's API (ember and
PyTorch run the same code) and once in raw numpy, with the same math written out by hand.

A builder returns `run`, one call of the timed work; what `run` returns is what a sample waits for on
devices with queues.
"""

from __future__ import annotations

import math
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
    numpy: Callable[[], Run] | None  # None: no hand-written numpy reference for this case


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


def hand_written_mlp_step(xp: ModuleType, batch: int) -> Run:
    """The MLP step written by hand with array module `xp` (numpy, or cupy for the CUDA benchmarks)."""
    host_params, host_x, host_y = _mlp_data(batch)
    params = [xp.asarray(p) for p in host_params]
    x, y = xp.asarray(host_x), xp.asarray(host_y)
    w1, b1, w2, b2 = params
    momentum_buffers: list[Any] = []
    rows = xp.arange(batch)

    def run() -> Any:
        hidden = x @ w1.T + b1
        activation = xp.maximum(hidden, 0)
        logits = activation @ w2.T + b2
        # mean cross-entropy through a stable log-softmax
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = xp.exp(shifted)
        exp_sum = exp.sum(axis=1, keepdims=True)
        loss = -(shifted[rows, y] - xp.log(exp_sum[:, 0])).mean()
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


def _mlp_step(batch: int, target: Target) -> Case:
    def framework(fw: ModuleType, device: str) -> Run:
        return mlp_step(fw, device, batch)

    return Case(f"mlp 784-256-10 step b{batch}", target, framework, lambda: hand_written_mlp_step(np, batch))


# One large matmul, forward and backward: BLAS time, where the framework's overhead should vanish.
MATMUL_SIZE = 1024


def matmul_step(size: int) -> Callable[[ModuleType, str], Run]:
    """A framework's (size, size) float32 matmul forward and backward (the gradients of both operands)."""
    shape = (size, size)

    def framework(fw: ModuleType, device: str) -> Run:
        a, b = (fw.tensor(v, device=device, requires_grad=True) for v in _arrays(shape, shape))
        grad = fw.ones(shape, device=device)

        def run() -> Any:
            a.grad = None
            b.grad = None
            (a @ b).backward(grad)
            return a.grad

        return run

    return framework


def hand_written_matmul_step(xp: ModuleType, size: int) -> Run:
    """The same matmul forward and backward in an array library (numpy or cupy) by hand."""
    a, b = (xp.asarray(v) for v in _arrays((size, size), (size, size)))
    grad = xp.ones((size, size), np.float32)

    def run() -> Any:
        xp.matmul(a, b)
        return grad @ b.T, a.T @ grad

    return run


def _big_matmul() -> Case:
    framework = matmul_step(MATMUL_SIZE)
    return Case(f"matmul {MATMUL_SIZE}x{MATMUL_SIZE} fwd+bwd", Target("numpy", 1.05), framework,
                lambda: hand_written_matmul_step(np, MATMUL_SIZE))


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
# <= 1.2x its ufunc; the scans, the sort, gather and scatter_add <= 1.5x their numpy equivalents. An op
# numpy has no function for is held to PyTorch's time instead.
LARGE = 1_000_000
_Million = Callable[[Any, Any, Any], Any]  # (library, input, second input) -> result


def _million(name: str, framework_op: _Million, numpy_op: _Million | None, ratio: float, low: float = -0.9,
             high: float = 0.9, dtype: str = "float32", second: np.ndarray | None = None) -> Case:
    """`second` (default: the input rolled by one) is made a tensor once, outside the timed call; without
    `numpy_op` the target is `ratio` times PyTorch's time."""
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

    if numpy_op is None:
        return Case(f"{name} 1M", Target("torch", ratio), framework, None)
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
    # ops without a numpy ufunc, against numpy's expression of the same formula: lerp with a number weight (an
    # exponential moving average: ember rounds each step, as PyTorch's CPU kernel at its default capability) and
    # addcmul
    _million("lerp", lambda fw, x, y: fw.lerp(x, y, 0.3), lambda np_, x, y: x + np_.float32(0.3) * (y - x), 1.2),
    _million("addcmul", lambda fw, x, y: fw.addcmul(x, y, x, value=0.5),
             lambda np_, x, y: x + np_.float32(0.5) * y * x, 1.2),
)
_SCANS_1M = (
    _million("cumsum", lambda fw, x, _: fw.cumsum(x, 0), lambda np_, x, _: np_.cumsum(x), 1.5),
    _million("cumprod", lambda fw, x, _: fw.cumprod(x, 0), lambda np_, x, _: np_.cumprod(x), 1.5, 0.999, 1.001),
    # torch.sort returns values and indices: numpy's equivalent is a stable argsort and the take.
    _million("sort", lambda fw, x, _: fw.sort(x, stable=True),
             lambda np_, x, _: (lambda i: (x[i], i))(np_.argsort(x, kind="stable")), 1.5),
    _million("gather", lambda fw, x, i: fw.gather(x, 0, i), lambda np_, x, i: np_.take_along_axis(x, i, 0), 1.5,
             second=_INDEX),
    _million("scatter_add", lambda fw, x, i: fw.zeros(LARGE, device=x.device).scatter_add(0, i, x),
             lambda np_, x, i: _numpy_scatter_add(x, i), 1.5, second=_INDEX),
)


# The regularized lower incomplete gamma function (no numpy equivalent) of a in (0.1, 20) and x in (0, 20),
# where its power series and its continued fraction each take about half the elements: <= 3x PyTorch.
def _gammainc(dtype: str) -> Case:
    x = np.random.default_rng(1).uniform(0, 20, LARGE).astype(dtype)
    name = "special.gammainc" if dtype == "float32" else f"special.gammainc {dtype}"
    return _million(name, lambda fw, a, x: fw.special.gammainc(a, x), None, 3.0, 0.1, 20, dtype, x)


_SPECIAL_1M = (_gammainc("float32"), _gammainc("float64"))


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


# One LSTM(256 -> 256) forward and backward (of the outputs' sum) over 32 sequences of 64 steps (issue 10).
LSTM_SIZES = (64, 32, 256, 256)  # length, batch, input size, hidden size


def _lstm_data() -> tuple[np.ndarray, list[np.ndarray]]:
    length, batch, n_in, hidden = LSTM_SIZES
    rng = np.random.default_rng(0)
    bound = 1 / np.sqrt(hidden)
    weights = [rng.uniform(-bound, bound, shape).astype(np.float32)
               for shape in ((4 * hidden, n_in), (4 * hidden, hidden), (4 * hidden,), (4 * hidden,))]
    return rng.standard_normal((length, batch, n_in), dtype=np.float32), weights


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _lstm() -> Case:
    def framework(fw: ModuleType, device: str) -> Run:
        x_values, weights = _lstm_data()
        lstm = fw.nn.LSTM(LSTM_SIZES[2], LSTM_SIZES[3]).to(device)
        with fw.no_grad():
            for parameter, value in zip(lstm.parameters(), weights):
                parameter.copy_(fw.tensor(value, device=device))
        x = fw.tensor(x_values, device=device, requires_grad=True)

        def run() -> Any:
            x.grad = None
            lstm.zero_grad()
            output, _ = lstm(x)
            output.sum().backward()
            return x.grad

        return run

    def numpy() -> Run:
        x, (w_ih, w_hh, b_ih, b_hh) = _lstm_data()
        length, batch, n_in, hidden = LSTM_SIZES

        def run() -> Any:
            projected = x @ w_ih.T + (b_ih + b_hh)
            h, c = np.zeros((batch, hidden), np.float32), np.zeros((batch, hidden), np.float32)
            saved = []
            for t in range(length):  # gates i, f, g, o
                gates = projected[t] + h @ w_hh.T
                i, f, o = (_sigmoid(gates[:, k * hidden:(k + 1) * hidden]) for k in (0, 1, 3))
                g = np.tanh(gates[:, 2 * hidden:3 * hidden])
                c_prev, h_prev = c, h
                c = f * c + i * g
                tanh_c = np.tanh(c)
                h = o * tanh_c
                saved.append((i, f, g, o, c_prev, h_prev, tanh_c))
            grad_gates = np.empty((length, batch, 4 * hidden), np.float32)
            grad_w_hh = np.zeros_like(w_hh)
            grad_h, grad_c = np.zeros((batch, hidden), np.float32), np.zeros((batch, hidden), np.float32)
            for t in reversed(range(length)):
                i, f, g, o, c_prev, h_prev, tanh_c = saved[t]
                grad_h = grad_h + 1  # d(sum of outputs)/d h_t
                grad_c = grad_c + grad_h * o * (1 - tanh_c * tanh_c)
                step = grad_gates[t]
                step[:, :hidden] = grad_c * g * i * (1 - i)
                step[:, hidden:2 * hidden] = grad_c * c_prev * f * (1 - f)
                step[:, 2 * hidden:3 * hidden] = grad_c * i * (1 - g * g)
                step[:, 3 * hidden:] = grad_h * tanh_c * o * (1 - o)
                grad_w_hh += step.T @ h_prev
                grad_h, grad_c = step @ w_hh, grad_c * f
            flat = grad_gates.reshape(-1, 4 * hidden)
            return flat @ w_ih, flat.T @ x.reshape(-1, n_in), flat.sum(0), grad_w_hh

        return run

    length, batch, n_in, hidden = LSTM_SIZES
    return Case(f"lstm {n_in}->{hidden} L{length} b{batch} fwd+bwd", Target("torch", 2.0), framework, numpy)


# The data pipeline (issue 10): a DataLoader over scikit-learn's digits (1797 8x8 images), as a training
# loop reads it. The loader must keep a small model's step fed: its time per batch next to the step's.
DIGITS_BATCH = 64


def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.images[:, None] / 16).astype(np.float32), digits.target.astype(np.int64)


def _digits_loader(workers: int) -> Case:
    """One batch from a shuffling DataLoader with persistent workers (epochs roll over inside the timing),
    against numpy slicing a permutation's batches out of the arrays."""
    def framework(fw: ModuleType, device: str) -> Run:
        images, labels = (fw.tensor(a) for a in _digits())
        loader = fw.utils.data.DataLoader(
            fw.utils.data.TensorDataset(images, labels), batch_size=DIGITS_BATCH, shuffle=True,
            num_workers=workers, persistent_workers=workers > 0, generator=fw.Generator().manual_seed(0))
        batches = (batch for _ in iter(int, 1) for batch in loader)
        return lambda: next(batches)

    def numpy() -> Run:
        images, labels = _digits()
        rng = np.random.default_rng(0)

        def epoch() -> Any:
            order = rng.permutation(len(images))
            for start in range(0, len(order), DIGITS_BATCH):
                rows = order[start:start + DIGITS_BATCH]
                yield images[rows], labels[rows]
        batches = (batch for _ in iter(int, 1) for batch in epoch())
        return lambda: next(batches)

    return Case(f"digits loader {workers} workers b{DIGITS_BATCH}", Target("torch", 1.0), framework, numpy)


def _digits_step() -> Case:
    """The step the loader feeds: Linear(64, 128) - ReLU - Linear(128, 10), cross-entropy, SGD, on a
    digits batch (a lower bound on a small CNN's step, so the loader's share is an upper bound)."""
    def framework(fw: ModuleType, device: str) -> Run:
        images, labels = _digits()
        fw.manual_seed(0)
        model = fw.nn.Sequential(fw.nn.Flatten(), fw.nn.Linear(64, 128), fw.nn.ReLU(), fw.nn.Linear(128, 10))
        model = model.to(device)
        optimizer = fw.optim.SGD(model.parameters(), lr=SGD_LR, momentum=SGD_MOMENTUM)
        x = fw.tensor(images[:DIGITS_BATCH], device=device)
        y = fw.tensor(labels[:DIGITS_BATCH], device=device)
        loss_fn = fw.nn.CrossEntropyLoss()

        def run() -> Any:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            return loss
        return run

    def numpy() -> Run:
        images, labels = _digits()
        rng = np.random.default_rng(0)
        w1 = rng.uniform(-0.1, 0.1, (128, 64)).astype(np.float32)
        w2 = rng.uniform(-0.1, 0.1, (10, 128)).astype(np.float32)
        x, y = images[:DIGITS_BATCH].reshape(DIGITS_BATCH, 64), labels[:DIGITS_BATCH]
        rows = np.arange(DIGITS_BATCH)

        def run() -> Any:
            hidden = x @ w1.T
            activation = np.maximum(hidden, 0)
            logits = activation @ w2.T
            exp = np.exp(logits - logits.max(axis=1, keepdims=True))
            grad_logits = exp / exp.sum(axis=1, keepdims=True)
            grad_logits[rows, y] -= 1
            grad_logits /= DIGITS_BATCH
            grad_hidden = (grad_logits @ w2) * (hidden > 0)
            np.subtract(w2, SGD_LR * (grad_logits.T @ activation), out=w2)
            np.subtract(w1, SGD_LR * (grad_hidden.T @ x), out=w1)
            return w1
        return run

    return Case(f"digits mlp 64-128-10 step b{DIGITS_BATCH}", None, framework, numpy)


def _digits_cnn_step() -> Case:
    """One training step of examples/train_digits_cnn.py's CNN (two conv-BN-ReLU-pool blocks, dropout, a
    linear head; cross-entropy, AdamW) on a digits batch: issue 10's CNN step, <= 2x PyTorch. No numpy
    column: a hand-written BatchNorm/Adam CNN step would be a second implementation to trust."""
    def framework(fw: ModuleType, device: str) -> Run:
        images, labels = _digits()
        fw.manual_seed(0)
        nn = fw.nn
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.25), nn.Linear(64 * 2 * 2, 10),
        ).to(device)
        optimizer = fw.optim.AdamW(model.parameters(), lr=2e-3)
        x = fw.tensor(images[:DIGITS_BATCH], device=device)
        y = fw.tensor(labels[:DIGITS_BATCH], device=device)
        loss_fn = nn.CrossEntropyLoss()

        def run() -> Any:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            return loss
        return run

    return Case(f"digits cnn step b{DIGITS_BATCH}", Target("torch", 2.0), framework, None)


# Conv2d(32 -> 64, 3x3, padding=1) forward and backward on a 64x32x32x32 float32 batch (issue 10's target:
# <= 2x PyTorch). numpy's reference is the same im2col + matmul and col2im written by hand.
CONV_INPUT, CONV_WEIGHT = (64, 32, 32, 32), (64, 32, 3, 3)


def _numpy_conv_step(x: np.ndarray, w: np.ndarray, b: np.ndarray, grad: np.ndarray) -> tuple[np.ndarray, ...]:
    n, c, h, width = x.shape
    out_channels, _, kh, kw = w.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(2, 3))  # n, c, h, w, kh, kw
    columns = np.ascontiguousarray(windows.transpose(0, 1, 4, 5, 2, 3)).reshape(n, c * kh * kw, h * width)
    flat_w = w.reshape(out_channels, -1)
    output = (flat_w @ columns).reshape(n, out_channels, h, width) + b.reshape(1, -1, 1, 1)
    flat_grad = grad.reshape(n, out_channels, h * width)
    grad_w = (flat_grad @ columns.transpose(0, 2, 1)).sum(0).reshape(w.shape)
    grad_columns = (flat_w.T @ flat_grad).reshape(n, c, kh, kw, h, width)
    grad_padded = np.zeros_like(padded)
    for i in range(kh):
        for j in range(kw):
            grad_padded[:, :, i:i + h, j:j + width] += grad_columns[:, :, i, j]
    return output, grad_padded[:, :, 1:-1, 1:-1], grad_w, grad.sum((0, 2, 3))


def _conv2d() -> Case:
    def framework(fw: ModuleType, device: str) -> Run:
        x, w, b = _arrays(CONV_INPUT, CONV_WEIGHT, (CONV_WEIGHT[0],))
        x, w, b = (fw.tensor(v, device=device, requires_grad=True) for v in (x, w * 0.1, b))
        grad = fw.ones((CONV_INPUT[0], CONV_WEIGHT[0], *CONV_INPUT[2:]), device=device)

        def run() -> Any:
            x.grad = w.grad = b.grad = None
            fw.nn.functional.conv2d(x, w, b, padding=1).backward(grad)
            return x.grad

        return run

    def numpy() -> Run:
        x, w, b = _arrays(CONV_INPUT, CONV_WEIGHT, (CONV_WEIGHT[0],))
        grad = np.ones((CONV_INPUT[0], CONV_WEIGHT[0], *CONV_INPUT[2:]), np.float32)
        return lambda: _numpy_conv_step(x, w * 0.1, b, grad)

    return Case("conv2d 32->64 3x3 on 64x32x32x32 fwd+bwd", Target("torch", 2.0), framework, numpy)


# randn: a small draw (an init, a noise batch: the fixed cost of PyTorch's bit-exact CPU stream, AVX2
# Box-Muller emulated in numpy) and a large one, against PyTorch's own.
def _randn(*shape: int) -> Case:
    def framework(fw: ModuleType, device: str) -> Run:
        return lambda: fw.randn(*shape, device=device)

    size = "x".join(map(str, shape)) if math.prod(shape) < LARGE else f"{math.prod(shape) // LARGE}M"
    return Case(f"randn {size}", None, framework, None)


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
    *_SPECIAL_1M,
    _randn(64, 3),
    _randn(LARGE),
    _lstm(),
    _digits_loader(0),
    _digits_loader(2),
    _digits_step(),
    _digits_cnn_step(),
    _conv2d(),
)
