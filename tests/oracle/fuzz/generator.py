"""A seeded generator of random PyTorch programs.

The generator runs each statement in PyTorch as it writes it, so it picks operands from the tensors that
really exist (their shapes, dtypes, whether they are leaves, views or require grad) and most statements are
valid; a few are made invalid on purpose (a wrong dim, an index out of range, operands that do not
broadcast, a second backward) so that error classes are compared too. Only ops that ember has are used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .program import InputSpec, Program, Statement
from .runner import execute, namespace

# Input dtypes and how often they are drawn.
DTYPES = {"float32": 0.55, "float64": 0.15, "float16": 0.1, "int64": 0.12, "bool": 0.08}
# Values that break kernels: signed zeros, infinities, NaN, and per dtype a huge and a tiny (subnormal) one.
SPECIAL = (0.0, -0.0, float("inf"), float("-inf"), float("nan"))
HUGE = {"float16": 32768.0, "float32": 1e30, "float64": 1e300}
TINY = {"float16": 2.0**-24, "float32": 2.0**-149, "float64": 5e-324}
# Python scalars mixed with tensors (promotion, special values).
SCALARS = (0, 1, 2, -1, 0.5, -2.5, True, False, 0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1e30)

UNARY = ("neg", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "sign", "reciprocal", "square")
BINARY_OPERATORS = ("+", "-", "*", "/", "**")
BINARY_FUNCTIONS = ("maximum", "minimum", "eq", "ne", "lt", "ge", "logical_and", "logical_or", "logical_xor")
REDUCTIONS = ("sum", "mean", "prod", "max", "min", "amax", "amin", "var", "std", "argmax", "argmin", "all", "any")
MULTI_DIM = {"sum", "mean", "amax", "amin", "var", "std"}  # reductions that take a tuple of dims
INPLACE_UNARY = ("neg_", "exp_", "relu_", "abs_", "sigmoid_", "zero_", "sqrt_", "tanh_")
CASTS = (".float()", ".double()", ".half()", ".long()", ".bool()", ".to(torch.float64)", ".int()")
HOOKS = ("lambda g: g * 2", "lambda g: g + 1", "lambda g: None", "lambda g: g.clamp(-1, 1)")


def generate(seed: int, torch: Any, min_ops: int = 3, max_ops: int = 10) -> Program:
    """The program of `seed`: 1-3 inputs, then `min_ops`..`max_ops` random statements, usually ending
    with a backward pass or `autograd.grad`."""
    return _Generator(np.random.default_rng(seed), torch).program(min_ops, max_ops)


class _Generator:
    def __init__(self, rng: np.random.Generator, torch: Any) -> None:
        self.rng = rng
        self.torch = torch
        self.ns = namespace(torch)
        self.statements: list[Statement] = []
        self.names = 0
        self.base_shape = self.random_shape(allow_zero=rng.random() < 0.1, min_ndim=1)
        self.families: dict[Callable[[], None], float] = {
            self.input: 0.04, self.view: 0.15, self.pointwise: 0.16, self.reduction: 0.08, self.inplace: 0.13,
            self.setitem: 0.08, self.index: 0.05, self.loss: 0.05, self.softmax: 0.04, self.matmul: 0.04,
            self.join: 0.02, self.cast: 0.03, self.autograd: 0.09, self.optim: 0.03, self.convert: 0.02,
            self.creation: 0.03,
        }
        self.no_grad_views: set[str] = set()

    def program(self, min_ops: int, max_ops: int) -> Program:
        for _ in range(int(self.rng.integers(1, 4))):
            self.input()
        families = list(self.families)
        weights = np.array(list(self.families.values()))
        for _ in range(int(self.rng.integers(min_ops, max_ops + 1))):
            families[self.rng.choice(len(families), p=weights / weights.sum())]()
        if self.rng.random() < 0.7:
            self.autograd(final=True)
        return Program(tuple(self.statements))

    # --- helpers ------------------------------------------------------------------------------------

    def emit(self, code: str, kind: str, op: str, subject: str = "", spec: InputSpec | None = None) -> None:
        statement = Statement.input(spec) if spec is not None else Statement(code, kind, op, subject)
        execute(statement.code, self.ns)
        self.statements.append(statement)

    def fresh(self, prefix: str = "t") -> str:
        self.names += 1
        return f"{prefix}{self.names}"

    def choice(self, options: Sequence[Any]) -> Any:
        return options[int(self.rng.integers(len(options)))]

    def tensors(self, where: Callable[[Any], bool] = lambda t: True) -> list[str]:
        return [n for n, v in self.ns.items() if isinstance(v, self.torch.Tensor) and _holds(where, v)]

    def pick(self, where: Callable[[Any], bool] = lambda t: True, recent: bool = True) -> str | None:
        """A tensor variable satisfying `where`; recent ones are likelier (they carry longer histories)."""
        names = self.tensors(where)
        if not names:
            return None
        weights = np.arange(1, len(names) + 1, dtype=float) ** (2 if recent else 0)
        return names[self.rng.choice(len(names), p=weights / weights.sum())]

    def pick_any(self) -> str:
        name = self.pick()
        if name is None:
            self.input()
            name = self.pick()
        return name

    def pick_float(self) -> str:
        name = self.pick(lambda t: t.dtype.is_floating_point)
        if name is None:
            self.input(dtype="float32")
            name = self.pick(lambda t: t.dtype.is_floating_point)
        return name

    def subject(self, name: str) -> str:
        """How the statement's main tensor came to be: the part of a signature that says where a bug is."""
        tensor = self.ns[name]
        if tensor._base is not None:
            role = "no_grad view" if name in self.no_grad_views else "view"
        elif _holds(lambda t: t.is_leaf, tensor):
            role = "leaf requiring grad" if tensor.requires_grad else "leaf"
        else:
            role = "non-leaf"
        dtype = str(tensor.dtype).rsplit(".", 1)[-1]
        return role if dtype in ("float32", "float64") else f"{role}, {dtype}"

    def rows(self, size: int) -> list[int]:
        """One or two distinct rows of a dim of `size`, some written as negative indices. Distinct: PyTorch
        leaves the winner of duplicate indices in an index assignment undefined."""
        rows = sorted({int(row) for row in self.rng.integers(0, size, size=2)}) if size else []
        return [row - size if self.rng.random() < 0.3 else row for row in rows]

    def shares_memory(self, name: str, other: str) -> bool:
        first, second = self.ns[name], self.ns[other]
        return first.untyped_storage().data_ptr() == second.untyped_storage().data_ptr()

    @staticmethod
    def node(tensor: Any) -> str:
        """The grad_fn a backward pass starts from: gradient bugs are told apart by the op they go through."""
        try:
            return "leaf" if tensor.grad_fn is None else type(tensor.grad_fn).__name__
        except RuntimeError:
            return "unreadable grad_fn"

    def random_shape(self, allow_zero: bool = False, min_ndim: int = 0) -> tuple[int, ...]:
        ndim = int(self.rng.choice([0, 1, 2, 2, 3]))
        ndim = max(ndim, min_ndim)
        sizes = [1, 1, 2, 2, 3, 3, 4] + ([0] if allow_zero else [])
        return tuple(int(self.choice(sizes)) for _ in range(ndim))

    def input_shape(self) -> tuple[int, ...]:
        """Shapes related to the program's base shape, so that operands usually broadcast."""
        draw = self.rng.random()
        base = self.base_shape
        if draw < 0.35:
            return base
        if draw < 0.55:
            return base[int(self.rng.integers(0, len(base) + 1)) :]
        if draw < 0.75:
            return tuple(1 if self.rng.random() < 0.4 else size for size in base)
        if draw < 0.85:
            return ()
        return self.random_shape(allow_zero=self.rng.random() < 0.3)

    def values(self, shape: tuple[int, ...], dtype: str) -> Any:
        if dtype == "bool":
            return (self.rng.random(shape) < 0.5).tolist()
        if dtype in ("int64", "int32"):
            return self.rng.integers(-3, 5, size=shape).tolist()
        values = self.rng.integers(-12, 13, size=shape) / 4.0
        if self.rng.random() < 0.3:
            specials = [*SPECIAL, HUGE[dtype], -HUGE[dtype], TINY[dtype]]
            mask = self.rng.random(shape) < 0.3
            values = np.where(mask, self.rng.choice(specials, size=shape), values)
        return np.asarray(values, dtype=np.float64).tolist()

    # --- statement families -------------------------------------------------------------------------

    def input(self, dtype: str | None = None, shape: tuple[int, ...] | None = None, grad: bool | None = None,
              values: Any = None) -> str:
        dtype = dtype or self.rng.choice(list(DTYPES), p=list(DTYPES.values()))
        shape = self.input_shape() if shape is None else shape
        floating = dtype.startswith("float")
        grad = (floating and self.rng.random() < 0.8) if grad is None else grad
        name = self.fresh("x")
        spec = InputSpec(name, self.values(shape, dtype) if values is None else values, shape, dtype, grad)
        self.emit("", "input", "", spec=spec)
        return name

    def view(self) -> None:
        name = self.pick_any()
        t = self.ns[name]
        d, shape = t.dim(), tuple(t.shape)
        dim = int(self.rng.integers(-d, d)) if d else 0
        size = shape[dim] if d else 1
        index = int(self.rng.integers(-size, size)) if size else 0
        if self.rng.random() < 0.05:
            index = size  # out of range
        unsqueeze = int(self.rng.integers(-d - 1, d + 1))
        options: list[tuple[str, str]] = [
            (f"{name}[None]", "index(None)"),
            (f"{name}.unsqueeze({unsqueeze})", "unsqueeze"),
            (f"{name}.squeeze()", "squeeze()"),
            (f"{name}.view(-1)", "view(-1)"),
            (f"{name}.reshape(-1)", "reshape(-1)"),
            (f"{name}.detach()", "detach"),
            (f"{name}.flatten()", "flatten"),
            (f"{name}[...]", "index(...)"),
        ]
        if d:
            start = int(self.rng.integers(-size - 1, size + 1))
            expand = [2] + [3 if s == 1 and self.rng.random() < 0.7 else -1 for s in shape]
            last = index if dim in (-1, d - 1) else 0
            options += [
                (f"{name}[{start}:]", "slice(start)"),
                (f"{name}[::2]", "slice(step)"),
                (f"{name}[{index}]", "index(int)"),
                (f"{name}[..., {last}]", "index(..., int)"),
                (f"{name}.select({dim}, {index})", "select"),
                (f"{name}.squeeze({dim})", "squeeze(dim)"),
                (f"{name}.narrow({dim}, {max(start, 0) % max(size, 1)}, {min(1, size)})", "narrow"),
                (f"{name}.expand({', '.join(map(str, expand))})", "expand"),
                (f"{name}.permute({', '.join(map(str, self.rng.permutation(d).tolist()))})", "permute"),
                (f"{name}.view({', '.join(map(str, shape[::-1]))})", "view(shape)"),
                (f"{name}.unflatten({dim}, (1, {size}))", "unflatten"),
                (f"{name}.reshape({', '.join(map(str, shape[::-1]))})", "reshape(shape)"),
            ]
        if d >= 2:
            other = int(self.rng.integers(-d, d))
            second = index if dim in (1, 1 - d) else 0
            options += [
                (f"{name}.t()" if d == 2 else f"{name}.mT", "t" if d == 2 else "mT"),
                (f"{name}.transpose({dim}, {other})", "transpose"),
                (f"{name}[:, {second}]", "index(:, int)"),
                (f"{name}[1:, ::2]", "slice(2d)"),
                (f"{name}.swapaxes(0, -1)", "swapaxes"),
            ]
        if d <= 2 and self.rng.random() < 0.1:
            options.append((f"{name}.t()", "t"))
        if d <= 2:
            options.append((f"torch.broadcast_to({name}, (2, {', '.join(map(str, shape))}))", "broadcast_to"))
        code, op = self.choice(options)
        out = self.fresh()
        if self.rng.random() < 0.1:  # a view made under no_grad of a tensor that requires grad
            self.no_grad_views.add(out)
            code, op = f"with torch.no_grad(): {out} = {code}", f"no_grad {op}"
        else:
            code = f"{out} = {code}"
        self.emit(code, "view", op, self.subject(name))

    def scalar(self) -> str:
        return repr(self.choice(SCALARS))

    def operand(self, name: str, broadcastable: bool = True) -> str:
        """Another tensor that broadcasts with `name` (most of the time), or a new input of `name`'s shape."""
        t = self.ns[name]
        def fits(other: Any) -> bool:
            try:
                self.torch.broadcast_shapes(t.shape, other.shape)
            except RuntimeError:
                return False
            return True
        other = self.pick(fits if broadcastable or self.rng.random() < 0.8 else (lambda o: True))
        if other is None or self.rng.random() < 0.2:
            dtype = self.rng.choice(list(DTYPES), p=list(DTYPES.values()))
            other = self.input(dtype=dtype, shape=tuple(t.shape))
        return other

    def pointwise(self) -> None:
        name = self.pick_any()
        draw = self.rng.random()
        out = self.fresh()
        if draw < 0.3:
            op = self.choice(UNARY)
            code = f"{name}.{op}()" if self.rng.random() < 0.5 else f"torch.{op}({name})" if op not in (
                "square", "relu") else f"{name}.{op}()"
        elif draw < 0.4:
            low, high = sorted(self.rng.integers(-8, 9, size=2) / 4.0)
            if self.rng.random() < 0.1:
                low, high = high, low
            op, code = "clamp", self.choice([f"{name}.clamp({low}, {high})", f"{name}.clamp(min={low})",
                                             f"torch.clamp({name}, max={high})"])
        elif draw < 0.5:
            exponent = self.choice([2, 3, 0.5, -1, 0, 1.5, -0.5, 0.0])
            op, code = f"pow({type(exponent).__name__} exponent)", f"{name} ** {exponent!r}"
            if self.rng.random() < 0.3:
                base = self.choice([2, 0, 1, -1.5, 0.0])
                op, code = f"rpow({type(base).__name__} base)", f"({base!r}) ** {name}"
        elif draw < 0.7:
            symbol = self.choice(BINARY_OPERATORS + ("-r", "/r"))
            scalar = self.scalar()
            kind = type(eval(scalar, {"inf": float("inf"), "nan": float("nan")})).__name__
            if symbol.endswith("r"):
                op, code = f"r{symbol[0]}({kind})", f"{scalar} {symbol[0]} {name}"
            else:
                op, code = f"{symbol}({kind})", f"{name} {symbol} {scalar}"
        elif draw < 0.9:
            other = self.operand(name, broadcastable=False)
            if self.rng.random() < 0.5:
                symbol = self.choice(BINARY_OPERATORS)
                op, code = f"{symbol}(tensor)", f"{name} {symbol} {other}"
            else:
                function = self.choice(BINARY_FUNCTIONS + ("add", "sub"))
                alpha = f", alpha={self.choice([2, -1, 0.5])}" if function in ("add", "sub") else ""
                op, code = f"{function}(tensor{alpha and ', alpha'})", f"torch.{function}({name}, {other}{alpha})"
        else:
            other = self.operand(name)
            fallback = self.choice([other, self.scalar()])
            op, code = "where", f"torch.where({name} > 0, {name}, {fallback})"
        self.emit(f"{out} = {code}", "pointwise", op, self.subject(name))

    def reduction(self) -> None:
        name = self.pick_any()
        t = self.ns[name]
        d = t.dim()
        op = self.choice(REDUCTIONS)
        args: list[str] = []
        form = "()"
        draw = self.rng.random()
        if d and draw < 0.45:
            args.append(str(int(self.rng.integers(-d, d))))
            form = "(dim)"
        elif d >= 2 and op in MULTI_DIM and draw < 0.6:
            args.append(f"({', '.join(map(str, sorted(self.rng.choice(d, 2, replace=False).tolist())))})")
            form = "(dims)"
        elif not d and draw < 0.2:
            args.append("0")
            form = "(dim)"
        if args and self.rng.random() < 0.5:
            args.append("keepdim=True")
            form += " keepdim"
        if op in ("var", "std"):
            correction = self.choice(["", "correction=0", "correction=2", "unbiased=False"])
            if correction:
                args.append(correction)
                form += f" {correction.split('=')[0]}"
        call = f"{name}.{op}({', '.join(args)})"
        if op in ("max", "min") and form.startswith("(dim)"):
            self.emit(f"{self.fresh()}, {self.fresh()} = {call}", "reduction", f"{op}{form}", self.subject(name))
        else:
            self.emit(f"{self.fresh()} = {call}", "reduction", f"{op}{form}", self.subject(name))

    def loss(self) -> None:
        name = self.pick_float()
        t = self.ns[name]
        shape, dtype = tuple(t.shape), str(t.dtype).rsplit(".", 1)[-1]
        reduction = self.choice(["mean", "sum", "none"])
        arg = "" if reduction == "mean" else f", reduction={reduction!r}"
        draw = self.rng.random()
        if draw < 0.25:
            function = self.choice(["mse_loss", "l1_loss"])
            target = self.input(dtype=dtype, shape=shape, grad=self.rng.random() < 0.3)
            code, op = f"F.{function}({name}, {target}{arg})", function
        elif draw < 0.45:
            target = self.input(dtype=dtype, shape=shape, grad=False,
                                values=np.asarray(self.rng.choice([0.0, 0.25, 1.0], size=shape)).tolist())
            function = self.choice(["binary_cross_entropy_with_logits", "binary_cross_entropy"])
            source = name if function.endswith("logits") else f"{name}.sigmoid()"
            code, op = f"F.{function}({source}, {target}{arg})", function
        else:
            if t.dim() not in (1, 2):
                name = self.input(dtype=self.choice(["float32", "float64"]), shape=(3, 4)[: self.choice([1, 2])])
                t = self.ns[name]
            classes = t.shape[-1]
            target_shape = () if t.dim() == 1 else (t.shape[0],)
            ignore = self.choice([-100, 0, 1])
            labels = self.rng.integers(0, max(classes, 1), size=target_shape)
            labels = np.where(self.rng.random(target_shape) < 0.25, ignore, labels).tolist()
            target = self.input(dtype="int64", shape=target_shape, grad=False, values=labels)
            extras = arg + (f", ignore_index={ignore}" if ignore != -100 else "")
            if self.rng.random() < 0.5:
                function = "cross_entropy"
                if self.rng.random() < 0.2:
                    extras += ", label_smoothing=0.1"
                code = f"F.cross_entropy({name}, {target}{extras})"
            else:
                function = "nll_loss"
                source = self.choice([name, f"{name}.log_softmax(-1)"])
                code = f"F.nll_loss({source}, {target}{extras})"
            op = function + ("(ignore_index)" if ignore != -100 else "")
        self.emit(f"{self.fresh()} = {code}", "loss", f"{op} {reduction}", self.subject(name))

    def softmax(self) -> None:
        name = self.pick_any() if self.rng.random() < 0.1 else self.pick_float()  # PyTorch has no integer kernel
        d = self.ns[name].dim()
        dim = int(self.rng.integers(-d, d)) if d else self.choice([0, -1])
        function = self.choice(["softmax", "log_softmax"])
        code = self.choice([f"{name}.{function}({dim})", f"torch.{function}({name}, {dim})",
                            f"F.{function}({name}, dim={dim})"])
        self.emit(f"{self.fresh()} = {code}", "softmax", function, self.subject(name))

    def matmul(self) -> None:
        name = self.pick(lambda t: 1 <= t.dim() <= 3 and t.dtype.is_floating_point) or self.pick_float()
        t = self.ns[name]
        dtype = str(t.dtype).rsplit(".", 1)[-1]
        inner = t.shape[-1] if t.dim() else 2
        other_shape = self.choice([(inner,), (inner, int(self.rng.integers(1, 4)))])
        other = self.pick(lambda o: tuple(o.shape) == other_shape and o.dtype == t.dtype)
        if other is None:
            other = self.input(dtype=dtype if self.rng.random() < 0.9 else "float64", shape=other_shape)
        options = [(f"{name} @ {other}", "@"), (f"torch.matmul({name}, {other})", "matmul")]
        if t.dim() == 2:
            options.append((f"{name}.mm({other})" if len(other_shape) == 2 else f"{name}.mv({other})",
                            "mm" if len(other_shape) == 2 else "mv"))
        if t.dim() == 1 and len(other_shape) == 1:
            options += [(f"torch.dot({name}, {other})", "dot"), (f"torch.outer({name}, {other})", "outer")]
        code, op = self.choice(options)
        self.emit(f"{self.fresh()} = {code}", "matmul", op, self.subject(name))

    def join(self) -> None:
        name = self.pick_any()
        other = self.operand(name)
        d = self.ns[name].dim()
        dim = int(self.rng.integers(-d, d)) if d else 0
        code, op = self.choice([(f"torch.cat([{name}, {other}], {dim})", "cat"),
                                (f"torch.stack([{name}, {other}])", "stack"), (f"torch.cat([{name}])", "cat(one)")])
        self.emit(f"{self.fresh()} = {code}", "join", op, self.subject(name))

    def index(self) -> None:
        name = self.pick(lambda t: t.dim() >= 1) or self.pick_any()
        t = self.ns[name]
        size = t.shape[0] if t.dim() else 1
        rows = self.rows(size)
        options = [(f"{name}[{name} > 0]", "index(bool mask)"), (f"{name}[torch.tensor({rows}, dtype=torch.int64)]",
                   "index(tensor)"), (f"{name}[{rows}]", "index(list)")]
        if t.dim() >= 2:
            options.append((f"{name}[:, torch.tensor([0, -1])]", "index(:, tensor)"))
        code, op = self.choice(options)
        self.emit(f"{self.fresh()} = {code}", "index", op, self.subject(name))

    def cast(self) -> None:
        name = self.pick_any()
        cast = self.choice(CASTS)
        self.emit(f"{self.fresh()} = {name}{cast}", "cast", cast.strip(".()"), self.subject(name))

    def inplace(self) -> None:
        weights = {"view": 3.0, "no_grad view": 3.0, "non-leaf": 3.0, "leaf": 1.0}
        names = self.tensors()
        if not names:
            self.input()
            names = self.tensors()
        kinds = [self.subject(n).split(",")[0].replace("leaf requiring grad", "leaf") for n in names]
        p = np.array([weights[k] for k in kinds])
        name = names[self.rng.choice(len(names), p=p / p.sum())]
        subject = self.subject(name)
        draw = self.rng.random()
        if draw < 0.35:
            method = self.choice(["add_", "sub_", "mul_", "div_", "copy_"])
            other = self.operand(name)
            alpha = ", alpha=2" if method in ("add_", "sub_") and self.rng.random() < 0.3 else ""
            code, op = f"{name}.{method}({other}{alpha})", f"{method}(tensor)"
        elif draw < 0.55:
            method = self.choice(["add_", "mul_", "div_", "fill_"])
            scalar = self.scalar()
            code, op = f"{name}.{method}({scalar})", f"{method}(scalar)"
        elif draw < 0.75:
            method = self.choice(INPLACE_UNARY)
            code, op = f"{name}.{method}()", method
        elif draw < 0.85:
            low, high = sorted(self.rng.integers(-8, 9, size=2) / 4.0)
            code, op = f"{name}.clamp_({low}, {high})", "clamp_"
        elif draw < 0.89:
            symbol = self.choice(["+=", "*=", "-=", "/="])
            value = self.choice([self.scalar(), self.operand(name)])
            code, op = f"{name} {symbol} {value}", f"{symbol}({'tensor' if value in self.ns else 'scalar'})"
        elif draw < 0.93:
            code, op = self.inplace_view(name)
        else:
            code, op = f"{name}.masked_fill_({name} > 0, {self.scalar()})", "masked_fill_"
        if self.rng.random() < 0.15:
            code, op = f"with torch.no_grad(): {code}", f"no_grad {op}"
        self.emit(code, "inplace", op, subject)

    def inplace_view(self, name: str) -> tuple[str, str]:
        """An in-place view op on `name` (its views taken before then see the base's new geometry)."""
        d = self.ns[name].dim()
        options = [(f"{name}.unsqueeze_({int(self.rng.integers(-d - 1, d + 1))})", "unsqueeze_"),
                   (f"{name}.squeeze_()", "squeeze_()")]
        if d:
            first, second = (int(i) for i in self.rng.integers(-d, d, size=2))
            options += [(f"{name}.transpose_({first}, {second})", "transpose_"),
                        (f"{name}.swapdims_({first}, {second})", "swapdims_"),
                        (f"{name}.squeeze_({first})", "squeeze_(dim)")]
        if d <= 2:
            options.append((f"{name}.t_()", "t_"))
        return self.choice(options)

    def setitem(self) -> None:
        name = self.pick(lambda t: t.dim() >= 1 and not t.is_leaf) or self.pick_any()
        t = self.ns[name]
        d = t.dim()
        size = t.shape[0] if d else 0
        index_options = [("...", "...")]
        if d:
            row = int(self.rng.integers(-size, size)) if size else 0
            rows = self.rows(size)
            index_options += [(str(row), "int"), ("1:", "slice"), ("::2", "step"),
                              (f"torch.tensor({rows}, dtype=torch.int64)", "index tensor"),
                              (f"{name} > 0", "bool mask"), (f"[{row}]", "list"), ("None", "None")]
        if d >= 2:
            index_options += [("0, ..., 0", "int, ..., int"), (":, 0", "slice, int"),
                              ("0, :, torch.tensor([0, -1])" if d >= 3 else ":, torch.tensor([0])", "mixed")]
        index, index_kind = self.choice(index_options)
        draw = self.rng.random()
        if draw < 0.6:
            value, value_kind = self.scalar(), "scalar"
        elif draw < 0.8:
            value, value_kind = self.operand(name), "tensor"
            advanced = index_kind in ("index tensor", "bool mask", "list", "mixed")
            if advanced and self.shares_memory(name, value):
                value += ".clone()"  # PyTorch leaves an index assignment from an overlapping source undefined
        else:
            value, value_kind = f"torch.tensor({self.choice(['2.5', '-1', 'nan', 'True'])})", "0-d tensor"
        self.emit(f"{name}[{index}] = {value}", "setitem", f"[{index_kind}] = {value_kind}", self.subject(name))

    def autograd(self, final: bool = False) -> None:
        name = self.pick(lambda t: t.requires_grad) or self.pick_any()
        t = self.ns[name]
        draw = 0.0 if final else self.rng.random()
        subject = self.subject(name)
        root = self.node(t)
        scalar = name if t.dim() == 0 else f"{name}.sum()"
        if draw < 0.45 and (final or self.rng.random() < 0.5):
            retain = self.rng.random() < 0.3
            if self.rng.random() < 0.6 or final:
                self.emit(f"{scalar}.backward({'retain_graph=True' if retain else ''})", "backward",
                          f"backward{' retain_graph' if retain else ''} from {root}", subject)
            else:
                upstream = self.input(dtype=str(t.dtype).rsplit(".", 1)[-1] if t.dtype.is_floating_point else
                                      "float32", shape=tuple(t.shape), grad=False)
                # a fresh upstream gradient: PyTorch may keep the very tensor as a leaf's .grad (an alias)
                self.emit(f"{name}.backward({upstream}.clone())", "backward", f"backward(gradient) from {root}",
                          subject)
        elif draw < 0.7:
            leaves = self.tensors(lambda v: v.is_leaf and v.requires_grad) or [name]
            chosen = list(self.rng.choice(leaves, size=min(len(leaves), int(self.rng.integers(1, 3))), replace=False))
            create = self.rng.random() < 0.5
            unused = self.rng.random() < 0.7
            outputs = ", ".join(self.fresh("g") for _ in chosen) + ("," if len(chosen) == 1 else "")
            flags = ", create_graph=True" if create else ""
            flags += ", allow_unused=True" if unused else ""
            flags += ", retain_graph=True" if self.rng.random() < 0.5 else ""
            self.emit(f"{outputs} = torch.autograd.grad({scalar}, [{', '.join(chosen)}]{flags})", "grad",
                      f"autograd.grad{' create_graph' if create else ''} from {root}", subject)
        elif draw < 0.82:
            hook = self.choice(HOOKS)
            self.emit(f"{self.fresh('h')} = {name}.register_hook({hook})", "hook", f"register_hook({hook})", subject)
        elif draw < 0.9:
            self.emit(f"{name}.retain_grad()", "retain_grad", "retain_grad", subject)
        elif draw < 0.95:
            with_grad = self.pick(lambda v: v.is_leaf and v.grad is not None)
            if with_grad is None:
                self.emit(f"{name}.grad = None", "grad_reset", "grad = None", subject)
                return
            subject = self.subject(with_grad)
            code, kind, op = self.choice([
                (f"{with_grad}.grad = None", "grad_reset", "grad = None"),
                (f"{with_grad}.grad.zero_()", "grad_reset", "grad.zero_()"),
                (f"{with_grad}.grad.sum().backward()", "backward",
                 f"double backward from .grad {self.node(self.ns[with_grad].grad)}"),
                (f"{self.fresh()} = {with_grad}.grad * 2", "grad_use", "grad * 2"),
            ])
            self.emit(code, kind, op, subject)
        else:
            code, kind, op = self.choice([
                (f"{name}.requires_grad_()", "requires_grad_", "requires_grad_"),
                (f"{name}.requires_grad_(False)", "requires_grad_", "requires_grad_(False)"),
                (f"{name}.detach_()", "requires_grad_", "detach_"),
                (f"{scalar}.backward(create_graph=True)", "backward", f"backward create_graph from {root}"),
            ])
            self.emit(code, kind, op, subject)

    def optim(self) -> None:
        if "opt" not in self.ns:
            params = self.tensors(lambda v: v.is_leaf and v.requires_grad) or [self.pick_any()]
            momentum = self.choice(["", ", momentum=0.9", ", momentum=0.9, nesterov=True"])
            decay = self.choice(["", ", weight_decay=0.01"])
            self.emit(f"opt = torch.optim.SGD([{', '.join(params)}], lr=0.1{momentum}{decay})", "optim",
                      "SGD" + momentum.replace(", ", " ").split("=")[0] + decay.split("=")[0].replace(", ", " "))
        else:
            step = self.choice(["opt.step()", "opt.step()", "opt.zero_grad()"])
            self.emit(step, "optim", step.split(".")[1])

    def creation(self) -> None:
        """Factories and `*_like` constructors (dtype inference, special fill values, empty sizes)."""
        name = self.pick_any()
        fill = self.scalar()
        code, op = self.choice([
            (f"torch.zeros_like({name})", "zeros_like"),
            (f"torch.ones_like({name}, dtype=torch.float64)", "ones_like(dtype)"),
            (f"torch.full_like({name}, {fill})", "full_like"),
            (f"{name}.new_full((2,), {fill})", "new_full"),
            (f"torch.full((2, 1), {fill})", "full"),
            (f"torch.arange({self.choice(['4', '0, 3, 0.5', '3, dtype=torch.float32', '0, 1, 0.3', '5, 0, -2'])})",
             "arange"),
            (f"torch.linspace(0, {self.choice(['1, 5', '3, 4, dtype=torch.int64', '1, 1', '1, 0'])})", "linspace"),
            (f"torch.eye({self.choice(['2', '2, 3', '0'])})", "eye"),
        ])
        self.emit(f"{self.fresh()} = {code}", "creation", op)

    def convert(self) -> None:
        name = self.pick_any()
        method = self.choice(["item", "tolist"])
        self.emit(f"{self.fresh('s')} = {name}.{method}()", "convert", method, self.subject(name))


def _holds(where: Callable[[Any], bool], tensor: Any) -> bool:
    """`where(tensor)`, False where PyTorch refuses to read an attribute (a no_grad view whose base changed)."""
    try:
        return bool(where(tensor))
    except RuntimeError:
        return False
