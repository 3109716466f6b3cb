"""RNN, LSTM, GRU and their cells against PyTorch with copied parameters: outputs, final states and the
gradients of the input, the initial states and every parameter, over a grid of options; gradcheck on the
cells; parameter names, shapes, init statistics, reprs and argument errors."""

from __future__ import annotations

import itertools

import pytest

torch = pytest.importorskip("torch")


# PyTorch's own note that its oneDNN path lacks projections (it then runs its default implementation).
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported")


def _copy_parameters(ember, torch_module, ember_module):
    """ember_module's parameters set to torch_module's, matched by name (the names must agree)."""
    torch_names = [name for name, _ in torch_module.named_parameters()]
    assert [name for name, _ in ember_module.named_parameters()] == torch_names
    with ember.no_grad():
        for (_, p_e), (_, p_t) in zip(ember_module.named_parameters(), torch_module.named_parameters()):
            assert tuple(p_e.shape) == tuple(p_t.shape)
            p_e.copy_(ember.tensor(p_t.detach().cpu().numpy()))


def _pair(oracle, module_name, dtype, *args, **kwargs):
    torch_module = getattr(torch.nn, module_name)(*args, dtype=getattr(torch, dtype), **kwargs)
    ember_module = getattr(oracle.ember.nn, module_name)(*args, dtype=getattr(oracle.ember, dtype), **kwargs)
    _copy_parameters(oracle.ember, torch_module, ember_module)
    return ember_module, torch_module


def _flatten(result):
    """The tensors of an (output, h) or (output, (h, c)) result, in order."""
    if isinstance(result, tuple):
        return [t for part in result for t in _flatten(part)]
    return [result]


def _compare_run(oracle, ember_module, torch_module, inputs, dtype, seed=1):
    """Run both modules on `inputs` (numpy arrays, or tuples of them for LSTM states), compare the results,
    then backward a random gradient of every result and compare all leaf gradients."""
    def leaves(library_pair_index):
        made = []
        def make(value):
            if value is None:
                return None
            if isinstance(value, tuple):
                return tuple(make(v) for v in value)
            pair = oracle.pair(value)
            made.append(pair[library_pair_index])
            return pair[library_pair_index]
        return made, make
    made_e, make_e = leaves(0)
    made_t, make_t = leaves(1)
    args_e = [make_e(v) for v in inputs]
    args_t = [make_t(v) for v in inputs]
    results_e, results_t = _flatten(ember_module(*args_e)), _flatten(torch_module(*args_t))
    assert len(results_e) == len(results_t)
    rng = oracle.rng(seed)
    loss_e = loss_t = 0
    for i, (r_e, r_t) in enumerate(zip(results_e, results_t)):
        oracle.assert_same(r_e, r_t, f"result {i}")
        upstream = oracle.array(rng, tuple(r_t.shape), dtype, "any")
        loss_e = loss_e + (r_e * oracle.ember.tensor(upstream)).sum()
        loss_t = loss_t + (r_t * torch.tensor(upstream)).sum()
    loss_e.backward()
    loss_t.backward()
    for i, (x_e, x_t) in enumerate(zip(made_e, made_t)):
        oracle.assert_same(x_e.grad, x_t.grad, f"input {i} grad")
    for (name, p_e), (_, p_t) in zip(ember_module.named_parameters(), torch_module.named_parameters()):
        oracle.assert_same(p_e.grad, p_t.grad, f"{name}.grad")


LAYERS = [
    ("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {}), ("LSTM", {"proj_size": 3}),
]
OPTIONS = [
    {"num_layers": n, "batch_first": bf, "bidirectional": bi, "bias": bias}
    for n, bf, bi, bias in itertools.product([1, 2], [False, True], [False, True], [True, False])
    if bias or (n == 2 and bi)
]


def _options_id(options):
    return "-".join(f"{k}={v}" for k, v in options.items())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("options", OPTIONS, ids=_options_id)
@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer[0] + "".join(f"-{v}" for v in layer[1].values()))
@pytest.mark.parametrize("with_state", [False, True])
def test_layer_matches_torch(oracle, layer, options, dtype, with_state):
    name, extra = layer
    ember_module, torch_module = _pair(oracle, name, dtype, 4, 5, **extra, **options)
    rng = oracle.rng(7)
    length, batch = 6, 3
    shape = (batch, length, 4) if options["batch_first"] else (length, batch, 4)
    inputs = [oracle.array(rng, shape, dtype, "any")]
    if with_state:
        layers = options["num_layers"] * (2 if options["bidirectional"] else 1)
        h = oracle.array(rng, (layers, batch, extra.get("proj_size", 5)), dtype, "any")
        inputs.append((h, oracle.array(rng, (layers, batch, 5), dtype, "any")) if name == "LSTM" else h)
    _compare_run(oracle, ember_module, torch_module, inputs, dtype)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_unbatched_input_matches_torch(oracle, name, batch_first, with_state):
    ember_module, torch_module = _pair(oracle, name, "float64", 3, 4, num_layers=2, bidirectional=True,
                                       batch_first=batch_first)
    rng = oracle.rng(2)
    inputs = [oracle.array(rng, (5, 3), "float64", "any")]
    if with_state:
        h = oracle.array(rng, (4, 4), "float64", "any")
        inputs.append((h, oracle.array(rng, (4, 4), "float64", "any")) if name == "LSTM" else h)
    _compare_run(oracle, ember_module, torch_module, inputs, "float64")


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_dropout_between_layers_is_identity_in_eval(oracle, name):
    ember_module, torch_module = _pair(oracle, name, "float64", 3, 4, num_layers=3, dropout=0.5)
    ember_module.eval()
    torch_module.eval()
    _compare_run(oracle, ember_module, torch_module, [oracle.array(oracle.rng(4), (5, 2, 3), "float64", "any")],
                 "float64")


@pytest.mark.parametrize("name,extra", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                        ("LSTMCell", {}), ("GRUCell", {})])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
def test_cell_matches_torch(oracle, name, extra, dtype, bias, batched, with_state):
    ember_module, torch_module = _pair(oracle, name, dtype, 4, 5, bias=bias, **extra)
    rng = oracle.rng(5)
    lead = (3,) if batched else ()
    inputs = [oracle.array(rng, lead + (4,), dtype, "any")]
    if with_state:
        h = oracle.array(rng, lead + (5,), dtype, "any")
        inputs.append((h, oracle.array(rng, lead + (5,), dtype, "any")) if name == "LSTMCell" else h)
    _compare_run(oracle, ember_module, torch_module, inputs, dtype)


@pytest.mark.parametrize("args,kwargs", [
    (("LSTM", 4, 5), {"num_layers": 2, "bidirectional": True, "proj_size": 2}),
    (("GRU", 4, 5), {"bias": False, "num_layers": 3}),
    (("RNN", 4, 5, 2, "relu"), {"batch_first": True}),
    (("LSTMCell", 4, 5), {}), (("GRUCell", 4, 5), {"bias": False}), (("RNNCell", 4, 5), {"nonlinearity": "relu"}),
])
def test_parameters_and_repr_look_like_torch(oracle, args, kwargs):
    name, *rest = args
    torch_module = getattr(torch.nn, name)(*rest, **kwargs)
    ember_module = getattr(oracle.ember.nn, name)(*rest, **kwargs)
    assert repr(ember_module) == repr(torch_module)
    assert [(n, tuple(p.shape)) for n, p in ember_module.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in torch_module.named_parameters()]


def _raise_both(oracle, build):
    with pytest.raises(Exception) as expected:
        build(torch)
    with pytest.raises(type(expected.value)) as got:
        build(oracle.ember)
    # ember's dtypes print as ``ember.float32`` where PyTorch's print ``torch.float32`` (docs/internals.md).
    assert str(got.value) == str(expected.value).replace("torch.", "ember.")


@pytest.mark.parametrize("build", [
    lambda lib: lib.nn.LSTM(4, 5, dropout=1.5),
    lambda lib: lib.nn.LSTM(4, 5, dropout=True),
    lambda lib: lib.nn.GRU(4, 5, bias=1),
    lambda lib: lib.nn.GRU(4, 5, batch_first=None),
    lambda lib: lib.nn.RNN(4.0, 5),
    lambda lib: lib.nn.RNN(0, 5),
    lambda lib: lib.nn.RNN(4, 0),
    lambda lib: lib.nn.RNN(4, 5.0),
    lambda lib: lib.nn.RNN(4, 5, num_layers=0),
    lambda lib: lib.nn.LSTM(4, 5, proj_size=-1),
    lambda lib: lib.nn.LSTM(4, 5, proj_size=5),
    lambda lib: lib.nn.GRU(4, 5, proj_size=2),
    lambda lib: lib.nn.RNN(4, 5, nonlinearity="sigmoid"),
    lambda lib: lib.nn.LSTM(4, 5)(lib.zeros(2, 3, 4, 1)),
    lambda lib: lib.nn.RNN(4, 5)(lib.zeros(2, 3, 4, 1)),
    lambda lib: lib.nn.GRU(4, 5)(lib.zeros(2, 3, 3)),
    lambda lib: lib.nn.GRU(4, 5)(lib.zeros(2, 3, 4, dtype=lib.float64)),
    lambda lib: lib.nn.GRU(4, 5)(lib.zeros(2, 3, 4), lib.zeros(1, 2, 5)),
    lambda lib: lib.nn.GRU(4, 5)(lib.zeros(2, 3, 4), lib.zeros(3, 5)),
    lambda lib: lib.nn.GRU(4, 5)(lib.zeros(2, 4), lib.zeros(1, 1, 5)),
    lambda lib: lib.nn.LSTM(4, 5)(lib.zeros(2, 3, 4), (lib.zeros(1, 3, 5), lib.zeros(1, 3, 4))),
    lambda lib: lib.nn.LSTM(4, 5)(lib.zeros(2, 3, 4), (lib.zeros(1, 2, 5), lib.zeros(1, 3, 5))),
    lambda lib: lib.nn.LSTM(4, 5)(lib.zeros(2, 3, 4), (lib.zeros(3, 5), lib.zeros(1, 3, 5))),
    lambda lib: lib.nn.LSTM(4, 5)(lib.zeros(2, 4), (lib.zeros(1, 1, 5), lib.zeros(1, 1, 5))),
    lambda lib: lib.nn.LSTMCell(4, 5)(lib.zeros(2, 3, 4)),
    lambda lib: lib.nn.GRUCell(4, 5)(lib.zeros(2, 4), lib.zeros(1, 2, 5)),
    lambda lib: lib.nn.RNNCell(4, 5)(lib.zeros(2, 4), lib.zeros(1, 2, 5)),
    lambda lib: lib.nn.LSTMCell(4, 5)(lib.zeros(2, 4), (lib.zeros(2, 5), lib.zeros(1, 2, 5))),
])
def test_errors_match_torch(oracle, build):
    _raise_both(oracle, build)


def test_dropout_with_one_layer_warns_as_torch(oracle):
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1, but got "
                                         "dropout=0.5 and num_layers=1"):
        oracle.ember.nn.LSTM(3, 4, dropout=0.5)
