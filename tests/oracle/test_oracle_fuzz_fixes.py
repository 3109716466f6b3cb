"""Reproducers of the differential fuzzer's divergences (issue 6), run in ember and in PyTorch: each
program must end with the same values, dtypes and gradients, or raise the same error class."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import ember  # noqa: E402

pytestmark = pytest.mark.oracle

# Each program runs with `torch` bound to the library under test and leaves its results in `out`.
PROGRAMS = {
    "bool add alpha": "t = torch.tensor([True, False]); out = [torch.add(t, t, alpha=2), "
                      "torch.add(t, t, alpha=-1), torch.add(t, t, alpha=0), torch.add(t, True, alpha=0)]",
    "bool add_ alpha": "x = torch.tensor(True); x.add_(x, alpha=2); out = [x]",
    "bool no_grad add_ alpha": "x = torch.tensor(False)\nwith torch.no_grad(): x.add_(x, alpha=2)\nout = [x]",
    "sub alpha keeps float16": "h = torch.tensor([-1.0], dtype=torch.float16)\n"
                               "out = [torch.sub(h, torch.tensor([4]), alpha=0.5)]",
    "sub alpha keeps float64": "a = torch.tensor([0.5], dtype=torch.float64)\n"
                               "out = [torch.sub(a, torch.tensor([3]), alpha=0.5)]",
    "add_ alpha int other into float": "f = torch.zeros(2); f.add_(torch.tensor([1, 2]), alpha=0.5); out = [f]",
    "sub alpha mixed grads": "a = torch.tensor([1., 2.], requires_grad=True)\n"
                             "b = torch.tensor([3., 4.], dtype=torch.float64, requires_grad=True)\n"
                             "r = torch.sub(a, b, alpha=3); r.sum().backward(); out = [r, a.grad, b.grad]",
    # setitem: a value that is not 0-d is copied, with copy_'s overlap checks on the stripped, expanded value
    "setitem [None] = self": "x = torch.tensor([1.0]); x[None] = x; out = [x]",
    "setitem [None] = outer": "x = torch.tensor([-1.0], requires_grad=True); t = torch.outer(x, x); t[None] = t; "
                              "out = [t]",
    "setitem [int] = self": "t = torch.tensor([[1.0]]) / 1; t[0] = t; out = [t]",
    "setitem [slice, int] = self": "x = torch.tensor([[1.0]]); x[:, 0] = x; out = [x]",
    "setitem [...] = unsqueezed self": "x = torch.tensor([1.0]); x[...] = x.unsqueeze(-2); out = [x]",
    "setitem [step] = view": "x = torch.tensor([[1.0]], requires_grad=True); t = torch.sin(x.permute(0, 1))\n"
                             "v = t[..., -1]; v[::2] = t; out = [t]",
    "setitem [...] = self": "x = torch.zeros(3); x[...] = x; x[:] = x; out = [x]",
    # grad()'s captured input's node leading to no other input does not run: its freed saved values are not
    # read; backward(inputs=)'s does (PyTorch's error)
    "grad of a freed non-leaf": "x = torch.tensor([1.0, -1.0], dtype=torch.float64, requires_grad=True)\n"
                                "t = torch.outer(x, x); t.backward(torch.ones(2, 2, dtype=torch.float64))\n"
                                "g, = torch.autograd.grad(t.sum(), [t], create_graph=True, retain_graph=True)\n"
                                "out = [g]",
    # a product with a no_grad view (requires grad, no history: a dead edge) saves nothing it reads
    "second backward through a dead view's product": "x = torch.tensor([1.0], requires_grad=True)\n"
                                                     "with torch.no_grad(): v = x.unsqueeze(-2)\n"
                                                     "t = v * 0.0; t.sum().backward(); t.sum().backward()\n"
                                                     "out = [t, x.grad]",
    "backward(inputs=) into a freed non-leaf": "x = torch.tensor([2.0], requires_grad=True); t = x * x\n"
                                               "t.retain_grad(); t.backward()\n"
                                               "(t * 3).backward(inputs=[t]); out = [t.grad, x.grad]",
    "setitem [...] = one-element copies": "x = torch.tensor([1.0], requires_grad=True)\n"
                                          "t = torch.cat([x, x], 0)\nwith torch.no_grad(): v = x[...] * 3\n"
                                          "t[...] = v; t.sum().backward(); out = [t, x.grad]",
    # setitem with a bool mask and a one-element value: masked_fill_ (value checked) unless the mask is 0-d
    "0-d mask dtype": "x = torch.tensor(-3); x[x > 0] = torch.tensor(nan); out = [x]",
    "mask fill overflow": "x = torch.zeros(2); x[x == 0] = torch.tensor(1e300, dtype=torch.float64); out = [x]",
    "mask fill nan into int": "x = torch.zeros(1, dtype=torch.int64); x[x == 0] = torch.tensor(nan); out = [x]",
    "mask fill float into int": "x = torch.zeros(3, dtype=torch.int64); x[x == 0] = torch.tensor(2.5); out = [x]",
    "index into size-0 dim": "x = torch.zeros(0); x[[0]] = torch.tensor(True); out = [x]",
    "index into size-0 dim, float16": "x = torch.zeros(0, dtype=torch.float16); x[[0]] = torch.tensor(2.5); "
                                      "out = [x]",
    "index into size-0 view of a leaf": "x = torch.tensor([1.0], requires_grad=True); v = x[1:]\n"
                                        "v[[0]] = torch.tensor(True); out = [v]",
    "copy_ from its detached self": "t = torch.broadcast_to(torch.tensor(1.0).clamp(max=-2.0), (2,))\n"
                                    "t.copy_(t.detach()); out = [t]",
    "index dtype mismatch": "x = torch.zeros(3); x[[0]] = torch.tensor(1); out = [x]",
    # narrow-dtype scalar conversions
    "float16 ** huge": "h = torch.tensor([1.0, 2.0], dtype=torch.float16); out = [h ** 1e30]",
    "int32 ** huge int": "i = torch.tensor([1], dtype=torch.int32); out = [i ** 2 ** 40]",
    "-inf and -0. to a broadcast tensor 0.5": "x = torch.tensor([-inf, -0.0, 4.0]); h = torch.tensor([[0.5], [0.5]])\n"
                                              "out = [x ** h, torch.pow(x, torch.tensor(0.5)), "
                                              "x.double() ** h.double(), x ** 0.5]",
    "float32 ** huge": "f = torch.tensor([1.0]); out = [f ** 1e300]",
    "one-element float16 fill_": "x = torch.tensor([1.0], dtype=torch.float16); x[::2].fill_(1e30); out = [x]",
    "two-element float16 fill_": "x = torch.zeros(2, dtype=torch.float16); x.fill_(1e30); out = [x]",
    # a float32 var or std over every element takes the mean in float32 first (PyTorch's std_var_all_cpu)
    "float32 var of equal huge values": "x = torch.full((3,), 1e30); y = torch.full((2, 3), 1e30)\n"
                                        "out = [x.var(), x.std(correction=0), x.reshape(3, 1).var(0), y.var(), "
                                        "y.var(1)]",
    # the factories fill as fill_ does: one float16 element takes a huge number as inf, two refuse it
    "one-element float16 full": "h = torch.tensor(1.0, dtype=torch.float16)\n"
                                "out = [torch.full((1, 1), 1e30, dtype=torch.float16), torch.full_like(h, -1e30), "
                                "h.new_full((1,), 70000), torch.scalar_tensor(1e30, dtype=torch.float16)]",
    "two-element float16 full": "out = [torch.full((2,), 1e30, dtype=torch.float16)]",
    "two-element float16 full_like": "out = [torch.full_like(torch.ones(2, dtype=torch.float16), 65520.0)]",
    "two-element float16 new_full": "out = [torch.ones(1, dtype=torch.float16).new_full((1, 2), -1e30)]",
    "one-element float32 full": "out = [torch.full((1,), 1e39)]",
    # gradients that PyTorch sets to zero, not to 0 * grad (NaN when grad is NaN or inf)
    "fill then softmax": "x = torch.tensor([[-1.0, 1.0], [1.0, -1.0]], dtype=torch.float16, requires_grad=True)\n"
                         "t = F.cross_entropy(x, torch.tensor([0, 1]), reduction='sum', ignore_index=0)\n"
                         "t[...] = 1e30; torch.softmax(t, -1).backward(); out = [x.grad]",
    "index_put then log_softmax": "x = torch.tensor([[-1.0, 1.0, 1.0]], dtype=torch.float64, requires_grad=True)\n"
                                  "t = x * -0.0; t[torch.tensor([0, -1])] = inf\n"
                                  "F.log_softmax(t, dim=-1).sum().backward(); out = [x.grad]",
    "ignored nll target": "x = torch.tensor([-1.0], requires_grad=True)\n"
                          "t = F.nll_loss(x, torch.tensor(-100), reduction='none')\n"
                          "(torch.broadcast_to(t, (2,)) ** -1).sum().backward(); out = [x.grad]",
    "ignored nll target times nan": "x = torch.tensor([1.0], requires_grad=True)\n"
                                    "t = F.nll_loss(x, torch.tensor(1), reduction='sum', ignore_index=1)\n"
                                    "t.mul_(nan); t.backward(); out = [x.grad]",
    "cross_entropy ignored row, amax": "x = torch.tensor([[1.0, 1.0], [-1.0, nan]], dtype=torch.float64, "
                                       "requires_grad=True)\n"
                                       "F.cross_entropy(x, torch.tensor([-100, 1]), reduction='none').amax()"
                                       ".backward(); out = [x.grad]",
    "setitem then sqrt_": "x = torch.tensor([-1.0], requires_grad=True); t = x - x; t[::2] = -2.5\n"
                          "t.sqrt_(); t.sum().backward(); out = [x.grad]",
    "copy_ then pow": "x = torch.tensor(-1.0, dtype=torch.float64, requires_grad=True)\n"
                      "t = x * 2; t.copy_(torch.tensor(0.0, dtype=torch.float64))\n"
                      "(t ** -0.5).unsqueeze(0).sum().backward(); out = [x.grad]",
    "pow False gradient": "x = torch.tensor([1.0, 0.0], requires_grad=True); (x ** False).sum().backward(); "
                          "out = [x.grad]",
    # 1-D nll_loss is 0 - x[t] w[t]
    "nll_loss 1-D zero": "x = torch.zeros(2); t = torch.tensor(0)\n"
                         "out = [F.nll_loss(x, t, reduction=r) ** -1 for r in ('none', 'sum', 'mean')]",
    "nll_loss batch zero": "x = torch.zeros(2, 2); t = torch.tensor([0, 0])\n"
                           "out = [F.nll_loss(x, t, reduction=r) ** -1 for r in ('none', 'sum', 'mean')]",
    # (log_)softmax of an empty integer tensor; non-empty ones are NotImplementedError
    "softmax of empty bool": "x = torch.zeros(0, dtype=torch.bool); out = [F.log_softmax(x, 0), x.softmax(0)]",
    "softmax of int": "out = [torch.tensor([1, 2]).softmax(0)]",
    # autograd bookkeeping
    "requires_grad_(False) leaf gets no grad": "x = torch.ones(2, requires_grad=True); y = (x * 2).sum()\n"
                                               "x.requires_grad_(False); y.backward(); out = [x.grad]",
    "retain_grad after exp_": "x = torch.tensor([-1.0], requires_grad=True)\n"
                              "t = torch.stack([x, torch.tensor([0.0])]); t.retain_grad(); t.exp_()\n"
                              "t.sum().backward(); out = [t.grad, x.grad]",
    "cross_entropy zero loss no graph": "x = torch.zeros(4, 1); t = torch.tensor([0, 0, 0, 1])\n"
                                        "out = [F.cross_entropy(x, t, reduction=r, ignore_index=1) ** -1 "
                                        "for r in ('none', 'sum', 'mean')]",
    "cross_entropy zero loss 1-D": "x = torch.zeros(1, requires_grad=True)\n"
                                   "out = [torch.reciprocal(F.cross_entropy(x, torch.tensor(0), reduction='none'))]",
    "relu keeps -0": "out = [torch.tensor([1.0, -0.0]).relu() ** -1]",
    "setitem list into broadcast view": "x = torch.tensor([1.0, 2.0], requires_grad=True); t = x * 1\n"
                                        "v = t.expand(2, -1); v[[0]] = torch.tensor(2.5); out = [t, v]",
    "setitem list into broadcast 0-d": "x = torch.tensor(1.0, requires_grad=True); t = (x * 2).reshape(-1)\n"
                                       "v = torch.broadcast_to(t, (2,)); v[[-2]] = 0.5; out = [t, v]",
    "in-place on a create_graph gradient": "x = torch.tensor([-1.0, 2.0], requires_grad=True)\n"
                                           "g, = torch.autograd.grad((x * 1).sum(), [x], create_graph=True)\n"
                                           "g[0:1].mul_(x[1:]); (g * torch.tensor([3.0, 5.0])).sum().backward()\n"
                                           "out = [g, x.grad]",
    "setitem on a create_graph gradient": "x = torch.tensor([-1.0], requires_grad=True)\n"
                                          "g, = torch.autograd.grad(x.sum(), [x], create_graph=True)\n"
                                          "g[[0]] = x * 2; (g * 3).sum().backward(); out = [g, x.grad]",
    "in-place on prod()": "t = torch.zeros(0).prod(); x = torch.tensor(-1.0, requires_grad=True); t.mul_(x)\n"
                          "t.backward(); out = [t, x.grad]",
    # CopySlices writes no gradient region for a base whose old values have no history: a broadcast base
    # (a create_graph gradient of sum() is an expanded 0-d tensor) takes the write without an overlap error
    "setitem into an expanded create_graph gradient": "x = torch.tensor([[1.0], [-1.0]], requires_grad=True)\n"
                                                      "g, = torch.autograd.grad(x.sum(), [x], create_graph=True)\n"
                                                      "v = torch.tensor(-1.0, requires_grad=True)\n"
                                                      "g[torch.tensor([0, 1])] = v; g.sum().backward(); "
                                                      "out = [g, v.grad]",
    "slice into an expanded create_graph gradient": "x = torch.ones(3, 2, requires_grad=True)\n"
                                                    "g, = torch.autograd.grad(x.sum(), [x], create_graph=True)\n"
                                                    "v = torch.tensor([2.0, 3.0], requires_grad=True)\n"
                                                    "g[1:] = v * 2; (g * 5).sum().backward(); out = [g, v.grad]",
    # a single root of grad() is evaluated even when it leads to no input: its retain_grad runs
    "retain_grad of a root that reaches no input": "x = torch.tensor(1.0, requires_grad=True)\n"
                                                   "t = torch.clamp(x, max=1.75); t.retain_grad()\n"
                                                   "y = torch.tensor(1.0, requires_grad=True)\n"
                                                   "g, = torch.autograd.grad(t, [y], allow_unused=True)\n"
                                                   "out = [t.grad, g, x.grad]",
    "retain_grad of a root, backward(inputs=)": "x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                                                "t = x * 2; t.retain_grad()\n"
                                                "y = torch.tensor(1.0, requires_grad=True)\n"
                                                "t.backward(torch.ones(2), inputs=[y]); out = [t.grad, y.grad, x.grad]",
    "retain_grad of two roots that reach no input": "x = torch.tensor(1.0, requires_grad=True)\n"
                                                    "t = x * 2; t.retain_grad(); u = x * 3; u.retain_grad()\n"
                                                    "y = torch.tensor(1.0, requires_grad=True)\n"
                                                    "torch.autograd.grad([t, u], [y], allow_unused=True)\n"
                                                    "out = [t.grad, u.grad]",
    # nll_loss's create_graph gradient keeps the target (PyTorch's NllLossBackwardBackward0 saves it)
    "nll target changed after a create_graph gradient": "x = torch.tensor([-1.0], requires_grad=True)\n"
                                                        "y = torch.tensor(1)\n"
                                                        "t = F.cross_entropy(x, y, reduction='sum', ignore_index=1)\n"
                                                        "g, = torch.autograd.grad(t, [x], create_graph=True)\n"
                                                        "with torch.no_grad(): y.fill_(0)\n"
                                                        "g.sum().backward(); out = [x.grad]",
    "bce target changed after a create_graph gradient": "x = torch.tensor([[-1.0, 1.0], [1.0, -1.0]], "
                                                        "requires_grad=True)\n"
                                                        "y = torch.tensor([[1.0, 1.0], [0.0, 1.0]])\n"
                                                        "t = F.binary_cross_entropy(x.sigmoid(), y, reduction='none')\n"
                                                        "g, = torch.autograd.grad(t.sum(), [x], create_graph=True)\n"
                                                        "y.zero_(); g.sum().backward(); out = [x.grad]",
    # cross_entropy's graph keeps the log-probabilities, not the logits: changing them is not refused, and
    # the gradient is the one of the logits the loss saw
    "cross_entropy logits changed before a create_graph gradient": "x = torch.tensor([[-0.5, 2.0, -1.0], "
                                                                   "[1.0, 1.0, 1.0], [0.0, 1.0, 3.0]], "
                                                                   "requires_grad=True)\n"
                                                                   "t = F.cross_entropy(x, torch.tensor([1, 2, 1]), "
                                                                   "ignore_index=1)\n"
                                                                   "with torch.no_grad(): x.fill_(-inf)\n"
                                                                   "g, = torch.autograd.grad(t, [x], create_graph=True)"
                                                                   "\nout = [g]",
    "cross_entropy double backward, logits changed": "x = torch.tensor([[-0.5, 2.0, -1.0], [0.0, 1.0, 3.0]], "
                                                     "dtype=torch.float64, requires_grad=True)\n"
                                                     "t = F.cross_entropy(x, torch.tensor([1, 2]))\n"
                                                     "g, = torch.autograd.grad(t, [x], create_graph=True)\n"
                                                     "with torch.no_grad(): x.mul_(2)\n"
                                                     "(g * g * torch.tensor([[1.0, 2.0, 3.0]], dtype=torch.float64))"
                                                     ".sum().backward(); out = [g, x.grad]",
    "cross_entropy double backward through a hooked node": "x = torch.tensor([[-0.5, 2.0, -1.0], [0.0, 1.0, 3.0]], "
                                                           "dtype=torch.float64, requires_grad=True)\n"
                                                           "t = F.cross_entropy(x, torch.tensor([1, 2]), "
                                                           "reduction='sum')\n"
                                                           "t.grad_fn.register_hook(lambda grad_in, grad_out: None)\n"
                                                           "g, = torch.autograd.grad(t, [x], create_graph=True)\n"
                                                           "with torch.no_grad(): x.zero_()\n"
                                                           "(g ** 2).sum().backward(); out = [g, x.grad]",
    # retain_grad, requires_grad_ and retains_grad tell a leaf by the recorded grad_fn (PyTorch's C++ is_leaf):
    # a no_grad view changed in place stays a leaf, a view whose base gained history since stays one too
    "retain_grad of a no_grad view changed in place": "x = torch.tensor(-1.0, requires_grad=True)\n"
                                                      "with torch.no_grad(): t = x[None]\n"
                                                      "with torch.no_grad(): t.zero_()\n"
                                                      "t.retain_grad(); t.requires_grad_(); out = [t]",
    "retain_grad of a view whose base gained history": "w = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                                                       "b = torch.zeros(2); v = b[:1]; b.add_(w)\n"
                                                       "v.retain_grad(); v.requires_grad_(False)\n"
                                                       "(v * 3).sum().backward(); out = [w.grad]",
    "retain_grad of a view after its base's mul_": "w = torch.tensor([1.0, 2.0], requires_grad=True); x = w * 1\n"
                                                   "v = x[:1]; x.mul_(2); v.retain_grad()\n"
                                                   "(v * 3).sum().backward(); out = [v.grad, w.grad]",
    # retain_grad under create_graph keeps the gradient's graph in .grad (CloneBackward0, then AddBackward0)
    "retain_grad under create_graph": "x = torch.tensor([1.0, 2.0], requires_grad=True); t = x * x\n"
                                      "t.retain_grad(); (t * t).sum().backward(create_graph=True)\n"
                                      "(t * t).sum().backward(create_graph=True); g = t.grad\n"
                                      "x.grad = None; g.sum().backward(); out = [g, x.grad]",
    # a leaf reshaped in place under no_grad after its use: its first gradient is kept in the shape it had then
    "leaf unsqueeze_d after use": "x = torch.tensor([[-1.0], [-1.0]], requires_grad=True); t = x.log_softmax(-2)\n"
                                  "with torch.no_grad(): x.unsqueeze_(2)\n"
                                  "t.sum().backward(retain_graph=True); out = [x.grad, torch.tensor(x.grad.shape)]",
    "retain_grad after a view's mul_": "x = torch.tensor([1., 2.], requires_grad=True); t = x * 1\n"
                                       "t.retain_grad(); t[0:1].mul_(3); t.sum().backward(); out = [t.grad, x.grad]",
}


def _run(lib, source):
    scope = {"torch": lib, "F": lib.nn.functional, "inf": math.inf, "nan": math.nan}
    try:
        exec(source, scope)
    except Exception as error:  # the error class is what is compared
        return type(error).__name__
    return [None if v is None else (str(v.dtype).rsplit(".", 1)[-1], v.detach().cpu().numpy().tolist())
            for v in scope["out"]]


@pytest.mark.filterwarnings("ignore:Use of index_put_ on expanded tensors")
@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_matches_torch(name):
    got, expected = _run(ember, PROGRAMS[name]), _run(torch, PROGRAMS[name])
    if isinstance(expected, str) or isinstance(got, str):
        assert got == expected
        return
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert (g is None) == (e is None)
        if e is not None:
            assert g[0] == e[0]  # the dtype; NaN equals NaN, -0. equals 0.
            np.testing.assert_allclose(np.array(g[1], dtype=float), np.array(e[1], dtype=float), rtol=1e-6)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_grad_from_create_graph_keeps_requires_grad():
    """A plain backward adds into a .grad made by create_graph in place: it still requires grad."""
    grads = []
    for lib in (ember, torch):
        x = lib.tensor([[1.0, -1.0]], requires_grad=True)
        loss = lib.nn.functional.binary_cross_entropy(x.sigmoid(), lib.tensor([[1.0, 0.0]]), reduction="sum")
        loss.backward(create_graph=True)
        x.sum().backward(retain_graph=True)
        grads.append((x.grad.requires_grad, x.grad.detach().cpu().numpy().tolist()))
    assert grads[0][0] == grads[1][0]
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-6)


def test_in_place_on_prod_records_its_op():
    names = []
    for lib in (ember, torch):
        t = lib.tensor(1.0).prod()
        t += lib.tensor(1.0, requires_grad=True)
        names.append(type(t.grad_fn).__name__)
    assert names[0] == names[1] == "AddBackward0"


@pytest.mark.filterwarnings("ignore:Use of index_put_ on expanded tensors")
def test_setitem_copy_has_copy_backwards():
    names = []
    for lib in (ember, torch):
        x = lib.tensor([1.0], requires_grad=True)
        t = lib.cat([x, x], 0)
        with lib.no_grad():
            v = x[...]
        t[...] = v
        names.append(type(t.grad_fn).__name__)
    assert names[0] == names[1] == "CopyBackwards"


def test_a_captured_node_leading_to_no_other_input_does_not_run():
    """grad() with a non-leaf input captures its gradient there; its node runs only on the way to another
    input, as PyTorch's: no backward, no node hook."""
    assert _captured_node_calls(ember) == _captured_node_calls(torch) == [[1.0], ["y"]]


def _captured_node_calls(lib) -> list:
    calls = []
    x = lib.tensor([2.0], requires_grad=True)
    y = x * 3
    z = y.exp()
    y.grad_fn.register_hook(lambda grad_in, grad_out: calls.append("y"))
    (g,) = lib.autograd.grad(z.sum(), [z], retain_graph=True)
    calls.append(g.tolist())
    lib.autograd.grad(z.sum(), [x])
    return [calls[0], calls[1:]]


def test_lone_root_runs_only_its_tensor_hooks():
    """grad()/backward(inputs=) from one root that reaches no input still evaluates that root, as PyTorch's
    engine does: its tensor hooks (a leaf root's too) run, its node hooks and backward do not."""
    assert _lone_root_hooks(ember) == _lone_root_hooks(torch) == ([("tensor", [1.0, 1.0]), ("leaf", [3.0, 3.0])], None)


def _lone_root_hooks(lib) -> tuple:
    """The hooks run by a grad() from a non-leaf root, then from a leaf root, neither reaching the input."""
    log: list = []
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = lib.tensor(1.0, requires_grad=True)
    t = x * 2
    t.grad_fn.register_hook(lambda grad_in, grad_out: log.append("node"))
    t.grad_fn.register_prehook(lambda grad_out: log.append("node pre"))
    t.register_hook(lambda grad: log.append(("tensor", grad.tolist())))
    x.register_hook(lambda grad: log.append(("leaf", grad.tolist())))
    lib.autograd.grad(t, [y], lib.ones(2), allow_unused=True)
    lib.autograd.grad(x, [y], lib.full((2,), 3.0), allow_unused=True)
    return log, x.grad


_INDEX_LIKE = {
    "index": "x[torch.tensor([0, 0])]",
    "index, list": "x[:, [2, 0]]",
    "unfold": "x.unfold(1, 2, 1)",
    "reflection pad": "F.pad(x[None], (1, 2), mode='reflect')",
    "replication pad": "F.pad(x[None, None], (1, 2, 1, 0), mode='replicate')",
}


@pytest.mark.parametrize("op", sorted(_INDEX_LIKE))
def test_gradient_of_an_index_like_op_is_recorded_as_pytorchs(op):
    """Under create_graph the gradient of index, unfold and the reflection/replication pads is recorded as
    PyTorch's node (IndexPutImplBackward0, UnfoldBackwardBackward0, ...PadNDBackwardBackward0), over the same
    edges, and differentiates to the same double backward."""
    results = []
    for lib in (ember, torch):
        x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]], dtype=lib.float64, requires_grad=True)
        w = lib.tensor(3.0, dtype=lib.float64, requires_grad=True)
        y = eval(_INDEX_LIKE[op], {"torch": lib, "F": lib.nn.functional, "x": x})
        g, = lib.autograd.grad((y * w * y).sum(), [x], create_graph=True)
        fn = g.grad_fn
        while type(fn).__name__.startswith("Squeeze"):  # the pads' batch dims, added above
            fn = fn.next_functions[0][0]
        edges = [None if f is None else type(f).__name__ for f, _ in fn.next_functions]
        (g * g).sum().backward()
        results.append((type(fn).__name__, edges, x.grad.tolist(), w.grad.item()))
    assert results[0] == results[1]


@pytest.mark.parametrize("reshape", ["unsqueeze", "squeeze", "as_strided"])
def test_accumulating_into_a_grad_of_another_shape_is_pytorchs(reshape):
    """Fuzz seed 894115: a leaf reshaped in place under no_grad after its .grad was made; the next gradient is
    added into that .grad as PyTorch's in-place add does: broadcast, or PyTorch's RuntimeError (numpy's
    ValueError leaked before)."""
    outcomes = []
    for lib in (torch, ember):
        x = lib.ones(*{"unsqueeze": (3,), "squeeze": (1, 3), "as_strided": (4,)}[reshape], requires_grad=True)
        x.sum().backward()
        with lib.no_grad():
            if reshape == "unsqueeze":
                x.unsqueeze_(0)
            elif reshape == "squeeze":
                x.squeeze_(0)
            else:
                x.as_strided_((3,), (1,))
        try:
            x.sum().backward()
            outcomes.append(x.grad.tolist())
        except RuntimeError as error:
            outcomes.append(str(error))
    assert outcomes[0] == outcomes[1]


_LAID_OUT = {
    "expanded transpose": lambda x: x.transpose(0, 1)[None].expand(2, 3, 2, 4),
    "expanded last dim": lambda x: x.permute(0, 2, 1)[..., None].expand(2, 4, 3, 2),
    "permuted": lambda x: x.permute(1, 2, 0),
    "permuted slice": lambda x: x.permute(1, 2, 0)[:, 1:],
    "step": lambda x: x[:, ::2],
}


@pytest.mark.parametrize("layout", sorted(_LAID_OUT))
@pytest.mark.parametrize("cast", ["long", "half", "double", "int32"])
def test_a_cast_is_laid_out_as_clone(layout, cast):
    """Fuzz seed 867889: to(dtype) of a strided tensor keeps its stride order as clone() does (PyTorch's
    _to_copy, preserve_format), also where it is not dense (an expanded transpose gave row-major strides)."""
    strides = []
    for lib in (torch, ember):
        x = _LAID_OUT[layout](lib.arange(24.0).reshape(2, 3, 4))
        y = x.to(lib.int32) if cast == "int32" else getattr(x, cast)()
        strides.append((y.stride(), y.is_contiguous(), y.tolist()))
    assert strides[0] == strides[1]


_DEAD_EDGE_PRODUCTS = {
    "dot of itself": "v @ v",
    "dot": "v @ u",
    "mul": "v * u",
    "div": "u / v",
    "mm": "v[None].mm(u[None].t())",
    "mv": "u[None].mv(v)",
}


@pytest.mark.parametrize("op", sorted(_DEAD_EDGE_PRODUCTS))
@pytest.mark.parametrize("changed", ["view", "other"])
def test_a_value_saved_only_for_a_dead_edge_is_not_checked(op, changed):
    """Fuzz seed 860587: a product of a no_grad view of a tensor requiring grad (a dead edge) and `u` saves `u`
    only for the view's gradient, which is never computed: as PyTorch, it is not saved, so an in-place change
    of it raises nothing (ember raised in backward); nor does one of a view saved for no gradient. A value that
    is needed still gives PyTorch's error."""
    outcomes = []
    for lib in (torch, ember):
        y = lib.tensor([2.0], requires_grad=True)
        w = lib.tensor([3.0], requires_grad=True)
        with lib.no_grad():
            v = y[:]
        u = w * 1
        t = eval(_DEAD_EDGE_PRODUCTS[op], {"v": v, "u": u})
        if changed == "view":
            with lib.no_grad():
                v.mul_(2)
        else:
            u.mul_(2)
        try:
            t.sum().backward()
            outcomes.append((None if w.grad is None else w.grad.tolist(), y.grad))
        except RuntimeError as error:
            outcomes.append(str(error).replace("ember.", "torch."))
    assert outcomes[0] == outcomes[1]


@pytest.mark.filterwarnings("ignore:Use of index_put_ on expanded tensors")
def test_a_refused_setitem_into_a_broadcast_view_writes_nothing():
    """Fuzz seed 906467: a value requiring grad put at a bool mask into a broadcast no_grad view (a gradient of
    sum()) is PyTorch's RuntimeError, raised before any element is written (ember wrote the shared memory
    first)."""
    outcomes = []
    for lib in (torch, ember):
        x = lib.tensor([-2.25, 1.75], requires_grad=True)
        g, = lib.autograd.grad(x.sum(), [x])
        with pytest.raises(RuntimeError, match="A view was created in no_grad mode and is being modified inplace"):
            g[g > 0] = x
        outcomes.append(g.tolist())
    assert outcomes[0] == outcomes[1] == [1.0, 1.0]


@pytest.mark.parametrize("dtype", ["float32", "int32", "float64", "int64", "float16"])
def test_neg_into_a_strided_view_is_pytorchs(dtype):
    """Fuzz seed 968596: neg_ of every k-th element (t[..., 0] of a (n, k) tensor) negates those elements; numpy
    2.4's negative wrote wrong values from a strided input into a strided output (float32 and int32, k = 4)."""
    for rows in (2, 3, 9, 33):
        for step in range(2, 10):
            results = []
            for lib in (torch, ember):
                t = lib.arange(1, rows * step + 1).to(getattr(lib, dtype)).reshape(rows, step)
                t[..., 0].neg_()
                results.append(t.tolist())
            assert results[0] == results[1], (rows, step)
