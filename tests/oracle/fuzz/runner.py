"""Run a program on ember and on PyTorch side by side and find the first statement where they differ.

After every statement the runner compares everything both namespaces hold: each tensor's shape, dtype,
`requires_grad`, `is_leaf`, grad_fn name, values (NaN-aware, with the oracle tolerances of the dtype),
contiguity, the `.grad` of leaves and of tensors that retain their grad, and whether its version changed;
Python scalars and tuples item by item. A statement must raise in both libraries or in neither (ember may
raise a subclass of PyTorch's class), and must not let numpy's RuntimeWarnings out. Values are compared
again after an error, so an op that fails after changing its inputs is caught.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from conftest import TOLERANCES, dtype_name

from .program import Program, Statement

# Exceptions in PyTorch that mean the program itself is broken (after shrinking), not a divergence.
INVALID = (NameError, SyntaxError, UnboundLocalError)


def namespace(lib: Any) -> dict[str, Any]:
    """The globals a program runs in: `torch` and `F` bound to `lib` (ember or PyTorch)."""
    return {"torch": lib, "F": lib.nn.functional, "inf": math.inf, "nan": math.nan}


BASE_NAMES = frozenset(("torch", "F", "inf", "nan", "__builtins__"))


@dataclass(frozen=True)
class Raised:
    """Reading an attribute raised (PyTorch refuses `grad_fn` of a no_grad view whose base was modified)."""

    error: str

    def __str__(self) -> str:
        return f"raises {self.error}"


def attribute(tensor: Any, name: str) -> Any:
    """`tensor.<name>`, or `Raised` with the class of the exception reading it raised."""
    try:
        return getattr(tensor, name)
    except Exception as error:  # noqa: BLE001 - compared with PyTorch's like any other result
        return Raised(type(error).__name__)


@dataclass(frozen=True)
class Divergence:
    """The first difference in a program: at statement `index`, `aspect` of `name` differs."""

    index: int
    statement: Statement
    aspect: str  # exception, warning, type, shape, dtype, requires_grad, is_leaf, grad_fn, value, ...
    role: str  # "result" (bound by the statement), "operand" (bound before it; "after X" if both raised X),
    # or "grad of" either
    detail: str  # a stable description that goes into the signature ("torch nan, ember finite")
    name: str = ""
    torch_text: str = ""
    ember_text: str = ""

    @property
    def signature(self) -> str:
        """What kind of statement failed and how: precise enough that a new bug gets a new signature.
        Statements that write or differentiate keep what they worked on (leaf, non-leaf or view)."""
        role = self.statement.subject.split(",")[0]
        subject = f" [{role}]" if role else ""
        return f"{self.statement.kind}: {self.statement.op}{subject} | {self.aspect} of {self.role}: {self.detail}"

    def describe(self) -> str:
        return f"statement {self.index + 1}, {self.name or '-'}: torch {self.torch_text} / ember {self.ember_text}"


@dataclass(frozen=True)
class Outcome:
    """What running a program gave: a divergence, or agreement up to `executed` statements. `gap`: PyTorch
    has no kernel for a statement (comparison stopped); `invalid`: the program is not valid Python."""

    divergence: Divergence | None
    executed: int
    gap: bool = False
    invalid: bool = False


class Tolerance:
    """The tolerances a statement's float results are compared with: the oracle's tolerances of the least
    precise float dtype in the program so far, since a float64 result computed from float32 values carries
    their rounding. No magnitude-based slack: inputs are multiples of 1/4 and special values, whose sums
    are exact in any order unless huge values cancel."""

    def __init__(self, torch_ns: dict[str, Any], torch: Any) -> None:
        self.floor = {"rtol": 0.0, "atol": 0.0}
        for value in _tensors(torch_ns, torch).values():
            if value.dtype.is_floating_point:
                base = TOLERANCES[dtype_name(value.dtype)]
                self.floor = {key: max(self.floor[key], base[key]) for key in base}

    def __call__(self, dtype: str) -> tuple[float, float]:
        base = TOLERANCES[dtype]
        return max(base["rtol"], self.floor["rtol"]), max(base["atol"], self.floor["atol"])


def run_program(program: Program, ember: Any, torch: Any) -> Outcome:
    """Execute `program` on both libraries statement by statement; stop at the first divergence."""
    torch_ns, ember_ns = namespace(torch), namespace(ember)
    # results of autograd.grad: the nodes of their graphs (create_graph) are named after PyTorch's derivative
    # formulas (LogSoftmaxBackwardDataBackward0), which ember need not copy
    gradients: dict[str, int] = {}
    for index, statement in enumerate(program.statements):
        before = {name: id(value) for name, value in torch_ns.items()}
        torch_versions = _versions(torch_ns, torch)
        ember_versions = _versions(ember_ns, ember)
        torch_error, torch_warnings = execute(statement.code, torch_ns)
        if isinstance(torch_error, INVALID):
            return Outcome(None, index, invalid=True)
        if isinstance(torch_error, NotImplementedError):
            return Outcome(None, index, gap=True)  # PyTorch's kernel gaps are not behaviour to copy
        ember_error, ember_warnings = execute(statement.code, ember_ns)
        found = _compare_errors(torch_error, ember_error) or _compare_warnings(torch_warnings, ember_warnings)
        if found is None:
            tolerance = Tolerance(torch_ns, torch)
            compare = _Comparer(ember, torch, tolerance)
            for name, value in torch_ns.items():
                if name in BASE_NAMES:
                    continue
                role = "result" if before.get(name) != id(value) else "operand"
                if statement.kind == "grad" and role == "result":
                    gradients[name] = id(value)
                compare.node_names = gradients.get(name) != id(value)
                if torch_error is not None:
                    role += f" after {type(torch_error).__name__}"
                found = compare.values(name, ember_ns.get(name), value, role)
                if found is None and role.startswith("operand") and name in torch_versions and name in ember_versions:
                    found = _compare_versions(name, torch_versions, ember_versions, torch_ns, ember_ns)
                if found is not None:
                    break
        if found is not None:
            aspect, role, detail, name, torch_text, ember_text = found
            return Outcome(Divergence(index, statement, aspect, role, detail, name, torch_text, ember_text), index + 1)
    return Outcome(None, len(program))


def execute(code: str, ns: dict[str, Any]) -> tuple[Exception | None, list[warnings.WarningMessage]]:
    """Run one statement in `ns`; return the exception it raised (if any) and the warnings it emitted."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(compile(code, "<program>", "exec"), ns)
            _settle(ns)
        except Exception as error:  # noqa: BLE001 - every exception class is compared with PyTorch's
            return error, list(caught)
    return None, list(caught)


def _settle(ns: dict[str, Any]) -> None:
    """Raise now any error a queued device deferred to its next synchronisation (PyTorch raises it at the
    statement): copying one tensor of each device to the host raises that device's pending checks."""
    devices = {}
    for value in ns.values():
        if type(value).__module__.startswith("ember") and hasattr(value, "device") and value.device.type != "cpu":
            devices.setdefault(value.device, value)
    for value in devices.values():
        value.cpu()


# --- comparisons: each returns None or (aspect, role, detail, name, torch text, ember text) ----------------


def _compare_errors(torch_error: Exception | None, ember_error: Exception | None) -> tuple | None:
    if torch_error is None and ember_error is None:
        return None
    if torch_error is not None and isinstance(ember_error, type(torch_error)):
        return None
    detail = f"torch {_class(torch_error)}, ember {_class(ember_error)}"
    return ("exception", "statement", detail, "", _error_text(torch_error), _error_text(ember_error))


def _compare_warnings(torch_warnings: list, ember_warnings: list) -> tuple | None:
    """numpy's RuntimeWarnings (overflow, invalid value, divide by zero) must not reach a user."""
    if any(issubclass(w.category, RuntimeWarning) for w in torch_warnings):
        return None
    for caught in ember_warnings:
        if issubclass(caught.category, RuntimeWarning):
            message = str(caught.message)
            return ("warning", "statement", f"ember warns {message!r}", "", "no warning", message)
    return None


def _compare_versions(name: str, torch_versions: dict, ember_versions: dict, torch_ns: dict, ember_ns: dict):
    torch_changed = version(torch_ns[name]) != torch_versions[name]
    ember_changed = version(ember_ns[name]) != ember_versions[name]
    if torch_changed == ember_changed:
        return None
    detail = f"torch {'bumped' if torch_changed else 'kept'}, ember {'bumped' if ember_changed else 'kept'}"
    return ("version", "operand", detail, name, str(torch_changed), str(ember_changed))


class _Comparer:
    """Compares one value of the PyTorch namespace with the same name in ember's."""

    def __init__(self, ember: Any, torch: Any, tolerance: Tolerance, node_names: bool = True) -> None:
        self.ember = ember
        self.torch = torch
        self.tolerance = tolerance
        self.node_names = node_names

    def values(self, name: str, got: Any, expected: Any, role: str) -> tuple | None:
        if isinstance(expected, self.torch.Tensor):
            if not isinstance(got, self.ember.Tensor):
                return ("type", role, f"torch Tensor, ember {_kind(got)}", name, "Tensor", _kind(got))
            return self.tensors(name, got, expected, role)
        if isinstance(expected, (tuple, list)):
            if not isinstance(got, (tuple, list)) or len(got) != len(expected):
                text = f"{_kind(expected)} of {len(expected)}"
                return ("type", role, f"torch {_kind(expected)}, ember {_kind(got)}", name, text, repr(got)[:80])
            for index, (g, e) in enumerate(zip(got, expected)):
                found = self.values(f"{name}[{index}]", g, e, role)
                if found is not None:
                    return found
            return None
        if expected is None or isinstance(expected, (bool, int, float)):
            return self.scalars(name, got, expected, role)
        return None  # optimizers, hook handles, functions: compared through their effects

    def scalars(self, name: str, got: Any, expected: Any, role: str) -> tuple | None:
        if type(got) is not type(expected):
            return ("type", role, f"torch {_kind(expected)}, ember {_kind(got)}", name, repr(expected), repr(got))
        if isinstance(expected, float):
            rtol, atol = self.tolerance("float64")  # .item() and .tolist() of the program's least precise dtype
            same = (math.isnan(expected) and math.isnan(got)) or math.isclose(got, expected, rel_tol=rtol,
                                                                              abs_tol=atol)
        else:
            same = got == expected
        if same:
            return None
        return ("value", role, f"torch {_value_class(expected)}, ember {_value_class(got)}", name,
                repr(expected), repr(got))

    def tensors(self, name: str, got: Any, expected: Any, role: str) -> tuple | None:
        checks = (
            ("shape", tuple(expected.shape), tuple(got.shape)),
            ("dtype", dtype_name(expected.dtype), dtype_name(got.dtype)),
            ("requires_grad", attribute(expected, "requires_grad"), attribute(got, "requires_grad")),
            ("is_leaf", attribute(expected, "is_leaf"), attribute(got, "is_leaf")),
            ("grad_fn", _node_name(expected), _node_name(got)),
        )
        if not self.node_names or role.startswith("grad of"):
            checks = checks[:-1]
        for aspect, want, have in checks:
            if want != have:
                detail = f"torch {want}, ember {have}" if aspect != "shape" else "differs"
                return (aspect, role, detail, name, str(want), str(have))
        found = self.array(name, got, expected, role)
        if found is not None:
            return found
        if expected.is_contiguous() != got.is_contiguous():
            want, have = expected.is_contiguous(), got.is_contiguous()
            return ("is_contiguous", role, f"torch {want}, ember {have}", name, str(want), str(have))
        leaf = attribute(expected, "is_leaf") is True
        if leaf or attribute(expected, "retains_grad") is True:
            torch_grad, ember_grad = attribute(expected, "grad"), attribute(got, "grad")
            grad_role = f"grad of {role} ({'leaf' if leaf else 'retained'})"
            if not isinstance(torch_grad, self.torch.Tensor) or not isinstance(ember_grad, self.ember.Tensor):
                if _kind(torch_grad) != _kind(ember_grad):
                    detail = f"torch {_kind(torch_grad)}, ember {_kind(ember_grad)}"
                    return ("grad", grad_role, detail, name, _kind(torch_grad), _kind(ember_grad))
                return None
            found = self.tensors(f"{name}.grad", ember_grad, torch_grad, grad_role)
            if found is not None:
                return found
        return None

    def array(self, name: str, got: Any, expected: Any, role: str) -> tuple | None:
        want = expected.detach().numpy(force=True)  # force: zero tensors (unused gradients, sgn's), both sides
        have = np.asarray(got.detach().cpu().numpy(force=True))
        if expected.dtype.is_floating_point:
            rtol, atol = self.tolerance(dtype_name(expected.dtype))
            want64, have64 = want.astype(np.float64), have.astype(np.float64)
            with np.errstate(invalid="ignore", over="ignore"):
                close = (want64 == have64) | (np.isnan(want64) & np.isnan(have64))
                close |= np.isfinite(want64) & (np.abs(have64 - want64) <= atol + rtol * np.abs(want64))
        else:
            close = want == have
        if np.all(close):
            return None
        index = tuple(int(i) for i in np.argwhere(~close)[0])
        expected_value, got_value = want[index].item(), have[index].item()
        detail = f"torch {_value_class(expected_value)}, ember {_value_class(got_value)}"
        return ("value", role, detail, name, _snippet(want), _snippet(have))


def _tensors(ns: dict[str, Any], torch: Any) -> dict[str, Any]:
    return {name: value for name, value in ns.items() if isinstance(value, torch.Tensor)}


def version(tensor: Any) -> int:
    """The in-place version counter: PyTorch's `_version`; ember keeps it in a shared list."""
    counter = tensor._version
    return counter if isinstance(counter, int) else tensor._version_value


def _versions(ns: dict[str, Any], lib: Any) -> dict[str, int]:
    return {name: version(value) for name, value in _tensors(ns, lib).items()}


def _node_name(tensor: Any) -> Any:
    node = attribute(tensor, "grad_fn")
    return node if node is None or isinstance(node, Raised) else type(node).__name__


def _value_class(value: Any) -> str:
    """A coarse class of a number for signatures: nan, inf, -inf, 0, true/false or finite."""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "None"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, float) and value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    return "0" if value == 0 else "finite"


def _kind(value: Any) -> str:
    if isinstance(value, Raised):
        return str(value)
    return "None" if value is None else type(value).__name__


def _class(error: Exception | None) -> str:
    return "none" if error is None else type(error).__name__


def _error_text(error: Exception | None) -> str:
    if error is None:
        return "no error"
    message = str(error).splitlines()[0][:120] if str(error) else ""
    return f"{type(error).__name__}: {message}"


def _snippet(array: np.ndarray) -> str:
    return np.array2string(array, precision=6, threshold=12).replace("\n", "")
