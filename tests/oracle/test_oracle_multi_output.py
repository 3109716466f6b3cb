"""Multi-output nodes: split, chunk and unbind record one node with several outputs (output_nr), as
PyTorch; clamp_min and clamp_max record their own nodes. Names, next_functions, gradients with some
outputs unused, double backward, and the refusal of in-place changes to the outputs."""
import numpy as np
import pytest

pytestmark = pytest.mark.oracle

MULTI = {
    "split_int": lambda lib, a: lib.split(a, 2),
    "split_uneven": lambda lib, a: a.split(3, 1),
    "split_whole": lambda lib, a: a.split(7),
    "split_sizes": lambda lib, a: lib.split(a, [1, 3, 1]),
    "split_sizes_dim": lambda lib, a: a.split([2, 0, 2], -1),
    "chunk": lambda lib, a: a.chunk(2),
    "chunk_dim": lambda lib, a: lib.chunk(a, 3, 1),
    "unbind": lambda lib, a: a.unbind(),
    "unbind_dim": lambda lib, a: lib.unbind(a, 1),
}
# Which outputs take part in the loss (the others are unused: their gradient slot stays empty).
USED = {"all": None, "first": [0], "last": [-1], "middle_and_last": [1, -1]}


def _structure(outputs, leaf):
    """Per output: grad_fn name, output_nr, whether all share one node, and that node's next_functions
    (as names, the leaf's AccumulateGrad marked)."""
    node = outputs[0].grad_fn
    nexts = [(None if fn is None else type(fn).__name__, nr) for fn, nr in node.next_functions]
    return ([(type(o.grad_fn).__name__, o.output_nr, o.grad_fn is node) for o in outputs], nexts,
            node.next_functions[0][0].variable is leaf)


@pytest.mark.parametrize("used", sorted(USED))
@pytest.mark.parametrize("name", sorted(MULTI))
def test_multi_output_view_ops(oracle, name, used):
    x = oracle.array(oracle.rng(3), (5, 4), "float64")
    call, picks = MULTI[name], USED[used]
    grads, structures = [], []
    for lib in (oracle.ember, oracle.torch):
        leaf = lib.tensor(x, requires_grad=True)
        outputs = call(lib, leaf)
        structures.append(_structure(outputs, leaf))
        n = len(outputs)
        chosen = outputs if picks is None else [outputs[i] for i in dict.fromkeys(min(i, n - 1) % n for i in picks)]
        weights = [lib.tensor(np.arange(o.numel(), dtype=np.float64).reshape(tuple(o.shape)) + 1) for o in chosen]
        loss = sum((o * w).sum() for o, w in zip(chosen, weights))
        loss.backward()
        grads.append(leaf.grad.cpu().numpy())
    assert structures[0] == structures[1]
    np.testing.assert_array_equal(grads[0], grads[1])


@pytest.mark.parametrize("name", ["split_int", "split_sizes", "unbind_dim"])
def test_multi_output_double_backward(oracle, name):
    x = oracle.array(oracle.rng(4), (5, 4), "float64")
    results = []
    for lib in (oracle.ember, oracle.torch):
        leaf = lib.tensor(x, requires_grad=True)
        outputs = MULTI[name](lib, leaf)
        loss = (outputs[0] ** 3).sum() + (outputs[-1] ** 2).sum()
        (g,) = lib.autograd.grad(loss, leaf, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), leaf)
        results.append((g.detach().cpu().numpy(), gg.cpu().numpy()))
    for got, expected in zip(results[0], results[1]):
        np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("name", sorted(MULTI))
def test_multi_output_views_refuse_in_place_changes(oracle, name):
    x = oracle.array(oracle.rng(5), (5, 4), "float32")
    messages = []
    for lib in (oracle.ember, oracle.torch):
        leaf = lib.tensor(x, requires_grad=True)
        outputs = MULTI[name](lib, leaf * 1)
        with pytest.raises(RuntimeError) as info:
            outputs[-1].mul_(2)
        messages.append(str(info.value))
        plain = MULTI[name](lib, lib.tensor(x))  # no graph: writing is allowed
        plain[0].add_(1)
        with lib.no_grad():  # made and written without grad mode: allowed
            MULTI[name](lib, leaf * 1)[0].add_(1)
    assert messages[0] == messages[1]


def test_multi_output_roots_backward_together(oracle):
    x = oracle.array(oracle.rng(6), (4, 3), "float32")
    grads = []
    for lib in (oracle.ember, oracle.torch):
        leaf = lib.tensor(x, requires_grad=True)
        a, b = leaf.chunk(2)
        lib.autograd.backward([a, b], [lib.ones(2, 3), lib.full((2, 3), 2.0)])
        grads.append(leaf.grad.cpu().numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


CLAMPS = {
    "clamp_min_number": lambda lib, a, b: lib.clamp_min(a, 0.5),
    "clamp_max_number": lambda lib, a, b: a.clamp_max(-0.25),
    "clamp_min_tensor": lambda lib, a, b: lib.clamp_min(a, b),
    "clamp_max_tensor": lambda lib, a, b: a.clamp_max(b),
    "clamp_min_": lambda lib, a, b: (a * 1).clamp_min_(0.0),
    "clamp_max_tensor_": lambda lib, a, b: (a * 1).clamp_max_(b),
    "clamp_min_only": lambda lib, a, b: a.clamp(min=0.0),
}


@pytest.mark.parametrize("name", sorted(CLAMPS))
def test_clamp_min_max_nodes(oracle, name):
    rng = oracle.rng(7)
    x, bound = oracle.array(rng, (3, 4), "float64"), oracle.array(rng, (4,), "float64")
    found = []
    for lib in (oracle.ember, oracle.torch):
        a, b = lib.tensor(x, requires_grad=True), lib.tensor(bound, requires_grad=True)
        result = CLAMPS[name](lib, a, b)
        node = result.grad_fn
        nexts = [None if fn is None else type(fn).__name__ for fn, _ in node.next_functions]
        (result * lib.tensor(np.arange(12.0).reshape(3, 4))).sum().backward()
        found.append((type(node).__name__, nexts, a.grad.cpu().numpy().tolist(),
                      None if b.grad is None else b.grad.cpu().numpy().tolist()))
    assert found[0] == found[1]
