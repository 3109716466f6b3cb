"""Random sampling: bernoulli, binomial, multinomial, normal, poisson and the in-place random fills (``uniform_``,
``normal_``, ``bernoulli_``, ``random_``, ``exponential_``, ``geometric_``, ``log_normal_``, ``cauchy_``).

Every one takes ``generator=``. From a generator whose state is PyTorch's CPU one (an `MT19937Engine`, the
CPU's) each draws with ATen's own CPU sampler (``_aten_sampling``), so that a seed gives PyTorch's numbers;
from any other, it is composed from the ``uniform``/``normal`` kernels and ordinary ops, so every backend has
them, Poisson and binomial counts drawn on the host by numpy's samplers from the generator's host stream.
As in PyTorch, a sample's gradient with respect to its distribution's parameters is zero.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import _aten_sampling as aten
from .. import _checks, _dtype, _generator
from .._mt19937 import MT19937Engine
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from . import creation, inplace
from .dispatch import binary_failure, broadcast_error, broadcast_shapes, bump, profiled, type_name
from .joining import cat
from .registry import _NoDerivative
from .resize import resize_out

_PROBABILITY_ERROR = "Expected p_in >= 0 && p_in <= 1 to be true, but got false."


class _ZeroGradient(Node):
    """A sample's node: PyTorch's gradient of a draw with respect to its parameters is zero."""

    def backward(self, grad):
        return tuple(None if meta is None else creation.zeros(meta[0], dtype=meta[1], device=grad.device)
                     for meta in self._input_meta)


def _node(name: str) -> type:
    return type(name, (_ZeroGradient,), {"__doc__": f"PyTorch's {name}: zero gradients."})


NormalBackward1, NormalBackward2, NormalBackward3 = (_node(f"NormalBackward{i}") for i in (1, 2, 3))
BernoulliBackward0, PoissonBackward0 = _node("BernoulliBackward0"), _node("PoissonBackward0")


def _tensor(value, op: str, name: str = "input") -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(value).__name__}")
    return value


def _number(value, op: str, name: str) -> float:
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{op}(): argument '{name}' must be Number, not {type(value).__name__}")
    return float(value)


def _wide(d):
    """The float dtype draws are made in where a result's own dtype would lose precision."""
    return _dtype.float64 if "float64" in d.device_type.dtypes else _dtype.float32


def _sampled(d, values: np.ndarray, shape, dt) -> Tensor:
    """A tensor of `shape` and dtype `dt` on `d` holding the flat host samples `values`."""
    return Tensor._make(d.kernels.from_numpy(values.astype(dt.numpy, copy=False).reshape(tuple(shape))), dt, d)


def _standard_normal(d, shape, dt, generator, op: str) -> Tensor:
    engine = _generator.chosen(generator, d, op).engine()
    return Tensor._make(d.kernels.normal(tuple(shape), 0.0, 1.0, dt, engine), dt, d)


def _check_probabilities(p: Tensor) -> None:
    """PyTorch's error when a probability tensor holds a value outside [0, 1] (or NaN)."""
    def judge(smallest, largest):
        if not 0 <= smallest <= largest <= 1:
            raise RuntimeError(_PROBABILITY_ERROR)
    if p.numel():
        _checks.check_extremes(p._device, p._data, judge)


# ----- functions -----------------------------------------------------------------------------------------
def _written(out: Tensor, result: Tensor) -> Tensor:
    """`result` copied into `out=`, resized to its shape without a warning (PyTorch's sampling ops call
    resize_ themselves)."""
    if isinstance(out, Tensor) and out._data.shape != result._data.shape:
        resize_out(out, result._data.shape, warn=False)
    return inplace.copy_(out, result)


@profiled("aten::bernoulli")
def bernoulli(input, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples of `input`'s shape and dtype: 1 with probability `input` (or with the number `p`)."""
    input = _tensor(input, "bernoulli")
    if p is not None:
        with grad_mode.no_grad():
            result = bernoulli_(creation.empty_like(input), p, generator=generator)
    else:
        if not input._dtype.is_floating_point:
            raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for '{type_name(input._dtype)}'")
        _check_probabilities(input)
        d = input._device
        engine = _generator.chosen(generator, d, "bernoulli").engine()
        with grad_mode.no_grad():
            if isinstance(engine, MT19937Engine):
                chances = input.detach().contiguous().cpu().numpy().reshape(-1)
                result = _sampled(d, aten.bernoulli_tensor(engine, chances, input._dtype.numpy), input.shape,
                                  input._dtype)
            else:
                draws = Tensor._make(d.kernels.uniform(tuple(input.shape), 0.0, 1.0, input._dtype, engine),
                                     input._dtype, d)
                result = draws.lt(input).to(input._dtype)
        result = attach(result, BernoulliBackward0, (input,))
    return result if out is None else _written(out, result)


@profiled("aten::multinomial")
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None) -> Tensor:
    """`num_samples` category indices per row of the (unnormalised) probabilities `input` (1-D or 2-D):
    with `replacement` by inverting each row's running sum; without, PyTorch's exponential race
    (the largest ``p / Exp(1)`` keys win)."""
    input = _tensor(input, "multinomial")
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input._dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{type_name(input._dtype)}")
    if not isinstance(num_samples, numbers.Integral) or isinstance(num_samples, bool):
        raise TypeError(f"multinomial(): argument 'num_samples' (position 2) must be int, not "
                        f"{type(num_samples).__name__}")
    categories = input.shape[-1]
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if categories > 2**24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    d = input._device
    engine = _generator.chosen(generator, d, "multinomial").engine()
    exact = isinstance(engine, MT19937Engine)
    with grad_mode.no_grad():
        rows = input.detach().reshape(-1, categories)
        rows = rows if exact else rows.to(_wide(d))
        if rows.numel():
            _check_distribution(rows)
        if replacement and int(num_samples) > 1:
            result = (_sampled(d, aten.multinomial_with_replacement(engine, rows.cpu().numpy(), int(num_samples)),
                               (rows.shape[0], int(num_samples)), _dtype.int64) if exact
                      else _inverted(rows, int(num_samples), engine))
        else:
            keys = rows / _exponentials(d, rows.shape, rows._dtype, engine)
            result = keys.topk(int(num_samples), dim=-1).indices
        result = result.reshape(*input.shape[:-1], int(num_samples))
    return result if out is None else _written(out, result)


def _check_distribution(rows: Tensor) -> None:
    """PyTorch's errors for a probability that is negative or not finite, then for a row summing to 0."""
    def values(smallest, largest):
        if not (smallest >= 0 and math.isfinite(largest)):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")

    def sums(smallest, largest):
        if not smallest > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    _checks.check_extremes(rows._device, rows._data, values)
    _checks.check_extremes(rows._device, rows.sum(-1)._data, sums)


# Elements of the (rows, samples, categories) comparison made at once when sampling with replacement.
_CHUNK = 2**22


def _inverted(rows: Tensor, num_samples: int, engine) -> Tensor:
    """Indices with replacement: for a uniform u on [0, total), the number of running sums <= u, capped
    at the first category that reaches the total (so a zero-probability category is never drawn)."""
    running = rows.cumsum(-1)
    total = running[:, -1:]
    last = running.lt(total).sum(-1, keepdim=True)
    u = Tensor._make(rows._device.kernels.uniform((rows.shape[0], num_samples), 0.0, 1.0, rows._dtype, engine),
                     rows._dtype, rows._device) * total
    step = max(1, _CHUNK // max(1, rows.numel()))
    counts = [running.unsqueeze(1).le(u[:, i:i + step].unsqueeze(2)).sum(-1) for i in range(0, num_samples, step)]
    return (counts[0] if len(counts) == 1 else cat(counts, dim=1)).minimum(last)


def _exponentials(d, shape, dt, engine, lambd: float = 1.0) -> Tensor:
    """Exp(lambd) draws of float dtype `dt` from the backend state `engine`: ATen's sampler for an MT19937
    one, else -log(1 - u) / lambd (finite since u < 1) of the ``uniform`` kernel's u."""
    if isinstance(engine, MT19937Engine):
        return _sampled(d, aten.exponential(engine, math.prod(shape), lambd, dt.numpy), shape, dt)
    wide = _wide(d)
    u = Tensor._make(d.kernels.uniform(tuple(shape), 0.0, 1.0, wide, engine), wide, d)
    return (u.neg().log1p().neg() / lambd).to(dt)


_NORMAL_SIGNATURES = ("(Tensor mean, Tensor std, *, Generator generator, Tensor out), (Tensor mean, float std, "
                      "*, Generator generator, Tensor out), (float mean, Tensor std, *, Generator generator, "
                      "Tensor out), (float mean, float std, tuple of ints size, *, Generator generator, ...)")


@profiled("aten::normal")
def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None,
           requires_grad=False) -> Tensor:
    """Normal samples: of the broadcast shape of tensor `mean` and/or `std`, or of `size` for two numbers."""
    mean_is, std_is = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not (mean_is or std_is):
        if size is None or not isinstance(mean, numbers.Real) or not isinstance(std, numbers.Real):
            raise TypeError(f"normal() received an invalid combination of arguments - got "
                            f"({type(mean).__name__}, {type(std).__name__}), but expected one of: "
                            f"{_NORMAL_SIGNATURES}")
        _check_std(float(std))
        result = creation.empty(size, dtype=dtype, device=device)
        with grad_mode.no_grad():
            normal_(result, float(mean), float(std), generator=generator)
        return (result.requires_grad_() if requires_grad else result) if out is None else inplace.copy_(out, result)
    if size is not None:
        raise TypeError(f"normal() received an invalid combination of arguments - got a size with a tensor "
                        f"mean or std, but expected one of: {_NORMAL_SIGNATURES}")
    reference = mean if mean_is else std
    if not reference._dtype.is_floating_point:
        raise NotImplementedError(f"\"normal_kernel_cpu\" not implemented for '{type_name(reference._dtype)}'")
    if std_is:
        def judge(smallest, largest):
            if not smallest >= 0:
                raise RuntimeError("normal expects all elements of std >= 0.0")
        if std.numel():
            _checks.check_extremes(std._device, std._data, judge)
    else:
        _check_std(_number(std, "normal", "std"))
    with grad_mode.no_grad():
        shape = mean.shape if not std_is else std.shape if not mean_is else broadcast_shapes(mean.shape, std.shape)
        if shape is None:
            raise binary_failure("normal", mean, std, ValueError("shapes do not broadcast"))
        noise = _standard_normal(reference._device, shape, reference._dtype, generator, "normal")
        result = (noise * std + mean).to(reference._dtype)
    node = NormalBackward3 if mean_is and std_is else NormalBackward1 if mean_is else NormalBackward2
    result = attach(result, node, tuple(t for t in (mean, std) if isinstance(t, Tensor)))
    return result if out is None else inplace.copy_(out, result)


def _check_std(std: float) -> None:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")


@profiled("aten::poisson")
def poisson(input, generator=None) -> Tensor:
    """Poisson counts with rates `input`, drawn on the host: by ATen's ``sample_poisson`` from an MT19937
    generator (the CPU's: PyTorch's counts), else by numpy's Poisson sampler from the host stream."""
    input = _tensor(input, "poisson")
    if not input._dtype.is_floating_point:
        raise NotImplementedError(f"\"poisson_cpu\" not implemented for '{type_name(input._dtype)}'")
    rates = input.detach().to(_dtype.float64).cpu().numpy()
    if (rates < 0).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    d = input._device
    gen = _generator.chosen(generator, d, "poisson")
    engine = gen.engine()
    if isinstance(engine, MT19937Engine):
        counts = aten.poisson(engine, rates, np.dtype(np.float64))
    else:
        counts = gen.host().poisson(rates)
    result = creation.tensor(counts, dtype=input._dtype, device=d)
    return attach(result, PoissonBackward0, (input,))


_BinomialBackward = type("NotImplemented", (_NoDerivative,), {"op": "binomial", "__module__": __name__})


@profiled("aten::binomial")
def binomial(count, prob, generator=None) -> Tensor:
    """Binomial draws of `count` trials of success probability `prob` (broadcast together), drawn on the host:
    by ATen's ``sample_binomial`` from an MT19937 generator (the CPU's: PyTorch's draws), else by numpy's
    sampler from the host stream, a fractional count rounded down, a negative one giving 0 and a probability
    outside [0, 1] clamped, as PyTorch's CPU sampler does. Not differentiable."""
    count, prob = _tensor(count, "binomial", "count"), _tensor(prob, "binomial", "prob")
    if not count._dtype.is_floating_point:
        raise ValueError(f"binomial only supports floating-point dtypes for count, got: {type_name(count._dtype)}")
    if prob._dtype is not count._dtype:
        raise RuntimeError(f"Found dtype {type_name(prob._dtype)} but expected {type_name(count._dtype)}")
    shapes = (tuple(count._data.shape), tuple(prob._data.shape))
    mismatch = broadcast_error("binomial", shapes)
    if mismatch is not None:
        raise mismatch
    shape = np.broadcast_shapes(*shapes)
    d = count._device
    gen = _generator.chosen(generator, d, "binomial")
    engine = gen.engine()
    if isinstance(engine, MT19937Engine):
        counts, probs = (np.broadcast_to(t.detach().cpu().numpy(), shape) for t in (count, prob))
        result = creation.tensor(aten.binomial(engine, counts, probs, count._dtype.numpy), dtype=count._dtype, device=d)
        return attach(result, _BinomialBackward, (count, prob))
    trials = np.maximum(np.floor(count.detach().to(_dtype.float64).cpu().numpy()), 0).astype(np.int64)
    chance = np.clip(prob.detach().to(_dtype.float64).cpu().numpy(), 0.0, 1.0)
    draws = gen.host().binomial(np.broadcast_to(trials, shape), np.broadcast_to(chance, shape))
    result = creation.tensor(draws, dtype=count._dtype, device=d)
    return attach(result, _BinomialBackward, (count, prob))


# ----- in-place fills --------------------------------------------------------------------------------------
def _fill(self: Tensor, values: Tensor, engine=None) -> Tensor:
    """Write `values` (computed from fresh draws, in row-major order) into `self` as an in-place op; from an
    MT19937 `engine` into a non-contiguous `self` in its memory order, as ATen's TensorIterator fills it."""
    if isinstance(engine, MT19937Engine) and not self.is_contiguous():
        values = _memory_ordered(self, values)
    inplace.begin_write(self, "random fill")
    self._device.kernels.copy_(self._data, values._data)
    bump(self)
    return self


def _memory_ordered(self: Tensor, values: Tensor) -> Tensor:
    """Row-major `values` of `self`'s shape placed in the order of `self`'s memory (its dims by decreasing
    stride): the k-th value lands on the k-th element in memory."""
    strides = self.stride()
    dims = sorted(range(self.dim()), key=lambda k: -strides[k])
    inverse = sorted(range(self.dim()), key=lambda k: dims[k])
    return values.reshape([self.shape[k] for k in dims]).permute(inverse)


def _floating(self: Tensor, name: str) -> None:
    if not self._dtype.is_floating_point:
        raise NotImplementedError(f"\"{name}\" not implemented for '{type_name(self._dtype)}'")


_FROM_UNSET = object()  # no lower bound given positionally


def from_argument(op: str, from_, keywords: dict):
    """The lower bound PyTorch names ``from`` (a Python keyword, so taken from the call's other
    `keywords`: ``t.uniform_(**{"from": 1, "to": 2})``), given positionally as `from_` or by name."""
    if "from" in keywords:
        if from_ is not _FROM_UNSET:
            raise TypeError(f"{op}() got multiple values for argument 'from'")
        from_ = keywords.pop("from")
    if keywords:
        raise TypeError(f"{op}() got an unexpected keyword argument '{next(iter(keywords))}'")
    return from_


def uniform_(self, from_=_FROM_UNSET, to=1.0, *, generator=None, **keywords):
    """Fill with samples uniform on [from, to) from `generator` (the device's default one when None)."""
    a, b = from_argument("uniform_", from_, keywords), to
    a = 0.0 if a is _FROM_UNSET else a
    _floating(self, "check_uniform_bounds")
    a, b = _number(a, "uniform_", "from"), _number(b, "uniform_", "to")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a:g} > to={b:g}")
    engine = _generator.chosen(generator, self._device, "uniform_").engine()
    values = self._device.kernels.uniform(self._data.shape, a, b, self._dtype, engine)
    return _fill(self, Tensor._make(values, self._dtype, self._device), engine)


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples of the given mean and std."""
    _floating(self, "normal_kernel_cpu")
    mean, std = _number(mean, "normal_", "mean"), _number(std, "normal_", "std")
    _check_std(std)
    engine = _generator.chosen(generator, self._device, "normal_").engine()
    if isinstance(engine, MT19937Engine) and not self.is_contiguous():  # ATen's one-by-one path
        values = aten.normal(engine, self.numel(), mean, std, self._dtype.numpy, contiguous=False)
        return _fill(self, _sampled(self._device, values, self.shape, self._dtype), engine)
    values = self._device.kernels.normal(self._data.shape, mean, std, self._dtype, engine)
    return _fill(self, Tensor._make(values, self._dtype, self._device), engine)


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 with probability `p` (a number, or a tensor broadcast to `self`'s shape), else 0."""
    d = self._device
    if isinstance(p, Tensor):
        _check_probabilities(p)
    else:
        p = _number(p, "bernoulli_", "p")
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    engine = _generator.chosen(generator, d, "bernoulli_").engine()
    with grad_mode.no_grad():
        if isinstance(p, Tensor):
            p = p.to(d).expand(self.shape)
            if isinstance(engine, MT19937Engine):
                chances = p.contiguous().cpu().numpy().reshape(-1)
                return _fill(self, _sampled(d, aten.bernoulli_tensor(engine, chances, self._dtype.numpy),
                                            self.shape, self._dtype), engine)
            dt = p._dtype if p._dtype.is_floating_point else _wide(d)
        elif isinstance(engine, MT19937Engine):
            return _fill(self, _sampled(d, aten.bernoulli_scalar(engine, self.numel(), p, self._dtype.numpy),
                                        self.shape, self._dtype), engine)
        else:
            dt = _wide(d)
        draws = Tensor._make(d.kernels.uniform(tuple(self.shape), 0.0, 1.0, dt, engine), dt, d)
        values = draws.lt(p).to(self._dtype)
    return _fill(self, values)


def random_(self, from_=_FROM_UNSET, to=None, *, generator=None, **keywords):
    """Fill with integers uniform on [from, to): ``random_(to)``, ``random_(from, to)``, or ``random_()``
    for [0, 2**mantissa] in a float dtype and the dtype's non-negative values otherwise."""
    from_ = from_argument("random_", from_, keywords)
    dt = self._dtype
    if from_ is _FROM_UNSET or from_ is None:
        low, high = 0, None if to is None else int(to)
    elif to is None:
        low, high = 0, int(from_)
    else:
        low, high = int(from_), int(to)
    if high is None:
        _, _, largest, digits = creation._INT_RANGES[dt.name]
        high = (2**digits if digits is not None else largest) + 1
    else:
        creation.check_integer_range(low, high, dt, "", "random_")
    engine = _generator.chosen(generator, self._device, "random_").engine()
    if from_ is None and isinstance(engine, MT19937Engine):
        return _fill(self, _sampled(self._device, aten.random(engine, self.numel(), dt.numpy), self.shape, dt), engine)
    values = creation.draw_integers(self._device, self._data.shape, low, high, dt, engine)
    return _fill(self, Tensor._make(values, dt, self._device), engine)


def _continuous(self: Tensor, name: str, dtype_name: str) -> None:
    """PyTorch's error for a continuous distribution's fill of an integer tensor (`dtype_name` as it says)."""
    if not self._dtype.is_floating_point:
        raise RuntimeError(f"{name} distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {dtype_name}")


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with Exp(lambd) samples."""
    _continuous(self, "Exponential", type_name(self._dtype))
    lambd = _number(lambd, "exponential_", "lambd")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    engine = _generator.chosen(generator, self._device, "exponential_").engine()
    with grad_mode.no_grad():
        values = _exponentials(self._device, self.shape, self._dtype, engine, lambd)
    return _fill(self, values, engine)


def geometric_(self, p, *, generator=None):
    """Fill with the number of Bernoulli(p) trials up to the first success (1, 2, ...)."""
    if self._dtype is _dtype.bool_:
        raise NotImplementedError("\"geometric_cpu\" not implemented for 'Bool'")
    p = _number(p, "geometric_", "p")
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    d = self._device
    engine = _generator.chosen(generator, d, "geometric_").engine()
    if isinstance(engine, MT19937Engine):
        return _fill(self, _sampled(d, aten.geometric(engine, self.numel(), p, self._dtype.numpy), self.shape,
                                    self._dtype), engine)
    with grad_mode.no_grad():
        survivals = _exponentials(d, self.shape, _wide(d), engine)
        values = (survivals / -math.log1p(-p)).ceil().clamp_min(1)
    return _fill(self, values.to(self._dtype))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with exp(N(mean, std²)) samples."""
    _floating(self, "log_normal_cpu")
    mean, std = _number(mean, "log_normal_", "mean"), _number(std, "log_normal_", "std")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    d = self._device
    engine = _generator.chosen(generator, d, "log_normal_").engine()
    if isinstance(engine, MT19937Engine):
        return _fill(self, _sampled(d, aten.log_normal(engine, self.numel(), mean, std, self._dtype.numpy),
                                    self.shape, self._dtype), engine)
    with grad_mode.no_grad():
        wide = _wide(d)
        values = (Tensor._make(d.kernels.normal(tuple(self.shape), 0.0, 1.0, wide, engine), wide, d) * std
                  + mean).exp()
    return _fill(self, values.to(self._dtype))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with Cauchy(median, sigma) samples: median + sigma * tan(pi * (u - 1/2))."""
    _continuous(self, "Cauchy", _dtype.C_NAMES[self._dtype.name])
    median, sigma = _number(median, "cauchy_", "median"), _number(sigma, "cauchy_", "sigma")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    d = self._device
    engine = _generator.chosen(generator, d, "cauchy_").engine()
    if isinstance(engine, MT19937Engine):
        return _fill(self, _sampled(d, aten.cauchy(engine, self.numel(), median, sigma, self._dtype.numpy),
                                    self.shape, self._dtype), engine)
    with grad_mode.no_grad():
        wide = _wide(d)
        u = Tensor._make(d.kernels.uniform(tuple(self.shape), 0.0, 1.0, wide, engine), wide, d)
        values = ((u - 0.5) * math.pi).tan() * sigma + median
    return _fill(self, values.to(self._dtype))


FUNCTIONS = {"bernoulli": bernoulli, "multinomial": multinomial, "normal": normal, "poisson": poisson}
METHODS = {"bernoulli": bernoulli, "multinomial": multinomial, "uniform_": uniform_, "normal_": normal_,
           "bernoulli_": bernoulli_, "random_": random_, "exponential_": exponential_, "geometric_": geometric_,
           "log_normal_": log_normal_, "cauchy_": cauchy_}
