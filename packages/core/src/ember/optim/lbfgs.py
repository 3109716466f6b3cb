"""`optim.LBFGS`: limited-memory BFGS over all parameters as one flat vector, driven by a loss closure."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import ember
from ember._tensor import Tensor
from ember.optim._update import check_lr, number
from ember.optim.line_search import strong_wolfe
from ember.optim.optimizer import Optimizer


class LBFGS(Optimizer):
    """L-BFGS as PyTorch's: each ``step(closure)`` runs up to ``max_iter`` iterations (``max_eval`` closure
    calls), each a two-loop-recursion direction from the last ``history_size`` curvature pairs and a step of
    ``lr`` (the first scaled by 1 / |g|_1), or the strong-Wolfe line search. It stops early once the largest
    gradient entry is at most ``tolerance_grad``, or the step or loss change falls below ``tolerance_change``.
    One parameter group only; the search state lives in ``state[first parameter]``.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float | Tensor = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[Tensor] = self.param_groups[0]["params"]

    def _gather_flat_grad(self) -> Tensor:
        """Every parameter's gradient (zeros where it has none), flattened into one vector."""
        return ember.cat([
            ember.zeros(param.numel(), dtype=param.dtype, device=param.device) if param.grad is None
            else param.grad.reshape(-1)
            for param in self._params
        ])

    def _add_grad(self, step_size: Any, update: Tensor) -> None:
        """Move the parameters by ``step_size * update`` (a flat vector over all of them)."""
        offset = 0
        alpha = number(step_size)
        for param in self._params:
            numel = param.numel()
            param.add_(update[offset:offset + numel].view_as(param), alpha=alpha)
            offset += numel

    def _directional_evaluate(
        self, closure: Callable[[], Any], x: list[Tensor], t: Any, d: Tensor
    ) -> tuple[float, Tensor]:
        """The loss and flat gradient at ``x + t * d``; the parameters are restored to `x` afterwards."""
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        for param, saved in zip(self._params, x):
            param.copy_(saved)
        return loss, flat_grad

    @ember.no_grad()
    def step(self, closure: Callable[[], Any]) -> Any:
        """Run the iterations of one optimisation step; `closure` recomputes the loss and its gradients and
        returns the loss. Returns the loss from the first evaluation."""
        closure = ember.enable_grad()(closure)
        group = self.param_groups[0]
        lr = number(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if flat_grad.abs().max() <= tolerance_grad:
            return orig_loss

        # the search's memory, carried over from the previous step (None on the first)
        d: Any = state.get("d")
        t: Any = state.get("t")
        old_dirs: Any = state.get("old_dirs")
        old_stps: Any = state.get("old_stps")
        ro: Any = state.get("ro")
        h_diag: Any = state.get("H_diag")
        prev_flat_grad: Any = state.get("prev_flat_grad")
        prev_loss: Any = state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = flat_grad.neg()
                old_dirs, old_stps, ro, h_diag = [], [], [], 1
            else:
                y = flat_grad.sub(prev_flat_grad)
                s = d.mul(t)
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair only when the curvature condition holds
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / y.dot(y)
                d = self._two_loop_direction(state, flat_grad, old_dirs, old_stps, ro, h_diag, history_size)
            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.clone()
            else:
                prev_flat_grad.copy_(flat_grad)
            prev_loss = loss
            t = min(1.0, 1.0 / flat_grad.abs().sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:  # not a descent direction
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = [param.clone() for param in self._params]

                def obj_func(x: list[Tensor], step: Any, direction: Tensor) -> tuple[float, Tensor]:
                    return self._directional_evaluate(closure, x, step, direction)

                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals
                )
                self._add_grad(t, d)
                opt_cond = flat_grad.abs().max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                opt_cond = False
                if n_iter != max_iter:
                    loss = float(closure())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = flat_grad.abs().max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if d.mul(t).abs().max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break

        state.update({"d": d, "t": t, "old_dirs": old_dirs, "old_stps": old_stps, "ro": ro, "H_diag": h_diag,
                      "prev_flat_grad": prev_flat_grad, "prev_loss": prev_loss})
        return orig_loss

    @staticmethod
    def _two_loop_direction(
        state: dict[str, Any], flat_grad: Tensor, old_dirs: list[Tensor], old_stps: list[Tensor], ro: list[Any],
        h_diag: Any, history_size: int,
    ) -> Tensor:
        """The quasi-Newton direction -H g by the two-loop recursion over the stored curvature pairs."""
        if "al" not in state:
            state["al"] = [None] * history_size
        al = state["al"]
        q = flat_grad.neg()
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * ro[i]
            q.add_(old_dirs[i], alpha=-number(al[i]))
        r = ember.mul(q, h_diag)
        for i in range(len(old_dirs)):
            be_i = old_dirs[i].dot(r) * ro[i]
            r.add_(old_stps[i], alpha=number(al[i] - be_i))
        return r
