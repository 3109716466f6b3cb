"""ember.nn: Module bookkeeping, Parameter, containers, layers, losses and nn.init, one behaviour per test.

Expected strings and errors were checked against PyTorch 2.13; the repr tests compare with torch itself
when it is installed. Value-for-value comparisons with torch live in tests/oracle.
"""

from __future__ import annotations

import copy
import math
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

BATCH_SIZE, DIM_IN, HIDDEN_SIZE, DIM_OUT = 16, 1000, 100, 10


class TinyModel(nn.Module):
    """The model of the seed tutorial 000, written in its ``super(TinyModel, self).__init__()`` style."""

    def __init__(self):
        super(TinyModel, self).__init__()  # noqa: UP008 - the tutorial's spelling must work
        self.layer1 = nn.Linear(DIM_IN, HIDDEN_SIZE)
        self.relu = nn.ReLU()
        self.layer2 = nn.Linear(HIDDEN_SIZE, DIM_OUT)

    def forward(self, x):
        return self.layer2(self.relu(self.layer1(x)))


class WithBuffers(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)
        self.register_buffer("running", ember.zeros(2))
        self.register_buffer("scratch", ember.ones(2), persistent=False)


def values(t):
    return t.detach().numpy().copy()


def hessian_vector_product_matches_finite_differences(loss_of, x, eps=1e-6):
    """Double backward check: d/dx (grad · v) against central differences of grad along v."""
    v = ember.tensor(np.random.default_rng(0).standard_normal(tuple(x.shape)))

    def gradient_at(point):
        point = point.detach().requires_grad_()
        (grad,) = ember.autograd.grad(loss_of(point), point, create_graph=True)
        return grad

    grad = gradient_at(x.detach()).detach()
    point = x.detach().requires_grad_()
    (first,) = ember.autograd.grad(loss_of(point), point, create_graph=True)
    (hvp,) = ember.autograd.grad((first * v).sum(), point)
    numeric = (values(gradient_at(x + eps * v)) - values(gradient_at(x - eps * v))) / (2 * eps)
    assert grad.shape == x.shape
    np.testing.assert_allclose(values(hvp), numeric, rtol=1e-4, atol=1e-6)


# ----- Parameter --------------------------------------------------------------------------------------------
def test_parameter_shares_memory_with_its_data():
    data = ember.zeros(3)
    param = nn.Parameter(data)
    data.add_(1)
    np.testing.assert_array_equal(values(param), [1, 1, 1])


def test_parameter_requires_grad_and_is_a_leaf_even_under_no_grad():
    with ember.no_grad():
        param = nn.Parameter(ember.zeros(3))
    assert param.requires_grad and param.is_leaf and param.grad_fn is None


def test_parameter_without_data_is_empty():
    assert nn.Parameter().shape == (0,)


def test_parameter_of_integers_cannot_require_grad():
    with pytest.raises(
        RuntimeError, match="Only Tensors of floating point and complex dtype can require gradients"
    ):
        nn.Parameter(ember.tensor([1, 2]))


def test_parameter_repr_matches_torch():
    torch = pytest.importorskip("torch")
    expected = repr(torch.nn.Parameter(torch.tensor([1.0, 2.5])))
    assert repr(nn.Parameter(ember.tensor([1.0, 2.5]))) == expected


def test_operations_on_a_parameter_give_plain_tensors():
    param = nn.Parameter(ember.ones(2))
    assert type(param * 2) is ember.Tensor and type(param.detach()) is ember.Tensor


def test_parameter_survives_pickle_and_deepcopy_as_a_parameter():
    param = nn.Parameter(ember.tensor([1.0, 2.0]), requires_grad=False)
    for clone in (pickle.loads(pickle.dumps(param)), copy.deepcopy(param)):
        assert isinstance(clone, nn.Parameter) and not clone.requires_grad
        np.testing.assert_array_equal(values(clone), [1.0, 2.0])


# ----- Module: registration ---------------------------------------------------------------------------------
def test_assigned_parameters_and_children_are_registered_in_order():
    model = TinyModel()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"]
    assert [name for name, _ in model.named_children()] == ["layer1", "relu", "layer2"]


def test_parameters_are_the_objects_held_by_the_layers():
    model = TinyModel()
    assert list(model.parameters())[2] is model.layer2.weight


def test_named_parameters_takes_a_prefix_and_can_stay_shallow():
    model = nn.Sequential(nn.Linear(2, 2))
    model.scale = nn.Parameter(ember.ones(1))
    assert [n for n, _ in model.named_parameters(prefix="net")] == ["net.scale", "net.0.weight", "net.0.bias"]
    assert [n for n, _ in model.named_parameters(recurse=False)] == ["scale"]


def test_a_shared_parameter_is_listed_once_unless_duplicates_are_asked_for():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, shared)
    assert len(list(model.parameters())) == 2
    assert len(list(model.named_parameters(remove_duplicate=False))) == 4
    assert len(list(model.modules())) == 2


def test_named_modules_walks_depth_first_with_dotted_names():
    model = nn.Sequential(nn.Sequential(nn.ReLU()), nn.Tanh())
    assert [name for name, _ in model.named_modules()] == ["", "0", "0.0", "1"]


def test_buffers_are_listed_and_only_persistent_ones_are_saved():
    model = WithBuffers()
    assert [name for name, _ in model.named_buffers()] == ["running", "scratch"]
    assert list(model.state_dict()) == ["running", "linear.weight", "linear.bias"]


def test_assigning_a_tensor_to_a_buffer_name_keeps_it_a_buffer():
    model = WithBuffers()
    model.running = ember.ones(2)
    assert model._buffers["running"] is model.running


def test_assigning_a_plain_tensor_to_a_parameter_name_is_a_type_error():
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"cannot assign 'ember.Tensor' as parameter 'weight'"):
        model.weight = ember.ones(2, 2)


def test_register_parameter_rejects_a_dotted_name():
    with pytest.raises(KeyError, match=r'parameter name can.+t contain "\."'):
        nn.Module().register_parameter("a.b", None)


def test_register_buffer_rejects_a_name_that_is_already_an_attribute():
    module = nn.Module()
    module.x = 1
    with pytest.raises(KeyError, match="attribute 'x' already exists"):
        module.register_buffer("x", ember.ones(1))


def test_a_non_leaf_tensor_cannot_become_a_parameter():
    param = nn.Parameter(ember.ones(2))
    module = nn.Module()
    with pytest.raises(TypeError, match="cannot assign 'ember.Tensor' object to parameter 'p'"):
        module.register_parameter("p", param * 2)


def test_assigning_a_module_before_init_is_an_attribute_error():
    class Broken(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"cannot assign module before Module.__init__\(\) call"):
        Broken()


def test_missing_attribute_error_names_the_class():
    with pytest.raises(AttributeError, match="'TinyModel' object has no attribute 'layer3'"):
        TinyModel().layer3  # noqa: B018


def test_deleting_a_parameter_unregisters_it():
    layer = nn.Linear(2, 2)
    del layer.bias
    assert [name for name, _ in layer.named_parameters()] == ["weight"]


def test_dir_lists_parameters_buffers_and_children():
    listed = dir(WithBuffers())
    assert {"linear", "running", "scratch", "forward"} <= set(listed)


def test_module_init_rejects_unexpected_arguments():
    with pytest.raises(TypeError, match="unexpected keyword argument 'size'"):
        nn.Module(size=3)


def test_calling_a_module_without_forward_names_it():
    with pytest.raises(
        NotImplementedError, match=r'Module \[Module\] is missing the required "forward" function'
    ):
        nn.Module()(ember.ones(1))


def test_get_submodule_and_get_parameter_follow_dotted_paths():
    model = nn.Sequential(TinyModel())
    assert model.get_submodule("0.layer2") is model[0].layer2
    assert model.get_parameter("0.layer2.bias") is model[0].layer2.bias


# ----- Module: modes, grads, moving -------------------------------------------------------------------------
def test_eval_and_train_reach_every_descendant():
    model = TinyModel().eval()
    assert not any(module.training for module in model.modules())
    assert all(module.training for module in model.train().modules())


def test_train_rejects_a_non_boolean_mode():
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        TinyModel().train(1)


def test_requires_grad_false_freezes_parameters_so_backward_leaves_them_alone():
    model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 1))
    model[0].requires_grad_(False)
    model(ember.ones(2, 3)).sum().backward()
    assert model[0].weight.grad is None and model[1].weight.grad is not None


def test_zero_grad_sets_gradients_to_none_by_default():
    model = nn.Linear(2, 1)
    model(ember.ones(1, 2)).sum().backward()
    model.zero_grad()
    assert model.weight.grad is None


def test_zero_grad_without_set_to_none_zeroes_in_place():
    model = nn.Linear(2, 1)
    model(ember.ones(1, 2)).sum().backward()
    grad = model.weight.grad
    model.zero_grad(set_to_none=False)
    assert model.weight.grad is grad
    np.testing.assert_array_equal(values(grad), np.zeros((1, 2)))


def test_to_double_casts_in_place_keeping_parameter_identity():
    model = WithBuffers()
    weight = model.linear.weight
    assert model.to(ember.float64) is model
    assert model.linear.weight is weight and weight.dtype is ember.float64
    assert model.running.dtype is ember.float64


def test_double_then_float_round_trips_the_dtype():
    layer = nn.Linear(2, 2).double().float()
    assert layer.weight.dtype is ember.float32 and isinstance(layer.weight, nn.Parameter)


def test_to_an_integer_dtype_is_a_type_error():
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex dtypes"):
        nn.Linear(2, 2).to(ember.int64)


def test_to_the_same_device_keeps_values():
    layer = nn.Linear(2, 2)
    before = values(layer.weight)
    layer.to("cpu")
    np.testing.assert_array_equal(values(layer.weight), before)


def test_apply_visits_children_before_the_module():
    model = TinyModel()
    seen = []
    model.apply(lambda module: seen.append(type(module).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "TinyModel"]


# ----- Module: state dicts ----------------------------------------------------------------------------------
def test_state_dict_holds_detached_tensors_sharing_memory():
    layer = nn.Linear(2, 2)
    state = layer.state_dict()
    assert isinstance(state, OrderedDict) and not state["weight"].requires_grad
    state["weight"].zero_()
    np.testing.assert_array_equal(values(layer.weight), np.zeros((2, 2)))


def test_state_dict_round_trip_copies_every_value():
    source, target = TinyModel(), TinyModel()
    result = target.load_state_dict(source.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    for (name, a), (_, b) in zip(source.state_dict().items(), target.state_dict().items()):
        np.testing.assert_array_equal(values(a), values(b), err_msg=name)


def test_load_state_dict_copies_into_the_existing_parameters():
    layer = nn.Linear(2, 2)
    weight = layer.weight
    layer.load_state_dict({"weight": ember.ones(2, 2), "bias": ember.zeros(2)})
    assert layer.weight is weight
    np.testing.assert_array_equal(values(weight), np.ones((2, 2)))


@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        pytest.param(
            {"weight": (2, 2), "extra": (1,)},
            r'Error\(s\) in loading state_dict for Linear:\n\tMissing key\(s\) in state_dict: "bias". \n\t'
            r'Unexpected key\(s\) in state_dict: "extra". ',
            id="missing-and-unexpected-keys",
        ),
        pytest.param(
            {"weight": (2, 2), "bias": (3,)},
            r"size mismatch for bias: copying a param with shape ember.Size\(\[3\]\) from checkpoint, "
            r"the shape in current model is ember.Size\(\[2\]\).",
            id="size-mismatch",
        ),
    ],
)
def test_load_state_dict_strict_rejects_a_state_that_does_not_fit(shapes, message):
    with pytest.raises(RuntimeError, match=message):
        nn.Linear(2, 2).load_state_dict({name: ember.ones(*shape) for name, shape in shapes.items()})


def test_load_state_dict_not_strict_returns_the_incompatible_keys():
    result = nn.Linear(2, 2).load_state_dict(
        {"weight": ember.ones(2, 2), "extra": ember.ones(1)}, strict=False
    )
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    assert repr(result) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=['extra'])"


def test_load_state_dict_with_assign_takes_the_given_tensors():
    layer = nn.Linear(2, 2)
    bias = ember.ones(2)
    layer.load_state_dict({"weight": ember.ones(2, 2), "bias": bias}, assign=True)
    assert isinstance(layer.bias, nn.Parameter) and layer.bias.requires_grad
    bias.zero_()
    np.testing.assert_array_equal(values(layer.bias), np.zeros(2))


# ----- Module: hooks ----------------------------------------------------------------------------------------
def test_forward_pre_hook_can_replace_the_arguments():
    layer = nn.Identity()
    layer.register_forward_pre_hook(lambda module, args: args[0] * 2)
    np.testing.assert_array_equal(values(layer(ember.ones(2))), [2, 2])


def test_forward_hook_can_replace_the_output_until_removed():
    layer = nn.Identity()
    handle = layer.register_forward_hook(lambda module, args, output: output + 1)
    np.testing.assert_array_equal(values(layer(ember.zeros(1))), [1])
    handle.remove()
    np.testing.assert_array_equal(values(layer(ember.zeros(1))), [0])


def test_forward_hooks_with_kwargs_see_keyword_arguments():
    class Scale(nn.Module):
        def forward(self, x, factor=1):
            return x * factor

    seen = {}
    module = Scale()
    module.register_forward_hook(lambda m, args, kwargs, out: seen.update(kwargs), with_kwargs=True)
    module(ember.ones(1), factor=3)
    assert seen == {"factor": 3}


def test_prepended_forward_hook_runs_first():
    order = []
    layer = nn.Identity()
    layer.register_forward_hook(lambda *args: order.append("second"))
    layer.register_forward_hook(lambda *args: order.append("first"), prepend=True)
    layer(ember.ones(1))
    assert order == ["first", "second"]


def test_full_backward_hook_sees_input_and_output_gradients():
    layer = nn.Linear(2, 1)
    seen = {}
    layer.register_full_backward_hook(
        lambda m, grad_input, grad_output: seen.update(i=grad_input, o=grad_output)
    )
    x = ember.ones(3, 2, requires_grad=True)
    layer(x).sum().backward()
    np.testing.assert_array_equal(values(seen["o"][0]), np.ones((3, 1)))
    np.testing.assert_allclose(values(seen["i"][0]), np.broadcast_to(values(layer.weight), (3, 2)))


def test_full_backward_hook_can_replace_the_input_gradient():
    layer = nn.Identity()
    layer.register_full_backward_hook(lambda m, grad_input, grad_output: (grad_input[0] * 10,))
    x = ember.ones(2, requires_grad=True)
    layer(x * 1).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [10, 10])


def test_full_backward_hook_fires_at_the_outputs_when_no_input_requires_grad():
    layer = nn.Linear(2, 1)
    seen = []
    layer.register_full_backward_hook(lambda m, grad_input, grad_output: seen.append(grad_input))
    with pytest.warns(UserWarning, match="Full backward hook is firing when gradients are computed"):
        layer(ember.ones(3, 2)).sum().backward()
    assert seen == [(None,)]


def test_backward_pre_hook_can_replace_the_output_gradient():
    layer = nn.Linear(2, 1, bias=False)
    layer.register_full_backward_pre_hook(lambda m, grad_output: (grad_output[0] * 0,))
    layer(ember.ones(1, 2, requires_grad=True)).sum().backward()
    np.testing.assert_array_equal(values(layer.weight.grad), np.zeros((1, 2)))


def test_state_dict_post_hook_sees_the_collected_state():
    layer = nn.Linear(2, 2)
    keys = []
    layer.register_state_dict_post_hook(lambda module, state, prefix, metadata: keys.extend(state))
    layer.state_dict()
    assert keys == ["weight", "bias"]


# ----- Module: repr -----------------------------------------------------------------------------------------
def test_tiny_model_repr_matches_the_tutorial():
    assert repr(TinyModel()) == (
        "TinyModel(\n"
        "  (layer1): Linear(in_features=1000, out_features=100, bias=True)\n"
        "  (relu): ReLU()\n"
        "  (layer2): Linear(in_features=100, out_features=10, bias=True)\n"
        ")"
    )


def test_reprs_match_torch():
    torch = pytest.importorskip("torch")

    def build(lib):
        return lib.nn.Sequential(
            lib.nn.Flatten(),
            lib.nn.ModuleList([lib.nn.Linear(4, 4) for _ in range(3)] + [lib.nn.ReLU(inplace=True)]),
            lib.nn.ModuleDict({"act": lib.nn.Softmax(dim=1), "log": lib.nn.LogSoftmax(1)}),
            lib.nn.Sequential(OrderedDict(tanh=lib.nn.Tanh(), sig=lib.nn.Sigmoid(), id=lib.nn.Identity())),
            lib.nn.Linear(4, 2, bias=False),
            lib.nn.CrossEntropyLoss(),
            lib.nn.ModuleList(),
        )

    assert repr(build(ember)) == repr(build(torch))


def test_extra_repr_of_a_custom_module_goes_inside_the_parentheses():
    class Scaled(nn.Module):
        def extra_repr(self):
            return "scale=2"

    assert repr(Scaled()) == "Scaled(scale=2)"


# ----- containers -------------------------------------------------------------------------------------------
def test_sequential_indexes_slices_and_iterates():
    relu, tanh, sigmoid = nn.ReLU(), nn.Tanh(), nn.Sigmoid()
    model = nn.Sequential(relu, tanh, sigmoid)
    assert model[0] is relu and model[-1] is sigmoid and len(model) == 3
    assert isinstance(model[1:], nn.Sequential) and list(model[1:]) == [tanh, sigmoid]


def test_sequential_index_out_of_range_is_an_index_error():
    with pytest.raises(IndexError, match="index 3 is out of range"):
        nn.Sequential(nn.ReLU())[3]


def test_sequential_append_and_delete_keep_numbered_names():
    model = nn.Sequential(nn.ReLU(), nn.Tanh()).append(nn.Sigmoid())
    del model[0]
    assert list(model._modules) == ["0", "1"] and isinstance(model[0], nn.Tanh)


def test_sequential_from_ordered_dict_keeps_names():
    model = nn.Sequential(OrderedDict(first=nn.Linear(1, 2), second=nn.ReLU()))
    assert [name for name, _ in model.named_children()] == ["first", "second"]


def test_sequential_runs_its_modules_in_order():
    model = nn.Sequential(nn.Identity(), nn.ReLU())
    np.testing.assert_array_equal(values(model(ember.tensor([-1.0, 2.0]))), [0, 2])


def test_module_list_registers_its_modules():
    layers = nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 1)])
    layers.append(nn.Linear(1, 1))
    assert len(list(layers.parameters())) == 6 and len(layers) == 3


def test_module_dict_keeps_insertion_order():
    layers = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Tanh()})
    layers["c"] = nn.Sigmoid()
    assert list(layers) == ["b", "a", "c"] and "a" in layers and isinstance(layers["c"], nn.Sigmoid)


# ----- layers -----------------------------------------------------------------------------------------------
def test_linear_computes_x_times_weight_transposed_plus_bias():
    layer = nn.Linear(3, 2)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    expected = x @ values(layer.weight).T + values(layer.bias)
    np.testing.assert_allclose(values(layer(ember.tensor(x))), expected, rtol=1e-6)


def test_linear_default_init_stays_within_one_over_sqrt_fan_in():
    layer = nn.Linear(400, 50)
    bound = 1 / math.sqrt(400)
    assert np.abs(values(layer.weight)).max() <= bound and np.abs(values(layer.bias)).max() <= bound
    assert np.abs(values(layer.weight)).max() > 0.9 * bound


def test_linear_takes_dtype_and_device():
    layer = nn.Linear(2, 3, dtype=ember.float64, device="cpu")
    assert layer.weight.dtype is ember.float64 and layer.bias.device == ember.device("cpu")


def test_linear_without_bias_has_only_a_weight():
    layer = nn.Linear(2, 3, bias=False)
    assert layer.bias is None and [name for name, _ in layer.named_parameters()] == ["weight"]


def test_linear_on_a_batch_records_addmm_like_torch():
    layer = nn.Linear(3, 2)
    node = layer(ember.ones(4, 3, requires_grad=True)).grad_fn
    assert type(node).__name__ == "AddmmBackward0"
    assert [type(n).__name__ for n, _ in node.next_functions] == [
        "AccumulateGrad",
        "AccumulateGrad",
        "TBackward0",
    ]


def test_linear_on_a_vector_views_it_as_one_row():
    layer = nn.Linear(3, 2)
    out = layer(ember.ones(3))
    assert out.shape == (2,) and type(out.grad_fn).__name__ == "ViewBackward0"


def test_linear_gradients_match_the_closed_form():
    layer = nn.Linear(3, 2)
    x = ember.tensor(np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    layer(x).sum().backward()
    np.testing.assert_allclose(values(layer.weight.grad), np.tile(values(x).sum(0), (2, 1)), rtol=1e-5)
    np.testing.assert_array_equal(values(layer.bias.grad), [4, 4])
    np.testing.assert_allclose(values(x.grad), np.tile(values(layer.weight).sum(0), (4, 1)), rtol=1e-5)


def test_linear_input_size_mismatch_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(4x3 and 4x2\)"):
        nn.Linear(4, 2)(ember.ones(4, 3))


def test_linear_double_backward_matches_finite_differences():
    weight = ember.tensor(np.random.default_rng(1).standard_normal((2, 3)))
    bias = ember.tensor([0.5, -0.5], dtype=ember.float64)
    x = ember.tensor(np.random.default_rng(2).standard_normal((4, 3)))
    hessian_vector_product_matches_finite_differences(lambda x: (F.linear(x, weight, bias) ** 3).sum(), x)


def test_relu_sigmoid_tanh_modules_apply_their_functions():
    x = np.array([-2.0, 0.5, 3.0], dtype=np.float32)
    np.testing.assert_array_equal(values(nn.ReLU()(ember.tensor(x))), np.maximum(x, 0))
    np.testing.assert_allclose(values(nn.Sigmoid()(ember.tensor(x))), 1 / (1 + np.exp(-x)), rtol=1e-6)
    np.testing.assert_allclose(values(nn.Tanh()(ember.tensor(x))), np.tanh(x), rtol=1e-6)


def test_inplace_relu_overwrites_its_input():
    x = ember.tensor([-1.0, 2.0])
    assert nn.ReLU(inplace=True)(x) is x
    np.testing.assert_array_equal(values(x), [0, 2])


def test_softmax_rows_sum_to_one():
    out = nn.Softmax(dim=1)(ember.randn(3, 5))
    np.testing.assert_allclose(values(out).sum(1), np.ones(3), rtol=1e-6)


def test_log_softmax_is_the_log_of_softmax():
    x = ember.randn(3, 5)
    np.testing.assert_allclose(values(nn.LogSoftmax(dim=0)(x)), np.log(values(F.softmax(x, 0))), atol=1e-6)


def test_softmax_without_dim_warns_and_picks_dim_one_for_matrices():
    x = ember.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax has been deprecated"):
        out = F.softmax(x)
    np.testing.assert_allclose(values(out).sum(1), np.ones(2), rtol=1e-6)


def test_flatten_merges_all_but_the_batch_dim():
    assert nn.Flatten()(ember.ones(2, 3, 4)).shape == (2, 12)
    assert nn.Flatten(0, 1)(ember.ones(2, 3, 4)).shape == (6, 4)


def test_identity_ignores_constructor_arguments_and_returns_its_input():
    x = ember.ones(2)
    assert nn.Identity(54, unused="argument")(x) is x


# ----- losses -----------------------------------------------------------------------------------------------
RNG = np.random.default_rng(7)
X = RNG.standard_normal((4, 3))
Y = RNG.standard_normal((4, 3))
P = RNG.uniform(0.05, 0.95, (4, 3))
Q = RNG.uniform(0.0, 1.0, (4, 3))
LABELS = np.array([0, 2, 1, 2])
CLASS_WEIGHT = np.array([0.2, 1.0, 3.0])


def log_softmax_np(x, axis=1):
    shifted = x - x.max(axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis, keepdims=True))


def reduce_np(losses, reduction):
    return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_reduces_squared_errors(reduction):
    loss = nn.MSELoss(reduction=reduction)(ember.tensor(X), ember.tensor(Y))
    np.testing.assert_allclose(values(loss), reduce_np((X - Y) ** 2, reduction))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_l1_loss_reduces_absolute_errors(reduction):
    loss = nn.L1Loss(reduction=reduction)(ember.tensor(X), ember.tensor(Y))
    np.testing.assert_allclose(values(loss), reduce_np(np.abs(X - Y), reduction))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_loss_matches_its_formula_with_weights(reduction):
    loss = nn.BCELoss(weight=ember.tensor(CLASS_WEIGHT), reduction=reduction)(
        ember.tensor(P), ember.tensor(Q)
    )
    expected = -CLASS_WEIGHT * (Q * np.log(P) + (1 - Q) * np.log(1 - P))
    np.testing.assert_allclose(values(loss), reduce_np(expected, reduction))


def test_bce_loss_clamps_the_logs_at_minus_100():
    loss = F.binary_cross_entropy(ember.tensor([0.0, 1.0]), ember.tensor([1.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(values(loss), [100.0, 100.0])


def test_bce_loss_rejects_probabilities_outside_zero_one():
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(ember.tensor([1.5]), ember.tensor([1.0]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_matches_bce_of_the_sigmoid_with_pos_weight(reduction):
    pos_weight = np.array([1.0, 2.0, 0.5])
    loss = nn.BCEWithLogitsLoss(
        weight=ember.tensor(CLASS_WEIGHT), pos_weight=ember.tensor(pos_weight), reduction=reduction
    )(ember.tensor(X), ember.tensor(Q))
    s = 1 / (1 + np.exp(-X))
    expected = -CLASS_WEIGHT * (pos_weight * Q * np.log(s) + (1 - Q) * np.log(1 - s))
    np.testing.assert_allclose(values(loss), reduce_np(expected, reduction))


def test_bce_with_logits_is_finite_for_huge_logits():
    loss = F.binary_cross_entropy_with_logits(
        ember.tensor([1000.0, -1000.0]), ember.tensor([0.0, 1.0]), reduction="none"
    )
    np.testing.assert_allclose(values(loss), [1000.0, 1000.0])


def test_bce_with_logits_target_size_mismatch_is_a_value_error():
    with pytest.raises(
        ValueError, match=r"Target size \(ember.Size\(\[4, 1\]\)\) must be the same as input size"
    ):
        F.binary_cross_entropy_with_logits(ember.ones(4, 3), ember.ones(4, 1))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_of_class_indices_is_nll_of_log_softmax(reduction):
    loss = nn.CrossEntropyLoss(reduction=reduction)(ember.tensor(X), ember.tensor(LABELS))
    expected = -log_softmax_np(X)[np.arange(4), LABELS]
    np.testing.assert_allclose(values(loss), reduce_np(expected, reduction))


def test_cross_entropy_weighted_mean_divides_by_the_weights_of_kept_targets():
    labels = np.array([0, -100, 1, 2])
    loss = F.cross_entropy(ember.tensor(X), ember.tensor(labels), weight=ember.tensor(CLASS_WEIGHT))
    kept = labels != -100
    picked = -log_softmax_np(X)[np.arange(4)[kept], labels[kept]] * CLASS_WEIGHT[labels[kept]]
    np.testing.assert_allclose(values(loss), picked.sum() / CLASS_WEIGHT[labels[kept]].sum())


def test_cross_entropy_with_every_target_ignored_is_nan_on_average():
    loss = F.cross_entropy(ember.tensor(X), ember.tensor([-100] * 4))
    assert math.isnan(loss.item())


def test_cross_entropy_label_smoothing_mixes_in_the_uniform_distribution():
    loss = F.cross_entropy(ember.tensor(X), ember.tensor(LABELS), label_smoothing=0.3)
    target = np.full((4, 3), 0.1) + 0.7 * np.eye(3)[LABELS]
    np.testing.assert_allclose(values(loss), -(target * log_softmax_np(X)).sum(1).mean())


def test_cross_entropy_of_class_probabilities():
    target = Q / Q.sum(1, keepdims=True)
    loss = F.cross_entropy(ember.tensor(X), ember.tensor(target), reduction="sum")
    np.testing.assert_allclose(values(loss), -(target * log_softmax_np(X)).sum())


def test_cross_entropy_over_extra_dimensions_uses_dim_one_for_classes():
    x = RNG.standard_normal((2, 3, 5))
    labels = RNG.integers(0, 3, (2, 5))
    loss = F.cross_entropy(ember.tensor(x), ember.tensor(labels), reduction="none")
    expected = -np.take_along_axis(log_softmax_np(x), labels[:, None], 1)[:, 0]
    assert loss.shape == (2, 5)
    np.testing.assert_allclose(values(loss), expected)


def test_cross_entropy_records_log_softmax_then_nll_like_torch():
    loss = F.cross_entropy(ember.tensor(X, requires_grad=True), ember.tensor(LABELS))
    assert type(loss.grad_fn).__name__ == "NllLossBackward0"
    assert [type(n).__name__ for n, _ in loss.grad_fn.next_functions] == ["LogSoftmaxBackward0"]


def test_cross_entropy_gradient_is_softmax_minus_one_hot_over_n():
    x = ember.tensor(X, requires_grad=True)
    F.cross_entropy(x, ember.tensor(LABELS)).backward()
    expected = (np.exp(log_softmax_np(X)) - np.eye(3)[LABELS]) / 4
    np.testing.assert_allclose(values(x.grad), expected, atol=1e-12)


def test_cross_entropy_without_grad_gives_the_same_loss():
    with_grad = F.cross_entropy(ember.tensor(X, requires_grad=True), ember.tensor(LABELS), reduction="none")
    with ember.no_grad():
        without = F.cross_entropy(ember.tensor(X), ember.tensor(LABELS), reduction="none")
    assert without.grad_fn is None
    np.testing.assert_allclose(values(without), values(with_grad), rtol=1e-12)


@pytest.mark.parametrize("kernel", ["cross_entropy", "log_softmax", "binary_cross_entropy_with_logits"])
def test_losses_compose_from_required_kernels_when_a_fused_one_is_missing(kernel, monkeypatch):
    def losses():
        with ember.no_grad():
            return [
                values(F.cross_entropy(ember.tensor(X), ember.tensor([0, -100, 1, 2]), reduction="none")),
                values(
                    F.binary_cross_entropy_with_logits(ember.tensor(X), ember.tensor(Q), reduction="none")
                ),
            ]

    fused = losses()
    monkeypatch.setattr(ember.tensor(X).device.kernels, kernel, None)
    for composed, expected in zip(losses(), fused):
        np.testing.assert_allclose(composed, expected, rtol=1e-12, atol=1e-15)


def test_cross_entropy_target_out_of_range_is_an_index_error():
    with pytest.raises(IndexError, match="Target 5 is out of bounds."):
        F.cross_entropy(ember.tensor(X), ember.tensor([5, 0, 0, 0]))


def test_cross_entropy_batch_mismatch_is_a_value_error():
    with pytest.raises(
        ValueError, match=r"Expected input batch_size \(4\) to match target batch_size \(2\)."
    ):
        F.cross_entropy(ember.tensor(X), ember.tensor([0, 1]))


def test_nll_loss_needs_integer_targets():
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got Float"):
        F.nll_loss(ember.tensor(X), ember.tensor([0.0, 1.0, 1.0, 1.0]))


def test_nll_loss_class_weight_that_requires_grad_is_refused():
    weight = ember.ones(3, dtype=ember.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
        F.nll_loss(ember.tensor(X), ember.tensor(LABELS), weight=weight)


def test_an_unknown_reduction_is_a_value_error():
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.mse_loss(ember.tensor(X), ember.tensor(Y), reduction="avg")


def test_legacy_size_average_false_means_sum_with_a_warning():
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        loss = nn.MSELoss(size_average=False)
    assert loss.reduction == "sum"


def test_legacy_reduce_false_means_none():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loss = F.l1_loss(ember.tensor(X), ember.tensor(Y), reduce=False)
    assert loss.shape == (4, 3)


def test_mse_with_a_broadcast_target_warns():
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(ember.ones(4, 3), ember.ones(4, 1))


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda x, t: F.mse_loss(x, t), "MseLossBackward0"),
        (lambda x, t: F.l1_loss(x, t), "MeanBackward0"),
        (lambda x, t: F.binary_cross_entropy(x.sigmoid(), t.sigmoid()), "BinaryCrossEntropyBackward0"),
        (
            lambda x, t: F.binary_cross_entropy_with_logits(x, t.sigmoid()),
            "BinaryCrossEntropyWithLogitsBackward0",
        ),
        (lambda x, t: F.nll_loss(x, ember.tensor(LABELS)), "NllLossBackward0"),
        (
            lambda x, t: F.nll_loss(x.view(2, 3, 2, 1), ember.zeros(2, 2, 1, dtype=ember.int64)),
            "NllLoss2DBackward0",
        ),
    ],
)
def test_loss_grad_fn_is_named_like_torch(call, name):
    x = ember.tensor(X, requires_grad=True)
    assert type(call(x, ember.tensor(Y)).grad_fn).__name__ == name


@pytest.mark.parametrize(
    "loss_of",
    [
        lambda x: F.mse_loss(x, ember.tensor(Y)) * F.mse_loss(x, ember.tensor(Y)),
        lambda x: F.binary_cross_entropy(x.sigmoid(), ember.tensor(Q), ember.tensor(CLASS_WEIGHT)),
        lambda x: F.binary_cross_entropy_with_logits(
            x, ember.tensor(Q), pos_weight=ember.tensor(CLASS_WEIGHT)
        ),
        lambda x: F.cross_entropy(x, ember.tensor([0, -100, 1, 2]), ember.tensor(CLASS_WEIGHT)),
        lambda x: F.cross_entropy(x, ember.tensor(LABELS), label_smoothing=0.2),
        lambda x: F.cross_entropy(x, ember.tensor(Q)),
    ],
    ids=["mse", "bce", "bce_with_logits", "cross_entropy", "label_smoothing", "probabilities"],
)
def test_loss_double_backward_matches_finite_differences(loss_of):
    hessian_vector_product_matches_finite_differences(loss_of, ember.tensor(X))


def test_bce_target_gradient_is_the_log_odds():
    target = ember.tensor(Q, requires_grad=True)
    F.binary_cross_entropy(ember.tensor(P), target, reduction="sum").backward()
    np.testing.assert_allclose(values(target.grad), np.log(1 - P) - np.log(P))


# ----- nn.init ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "nonlinearity, param, gain",
    [
        ("linear", None, 1),
        ("sigmoid", None, 1),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
        ("selu", None, 0.75),
    ],
)
def test_calculate_gain_matches_torch_table(nonlinearity, param, gain):
    assert nn.init.calculate_gain(nonlinearity, param) == pytest.approx(gain)


def test_calculate_gain_rejects_unknown_nonlinearities():
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        nn.init.calculate_gain("gelu")


def test_init_functions_fill_in_place_and_return_the_tensor_without_a_graph():
    param = nn.Parameter(ember.empty(30, 20))
    for init in (nn.init.uniform_, nn.init.normal_, nn.init.xavier_uniform_, nn.init.kaiming_normal_):
        assert init(param) is param and param.grad_fn is None and param.requires_grad


def test_manual_seed_makes_init_reproducible():
    first, second = ember.empty(5, 4), ember.empty(5, 4)
    ember.manual_seed(3)
    nn.init.kaiming_uniform_(first)
    ember.manual_seed(3)
    nn.init.kaiming_uniform_(second)
    np.testing.assert_array_equal(values(first), values(second))


def test_kaiming_uniform_bound_uses_gain_over_sqrt_fan():
    weight = nn.init.kaiming_uniform_(ember.empty(200, 50), mode="fan_out", nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / 200)
    assert np.abs(values(weight)).max() <= bound and np.abs(values(weight)).max() > 0.95 * bound


def test_kaiming_normal_std_is_gain_over_sqrt_fan_in():
    weight = nn.init.kaiming_normal_(ember.empty(400, 100), nonlinearity="relu")
    assert values(weight).std() == pytest.approx(math.sqrt(2 / 100), rel=0.03)


def test_xavier_normal_std_uses_both_fans():
    weight = nn.init.xavier_normal_(ember.empty(300, 100), gain=2.0)
    assert values(weight).std() == pytest.approx(2 * math.sqrt(2 / 400), rel=0.03)


def test_xavier_uniform_bound_uses_both_fans():
    weight = nn.init.xavier_uniform_(ember.empty(60, 40))
    assert np.abs(values(weight)).max() <= math.sqrt(6 / 100)


def test_fans_need_two_dimensions():
    with pytest.raises(
        ValueError, match="Fan in and fan out can not be computed for tensor with fewer than 2"
    ):
        nn.init.xavier_uniform_(ember.empty(5))


def test_kaiming_rejects_an_unknown_mode():
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        nn.init.kaiming_uniform_(ember.empty(2, 2), mode="fan_avg")


@pytest.mark.parametrize("a, b", [(-2.0, 2.0), (1.0, 3.0)])
def test_trunc_normal_stays_within_its_bounds(a, b):
    weight = nn.init.trunc_normal_(ember.empty(2000), mean=0.0, std=1.0, a=a, b=b)
    assert values(weight).min() >= a and values(weight).max() <= b
    assert values(weight).std() > 0.2


def test_constant_ones_zeros_and_eye_fill_as_named():
    t = ember.empty(2, 3)
    np.testing.assert_array_equal(values(nn.init.constant_(t, 0.5)), np.full((2, 3), 0.5))
    np.testing.assert_array_equal(values(nn.init.ones_(t)), np.ones((2, 3)))
    np.testing.assert_array_equal(values(nn.init.zeros_(t)), np.zeros((2, 3)))
    np.testing.assert_array_equal(values(nn.init.eye_(t)), np.eye(2, 3))


def test_eye_needs_a_matrix():
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        nn.init.eye_(ember.empty(3))
