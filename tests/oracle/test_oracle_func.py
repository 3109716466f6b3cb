"""ember.func (grad, vjp, jvp, linearize, jacrev, jacfwd, hessian, vmap, functional_call, stack_module_state)
against torch.func: values, the nesting of results, nested transforms, per-sample gradients, whether results
carry a graph, vmap's randomness modes and PyTorch's errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from outcomes import assert_same_error, assert_same_tree  # noqa: E402

import ember  # noqa: E402

pytestmark = pytest.mark.oracle

RNG = np.random.default_rng(11)
X = RNG.standard_normal(3)
B = RNG.standard_normal((4, 3))
W = RNG.standard_normal((3, 2))
BATCHES = RNG.standard_normal((4, 2, 3))


def _both(build, *arrays):
    """`build(lib, func_module)(*tensors)` in ember and in PyTorch, compared."""
    got = build(ember, ember.func)(*(ember.tensor(a) for a in arrays))
    expected = build(torch, torch.func)(*(torch.tensor(a) for a in arrays))
    assert_same_tree(got, expected)


TRANSFORMS = {
    "grad": lambda lib, fn: fn.grad(lambda x: (x.sin() * x).sum()),
    "grad_argnums_tuple": lambda lib, fn: lambda x: fn.grad(lambda a, b: (a * b.exp()).sum(), argnums=(0, 1))(x, x * 2),
    "grad_negative_argnum": lambda lib, fn: lambda x: fn.grad(lambda a, b: (a * b.exp()).sum(), argnums=-1)(x, x * 2),
    "grad_dict_input": lambda lib, fn: lambda x: fn.grad(lambda d: (d["a"] * d["b"][0].cos()).sum())(
        {"a": x, "b": [x * 3]}),
    "grad_has_aux": lambda lib, fn: fn.grad(lambda x: ((x ** 2).sum(), {"y": x.cos()}), has_aux=True),
    "grad_and_value": lambda lib, fn: fn.grad_and_value(lambda x: (x.tanh() ** 2).sum()),
    "grad_and_value_has_aux": lambda lib, fn: fn.grad_and_value(lambda x: (x.sum(), x * 2), has_aux=True),
    "grad_unused_input": lambda lib, fn: fn.grad(lambda x: lib.tensor(1.0, dtype=x.dtype)),
    "grad_of_grad": lambda lib, fn: fn.grad(lambda x: fn.grad(lambda y: (y ** 3 * y.sin()).sum())(x).sum()),
    "grad_of_grad_of_grad": lambda lib, fn: lambda x: fn.grad(fn.grad(fn.grad(lambda s: s.sin() * s ** 4)))(x[0]),
    "grad_inner_captures_outer": lambda lib, fn: fn.grad(lambda x: fn.grad(lambda y: (x * y).sum() * x.sum())(x).sum()),
    "vjp": lambda lib, fn: lambda x: fn.vjp(lambda a: a.sin() * a.sum(), x)[1](x.cos()),
    "vjp_output_value": lambda lib, fn: lambda x: fn.vjp(lambda a: a.exp(), x)[0],
    "vjp_tree": lambda lib, fn: lambda x: fn.vjp(lambda a, b: {"s": a * b, "t": (a.sum(),)}, x, x + 1)[1](
        {"s": x.cos(), "t": (x.sum(),)}),
    "vjp_has_aux": lambda lib, fn: lambda x: fn.vjp(lambda a: (a.sin(), a.cos()), x, has_aux=True)[2],
    "jvp": lambda lib, fn: lambda x: fn.jvp(lambda a: a.sin() * a.sum(), (x,), (x.cos(),)),
    "jvp_two_primals": lambda lib, fn: lambda x: fn.jvp(lambda a, b: (a * b.exp(), a.sum()), (x, x * 2), (x, -x)),
    "jvp_has_aux": lambda lib, fn: lambda x: fn.jvp(lambda a: (a ** 3, a.sum()), (x,), (x.cos(),), has_aux=True),
    "jvp_integer_output": lambda lib, fn: lambda x: fn.jvp(lambda a: (a.long(), a * a), (x,), (x.cos(),)),
    "jvp_constant_output": lambda lib, fn: lambda x: fn.jvp(lambda a: lib.ones(2, dtype=a.dtype), (x,), (x,)),
    "linearize": lambda lib, fn: lambda x: fn.linearize(lambda a: a.sin() * a.prod(), x)[1](x.cos()),
    "jacrev": lambda lib, fn: fn.jacrev(lambda x: x.sin() * x.sum()),
    "jacfwd": lambda lib, fn: fn.jacfwd(lambda x: x.sin() * x.sum()),
    "jacrev_tree": lambda lib, fn: lambda x: fn.jacrev(lambda a, b: {"p": a * b, "q": [(a @ b).exp()]},
                                                       argnums=(0, 1))(x, x.cos()),
    "jacfwd_tree": lambda lib, fn: lambda x: fn.jacfwd(lambda d: (d["a"].outer(d["b"]), d["a"].sum()))(
        {"a": x, "b": x[:2]}),
    "jacrev_has_aux": lambda lib, fn: fn.jacrev(lambda x: (x.exp(), x.sum()), has_aux=True),
    "jacrev_matrix": lambda lib, fn: fn.jacrev(lambda m: m.t() @ m),
    "jacrev_of_jacrev": lambda lib, fn: fn.jacrev(fn.jacrev(lambda x: x.sin() * x.sum())),
    "hessian": lambda lib, fn: fn.hessian(lambda x: (x.sin() * x.sum()).sum()),
    "hessian_argnums": lambda lib, fn: lambda x: fn.hessian(lambda a, b: (a.exp() * b).sum(), argnums=(0, 1))(x, x * 2),
    "grad_of_vmap": lambda lib, fn: fn.grad(lambda m: fn.vmap(lambda r: r.sin().sum() * r[0])(m).sum()),
    "jacrev_of_vmap": lambda lib, fn: fn.jacrev(fn.vmap(lambda r: r.exp() * r.sum())),
    "vmap": lambda lib, fn: fn.vmap(lambda r: r.exp() * r.sum()),
    "vmap_in_dims_tuple": lambda lib, fn: lambda m: fn.vmap(lambda r, c: r * c.sum(), in_dims=(0, 1))(m, m.t()),
    "vmap_in_dims_none": lambda lib, fn: lambda m: fn.vmap(lambda r, v: r @ v, in_dims=(0, None))(m, m[0]),
    "vmap_in_dims_tree": lambda lib, fn: lambda m: fn.vmap(lambda d: d["a"] * d["b"], in_dims=({"a": 0, "b": None},))(
        {"a": m, "b": m[1]}),
    "vmap_negative_dims": lambda lib, fn: fn.vmap(lambda c: c.cumsum(0), in_dims=-1, out_dims=-1),
    "vmap_out_dims_tuple": lambda lib, fn: fn.vmap(lambda r: (r * 2, r.sum()), out_dims=(1, 0)),
    "vmap_out_dims_none": lambda lib, fn: lambda m: fn.vmap(lambda r, v: (r * v, v), in_dims=(0, None),
                                                            out_dims=(0, None))(m, m[0]),
    "vmap_kwargs_unmapped": lambda lib, fn: lambda m: fn.vmap(lambda r, *, scale: r * scale)(m, scale=m[0]),
    "vmap_unmapped_output_broadcast": lambda lib, fn: lambda m: fn.vmap(lambda r: m[0] * 2)(m),
    "vmap_nested": lambda lib, fn: fn.vmap(fn.vmap(lambda s: s.sin() * s)),
    "vmap_nested_in_dims": lambda lib, fn: lambda m: fn.vmap(fn.vmap(lambda a, b: a * b, in_dims=(0, None)),
                                                            in_dims=(None, 0))(m[0], m),
    "vmap_empty_batch": lambda lib, fn: lambda m: fn.vmap(lambda r: (r * 2, r.exp()), out_dims=(0, 1))(m[:0]),
    "vmap_of_grad": lambda lib, fn: lambda m: fn.vmap(fn.grad(lambda w, r: (r * w).tanh().sum()), in_dims=(None, 0))(
        m[0], m),
    "vmap_of_jacrev": lambda lib, fn: fn.vmap(fn.jacrev(lambda r: r.sin() * r.sum())),
    "vmap_of_jvp": lambda lib, fn: lambda m: fn.vmap(lambda r, t: fn.jvp(lambda a: a.exp() * a, (r,), (t,)))(
        m, m.cos()),
}
INPUT_OF = {name: (B if "vmap" in name or name == "jacrev_matrix" else X) for name in TRANSFORMS}


@pytest.mark.parametrize("name", TRANSFORMS)
def test_transform_values_and_trees_as_torch(name):
    _both(TRANSFORMS[name], INPUT_OF[name])


@pytest.mark.parametrize("name", ["grad", "jacrev", "hessian", "vmap_of_grad", "jvp", "vjp"])
def test_results_keep_the_graph_of_an_input_that_requires_grad(name):
    """Transforms compose with ordinary autograd: an input that requires grad gets the gradient of a loss
    of their results, as in PyTorch."""
    def run(lib, fn):
        x = lib.tensor(INPUT_OF[name], requires_grad=True)
        result = TRANSFORMS[name](lib, fn)(x)
        leaves = result if isinstance(result, tuple) else (result,)
        sum(((leaf * leaf.detach().cos()).sum() for leaf in leaves if leaf.requires_grad), lib.tensor(0.0)).backward()
        return result, x.grad
    got, expected = run(ember, ember.func), run(torch, torch.func)
    assert_same_tree(got, expected)


def test_grad_keeps_the_graph_to_a_captured_tensor_that_requires_grad():
    def run(lib, fn):
        w = lib.tensor(X, requires_grad=True)
        g = fn.grad(lambda x: (x.sin() * w).sum() * (x * w).sum())(lib.tensor(X * 2))
        (g ** 2).sum().backward()
        return g, w.grad
    assert_same_tree(run(ember, ember.func), run(torch, torch.func))


def test_grad_under_no_grad_gives_a_detached_gradient():
    def run(lib, fn):
        x = lib.tensor(X, requires_grad=True)
        with lib.no_grad():
            return fn.grad(lambda a: (a ** 3).sum())(x)
    assert_same_tree(run(ember, ember.func), run(torch, torch.func))


def test_grad_respects_no_grad_inside_the_function():
    _both(lambda lib, fn: fn.grad(lambda x: (x * _no_grad_copy(lib, x)).sum() + x.sum()), X)


def _no_grad_copy(lib, x):
    with lib.no_grad():
        return x * 3


PARAMS = {"0.weight": RNG.standard_normal((5, 3)), "0.bias": RNG.standard_normal(5),
          "2.weight": RNG.standard_normal((2, 5)), "2.bias": RNG.standard_normal(2)}


def _mlp(lib, scale=1.0):
    """A float64 MLP holding `PARAMS` (times `scale`), the same in both libraries."""
    model = lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2)).double()
    with lib.no_grad():
        for name, p in model.named_parameters():
            p.copy_(lib.tensor(PARAMS[name] * scale))
    return model


TARGETS = RNG.integers(0, 2, 4)


def test_per_sample_gradients_of_an_mlp_through_functional_call_vmap_and_grad():
    def run(lib, fn):
        model = _mlp(lib)
        params = {name: lib.tensor(value) for name, value in PARAMS.items()}

        def loss(p, x, y):
            logits = fn.functional_call(model, p, (x.unsqueeze(0),))
            return lib.nn.functional.cross_entropy(logits, y.unsqueeze(0))
        return fn.vmap(fn.grad(loss), in_dims=(None, 0, 0))(params, lib.tensor(B), lib.tensor(TARGETS))
    got, expected = run(ember, ember.func), run(torch, torch.func)
    assert_same_tree(got, expected)
    for name, value in expected.items():
        assert tuple(got[name].shape) == (4, *PARAMS[name].shape) == tuple(value.shape)


def test_per_sample_gradients_sum_to_the_batch_gradient():
    model = _mlp(ember)
    params = {name: ember.tensor(value) for name, value in PARAMS.items()}
    inputs, targets = ember.tensor(B), ember.tensor(TARGETS)

    def loss(p, x, y):
        return ember.nn.functional.cross_entropy(ember.func.functional_call(model, p, (x,)), y, reduction="sum")
    per_sample = ember.func.vmap(ember.func.grad(loss), in_dims=(None, 0, 0))(params, inputs.unsqueeze(1),
                                                                              targets.unsqueeze(1))
    whole = ember.func.grad(loss)(params, inputs, targets)
    for name in PARAMS:
        np.testing.assert_allclose(per_sample[name].sum(0).cpu().numpy(), whole[name].cpu().numpy(), rtol=1e-10,
                                   atol=1e-12)


def test_functional_call_replaces_parameters_and_restores_them():
    def run(lib, fn):
        model = _mlp(lib)
        before = {name: p for name, p in model.named_parameters()}
        weight = lib.tensor(PARAMS["0.weight"], requires_grad=True)
        out = fn.functional_call(model, ({"0.weight": weight}, {"2.bias": lib.tensor(PARAMS["2.bias"])}),
                                 lib.tensor(B))
        out.sum().backward()
        assert all(p is before[name] for name, p in model.named_parameters())
        return out - fn.functional_call(model, {}, (lib.tensor(B),)), weight.grad
    assert_same_tree(run(ember, ember.func), run(torch, torch.func))


def _tied(lib):
    """Two bias-free layers sharing one weight (holding ``W W^T``)."""
    model = lib.nn.Sequential(lib.nn.Linear(3, 3, bias=False), lib.nn.Linear(3, 3, bias=False)).double()
    model[1].weight = model[0].weight
    with lib.no_grad():
        model[0].weight.copy_(lib.tensor(W @ W.T))
    return model


@pytest.mark.parametrize("tie_weights", [True, False])
def test_functional_call_replaces_a_tied_weight_under_all_its_names_when_tying(tie_weights):
    def run(lib, fn):
        return fn.functional_call(_tied(lib), {"0.weight": lib.tensor(B[:3])}, (lib.tensor(X),),
                                  tie_weights=tie_weights)
    assert_same_tree(run(ember, ember.func), run(torch, torch.func))


def test_functional_call_passes_kwargs_and_a_single_argument():
    def run(lib, fn):
        model = _mlp(lib)[0]
        values = {"weight": lib.tensor(PARAMS["0.weight"] * 2)}
        return fn.functional_call(model, values, (), {"input": lib.tensor(X)}), \
            fn.functional_call(model, values, lib.tensor(X))
    assert_same_tree(run(ember, ember.func), run(torch, torch.func))


def test_functional_call_refuses_two_values_for_a_tied_weight():
    assert_same_error(lambda lib: lib.func.functional_call(
        _tied(lib), {"0.weight": lib.tensor(W @ W.T), "1.weight": lib.tensor(B[:3])}, (lib.tensor(X),)), ember, torch)


def test_stack_module_state_drives_an_ensemble_through_vmap():
    def run(lib, fn):
        models = [_mlp(lib, scale) for scale in (1.0, -0.5, 2.0)]
        params, buffers = fn.stack_module_state(models)
        assert all(p.is_leaf and p.requires_grad for p in params.values())
        out = fn.vmap(lambda p, b, x: fn.functional_call(models[0], (p, b), (x,)), in_dims=(0, 0, None))(
            params, buffers, lib.tensor(B))
        return params["0.weight"], out
    assert_same_tree(run(ember, ember.func), run(torch, torch.func))


def test_stateless_functional_call_warns_it_is_deprecated():
    def run(lib):
        model = _mlp(lib)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = lib.nn.utils.stateless.functional_call(model, {"2.bias": lib.tensor(PARAMS["2.bias"])},
                                                         (lib.tensor(B),))
        return out, [(w.category, str(w.message)) for w in caught]
    (got, got_warnings), (expected, expected_warnings) = run(ember), run(torch)
    assert got_warnings == expected_warnings
    assert_same_tree(got, expected)


def _rows_drawn(lib, fn, randomness):
    lib.manual_seed(3)
    return fn.vmap(lambda r: r * 0 + lib.rand(2, dtype=r.dtype), randomness=randomness)(lib.zeros(4, 2))


def test_vmap_randomness_same_gives_every_sample_the_same_draw():
    rows = _rows_drawn(ember, ember.func, "same").cpu().numpy()
    assert (rows == rows[0]).all()
    ember.manual_seed(3)
    np.testing.assert_array_equal(rows[0], ember.rand(2).cpu().numpy())


def test_vmap_randomness_different_gives_each_sample_its_own_draw():
    rows = _rows_drawn(ember, ember.func, "different").cpu().numpy()
    assert len({tuple(row) for row in rows}) == 4


def test_vmap_randomness_error_refuses_a_draw_before_any_output():
    assert_same_error(lambda lib: _rows_drawn(lib, lib.func, "error"), ember, torch)


def test_jacfwd_randomness_error_refuses_dropout_in_training():
    assert_same_error(lambda lib: lib.func.jacfwd(lambda x: lib.nn.functional.dropout(x))(lib.tensor(X)), ember, torch)


def _vmapped(fn, **options):
    return lambda lib: lib.func.vmap(fn(lib), **options)


ERRORS = {
    "grad_non_scalar": lambda lib: lib.func.grad(lambda x: x * 2)(lib.tensor(X)),
    "grad_not_a_tensor": lambda lib: lib.func.grad(lambda x: 1.0)(lib.tensor(X)),
    "grad_argnum_out_of_range": lambda lib: lib.func.grad(lambda x: x.sum(), argnums=2)(lib.tensor(X)),
    "grad_negative_argnum_out_of_range": lambda lib: lib.func.grad(lambda x: x.sum(), argnums=-2)(lib.tensor(X)),
    "grad_repeated_argnums": lambda lib: lib.func.grad(lambda x: x.sum(), argnums=(0, 0))(lib.tensor(X)),
    "grad_empty_argnums": lambda lib: lib.func.grad(lambda x: x.sum(), argnums=())(lib.tensor(X)),
    "grad_float_argnums": lambda lib: lib.func.grad(lambda x: x.sum(), argnums=1.0)(lib.tensor(X)),
    "grad_no_aux": lambda lib: lib.func.grad(lambda x: x.sum(), has_aux=True)(lib.tensor(X)),
    "grad_aux_not_tensors": lambda lib: lib.func.grad(lambda x: (x.sum(), 1), has_aux=True)(lib.tensor(X)),
    "grad_non_tensor_input": lambda lib: lib.func.grad(lambda x: x.sum())(1.0),
    "grad_integer_input": lambda lib: lib.func.grad(lambda x: x.sum())(lib.arange(3)),
    "vjp_cotangent_tree": lambda lib: lib.func.vjp(lambda x: x, lib.tensor(X))[1]((lib.tensor(X),)),
    "vjp_cotangent_shape": lambda lib: lib.func.vjp(lambda x: x, lib.tensor(X))[1](lib.ones(2, dtype=lib.float64)),
    "vjp_integer_output": lambda lib: lib.func.vjp(lambda x: (x.long(), x * 2), lib.tensor(X)),
    "vjp_non_tensor_output": lambda lib: lib.func.vjp(lambda x: 3, lib.tensor(X)),
    "jvp_primals_not_tuple": lambda lib: lib.func.jvp(lambda x: x, lib.tensor(X), lib.tensor(X)),
    "jvp_tangents_tree": lambda lib: lib.func.jvp(lambda x: x, (lib.tensor(X),), (lib.tensor(X),) * 2),
    "jvp_tangent_shape": lambda lib: lib.func.jvp(lambda x: x, (lib.tensor(X),), (lib.ones(2),)),
    "jvp_no_primals": lambda lib: lib.func.jvp(lambda: 0, (), ()),
    "jvp_non_tensor_primal": lambda lib: lib.func.jvp(lambda x: x, (3.0,), (3.0,)),
    "jvp_non_tensor_output": lambda lib: lib.func.jvp(lambda x: 3, (lib.tensor(X),), (lib.tensor(X),)),
    "linearize_tangent_shape": lambda lib: lib.func.linearize(lambda x: x.sin(), lib.tensor(X))[1](lib.ones(2)),
    "jacrev_argnum_out_of_range": lambda lib: lib.func.jacrev(lambda x: x, argnums=1)(lib.tensor(X)),
    "jacrev_chunk_size": lambda lib: lib.func.jacrev(lambda x: x, chunk_size=0),
    "jacrev_integer_output": lambda lib: lib.func.jacrev(lambda x: x.long())(lib.tensor(X)),
    "jacfwd_integer_primal": lambda lib: lib.func.jacfwd(lambda x: x)(lib.arange(3)),
    "jacfwd_randomness": lambda lib: lib.func.jacfwd(lambda x: x, randomness="x")(lib.tensor(X)),
    "vmap_sizes": lambda lib: lib.func.vmap(lambda x, y: x + y)(lib.ones(2), lib.ones(3)),
    "vmap_in_dim_range": lambda lib: lib.func.vmap(lambda x: x, in_dims=1)(lib.ones(2)),
    "vmap_negative_in_dim_range": lambda lib: lib.func.vmap(lambda x: x, in_dims=-3)(lib.ones(2, 2)),
    "vmap_in_dims_structure": lambda lib: lib.func.vmap(lambda x: x, in_dims=(0, 0))(lib.ones(2)),
    "vmap_in_dims_none": lambda lib: lib.func.vmap(lambda x: x, in_dims=None)(lib.ones(2)),
    "vmap_nothing_mapped": lambda lib: lib.func.vmap(lambda x: x, in_dims=(None,))(lib.ones(2)),
    "vmap_non_tensor_mapped": lambda lib: lib.func.vmap(lambda x: x)(3.0),
    "vmap_zero_dim_input": lambda lib: lib.func.vmap(lambda x: x)(lib.tensor(2.0)),
    "vmap_no_inputs": lambda lib: lib.func.vmap(lambda: 0)(),
    "vmap_non_tensor_output": lambda lib: lib.func.vmap(lambda x: 3)(lib.ones(2)),
    "vmap_out_dim_range": lambda lib: lib.func.vmap(lambda x: x, out_dims=1)(lib.ones(2)),
    "vmap_out_dims_structure": lambda lib: lib.func.vmap(lambda x: x, out_dims=(0, 0))(lib.ones(2)),
    "vmap_out_dims_type": lambda lib: lib.func.vmap(lambda x: x, out_dims=1.5)(lib.ones(2)),
    "vmap_batched_output_out_dim_none": lambda lib: lib.func.vmap(lambda x: x, out_dims=None)(lib.arange(2.0)),
    "vmap_chunk_size": lambda lib: lib.func.vmap(lambda x: x, chunk_size=0),
    "vmap_randomness": lambda lib: lib.func.vmap(lambda x: x, randomness="foo"),
    "functional_call_repeated_keys": lambda lib: lib.func.functional_call(
        lib.nn.Linear(2, 2), ({"weight": lib.zeros(2, 2)}, {"weight": lib.zeros(2, 2)}), (lib.ones(2),)),
    "functional_call_strict_missing": lambda lib: lib.func.functional_call(
        lib.nn.Linear(2, 2), {"weight": lib.zeros(2, 2)}, (lib.ones(2),), strict=True),
    "functional_call_strict_unexpected": lambda lib: lib.func.functional_call(
        lib.nn.Linear(2, 2), {"weight": lib.zeros(2, 2), "bias": lib.zeros(2), "foo": lib.zeros(1)}, (lib.ones(2),),
        strict=True),
    "functional_call_bad_dicts": lambda lib: lib.func.functional_call(lib.nn.Linear(2, 2), 3, (lib.ones(2),)),
    "functional_call_not_a_tensor": lambda lib: lib.func.functional_call(lib.nn.Linear(2, 2), {"weight": 3},
                                                                        (lib.ones(2),)),
    "stack_module_state_modes": lambda lib: lib.func.stack_module_state(
        [lib.nn.Linear(2, 2), lib.nn.Linear(2, 2).eval()]),
    "stack_module_state_requires_grad": lambda lib: lib.func.stack_module_state(
        [lib.nn.Linear(2, 2), lib.nn.Linear(2, 2).requires_grad_(False)]),
    "stack_module_state_no_models": lambda lib: lib.func.stack_module_state([]),
    "stack_module_state_classes": lambda lib: lib.func.stack_module_state([lib.nn.Linear(2, 2), lib.nn.ReLU()]),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_as_torch(name):
    assert_same_error(ERRORS[name], ember, torch)


def test_torch_level_vmap_is_func_vmap():
    assert ember.vmap is ember.func.vmap


@pytest.mark.parametrize("name", ["grad", "jacrev", "jvp", "vmap_of_grad", "grad_of_vmap"])
def test_transform_results_pass_gradcheck(name):
    """The graph a transform leaves (create_graph) differentiates as finite differences do."""
    x = ember.tensor(INPUT_OF[name], requires_grad=True)
    assert ember.autograd.gradcheck(TRANSFORMS[name](ember, ember.func), (x,))
    assert ember.autograd.gradgradcheck(TRANSFORMS[name](ember, ember.func), (x,))


def test_replace_all_batch_norm_modules_lets_vmap_run_a_model_in_training():
    def run(lib, fn):
        model = lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.BatchNorm1d(3)).double()
        with lib.no_grad():
            model[0].weight.copy_(lib.tensor(W @ W.T))
            model[0].bias.zero_()
        fn.replace_all_batch_norm_modules_(model)
        assert model[1].running_mean is None and not model[1].track_running_stats
        return fn.vmap(model, in_dims=1)(lib.tensor(BATCHES))
    assert_same_tree(run(ember, ember.func), run(torch, torch.func))

