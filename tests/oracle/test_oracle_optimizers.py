"""Adam, AdamW, RMSprop, Adagrad, Adadelta and LBFGS against PyTorch: 20-step trajectories from the same
initial parameters with the same gradients, under a grid of options, in float32 and float64; their state,
state-dict round trips (save, load into a fresh optimizer, continue) and argument checks."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

STEPS = 20
SHAPES = [(3, 4), (5,)]

CONFIGS = {
    "Adam": [
        {},
        {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6},
        {"lr": 0.01, "amsgrad": True},
        {"lr": 0.01, "weight_decay": 0.1},
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
        {"lr": 0.01, "maximize": True, "amsgrad": True, "weight_decay": 0.05},
        {"lr": 0.01, "foreach": False, "capturable": False, "fused": None},
        {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1, "maximize": True, "fused": False},
        {"lr": 0.01, "amsgrad": True, "fused": True},
    ],
    "AdamW": [
        {},
        {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True},
        {"lr": 0.02, "maximize": True, "betas": (0.5, 0.9)},
        {"lr": 0.02, "weight_decay": 0.1, "amsgrad": True, "fused": False},
    ],
    "RMSprop": [
        {},
        {"lr": 0.01, "alpha": 0.9, "eps": 1e-6},
        {"lr": 0.01, "centered": True},
        {"lr": 0.01, "momentum": 0.9},
        {"lr": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.1, "maximize": True},
        {"lr": 0.01, "foreach": False, "capturable": False, "differentiable": False},
    ],
    "Adagrad": [
        {},
        {"lr": 0.1, "lr_decay": 0.05},
        {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6},
        {"lr": 0.1, "weight_decay": 0.1, "maximize": True, "lr_decay": 0.01},
        {"lr": 0.1, "foreach": False, "fused": None},
    ],
    "Adadelta": [
        {},
        {"lr": 0.5, "rho": 0.5, "eps": 1e-4},
        {"lr": 0.5, "weight_decay": 0.1},
        {"lr": 0.5, "maximize": True, "capturable": False, "foreach": False},
    ],
}

DTYPES = ["float32", "float64"]
# The updates round as PyTorch's; what is left is an ulp where PyTorch's kernels fuse a multiply-add (its
# add(alpha=) does), which momentum carries on for a few ulps over 20 steps.
TIGHT = {"float32": {"rtol": 1e-5, "atol": 1e-6}, "float64": {"rtol": 1e-11, "atol": 1e-13}}


def _cases():
    for name, configs in CONFIGS.items():
        for index, config in enumerate(configs):
            yield pytest.param(name, config, id=f"{name}-{index}-" + ",".join(f"{k}={v}" for k, v in config.items()))


class Run:
    """One optimizer in one library over parameters and gradients drawn from a seeded numpy generator."""

    def __init__(self, lib, name, config, dtype, seed=0):
        rng = np.random.default_rng(seed)
        self.lib = lib
        self.params = [lib.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True) for shape in SHAPES]
        self.optimizer = getattr(lib.optim, name)(self.params, **config)
        self.dtype = dtype

    def step(self, grads):
        self.optimizer.zero_grad()
        for param, grad in zip(self.params, grads):
            param.grad = self.lib.tensor(grad)
        self.optimizer.step()


def _gradients(seed, dtype, steps=STEPS):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(shape).astype(dtype) for shape in SHAPES] for _ in range(steps)]


def _assert_same_state(oracle, ember_optimizer, torch_optimizer, what):
    ember_dict, torch_dict = ember_optimizer.state_dict(), torch_optimizer.state_dict()
    assert ember_dict["param_groups"] == torch_dict["param_groups"], what
    assert sorted(ember_dict["state"]) == sorted(torch_dict["state"]), what
    for index, torch_state in torch_dict["state"].items():
        ember_state = ember_dict["state"][index]
        assert sorted(ember_state) == sorted(torch_state), f"{what}: state keys of parameter {index}"
        for key, value in torch_state.items():
            oracle.assert_same(ember_state[key], value, f"{what}: state[{index}][{key!r}]")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "config"), list(_cases()))
def test_trajectory_matches_torch(oracle, name, config, dtype):
    ember_run = Run(oracle.ember, name, config, dtype)
    torch_run = Run(torch, name, config, dtype)
    for step, grads in enumerate(_gradients(1, dtype)):
        ember_run.step(grads)
        torch_run.step(grads)
        for index, (e, t) in enumerate(zip(ember_run.params, torch_run.params)):
            oracle.assert_same(e, t, f"parameter {index} after step {step}", **TIGHT[dtype])
    _assert_same_state(oracle, ember_run.optimizer, torch_run.optimizer, "after 20 steps")


@pytest.mark.parametrize(("name", "config"), list(_cases()))
def test_state_dict_round_trip_continues_the_trajectory(oracle, name, config):
    grads = _gradients(2, "float64")
    torch_run = Run(torch, name, config, "float64")
    ember_run = Run(oracle.ember, name, config, "float64")
    for step_grads in grads[:10]:
        torch_run.step(step_grads)
        ember_run.step(step_grads)
    saved = ember_run.optimizer.state_dict()
    resumed = Run(oracle.ember, name, config, "float64", seed=5)
    with oracle.ember.no_grad():
        for mine, original in zip(resumed.params, ember_run.params):
            mine.copy_(original)
    resumed.optimizer.load_state_dict(saved)
    _assert_same_state(oracle, resumed.optimizer, torch_run.optimizer, "after loading")
    for step_grads in grads[10:]:
        torch_run.step(step_grads)
        resumed.step(step_grads)
    for index, (e, t) in enumerate(zip(resumed.params, torch_run.params)):
        oracle.assert_same(e, t, f"parameter {index} after resuming", **TIGHT["float64"])


INVALID = [
    ("Adam", {"lr": -1.0}),
    ("Adam", {"eps": -1e-3}),
    ("Adam", {"betas": (1.0, 0.999)}),
    ("Adam", {"betas": (0.9, -0.1)}),
    ("Adam", {"weight_decay": -0.5}),
    ("Adam", {"fused": True, "foreach": True}),
    ("Adam", {"fused": True, "differentiable": True}),
    ("AdamW", {"lr": -0.5}),
    ("AdamW", {"betas": (0.9, 1.5)}),
    ("RMSprop", {"lr": -1}),
    ("RMSprop", {"eps": -1.0}),
    ("RMSprop", {"momentum": -0.1}),
    ("RMSprop", {"weight_decay": -1.0}),
    ("RMSprop", {"alpha": -0.5}),
    ("Adagrad", {"lr": -1.0}),
    ("Adagrad", {"lr_decay": -1.0}),
    ("Adagrad", {"weight_decay": -1.0}),
    ("Adagrad", {"initial_accumulator_value": -1.0}),
    ("Adagrad", {"eps": -1.0}),
    ("Adagrad", {"fused": True, "foreach": True}),
    ("Adadelta", {"lr": -1.0}),
    ("Adadelta", {"rho": 1.5}),
    ("Adadelta", {"eps": -1.0}),
    ("Adadelta", {"weight_decay": -1.0}),
]


@pytest.mark.parametrize(("name", "config"), INVALID, ids=[f"{n}-{c}" for n, c in INVALID])
def test_invalid_options_raise_torchs_error(oracle, name, config):
    with pytest.raises(Exception) as expected:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **config)
    with pytest.raises(expected.type) as got:
        getattr(oracle.ember.optim, name)([oracle.ember.zeros(2, requires_grad=True)], **config)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_param_groups_lr_edits_and_added_groups_follow_torch(oracle, name):
    """Two groups with their own options, an lr edited through ``param_groups``, a group added midway and
    ``zero_grad(set_to_none=False)``: the parameters follow PyTorch's."""
    rng = np.random.default_rng(3)
    initial = [rng.standard_normal(shape) for shape in [(4,), (2, 3), (3,)]]
    grads = _gradients(4, "float64", steps=12)
    runs = []
    for lib in (oracle.ember, torch):
        params = [lib.tensor(values, requires_grad=True) for values in initial]
        optimizer = getattr(lib.optim, name)([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.05}], lr=0.1)
        for step, step_grads in enumerate(grads):
            if step == 4:
                optimizer.param_groups[0]["lr"] = 0.02
            if step == 6:
                optimizer.add_param_group({"params": params[2], "weight_decay": 0.1})
            optimizer.zero_grad(set_to_none=step % 2 == 0)
            params[0].grad = lib.tensor(step_grads[0][0].copy())
            params[1].grad = lib.tensor(step_grads[0][:2, :3].copy())
            if step >= 6:
                params[2].grad = lib.tensor(step_grads[1][:3].copy())
            optimizer.step()
        runs.append((params, optimizer))
    for index, (e, t) in enumerate(zip(runs[0][0], runs[1][0])):
        oracle.assert_same(e, t, f"parameter {index}", **TIGHT["float64"])
    assert [len(group["params"]) for group in runs[0][1].state_dict()["param_groups"]] == [1, 1, 1]
    _assert_same_state(oracle, runs[0][1], runs[1][1], "after 12 steps")


@pytest.mark.parametrize("name", list(CONFIGS))
def test_repr_and_defaults_match_torch(oracle, name):
    ember_optimizer = getattr(oracle.ember.optim, name)([oracle.ember.zeros(2, requires_grad=True)])
    torch_optimizer = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)])
    assert ember_optimizer.defaults == torch_optimizer.defaults
    assert repr(ember_optimizer) == repr(torch_optimizer)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_step_returns_the_closures_loss_with_grad_enabled(oracle, name):
    param = oracle.ember.tensor([1.0, -2.0], requires_grad=True)
    optimizer = getattr(oracle.ember.optim, name)([param])

    def closure():
        optimizer.zero_grad()
        loss = (param**2).sum()
        loss.backward()
        return loss

    with oracle.ember.no_grad():
        loss = optimizer.step(closure)
    assert loss.item() == 5.0
    assert param.grad is not None


LBFGS_CONFIGS = [
    {"max_iter": 4},
    {"lr": 0.5, "max_iter": 5, "history_size": 3},
    {"max_iter": 6, "line_search_fn": "strong_wolfe"},
    {"max_iter": 5, "history_size": 2, "line_search_fn": "strong_wolfe", "max_eval": 9},
    {"max_iter": 20, "tolerance_grad": 1e-2, "tolerance_change": 1e-4},
]


class LeastSquares:
    """|A x - b|^2 + 0.1 |x|_4^4 over two parameters flattened together (x), minimised by LBFGS with a
    closure: smooth and well conditioned, so float32 rounding differences stay small along the trajectory."""

    def __init__(self, lib, config, dtype):
        rng = np.random.default_rng(7)
        self.lib = lib
        self.params = [lib.tensor(rng.uniform(-1.5, 1.5, shape).astype(dtype), requires_grad=True)
                       for shape in [(4,), (2, 3)]]
        self.a = lib.tensor((np.eye(10, 10) + 0.3 * rng.standard_normal((10, 10))).astype(dtype))
        self.b = lib.tensor(rng.standard_normal(10).astype(dtype))
        self.optimizer = lib.optim.LBFGS(self.params, **config)

    def closure(self):
        self.optimizer.zero_grad()
        x = self.lib.cat([param.reshape(-1) for param in self.params])
        loss = ((self.a @ x - self.b) ** 2).sum() + 0.1 * (x**4).sum()
        loss.backward()
        return loss


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("config", LBFGS_CONFIGS, ids=[",".join(f"{k}={v}" for k, v in c.items())
                                                       for c in LBFGS_CONFIGS])
def test_lbfgs_trajectory_matches_torch(oracle, config, dtype):
    ember_run, torch_run = LeastSquares(oracle.ember, config, dtype), LeastSquares(torch, config, dtype)
    tolerance = {"float32": {"rtol": 1e-4, "atol": 1e-5}, "float64": TIGHT["float64"]}[dtype]
    # float32 stops once at the minimum, where float32 noise in the loss moves the iterates along a flat valley
    for step in range(3 if dtype == "float32" else 5):
        ember_loss = ember_run.optimizer.step(ember_run.closure)
        torch_loss = torch_run.optimizer.step(torch_run.closure)
        oracle.assert_same(ember_loss, torch_loss, f"loss of step {step}", **tolerance)
        for index, (e, t) in enumerate(zip(ember_run.params, torch_run.params)):
            oracle.assert_same(e, t, f"parameter {index} after step {step}", **tolerance)
        ember_state, torch_state = ember_run.optimizer.state_dict(), torch_run.optimizer.state_dict()
        for key in ("func_evals", "n_iter"):
            assert ember_state["state"][0][key] == torch_state["state"][0][key], key
        assert len(ember_state["state"][0]["old_dirs"]) == len(torch_state["state"][0]["old_dirs"])
        assert ember_state["param_groups"] == torch_state["param_groups"]


def test_lbfgs_state_dict_round_trip_continues_the_trajectory(oracle):
    config = {"max_iter": 3, "history_size": 4, "line_search_fn": "strong_wolfe"}
    original, reference = LeastSquares(oracle.ember, config, "float64"), LeastSquares(torch, config, "float64")
    for _ in range(3):
        original.optimizer.step(original.closure)
        reference.optimizer.step(reference.closure)
    resumed = LeastSquares(oracle.ember, config, "float64")
    with oracle.ember.no_grad():
        for mine, theirs in zip(resumed.params, original.params):
            mine.copy_(theirs)
    resumed.optimizer.load_state_dict(original.optimizer.state_dict())
    for _ in range(3):
        resumed.optimizer.step(resumed.closure)
        reference.optimizer.step(reference.closure)
    for index, (e, t) in enumerate(zip(resumed.params, reference.params)):
        oracle.assert_same(e, t, f"parameter {index} after resuming", **TIGHT["float64"])


@pytest.mark.parametrize(
    ("make", "args"),
    [("groups", {}), ("lr", {"lr": -1.0}), ("line search", {"line_search_fn": "armijo"})],
)
def test_lbfgs_errors_match_torch(oracle, make, args):
    outcomes = []
    for lib in (oracle.ember, torch):
        params = [lib.tensor([1.0, 2.0], requires_grad=True), lib.tensor([3.0], requires_grad=True)]
        with pytest.raises(Exception) as raised:
            groups = [{"params": params[:1]}, {"params": params[1:]}] if make == "groups" else params
            optimizer = lib.optim.LBFGS(groups, **args)

            def closure(optimizer=optimizer, params=params):
                optimizer.zero_grad()
                loss = (params[0] ** 2).sum() + (params[1] ** 2).sum()
                loss.backward()
                return loss

            optimizer.step(closure)
        outcomes.append((raised.type, str(raised.value)))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize(
    ("name", "config"),
    [("Adam", {"lr": 0.1, "weight_decay": 0.1}), ("Adam", {"lr": 0.1, "amsgrad": True}),
     ("AdamW", {"lr": 0.05, "maximize": True}), ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
     ("Adagrad", {"lr": 0.1}), ("Adadelta", {"lr": 0.5})],
)
def test_differentiable_steps_match_torch_and_carry_gradients(oracle, name, config):
    """differentiable=True on non-leaf parameters: five steps recorded in the graph, then the gradient of
    their sum with respect to the weights they started from."""
    rng = np.random.default_rng(9)
    initial = rng.standard_normal((2, 3))
    grads = [rng.standard_normal((2, 3)) for _ in range(5)]
    results = []
    for lib in (oracle.ember, torch):
        weight = lib.tensor(initial, requires_grad=True)
        param = weight * 1
        optimizer = getattr(lib.optim, name)([param], differentiable=True, **config)
        for grad in grads:
            param.grad = lib.tensor(grad) * param.detach()  # a gradient that is not a constant
            optimizer.step()
        param.sum().backward()
        results.append((param, weight.grad))
    # Adam's differentiable form computes its bias corrections in the float32 step tensor, where PyTorch's
    # pow is SLEEF's (within an ulp): the float64 parameters then agree to float32's precision
    tolerance = {"rtol": 2e-6, "atol": 1e-7} if name.startswith("Adam") else TIGHT["float64"]
    oracle.assert_same(results[0][0], results[1][0], "parameter", **tolerance)
    oracle.assert_same(results[0][1], results[1][1], "gradient of the initial weight", **tolerance)


def _hook_log(lib, optimizer_module):
    """The calls the step and state-dict hooks see over a few steps, a state-dict round trip and removals."""
    log = []
    param = lib.tensor([1.0, -2.0], requires_grad=True)
    optimizer = lib.optim.Adam([param], lr=0.1)
    closure_calls = []

    def closure():
        closure_calls.append(1)
        return lib.tensor(0.0)

    def pre(opt, args, kwargs):
        log.append(("pre", type(opt).__name__, len(args), sorted(kwargs)))
        return (args[0],), {"closure": closure}  # swaps in a closure

    handles = [
        optimizer.register_step_pre_hook(pre),
        optimizer.register_step_post_hook(lambda opt, args, kwargs: log.append(("post", sorted(kwargs)))),
        optimizer_module.register_optimizer_step_pre_hook(lambda opt, args, kwargs: log.append(("global pre",))),
        optimizer_module.register_optimizer_step_post_hook(lambda opt, args, kwargs: log.append(("global post",))),
        optimizer.register_state_dict_pre_hook(lambda opt: log.append(("state_dict pre",))),
        optimizer.register_state_dict_post_hook(lambda opt, sd: {**sd, "extra": 1}),
        optimizer.register_state_dict_pre_hook(lambda opt: log.append(("state_dict first",)), prepend=True),
        optimizer.register_load_state_dict_pre_hook(
            lambda opt, sd: log.append(("load pre", sorted(sd))) or {k: v for k, v in sd.items() if k != "extra"}),
        optimizer.register_load_state_dict_post_hook(lambda opt: log.append(("load post",))),
    ]
    try:
        param.grad = lib.tensor([0.5, 0.5])
        optimizer.step()
        saved = optimizer.state_dict()
        log.append(("saved", sorted(saved)))
        optimizer.load_state_dict(saved)
        for handle in handles[:3]:
            handle.remove()
        optimizer.step()
    finally:
        for handle in handles:
            handle.remove()
    optimizer.step()
    log.append(("closure calls", len(closure_calls)))
    return log, param.tolist()


def test_step_and_state_dict_hooks_run_as_torchs(oracle):
    import torch.optim.optimizer as torch_optimizer_module

    import ember.optim.optimizer as ember_optimizer_module

    assert _hook_log(oracle.ember, ember_optimizer_module) == _hook_log(torch, torch_optimizer_module)
