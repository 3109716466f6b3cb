"""ember.autograd.graph against torch.autograd.graph: saved-tensor hooks (which tensors are packed, in what
order, when they are unpacked, the unpacked tensors' place in the graph, nesting, no_grad, in-place changes
after packing, the errors), save_on_cpu, disable_saved_tensors_hooks, ``grad_fn._raw_saved_<name>``'s
register_hooks, register_multi_grad_hook, the Node API and increment_version."""

from __future__ import annotations

import threading

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from outcomes import assert_same_error  # noqa: E402

import ember  # noqa: E402

pytestmark = pytest.mark.oracle

RNG = np.random.default_rng(5)
X = RNG.uniform(0.25, 1.5, (3, 4))
W = RNG.uniform(0.25, 1.5, (4,))


def _name(fn) -> str | None:
    return None if fn is None else type(fn).__name__


def _logging_hooks(log: list, tag: str = "", pack=lambda t: t, unpack=lambda t: t) -> tuple:
    """Hooks that log each call: the packed tensor's shape, requires_grad and grad_fn, and the unpacked one's shape."""
    def pack_hook(t):
        log.append((tag + "pack", tuple(t.shape), t.requires_grad, _name(t.grad_fn)))
        return pack(t)

    def unpack_hook(packed):
        t = unpack(packed)
        log.append((tag + "unpack", tuple(t.shape)))
        return t
    return pack_hook, unpack_hook


def _plain(value):
    """`value` with every tensor (ember's or PyTorch's) made a numpy array, for comparing the two runs."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (ember.Tensor, torch.Tensor)):
        return value.detach().cpu().numpy()
    return value


def _assert_same(got, expected, what="result"):
    if isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), f"{what}: {got!r} != {expected!r}"
        for i, (g, e) in enumerate(zip(got, expected)):
            _assert_same(g, e, f"{what}[{i}]")
    elif isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray), f"{what}: expected an array, got {got!r}"
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-12, err_msg=what)
    else:
        assert got == expected, f"{what}: {got!r} != {expected!r}"


def _compare(scenario):
    """`scenario(lib)` in ember and in PyTorch gives the same logs, values and gradients."""
    _assert_same(_plain(scenario(ember)), _plain(scenario(torch)))


def _leaves(lib):
    return lib.tensor(X, requires_grad=True), lib.tensor(W, requires_grad=True)


def _packed_then_unpacked(lib, log: list, hooks: tuple, forward, leaves) -> list:
    """`forward()` under `hooks` (which log into `log`), then its backward: what was packed, what unpacked,
    the `leaves`' gradients."""
    with lib.autograd.graph.saved_tensors_hooks(*hooks):
        out = forward()
    packed = list(log)
    log.clear()
    out.backward()
    return [packed, log, *(leaf.grad for leaf in leaves)]


def test_every_saved_tensor_is_packed_in_order_and_unpacked_by_backward():
    def scenario(lib):
        log: list = []
        x, w = _leaves(lib)

        def forward():
            y = x.exp()
            z = (y * w).sin()
            products = ((z / (y + 1)) @ w).sum() + lib.addmm(x[:, :1], z, x.T).sum() + z.mm(x.T).tanh().mv(w[:3]).sum()
            more = (z.pow(y) + y.pow(2) + lib.atan2(z, y) + lib.addcmul(z, y, x)).relu().log_softmax(1).sum()
            batched = (z[None] @ x.T[None]).sum() + lib.baddbmm(z[None, :, :3], y[None], x.T[None]).sum()
            return (z.tanh() * 2).sum() + products + more + batched + z[0].dot(w) + lib.addr(z, w[:3], w).sum()
        return _packed_then_unpacked(lib, log, _logging_hooks(log), forward, (x, w))

    _compare(scenario)


def test_gradients_through_hooks_equal_the_plain_ones():
    def run(lib, hooked):
        x, w = _leaves(lib)
        hooks = lib.autograd.graph.saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t * 1)
        with hooks if hooked else lib.autograd.graph.disable_saved_tensors_hooks("off"):
            out = ((x.exp() * w).sin() / (x * x + 1)).sum()
        out.backward()
        return [x.grad, w.grad]

    for lib in (ember, torch):
        _assert_same(_plain(run(lib, True)), _plain(run(lib, False)))
    _assert_same(_plain(run(ember, True)), _plain(run(torch, True)))


def test_unpacked_tensors_are_new_with_the_saved_tensors_place_in_the_graph():
    def scenario(lib):
        log: list = []
        x, _ = _leaves(lib)
        with lib.autograd.graph.saved_tensors_hooks(*_logging_hooks(log, pack=lambda t: t.detach())):
            y = x.exp()  # saves its result
            s = x.sin()  # saves a leaf
        log.clear()
        result = y.grad_fn._saved_result
        again = y.grad_fn._saved_result  # each access unpacks
        leaf = s.grad_fn._saved_self
        return [log, result is y, _name(result.grad_fn), result.requires_grad, result.is_leaf, again is result,
                leaf is x, leaf.requires_grad, leaf.is_leaf, _name(leaf.grad_fn), result, leaf]

    _compare(scenario)


def test_custom_function_save_for_backward_is_packed():
    def scenario(lib):
        class ExpTimes(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                out = a.exp() * b
                ctx.save_for_backward(a, b, out)
                return out

            @staticmethod
            def backward(ctx, g):
                a, b, out = ctx.saved_tensors
                return g * out, g * a.exp()

        log: list = []
        x, w = _leaves(lib)
        with lib.autograd.graph.saved_tensors_hooks(*_logging_hooks(log, pack=lambda t: t.detach())):
            y = ExpTimes.apply(x, w)
        packed = list(log)
        log.clear()
        a, b, out = y.grad_fn.saved_tensors
        unpacked = list(log)
        y.sum().backward()
        return [packed, unpacked, _name(out.grad_fn) == _name(y.grad_fn), a.is_leaf, len(log), x.grad, w.grad]

    _compare(scenario)


def test_nested_hooks_the_innermost_pair_applies():
    def scenario(lib):
        log: list = []
        x, _ = _leaves(lib)
        graph = lib.autograd.graph
        with graph.saved_tensors_hooks(*_logging_hooks(log, "outer ")):
            a = x.sin()
            with graph.saved_tensors_hooks(*_logging_hooks(log, "inner ")):
                b = a.exp()
            c = b.cos()
        c.sum().backward()
        return [log, x.grad]

    _compare(scenario)


def test_hooks_belong_to_the_thread_that_set_them():
    def scenario(lib):
        log: list = []
        x, _ = _leaves(lib)

        def other_thread():
            x.sin()  # the main thread's hooks do not apply here
            with lib.autograd.graph.saved_tensors_hooks(*_logging_hooks(log, "thread ")):
                x.exp()

        with lib.autograd.graph.saved_tensors_hooks(*_logging_hooks(log, "main ")):
            worker = threading.Thread(target=other_thread)
            worker.start()
            worker.join()
            x.cos()
        return log

    _compare(scenario)


def test_each_backward_through_a_retained_graph_unpacks_again():
    def scenario(lib):
        log: list = []
        x, w = _leaves(lib)
        with lib.autograd.graph.saved_tensors_hooks(*_logging_hooks(log)):
            out = (x.sin() * w).sum()
        log.clear()
        out.backward(retain_graph=True)
        first = len(log)
        out.backward()
        return [first, len(log), x.grad]

    _compare(scenario)


def test_no_pack_under_no_grad_nor_for_tensors_that_need_no_gradient():
    def scenario(lib):
        log: list = []
        x, _ = _leaves(lib)
        with lib.autograd.graph.saved_tensors_hooks(*_logging_hooks(log)):
            with lib.no_grad():
                x.sin().exp()
            x.detach().sin().exp()
        return log

    _compare(scenario)


def test_in_place_change_after_packing_is_not_checked():
    def scenario(lib, pack):
        x, _ = _leaves(lib)
        a = x * 1
        with lib.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            b = a.sin()
        a.mul_(2)  # seen by the backward through a pack hook that keeps `a` itself, not through a copy
        b.sum().backward()
        return x.grad

    for pack in (lambda t: t, lambda t: t.clone()):
        _assert_same(_plain(scenario(ember, pack)), _plain(scenario(torch, pack)))


def test_hook_errors_match_torch():
    def hooked(lib, pack, unpack):
        x, _ = _leaves(lib)
        with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
            return (x * 1).sin()

    assert_same_error(lambda lib: hooked(lib, lambda t: t.mul_(2), lambda t: t), ember, torch)
    assert_same_error(lambda lib: hooked(lib, lambda t: t, lambda t: 5).sum().backward(), ember, torch)
    assert_same_error(lambda lib: hooked(lib, lambda t: t, lambda t: None).grad_fn._saved_self, ember, torch)

    def backward_twice(lib):
        y = hooked(lib, lambda t: t.detach(), lambda t: t)
        y.sum().backward()
        y.sum().backward()

    def saved_after_backward(lib):
        y = hooked(lib, lambda t: t.detach(), lambda t: t)
        y.sum().backward()
        return y.grad_fn._saved_self

    assert_same_error(backward_twice, ember, torch)
    assert_same_error(saved_after_backward, ember, torch)


def test_double_backward_through_unpacked_tensors():
    def scenario(lib):
        x, w = _leaves(lib)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t.detach(), lambda t: t):
            out = (x.sin() * w).exp().sum()
            gx, gw = lib.autograd.grad(out, (x, w), create_graph=True)
            second = lib.autograd.grad((gx * gx).sum() + gw.sum(), (x, w))
        return [gx, gw, *second]

    _compare(scenario)


def test_save_on_cpu_keeps_cpu_copies_and_gives_the_same_gradients():
    def scenario(lib, pin_memory):
        x, w = _leaves(lib)
        hooks = lib.autograd.graph.save_on_cpu(pin_memory=pin_memory)
        device, packed = hooks.pack_hook(x)
        with hooks:
            out = (x.exp() * w).sin().sum()
        out.backward()
        back = hooks.unpack_hook((device, packed))
        return [device.type == x.device.type, packed.device.type, packed is x, back.device.type == x.device.type,
                back, x.grad, w.grad]

    for pin_memory in (False, True):
        got, expected = _plain(scenario(ember, pin_memory)), _plain(scenario(torch, pin_memory))
        if ember.get_default_device().type != "cpu":  # a copy to the CPU is a new tensor
            expected[2] = False
        _assert_same(got, expected)


@pytest.mark.parametrize("spatial", [1, 2, 3])
def test_a_convolution_packs_its_input_and_weight_only(spatial):
    """ConvolutionBackward0 packs what PyTorch's saves, not ember's kept im2col columns (27x a 3-d input)."""
    rng = np.random.default_rng(spatial)
    x_np, w_np = rng.standard_normal((2, 3, *[5] * spatial)), rng.standard_normal((4, 3, *[3] * spatial))

    def scenario(lib):
        log: list = []
        x, w = lib.tensor(x_np, requires_grad=True), lib.tensor(w_np, requires_grad=True)
        conv = getattr(lib.nn.functional, f"conv{spatial}d")
        return _packed_then_unpacked(lib, log, _logging_hooks(log, unpack=lambda t: t * 1),
                                     lambda: conv(x, w, padding=1).pow(2).sum(), (x, w))

    _compare(scenario)


def test_an_in_place_write_through_a_view_under_hooks():
    """CopySlices (PyTorch's C++ node name) over the op's node: its saved tensors packed, the gradients as without.
    The packed tensors' grad_fn differ (known): PyTorch packs mul_'s old self as a clone (CloneBackward0) and
    exp_'s result after the view's history was rebased (AsStridedBackward0); ember packs the old self with its
    old history (SliceBackward0) and the result before the rebase (ExpBackward0)."""
    def scenario(lib):
        log: list = []
        x, w = _leaves(lib)
        def pack(t):
            log.append(("pack", tuple(t.shape), t.requires_grad))
            return t

        def unpack(t):
            log.append(("unpack", tuple(t.shape)))
            return t

        def forward():
            y = x * 2
            view = y[1:3, :2]
            view.mul_(w[:2])
            y.t()[0].exp_()
            names.extend([y.grad_fn.name(), _name(view.grad_fn)])
            return y.pow(2).sum()
        names: list = []
        return _packed_then_unpacked(lib, log, (pack, unpack), forward, (x, w)) + names

    _compare(scenario)


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_hooks_around_a_checkpoint_see_its_inputs_not_what_it_recomputes(use_reentrant):
    def scenario(lib):
        log: list = []
        x, w = _leaves(lib)
        with lib.autograd.graph.saved_tensors_hooks(*_logging_hooks(log, pack=lambda t: t.detach())):
            y = lib.utils.checkpoint.checkpoint(lambda a, b: (a.sin() * b).exp(), x, w, use_reentrant=use_reentrant)
            out = y.cos().sum()
        packed = list(log)
        log.clear()
        out.backward()
        return [packed, log, x.grad, w.grad]

    _compare(scenario)


def test_disable_saved_tensors_hooks():
    graph_of = lambda lib: lib.autograd.graph  # noqa: E731

    def hooks_when_disabled(lib):
        with graph_of(lib).disable_saved_tensors_hooks("hooks are off here"):
            with graph_of(lib).saved_tensors_hooks(lambda t: t, lambda t: t):
                pass

    def disabled_when_hooks(lib):
        with graph_of(lib).saved_tensors_hooks(lambda t: t, lambda t: t):
            with graph_of(lib).disable_saved_tensors_hooks("no hooks wanted"):
                pass

    def nested(lib):
        graph = graph_of(lib)
        with graph.disable_saved_tensors_hooks("outer"):
            with graph.disable_saved_tensors_hooks("inner"):
                pass
            with graph.saved_tensors_hooks(lambda t: t, lambda t: t):  # the outer message again
                pass

    assert_same_error(hooks_when_disabled, ember, torch)
    assert_same_error(disabled_when_hooks, ember, torch)
    assert_same_error(nested, ember, torch)

    def enabled_after(lib):
        log: list = []
        graph = graph_of(lib)
        with graph.disable_saved_tensors_hooks("off"):
            x, _ = _leaves(lib)
            x.sin()
        with graph.saved_tensors_hooks(*_logging_hooks(log)):
            x.sin()
        return log

    _compare(enabled_after)


def test_raw_saved_tensor_register_hooks():
    def scenario(lib):
        log: list = []
        x, _ = _leaves(lib)
        a = x * 1
        y = a.exp()
        z = a.sin()
        y.grad_fn._raw_saved_result.register_hooks(*_logging_hooks(log, "result "))
        z.grad_fn._raw_saved_self.register_hooks(*_logging_hooks(log, "self "))
        packed = list(log)
        log.clear()
        a.mul_(2)  # no version check for a tensor kept through hooks
        (y + z).sum().backward()
        return [packed, log, x.grad]

    _compare(scenario)


def test_raw_saved_tensor_errors_match_torch():
    def twice(lib):
        x, _ = _leaves(lib)
        raw = x.sin().grad_fn._raw_saved_self
        raw.register_hooks(lambda t: t, lambda t: t)
        raw.register_hooks(lambda t: t, lambda t: t)

    def after_default_hooks(lib):
        x, _ = _leaves(lib)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            y = x.sin()
        y.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)

    def freed(lib):
        x, _ = _leaves(lib)
        y = x.sin()
        raw = y.grad_fn._raw_saved_self
        y.sum().backward()
        raw.register_hooks(lambda t: t, lambda t: t)

    def none(lib):
        x, _ = _leaves(lib)
        (x * lib.tensor(W)).grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)

    def not_callable(lib):
        x, _ = _leaves(lib)
        x.sin().grad_fn._raw_saved_self.register_hooks(1, 2)

    for call in (twice, after_default_hooks, freed, none):
        assert_same_error(call, ember, torch)
    with pytest.raises(TypeError):
        not_callable(ember)


def test_multi_grad_hook_all_mode():
    def scenario(lib):
        log: list = []
        a, b = (lib.tensor(X, requires_grad=True) for _ in range(2))
        c, d = a * b, a * b
        handle = lib.autograd.graph.register_multi_grad_hook((a, b, c, d),
                                                             lambda grads: log.append([g is not None for g in grads]))
        c.sum().backward(retain_graph=True)
        c.sum().backward(inputs=(a,), retain_graph=True)
        lib.autograd.grad((c + d).sum(), (c,), retain_graph=True)
        handle.remove()
        c.sum().backward()
        return [log, a.grad]

    _compare(scenario)


def test_multi_grad_hook_on_a_leaf_autograd_grad_captures_is_refused():
    def scenario(lib):
        a, b = (lib.tensor(X, requires_grad=True) for _ in range(2))
        c = a * b
        lib.autograd.graph.register_multi_grad_hook((a, c), print)
        lib.autograd.grad(c.sum(), (b,), retain_graph=True)  # `a` is not captured: its hook waits for nothing
        lib.autograd.grad(c.sum(), (a,))

    assert_same_error(scenario, ember, torch)


def test_multi_grad_hook_all_mode_passes_the_gradients():
    def scenario(lib):
        seen: list = []
        x, w = _leaves(lib)
        y = x.exp()
        lib.autograd.graph.register_multi_grad_hook((x, w, y), lambda grads: seen.append(list(grads)))
        (y * w).sum().backward()
        return seen

    _compare(scenario)


def test_multi_grad_hook_any_mode_and_errors():
    def scenario(lib):
        log: list = []
        x, w = _leaves(lib)
        y = x.exp()
        lib.autograd.graph.register_multi_grad_hook((x, w, y, lib.tensor(W)), log.append, mode="any")
        (y * w).sum().backward(retain_graph=True)
        (y * w).sum().backward()
        return log

    _compare(scenario)
    assert_same_error(lambda lib: lib.autograd.graph.register_multi_grad_hook((lib.ones(2),), print, mode="some"),
                      ember, torch)


def test_node_api():
    def scenario(lib):
        log: list = []
        x, w = _leaves(lib)
        y = x.exp() * w
        node = y.grad_fn
        node.metadata["tag"] = 3
        node.register_prehook(lambda grad_outputs: log.append(["pre", *grad_outputs]))
        node.register_hook(lambda grad_inputs, grad_outputs: log.append(["post", *grad_inputs, *grad_outputs]))
        handle = node.register_hook(lambda grad_inputs, grad_outputs: (grad_inputs[0] * 2, grad_inputs[1]))
        y.sum().backward(retain_graph=True)
        handle.remove()
        y.sum().backward()
        return [node.name(), node.metadata, isinstance(node, lib.autograd.graph.Node), log, x.grad, w.grad]

    _compare(scenario)


def test_accumulate_grad_node_hooks():
    def scenario(lib):
        log: list = []
        x, _ = _leaves(lib)
        acc = x.exp().grad_fn.next_functions[0][0]
        acc.register_prehook(lambda grads: log.append(["pre", *grads]))
        acc.register_hook(lambda grad_inputs, grad_outputs: log.append(["post", len(grad_inputs), *grad_outputs]))
        (x.exp() * 2).sum().backward()
        (x.exp() * 3).sum().backward(inputs=(x,))
        lib.autograd.grad(x.exp().sum(), x)  # a captured leaf's node does not run
        return [acc.name(), type(acc).__name__, log, x.grad]

    _compare(scenario)


@pytest.mark.parametrize("returned", ["int", "list", "too many", "a None replaced"])
@pytest.mark.parametrize("kind", ["prehook", "hook", "leaf hook"])
def test_node_hook_results_are_checked_as_torch(kind, returned):
    def call(lib):
        x, _ = _leaves(lib)
        y = (x.exp() * 2).sum()
        node = y.grad_fn.next_functions[0][0]  # MulBackward0 by a number: its second gradient is None
        if kind == "leaf hook":
            node = x.exp().grad_fn.next_functions[0][0]
        given = {"int": lambda grads: 5, "list": lambda grads: list(grads), "too many": lambda grads: grads * 3,
                 "a None replaced": lambda grads: tuple(grads[0] for _ in grads)}
        if kind == "prehook":
            node.register_prehook(given[returned])
        else:
            node.register_hook(lambda grad_inputs, grad_outputs: given[returned](grad_inputs))
        y.backward()
        return x.grad

    fine = (kind == "leaf hook" and returned in ("too many", "a None replaced")  # () again: no gradient inputs
            or kind == "prehook" and returned == "a None replaced")  # the one gradient given back
    if fine:
        _compare(call)
        return
    assert_same_error(call, ember, torch)


def test_increment_version_makes_the_saved_tensor_stale():
    def changed_behind_autograd(lib):
        x, _ = _leaves(lib)
        a = x * 1
        y = a.sin()
        lib.autograd.graph.increment_version(a)
        y.sum().backward()

    def several(lib):
        x, w = _leaves(lib)
        a, b = x * 1, w * 1
        y = a.sin() + b.exp()
        lib.autograd.graph.increment_version([a, b])
        y.sum().backward()

    assert_same_error(changed_behind_autograd, ember, torch)
    assert_same_error(several, ember, torch)


@pytest.mark.parametrize("value", [3, [1], "ab", "tensor and number"])
def test_increment_version_refusals(value):
    def call(lib):
        lib.autograd.graph.increment_version((lib.ones(1), 2) if value == "tensor and number" else value)

    assert_same_error(call, ember, torch)


def test_increment_version_skips_inference_tensors():
    with ember.inference_mode():
        t = ember.ones(2)
    before = None if t._version is None else list(t._version)
    ember.autograd.graph.increment_version(t)
    ember.autograd.graph.increment_version([t])
    assert (None if t._version is None else list(t._version)) == before  # no version counted (PyTorch has none)


def test_allow_mutation_on_saved_tensors():
    def scenario(lib):
        with lib.autograd.graph.allow_mutation_on_saved_tensors() as ctx:
            x, w = _leaves(lib)
            b = x * 1
            out = (b ** 2 * w).sum()
            b.sin_()  # changed after being saved: the backward still sees the saved values
            w.data.mul_(3)
            out.backward(retain_graph=True)
            first = [x.grad.clone(), w.grad.clone()]
            out.backward()
        return [type(ctx).__name__, first, x.grad, w.grad]

    _compare(scenario)


def test_allow_mutation_on_saved_tensors_refusals():
    def backward_outside(lib):
        with lib.autograd.graph.allow_mutation_on_saved_tensors():
            x, _ = _leaves(lib)
            out = (x * 1).sin().sum()
        out.backward()

    def nested(lib):
        with lib.autograd.graph.allow_mutation_on_saved_tensors():
            with lib.autograd.graph.allow_mutation_on_saved_tensors():
                pass

    assert_same_error(backward_outside, ember, torch)
    assert_same_error(nested, ember, torch)
