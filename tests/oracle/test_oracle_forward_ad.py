"""Forward-mode AD (``autograd.forward_ad``) against PyTorch: the tangents dual tensors carry through ops
(elementwise, reductions, matmul, conv2d, softmax, views, in-place changes), through an nn.Module and a custom
Function's jvp; the levels, and PyTorch's errors."""

from __future__ import annotations

import pytest
from outcomes import assert_same_error

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def _dual(lib, primal, tangent):
    return lib.autograd.forward_ad.make_dual(lib.tensor(primal), lib.tensor(tangent))


def _unpacked(lib, result):
    """(primal, tangent) of each tensor of `result`, detached."""
    fw = lib.autograd.forward_ad
    items = result if isinstance(result, (tuple, list)) else (result,)
    found = []
    for item in items:
        primal, tangent = fw.unpack_dual(item)
        found.append((primal.detach(), None if tangent is None else tangent.detach()))
    return found


# name -> (the op on lib, the shapes of its operands; every operand is dual)
CASES = {
    "sin": (lambda lib, x: x.sin(), [(3, 4)]),
    "exp": (lambda lib, x: lib.exp(x), [(3, 4)]),
    "tanh": (lambda lib, x: lib.tanh(x), [(3, 4)]),
    "mul": (lambda lib, x, y: x * y, [(3, 4), (3, 4)]),
    "div broadcast": (lambda lib, x, y: x / (y.abs() + 1), [(3, 4), (4,)]),
    "add alpha": (lambda lib, x, y: lib.add(x, y, alpha=3), [(3, 4), (3, 4)]),
    "pow": (lambda lib, x: x.abs() ** 2.5, [(3, 4)]),
    "rsub number": (lambda lib, x: 2 - x, [(3, 4)]),
    "sum": (lambda lib, x: x.sum(), [(3, 4)]),
    "sum dim": (lambda lib, x: x.sum(1, keepdim=True), [(3, 4)]),
    "mean": (lambda lib, x: x.mean(0), [(3, 4)]),
    "amax": (lambda lib, x: x.amax(1), [(3, 4)]),
    "max dim": (lambda lib, x: x.max(1), [(3, 4)]),
    "var": (lambda lib, x: x.var(1), [(3, 4)]),
    "prod": (lambda lib, x: x.prod(1), [(3, 4)]),
    "logsumexp": (lambda lib, x: x.logsumexp(0), [(3, 4)]),
    "norm": (lambda lib, x: lib.linalg.norm(x), [(3, 4)]),
    "cumsum": (lambda lib, x: x.cumsum(1), [(3, 4)]),
    "matmul": (lambda lib, a, b: a @ b, [(3, 4), (4, 2)]),
    "bmm": (lambda lib, a, b: lib.bmm(a, b), [(2, 3, 4), (2, 4, 5)]),
    "conv2d": (lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding=1), [(1, 2, 5, 5), (3, 2, 3, 3)]),
    "softmax": (lambda lib, x: lib.softmax(x, 1), [(3, 4)]),
    "log_softmax": (lambda lib, x: lib.nn.functional.log_softmax(x, 0), [(3, 4)]),
    "layer_norm": (lambda lib, x, w: lib.nn.functional.layer_norm(x, (4,), w), [(3, 4), (4,)]),
    "gelu": (lambda lib, x: lib.nn.functional.gelu(x), [(3, 4)]),
    "relu": (lambda lib, x: lib.relu(x), [(3, 4)]),
    "where": (lambda lib, x, y: lib.where(x > 0, x, y), [(3, 4), (3, 4)]),
    "cat": (lambda lib, x, y: lib.cat([x, y], 0), [(3, 4), (2, 4)]),
    "stack": (lambda lib, x, y: lib.stack([x, y]), [(3, 4), (3, 4)]),
    "sort": (lambda lib, x: x.sort(1).values, [(3, 4)]),
    "cross_entropy": (lambda lib, x: lib.nn.functional.cross_entropy(x, lib.tensor([0, 3, 1])), [(3, 4)]),
    "mse_loss": (lambda lib, x, y: lib.nn.functional.mse_loss(x, y), [(3, 4), (3, 4)]),
    "max_pool2d": (lambda lib, x: lib.nn.functional.max_pool2d(x, 2), [(1, 1, 4, 4)]),
    "t": (lambda lib, x: x.t(), [(3, 4)]),
    "view": (lambda lib, x: x.view(2, 6), [(3, 4)]),
    "getitem": (lambda lib, x: x[1:, ::2], [(3, 4)]),
    "expand": (lambda lib, x: x.expand(2, 3, 4), [(3, 4)]),
    "split": (lambda lib, x: x.split(1), [(3, 4)]),
    "unbind": (lambda lib, x: x.unbind(1), [(3, 4)]),
    "diagonal": (lambda lib, x: x.diagonal(), [(3, 4)]),
    "view then op": (lambda lib, x: x.t().reshape(12).exp(), [(3, 4)]),
    "one operand twice": (lambda lib, x: lib.hypot(x, x) + lib.atan2(x, x.exp()), [(3, 4)]),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_tangents_match_torch(oracle, name, dtype):
    fn, shapes = CASES[name]
    rng = oracle.rng(len(name))
    arrays = [(oracle.array(rng, s, dtype, "any"), oracle.array(rng, s, dtype, "any")) for s in shapes]
    results = {}
    for lib in (oracle.ember, torch):
        with lib.autograd.forward_ad.dual_level():
            results[lib] = _unpacked(lib, fn(lib, *[_dual(lib, p, t) for p, t in arrays]))
    oracle.assert_same(results[oracle.ember], results[torch], name)


def test_a_non_dual_operand_has_no_tangent_and_a_dual_one_gives_its_own(oracle):
    rng = oracle.rng(1)
    x, t, w = (oracle.array(rng, (3, 4)) for _ in range(3))
    results = {}
    for lib in (oracle.ember, torch):
        with lib.autograd.forward_ad.dual_level():
            dual, plain = _dual(lib, x, t), lib.tensor(w)
            results[lib] = _unpacked(lib, (dual * plain, plain.exp(), (dual > 0).float(), dual.argmax(1)))
    oracle.assert_same(results[oracle.ember], results[torch])


# name -> the op on lib of a dual (3, 4) float32 tensor and a plain one (the common ops' direct formulas, with
# broadcasting, promotion and Python numbers)
MIXED = {
    "add plain": lambda lib, d, p: lib.add(p, d, alpha=-2),
    "sub plain": lambda lib, d, p: lib.sub(p, d, alpha=0.5),
    "sub number": lambda lib, d, p: d - 3,
    "mul number": lambda lib, d, p: 3 * d,
    "mul broadcast dual": lambda lib, d, p: d[0] * p,
    "mul promoted": lambda lib, d, p: d * p.double(),
    "div by plain": lambda lib, d, p: d / p,
    "div plain by dual": lambda lib, d, p: p / d,
    "div number by dual": lambda lib, d, p: 2 / d,
    "div floor": lambda lib, d, p: lib.div(d, p, rounding_mode="floor"),
    "div by integers": lambda lib, d, p: d / lib.arange(1, 5),
    "matmul plain": lambda lib, d, p: p.t() @ d,
    "matmul vector": lambda lib, d, p: d @ p[0],
    "mm": lambda lib, d, p: lib.mm(d, p.t()),
    "add 0-d dual": lambda lib, d, p: d[1, 2] + p,
}


@pytest.mark.parametrize("name", list(MIXED))
def test_one_dual_operand_matches_torch(oracle, name):
    rng = oracle.rng(len(name))
    x, t, y = (oracle.array(rng, (3, 4), domain="real") for _ in range(3))
    results = {}
    for lib in (oracle.ember, torch):
        with lib.autograd.forward_ad.dual_level():
            results[lib] = _unpacked(lib, MIXED[name](lib, _dual(lib, x, t), lib.tensor(y)))
    oracle.assert_same(results[oracle.ember], results[torch], name)


def _in_place_cases(lib, x, t, y):
    fw = lib.autograd.forward_ad
    dual = fw.make_dual(lib.tensor(x), lib.tensor(t))
    dual.mul_(lib.tensor(y))  # a dual changed with a non-dual: its tangent scaled in place
    plain = lib.tensor(y)
    plain.add_(dual)  # a plain tensor changed with a dual becomes dual
    base = fw.make_dual(lib.tensor(x), lib.tensor(t))
    base[1:].sin_()  # a view of a dual changed in place: the base's tangent changes
    filled = fw.make_dual(lib.tensor(x), lib.tensor(t))
    filled[0] = 2.0  # a number written in: zero tangent there
    zeroed = fw.make_dual(lib.tensor(x), lib.tensor(t)).zero_()
    container = lib.zeros(4, 4)
    container[:3].copy_(fw.make_dual(lib.tensor(x), lib.tensor(t)))  # the plain base gets a tangent
    transposed = fw.make_dual(lib.tensor(x), lib.tensor(t))
    transposed.t_()  # an in-place view op views the tangent too
    return dual, plain, base, filled, zeroed, container, transposed


def test_in_place_ops_update_tangents_as_torch(oracle):
    rng = oracle.rng(2)
    x, t, y = (oracle.array(rng, (3, 4), domain="any") for _ in range(3))
    results = {}
    for lib in (oracle.ember, torch):
        with lib.autograd.forward_ad.dual_level():
            results[lib] = _unpacked(lib, _in_place_cases(lib, x, t, y))
    oracle.assert_same(results[oracle.ember], results[torch])


def test_views_share_the_tangent_with_their_base(oracle):
    ember = oracle.ember
    fw = ember.autograd.forward_ad
    with fw.dual_level():
        tangent = ember.ones(3, 4)
        dual = fw.make_dual(ember.zeros(3, 4), tangent)
        assert fw.unpack_dual(dual).tangent is tangent  # kept as given, as PyTorch does
        row = dual[1]
        row.mul_(3)
        assert tangent[1].tolist() == [3.0] * 4  # the view's tangent is part of the base's
        dual.mul_(2)
        assert fw.unpack_dual(row).tangent.tolist() == [6.0] * 4
        later = ember.zeros(4)
        part = later[:2]  # a view taken before its base becomes dual reads the base's tangent
        later.copy_(fw.make_dual(ember.zeros(4), ember.arange(4.0)))
        assert fw.unpack_dual(part + 1).tangent.tolist() == [0.0, 1.0]


def test_module_forward_with_dual_inputs_matches_torch(oracle):
    rng = oracle.rng(3)
    x, t = oracle.array(rng, (5, 4)), oracle.array(rng, (5, 4))
    model = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3), torch.nn.Softmax(1))
    copy = oracle.ember.nn.Sequential(oracle.ember.nn.Linear(4, 6), oracle.ember.nn.Tanh(),
                                      oracle.ember.nn.Linear(6, 3), oracle.ember.nn.Softmax(1))
    copy.load_state_dict({k: oracle.ember.tensor(v.detach().numpy()) for k, v in model.state_dict().items()})
    results = {}
    for lib, net in ((oracle.ember, copy), (torch, model)):
        with lib.autograd.forward_ad.dual_level():
            out = net(_dual(lib, x, t))
            results[lib] = _unpacked(lib, out)
            (out * lib.arange(3.0)).sum().backward()  # reverse mode through the same forward
            results[lib].append((out.grad_fn.name(), *(p.grad for p in net.parameters())))
    oracle.assert_same(results[oracle.ember], results[torch])


def test_tangents_of_a_primal_that_requires_grad_are_differentiable(oracle):
    rng = oracle.rng(4)
    x, t = oracle.array(rng, (3,)), oracle.array(rng, (3,))
    results = {}
    for lib in (oracle.ember, torch):
        fw = lib.autograd.forward_ad
        leaf = lib.tensor(x, requires_grad=True)
        with fw.dual_level():
            out = (fw.make_dual(leaf, lib.tensor(t)).sin() * 2).sum()
            primal, tangent = fw.unpack_dual(out)
            grad, = lib.autograd.grad(tangent, leaf)  # d/dx of (2 cos(x)·t).sum()
            results[lib] = (primal.detach(), tangent.detach(), grad, type(out.grad_fn).__name__)
    oracle.assert_same(results[oracle.ember], results[torch])


def test_dropout_tangent_uses_the_primal_mask(oracle):
    ember = oracle.ember
    fw = ember.autograd.forward_ad
    ember.manual_seed(5)
    with fw.dual_level():
        out = ember.nn.functional.dropout(fw.make_dual(ember.ones(200), ember.full((200,), 3.0)), p=0.5)
        primal, tangent = fw.unpack_dual(out)
        assert 0 < int((primal == 0).sum()) < 200
        assert ember.equal(tangent, primal * 3)


def _custom_function(lib):
    class Scaled(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            ctx.save_for_forward(x, y)
            ctx.k = k
            return x * y * k

        @staticmethod
        def jvp(ctx, tx, ty, tk):
            x, y = ctx.saved_tensors
            assert tk is None
            return (tx * y + x * ty) * ctx.k

        @staticmethod
        def backward(ctx, grad):
            return grad, grad, None
    return Scaled


def test_custom_function_jvp_matches_torch(oracle):
    rng = oracle.rng(6)
    x, t, y = (oracle.array(rng, (4,)) for _ in range(3))
    results = {}
    for lib in (oracle.ember, torch):
        with lib.autograd.forward_ad.dual_level():
            results[lib] = _unpacked(lib, _custom_function(lib).apply(_dual(lib, x, t), lib.tensor(y), 2.0))
    oracle.assert_same(results[oracle.ember], results[torch])


def _without_jvp(lib):
    class Unformulated(_custom_function(lib)):
        jvp = lib.autograd.Function.jvp  # the base class's: refuses

    fw = lib.autograd.forward_ad
    with fw.dual_level():
        return Unformulated.apply(fw.make_dual(lib.ones(2), lib.ones(2)), lib.ones(2), 1.0)


def _two_outputs(lib):
    class Pair(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def jvp(ctx, tangent):
            return tangent * 2  # one tangent for two outputs
    return Pair


def _in_level(call):
    def run(lib):
        with lib.autograd.forward_ad.dual_level():
            return call(lib)
    return run


def _nested(lib):
    fw = lib.autograd.forward_ad
    with fw.dual_level(), fw.dual_level():
        pass


def _exit_other_level(lib):
    fw = lib.autograd.forward_ad
    fw.enter_dual_level()
    try:
        fw.exit_dual_level(level=3)
    finally:
        fw.exit_dual_level()


ERRORS = {
    "make_dual outside a level": lambda lib: lib.autograd.forward_ad.make_dual(lib.ones(2), lib.ones(2)),
    "tangent of another shape": _in_level(lambda lib: lib.autograd.forward_ad.make_dual(lib.ones(2), lib.ones(3))),
    "integer primal": _in_level(lambda lib: lib.autograd.forward_ad.make_dual(lib.arange(2), lib.ones(2))),
    "integer tangent": _in_level(lambda lib: lib.autograd.forward_ad.make_dual(lib.ones(2), lib.arange(2))),
    "dual of a dual": _in_level(lambda lib: lib.autograd.forward_ad.make_dual(
        lib.autograd.forward_ad.make_dual(lib.ones(2), lib.ones(2)), lib.ones(2))),
    "dual tangent": _in_level(lambda lib: lib.autograd.forward_ad.make_dual(
        lib.ones(2), lib.autograd.forward_ad.make_dual(lib.ones(2), lib.ones(2)))),
    "jvp giving too few tangents": _in_level(lambda lib: _two_outputs(lib).apply(
        lib.autograd.forward_ad.make_dual(lib.ones(2), lib.ones(2)))),
    "nested levels": _nested,
    "exit another level": _exit_other_level,
    "exit without a level": lambda lib: lib.autograd.forward_ad.exit_dual_level(),
    "out= with a dual": _in_level(lambda lib: lib.sin(lib.autograd.forward_ad.make_dual(lib.ones(2), lib.ones(2)),
                                                      out=lib.zeros(2))),
    "custom Function without jvp": _without_jvp,
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(oracle, name):
    assert_same_error(ERRORS[name], oracle.ember, torch)


def test_levels_as_torch(oracle):
    for lib in (oracle.ember, torch):
        fw = lib.autograd.forward_ad
        assert fw._current_level == -1
        with fw.dual_level() as level:
            assert level == 0 and fw._current_level == 0
            dual = fw.make_dual(lib.ones(2), lib.ones(2))
            plain = lib.ones(2)
            primal, tangent = fw.unpack_dual(plain)
            assert primal._base is plain and tangent is None
        assert fw.unpack_dual(plain).primal is plain
        assert fw._current_level == -1
        assert type(dual) is lib.Tensor  # noqa: E721 -- the plain class again, as PyTorch's
        assert fw.unpack_dual(dual).tangent is None and fw.unpack_dual(dual * 2).tangent is None
        assert dual.tolist() == [1.0, 1.0]


def test_repr_shows_the_tangent_as_torch(oracle):
    cases = [((2,), "float64", 3.0), ((2, 3), "float32", 0.0), ((30,), "float32", 1.0)]  # shape, dtype, tangent
    shown = {}
    for lib in (oracle.ember, torch):
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            shown[lib] = [repr(fw.make_dual(lib.ones(shape, dtype=getattr(lib, dtype), device="cpu"),
                                            lib.full(shape, value, dtype=getattr(lib, dtype), device="cpu")))
                          for shape, dtype, value in cases]
    assert shown[oracle.ember] == [text.replace("torch.", "ember.") for text in shown[torch]]
