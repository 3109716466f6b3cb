"""Condensed user programs (session-10 QA: tutorial-style code nobody on the project wrote for ember) run with
ember and with PyTorch from the same initial weights and data: every step's loss, the evaluation outputs and
the values printed along the way must agree. Each program is written once, against a library `lib` (ember
or torch), in float64, so the two runs agree to rounding."""
from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle


def _numpy_weights(lib, model, seed: int, scale: float = 0.3) -> None:
    """The same initial weights in both libraries: normal draws of a seeded numpy generator, in the order of
    named_parameters (which both libraries give alike)."""
    rng = np.random.default_rng(seed)
    with lib.no_grad():
        for _, parameter in model.named_parameters():
            parameter.copy_(lib.tensor(rng.normal(0.0, scale, tuple(parameter.shape))))


def _both(program, *args):
    """(ember's outputs, PyTorch's) of `program(lib, *args)` with float64 as the default dtype."""
    import ember

    results = []
    for lib in (ember, torch):
        previous = lib.get_default_dtype()
        lib.set_default_dtype(lib.float64)
        try:
            results.append(program(lib, *args))
        finally:
            lib.set_default_dtype(previous)
    return results


def _assert_close(ours, theirs, rtol=1e-9):
    assert len(ours) == len(theirs)
    for index, (mine, pytorch) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(np.asarray(mine, dtype=float), np.asarray(pytorch, dtype=float), rtol=rtol,
                                   atol=1e-12, err_msg=f"output {index}")


def _transformer_classifier(lib):
    """A Transformer encoder classifier over padded token sequences: padding masks, a CLS token, sinusoidal
    positions in a buffer, masked mean pooling, AdamW with warmup, gradient clipping; evaluation rounds the
    probabilities with ``round(decimals=)`` and flips the sequences with ``flip(dims=)``."""
    nn, functional = lib.nn, lib.nn.functional
    rng = np.random.default_rng(0)
    lengths = rng.integers(2, 7, size=12)
    tokens = np.zeros((12, 6), dtype=np.int64)
    for row, length in enumerate(lengths):
        tokens[row, :length] = rng.integers(1, 10, size=length)
    inputs = lib.tensor(tokens)
    labels = lib.tensor(((tokens == 3).sum(1) > 0).astype(np.int64))

    class Classifier(nn.Module):
        def __init__(self, width=8):
            super().__init__()
            self.embed = nn.Embedding(10, width, padding_idx=0)
            position = lib.arange(16).unsqueeze(1)
            rate = lib.exp(lib.arange(0, width, 2) * (-math.log(10000.0) / width))
            table = lib.zeros(16, width)
            table[:, 0::2] = lib.sin(position * rate)
            table[:, 1::2] = lib.cos(position * rate)
            self.register_buffer("positions", table.unsqueeze(0))
            self.cls = nn.Parameter(lib.zeros(1, 1, width))
            layer = nn.TransformerEncoderLayer(width, 2, dim_feedforward=16, dropout=0.0, batch_first=True,
                                               norm_first=True)
            self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
            self.out = nn.Linear(width, 2)

        def forward(self, x):
            padding = x == 0
            h = self.embed(x) + self.positions[:, : x.size(1)]
            h = lib.cat([self.cls.expand(x.size(0), -1, -1), h], dim=1)
            padding = lib.cat([lib.zeros(x.size(0), 1, dtype=lib.bool), padding], dim=1)
            h = self.encoder(h, src_key_padding_mask=padding)
            keep = (~padding).unsqueeze(-1).to(h.dtype)
            return self.out(h[:, 0] + (h * keep).sum(1) / keep.sum(1))

    model = Classifier()
    _numpy_weights(lib, model, 1)
    optimizer = lib.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.01)
    schedule = lib.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / 3))
    outputs = []
    for step in range(6):
        batch = lib.arange(step * 4, step * 4 + 4) % 12
        loss = functional.cross_entropy(model(inputs[batch]), labels[batch], label_smoothing=0.1)
        optimizer.zero_grad()
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        outputs += [loss.item(), norm.item()]
    model.eval()
    with lib.no_grad():
        probabilities = functional.softmax(model(inputs), dim=-1).round(decimals=3)
        flipped = model(inputs.flip(dims=[1]))
    return outputs + probabilities.flatten().tolist() + flipped.flatten().tolist()


def test_transformer_classifier_trains_as_pytorch():
    ours, theirs = _both(_transformer_classifier)
    _assert_close(ours, theirs)


def _wgan_gp(lib):
    """WGAN-GP steps: a critic's gradient penalty through ``autograd.grad(create_graph=True)`` (double
    backward through Linear, LeakyReLU and norm), critic and generator Adam steps, a BatchNorm1d generator."""
    nn = lib.nn
    rng = np.random.default_rng(2)
    generator = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.LeakyReLU(0.2), nn.Linear(8, 2))
    critic = nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(0.2), nn.Linear(8, 8), nn.SiLU(), nn.Linear(8, 1))
    _numpy_weights(lib, generator, 3)
    _numpy_weights(lib, critic, 4)
    optimize_generator = lib.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.0, 0.9))
    optimize_critic = lib.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.0, 0.9))
    outputs = []
    for _ in range(3):
        for _ in range(2):
            real = lib.tensor(rng.normal(1.0, 0.2, (16, 2)))
            fake = generator(lib.tensor(rng.standard_normal((16, 3)))).detach()
            alpha = lib.tensor(rng.random((16, 1)))
            mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
            score = critic(mixed)
            grads, = lib.autograd.grad(score, mixed, grad_outputs=lib.ones_like(score), create_graph=True)
            penalty = ((grads.norm(2, dim=1) - 1) ** 2).mean()
            critic_loss = critic(fake).mean() - critic(real).mean() + 10.0 * penalty
            optimize_critic.zero_grad()
            critic_loss.backward()
            optimize_critic.step()
        generator_loss = -critic(generator(lib.tensor(rng.standard_normal((16, 3))))).mean()
        optimize_generator.zero_grad()
        generator_loss.backward()
        optimize_generator.step()
        outputs += [critic_loss.item(), penalty.item(), generator_loss.item()]
    return outputs + generator[1].running_var.tolist()


def test_wgan_gradient_penalty_steps_as_pytorch():
    ours, theirs = _both(_wgan_gp)
    _assert_close(ours, theirs)


def _gaussian_process(lib):
    """A Gaussian process's marginal likelihood fitted by LBFGS with a strong-Wolfe line search (a closure),
    over cdist, cholesky and cholesky_solve; then the predictive mean and variance by solve_triangular."""
    rng = np.random.default_rng(5)
    x = lib.tensor(np.sort(rng.uniform(-3, 3, 20)))[:, None]
    y = lib.sin(x).squeeze(-1) + 0.1 * lib.tensor(rng.standard_normal(20))
    test = lib.linspace(-3.5, 3.5, 5)[:, None]
    log_length, log_signal, log_noise = (lib.nn.Parameter(lib.tensor(v)) for v in (0.0, 0.0, -1.0))

    def kernel(a, b):
        return log_signal.exp() ** 2 * lib.exp(-0.5 * lib.cdist(a, b) ** 2 / log_length.exp() ** 2)

    def factor():
        return lib.linalg.cholesky(kernel(x, x) + (log_noise.exp() ** 2 + 1e-6) * lib.eye(20))

    optimizer = lib.optim.LBFGS([log_length, log_signal, log_noise], lr=0.5, max_iter=10,
                                line_search_fn="strong_wolfe")
    outputs = []
    for _ in range(2):
        def closure():
            optimizer.zero_grad()
            lower = factor()
            nll = 0.5 * (y[:, None] * lib.cholesky_solve(y[:, None], lower)).sum() + lower.diagonal().log().sum()
            nll.backward()
            return nll
        outputs.append(optimizer.step(closure).item())
    with lib.no_grad():
        lower = factor()
        cross = kernel(test, x)
        mean = cross @ lib.cholesky_solve(y[:, None], lower)
        v = lib.linalg.solve_triangular(lower, cross.T, upper=False)
        variance = kernel(test, test).diagonal() - (v * v).sum(0)
    return outputs + [log_length.item(), log_noise.item()] + mean.flatten().tolist() + variance.tolist()


def test_gaussian_process_lbfgs_fit_as_pytorch():
    ours, theirs = _both(_gaussian_process)
    _assert_close(ours, theirs, rtol=1e-7)


def _convolutional_autoencoder(lib):
    """A convolutional autoencoder: strided convolutions down, ConvTranspose2d and nearest upsampling back,
    an 'area' interpolation of the target to the code's size for an auxiliary loss, RMSprop."""
    nn, functional = lib.nn, lib.nn.functional
    rng = np.random.default_rng(6)
    images = lib.tensor(rng.random((6, 1, 8, 8)))
    encoder = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.LeakyReLU(0.1),
                            nn.Conv2d(4, 1, 3, stride=2, padding=1), nn.ELU())
    decoder = nn.Sequential(nn.ConvTranspose2d(1, 4, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
                            nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(4, 1, 3, padding=1),
                            nn.Sigmoid())
    _numpy_weights(lib, encoder, 7)
    _numpy_weights(lib, decoder, 8)
    optimizer = lib.optim.RMSprop([*encoder.parameters(), *decoder.parameters()], lr=3e-3, alpha=0.9)
    outputs = []
    for step in range(4):
        batch = images[(step % 2) * 3:(step % 2) * 3 + 3]
        code = encoder(batch)
        loss = functional.mse_loss(decoder(code), batch) + 0.1 * functional.mse_loss(
            code, functional.interpolate(batch, size=code.shape[-2:], mode="area"))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        outputs.append(loss.item())
    return outputs + functional.interpolate(images[:1], scale_factor=0.5, mode="area").flatten().tolist()


def test_convolutional_autoencoder_trains_as_pytorch():
    ours, theirs = _both(_convolutional_autoencoder)
    _assert_close(ours, theirs)


def _contrastive_with_custom_optimizer(lib):
    """SimCLR's NT-Xent loss (the similarity's diagonal masked with ``fill_diagonal_``) trained by a user-written
    AdaBelief-style optimizer as copied from GitHub: an ``Optimizer`` subclass that refuses ``grad.is_sparse``,
    keeps its own state, gets a second param group with ``add_param_group`` and survives a state_dict round
    trip into a fresh instance."""
    nn, functional = lib.nn, lib.nn.functional

    class Belief(lib.optim.Optimizer):
        def __init__(self, params, lr=1e-2, betas=(0.9, 0.999), eps=1e-12):
            super().__init__(params, dict(lr=lr, betas=betas, eps=eps))

        @lib.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                beta1, beta2 = group["betas"]
                for p in (p for p in group["params"] if p.grad is not None):
                    if p.grad.is_sparse:
                        raise RuntimeError("sparse gradients are not supported")
                    state = self.state[p]
                    if not state:
                        state["step"], state["mean"], state["belief"] = 0, lib.zeros_like(p), lib.zeros_like(p)
                    state["step"] += 1
                    state["mean"].mul_(beta1).add_(p.grad, alpha=1 - beta1)
                    residual = p.grad - state["mean"]
                    state["belief"].mul_(beta2).addcmul_(residual, residual, value=1 - beta2)
                    denominator = (state["belief"] / (1 - beta2 ** state["step"])).sqrt_().add_(group["eps"])
                    p.addcdiv_(state["mean"], denominator, value=-group["lr"] / (1 - beta1 ** state["step"]))

    rng = np.random.default_rng(9)
    views = lib.tensor(rng.standard_normal((2, 6, 5)))
    encoder = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 4))
    _numpy_weights(lib, encoder, 10)
    optimizer = Belief(encoder[0].parameters())
    optimizer.add_param_group({"params": encoder[2].parameters(), "lr": 5e-3})
    targets = lib.cat([lib.arange(6, 12), lib.arange(0, 6)])
    outputs = []
    for _ in range(4):
        z = functional.normalize(encoder(views.flatten(0, 1)), dim=1)
        similarity = z @ z.T / 0.5
        similarity.fill_diagonal_(float("-inf"))
        loss = functional.cross_entropy(similarity, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        outputs.append(loss.item())
    restored = Belief([lib.nn.Parameter(lib.zeros_like(p)) for p in encoder[0].parameters()], lr=1.0)
    restored.add_param_group({"params": [lib.nn.Parameter(lib.zeros_like(p)) for p in encoder[2].parameters()]})
    restored.load_state_dict(optimizer.state_dict())
    state = restored.state_dict()
    return outputs + [restored.param_groups[1]["lr"], state["state"][2]["step"]] + state["state"][3]["belief"].tolist()


def test_contrastive_loss_with_a_user_written_optimizer_as_pytorch():
    ours, theirs = _both(_contrastive_with_custom_optimizer)
    _assert_close(ours, theirs)
