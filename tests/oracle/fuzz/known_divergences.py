# ruff: noqa: E501 - reproducers are printed programs, one statement a line
"""Known divergences of today's ember from PyTorch, reported as xfail by tests/oracle/test_differential.py.

Each entry is one exact failure signature (statement kind, op, subject | what differs), a short reason,
and the minimal reproducer the shrinker printed (PyTorch code; `import ember as torch` runs it on ember).
A fixed bug makes `test_known_divergence_still_reproduces` fail: then delete its entry. Never widen a
signature to cover a new failure: a new bug must fail the differential test.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownDivergence:
    signature: str
    reason: str
    reproducer: str


KNOWN_DIVERGENCES: tuple[KnownDivergence, ...] = (
    KnownDivergence(
        "backward: backward [non-leaf] | warning of statement: ember warns 'overflow encountered in cast'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x1 = torch.tensor([-1.5, 3.0, 1.75], dtype=torch.float32, requires_grad=True)  # input: float32 [3]
        t3 = torch.outer(x1, x1)  # matmul: outer
        t4 = t3[t3 > 0]  # index: index(bool mask)
        t5 = torch.cat([t4])  # join: cat(one)
        t6 = t4.half()  # cast: half
        t7 = torch.stack([t5, t6])  # join: stack
        t9 = t7.t()  # view: t
        t10 = t9.prod()  # reduction: prod()
        t10.backward()  # backward: backward [non-leaf]
""",
    ),
    KnownDivergence(
        "backward: backward retain_graph [non-leaf] | warning of statement: ember warns 'invalid value encountered in multiply'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x1 = torch.tensor([-1.0, 1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [2]
        t4 = -0.0 / x1  # pointwise: r/(float)
        t5 = t4.to(torch.float64)  # cast: to(torch.float64
        x8 = torch.tensor([-1.0, -1.0], dtype=torch.float64, requires_grad=True)  # input: float64 [2]
        t9 = torch.matmul(t5, x8)  # matmul: matmul
        t10 = t9 ** t9  # pointwise: **(tensor)
        t10.sum().backward(retain_graph=True)  # backward: backward retain_graph [non-leaf]
""",
    ),
    KnownDivergence(
        'cast: bool | requires_grad of result: torch False, ember True',
        'integer/bool casts of a tensor that requires grad must not require grad (item 5)',
        """\
        x1 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t2 = x1.bool()  # cast: bool
""",
    ),
    KnownDivergence(
        'cast: int | requires_grad of result: torch False, ember True',
        'integer/bool casts of a tensor that requires grad must not require grad (item 5)',
        """\
        x1 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t3 = x1.int()  # cast: int
""",
    ),
    KnownDivergence(
        'cast: long | requires_grad of result: torch False, ember True',
        'integer/bool casts of a tensor that requires grad must not require grad (item 5)',
        """\
        x2 = torch.tensor(0.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t4 = x2.long()  # cast: long
""",
    ),
    KnownDivergence(
        "grad: autograd.grad [leaf requiring grad] | warning of statement: ember warns 'invalid value encountered in reduce'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x1 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        x3 = torch.tensor([[[-1.0], [1.0], [inf]], [[-inf], [1.0], [1.0]]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 3, 1]
        g4, = torch.autograd.grad(x3.sum(), [x1], allow_unused=True)  # grad: autograd.grad [leaf requiring grad]
""",
    ),
    KnownDivergence(
        'grad: autograd.grad [non-leaf] | value of result: torch 0, ember nan',
        'gradient at a special value (nan/inf/0) differs (item 4)',
        """\
        x1 = torch.tensor([[-0.0, 1.0, -inf, 0.0], [1.0, 1.0, 1.0, nan]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 4]
        t5 = x1.abs()  # pointwise: abs
        g6, = torch.autograd.grad(t5.sum(), [x1], retain_graph=True)  # grad: autograd.grad [non-leaf]
""",
    ),
    KnownDivergence(
        "grad: autograd.grad create_graph [leaf requiring grad] | warning of statement: ember warns 'invalid value encountered in reduce'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x1 = torch.tensor([[1.0, 0.0], [1.0, -inf], [inf, 1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [3, 2]
        g4, = torch.autograd.grad(x1.sum(), [x1], create_graph=True, allow_unused=True)  # grad: autograd.grad create_graph [leaf requiring grad]
""",
    ),
    KnownDivergence(
        'index: index(:, tensor) | is_contiguous of result: torch True, ember False',
        "result is not contiguous where PyTorch's is (item 7)",
        """\
        x3 = torch.tensor([[[-1.0]], [[-1.0]]], dtype=torch.float64, requires_grad=True)  # input: float64 [2, 1, 1]
        t4 = x3[:, torch.tensor([0, -1])]  # index: index(:, tensor)
""",
    ),
    KnownDivergence(
        'inplace: +=(scalar) [leaf] | value of operand: torch finite, ember inf',
        'prod over size-1 dims returns an alias of its input (item 2)',
        """\
        x1 = torch.tensor(1.0, dtype=torch.float32)  # input: float32 []
        t2 = x1.prod()  # reduction: prod()
        x1 += inf  # inplace: +=(scalar) [leaf]
""",
    ),
    KnownDivergence(
        'inplace: +=(tensor) [non-leaf] | value of operand: torch finite, ember finite',
        'prod over size-1 dims returns an alias of its input (item 2)',
        """\
        x2 = torch.tensor(1.0, dtype=torch.float16, requires_grad=True)  # input: float16 []
        t4 = x2.prod()  # reduction: prod()
        t4 += t4  # inplace: +=(tensor) [non-leaf, float16]
""",
    ),
    KnownDivergence(
        'inplace: add_(scalar) [non-leaf] | grad_fn of operand: torch AsStridedBackward0, ember UnsqueezeBackward0',
        'view keeps a stale grad_fn after an in-place write to its base or a sibling (item 1)',
        """\
        x1 = torch.tensor([-1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        t3 = F.softmax(x1, dim=0)  # softmax: softmax
        t5 = t3.unsqueeze(-2)  # view: unsqueeze
        t3.add_(1e+30)  # inplace: add_(scalar) [non-leaf]
""",
    ),
    KnownDivergence(
        'inplace: add_(tensor) [non-leaf] | grad_fn of operand: torch AsStridedBackward0, ember SqueezeBackward0',
        'view keeps a stale grad_fn after an in-place write to its base or a sibling (item 1)',
        """\
        x1 = torch.tensor(-1.0, dtype=torch.float16, requires_grad=True)  # input: float16 []
        t5 = x1.sin()  # pointwise: sin
        t7 = t5.squeeze()  # view: squeeze()
        t5.add_(t5)  # inplace: add_(tensor) [non-leaf, float16]
""",
    ),
    KnownDivergence(
        'inplace: clamp_ [non-leaf] | grad_fn of operand: torch ClampBackward1, ember SqueezeBackward4',
        "grad_fn named differently from PyTorch's",
        """\
        x2 = torch.tensor([-1.0, 1.0], dtype=torch.float32)  # input: float32 [2]
        t6 = x2 ** 2  # pointwise: pow(int exponent)
        x8 = torch.tensor([[1.0], [-1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 1]
        t9 = torch.matmul(t6, x8)  # matmul: matmul
        t9.clamp_(-2.0, -0.75)  # inplace: clamp_ [non-leaf]
""",
    ),
    KnownDivergence(
        'inplace: fill_(scalar) [leaf] | exception of statement: torch RuntimeError, ember none',
        'inf/nan/huge scalar written into an integer tensor must raise RuntimeError',
        """\
        x4 = torch.tensor(0, dtype=torch.int64)  # input: int64 []
        x4.fill_(inf)  # inplace: fill_(scalar) [leaf, int64]
""",
    ),
    KnownDivergence(
        'inplace: masked_fill_ [leaf] | exception of statement: torch none, ember RuntimeError',
        'masked_fill_ of an integer/bool tensor with a float/int scalar raises; PyTorch casts the scalar',
        """\
        x1 = torch.tensor(2, dtype=torch.int64)  # input: int64 []
        x1.masked_fill_(x1 > 0, 0.0)  # inplace: masked_fill_ [leaf, int64]
""",
    ),
    KnownDivergence(
        'inplace: masked_fill_ [non-leaf] | grad_fn of operand: torch MaskedFillBackward0, ember WhereBackward0',
        "masked_fill_ node is named WhereBackward0; PyTorch's is MaskedFillBackward0",
        """\
        x3 = torch.tensor([[[inf]]], dtype=torch.float16, requires_grad=True)  # input: float16 [1, 1, 1]
        t4 = x3.amax((1, 2), keepdim=True)  # reduction: amax(dims) keepdim
        t4.masked_fill_(t4 > 0, -2.5)  # inplace: masked_fill_ [non-leaf, float16]
""",
    ),
    KnownDivergence(
        'inplace: masked_fill_ [view] | exception of statement: torch none, ember RuntimeError',
        'masked_fill_ of an integer/bool tensor with a float/int scalar raises; PyTorch casts the scalar',
        """\
        x1 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t2 = x1.all()  # reduction: all()
        t3 = t2[...]  # view: index(...)
        t3.masked_fill_(t3 > 0, 0)  # inplace: masked_fill_ [view, bool]
""",
    ),
    KnownDivergence(
        "inplace: mul_(scalar) [non-leaf] | warning of statement: ember warns 'invalid value encountered in multiply'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x3 = torch.tensor([[1.0, -1.0], [0.0, inf]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 2]
        t4 = x3.exp()  # pointwise: exp
        t4.mul_(False)  # inplace: mul_(scalar) [non-leaf]
""",
    ),
    KnownDivergence(
        'inplace: no_grad exp_ [view] | exception of statement: torch none, ember AttributeError',
        'in-place under no_grad on a view of a leaf that requires grad crashes (item 5)',
        """\
        x3 = torch.tensor([-1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        t6 = x3[::2]  # view: slice(step)
        with torch.no_grad(): t6.exp_()  # inplace: no_grad exp_ [view]
""",
    ),
    KnownDivergence(
        'inplace: no_grad mul_(tensor) [view] | exception of statement: torch none, ember AttributeError',
        'in-place under no_grad on a view of a leaf that requires grad crashes (item 5)',
        """\
        x2 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        x3 = torch.tensor(-1.0, dtype=torch.float32)  # input: float32 []
        t4 = F.l1_loss(x2, x3, reduction='none')  # loss: l1_loss none
        t5 = t4.mean()  # reduction: mean()
        t9 = t4.reshape(-1)  # view: reshape(-1)
        with torch.no_grad(): t9.mul_(t5)  # inplace: no_grad mul_(tensor) [view]
""",
    ),
    KnownDivergence(
        'inplace: no_grad neg_ [non-leaf] | value of operand: torch finite, ember finite',
        'prod over size-1 dims returns an alias of its input (item 2)',
        """\
        x1 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t2 = x1.prod(-1, keepdim=True)  # reduction: prod(dim) keepdim
        with torch.no_grad(): t2.neg_()  # inplace: no_grad neg_ [non-leaf]
""",
    ),
    KnownDivergence(
        'join: cat(one) | exception of statement: torch RuntimeError, ember ValueError',
        "cat of a 0-d tensor leaks numpy's ValueError (item 9)",
        """\
        x8 = torch.tensor(0, dtype=torch.int64)  # input: int64 []
        t10 = torch.cat([x8])  # join: cat(one)
""",
    ),
    KnownDivergence(
        "loss: mse_loss mean | warning of statement: ember warns 'overflow encountered in multiply'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x3 = torch.tensor(1.0, dtype=torch.float32)  # input: float32 []
        x6 = torch.tensor([[0.0], [1e+30]], dtype=torch.float32)  # input: float32 [2, 1]
        t7 = F.mse_loss(x3, x6)  # loss: mse_loss mean
""",
    ),
    KnownDivergence(
        "loss: mse_loss none | warning of statement: ember warns 'overflow encountered in multiply'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x3 = torch.tensor([[-2.25, -inf], [-2.5, 1e+30]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 2]
        x5 = torch.tensor(-1.0, dtype=torch.float32)  # input: float32 []
        t6 = F.mse_loss(x3, x5, reduction='none')  # loss: mse_loss none
""",
    ),
    KnownDivergence(
        'loss: nll_loss(ignore_index) none | value of result: torch 0, ember nan',
        'ignored rows with inf/nan logits make the loss nan (item 4)',
        """\
        x3 = torch.tensor([-1.0, 1.0, nan], dtype=torch.float32, requires_grad=True)  # input: float32 [3]
        x4 = torch.tensor(0, dtype=torch.int64)  # input: int64 []
        t5 = F.nll_loss(x3.log_softmax(-1), x4, reduction='none', ignore_index=0)  # loss: nll_loss(ignore_index) none
""",
    ),
    KnownDivergence(
        "loss: nll_loss(ignore_index) none | warning of statement: ember warns 'invalid value encountered in multiply'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x1 = torch.tensor([3.0], dtype=torch.float64, requires_grad=True)  # input: float64 [1]
        t2 = x1 ** 1e+30  # pointwise: **(float)
        t3 = t2[torch.tensor([-1], dtype=torch.int64)]  # index: index(tensor)
        x4 = torch.tensor(0, dtype=torch.int64)  # input: int64 []
        t5 = F.nll_loss(t3, x4, reduction='none', ignore_index=0)  # loss: nll_loss(ignore_index) none
""",
    ),
    KnownDivergence(
        'matmul: @ | grad_fn of result: torch UnsafeViewBackward0, ember BmmBackward0',
        "batched matmul result node is named BmmBackward0; PyTorch's is UnsafeViewBackward0",
        """\
        x3 = torch.tensor([[[-1.0, 1.0, -1.0]]], dtype=torch.float32)  # input: float32 [1, 1, 3]
        x5 = torch.tensor([[1.0], [-1.0], [1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [3, 1]
        t6 = x3 @ x5  # matmul: @
""",
    ),
    KnownDivergence(
        'matmul: matmul | grad_fn of result: torch UnsafeViewBackward0, ember BmmBackward0',
        "batched matmul result node is named BmmBackward0; PyTorch's is UnsafeViewBackward0",
        """\
        x3 = torch.tensor([[[-1.0, 1.0, -1.0]]], dtype=torch.float32, requires_grad=True)  # input: float32 [1, 1, 3]
        x4 = torch.tensor([[1.0], [-1.0], [0.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [3, 1]
        t5 = torch.matmul(x3, x4)  # matmul: matmul
""",
    ),
    KnownDivergence(
        "pointwise: *(bool) | warning of statement: ember warns 'invalid value encountered in multiply'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x1 = torch.tensor([[[1.0]], [[inf]]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 1, 1]
        t2 = x1.reshape(-1)  # view: reshape(-1)
        t3 = t2.expand(2, -1)  # view: expand
        t4 = t3 * False  # pointwise: *(bool)
""",
    ),
    KnownDivergence(
        "pointwise: *(int) | warning of statement: ember warns 'invalid value encountered in multiply'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x4 = torch.tensor(inf, dtype=torch.float64, requires_grad=True)  # input: float64 []
        t9 = x4 * 0  # pointwise: *(int)
""",
    ),
    KnownDivergence(
        'pointwise: **(float) | is_contiguous of result: torch True, ember False',
        "result is not contiguous where PyTorch's is (item 7)",
        """\
        x1 = torch.tensor([[-3], [2]], dtype=torch.int64)  # input: int64 [2, 1]
        t5 = x1.expand(2, -1, -1)  # view: expand
        t6 = t5.squeeze()  # view: squeeze()
        t7 = t6 ** -inf  # pointwise: **(float)
""",
    ),
    KnownDivergence(
        'pointwise: /(float) | value of result: torch -inf, ember nan',
        'float16 tensor op float scalar: the scalar is rounded to float16 first (PyTorch computes in float32)',
        """\
        x3 = torch.tensor([1.0, -inf], dtype=torch.float16, requires_grad=True)  # input: float16 [2]
        t4 = x3.prod()  # reduction: prod()
        t5 = t4 / 1e+30  # pointwise: /(float)
""",
    ),
    KnownDivergence(
        'pointwise: add(tensor, alpha) | exception of statement: torch RuntimeError, ember none',
        'torch.add/sub accept a float alpha for integer tensors',
        """\
        x3 = torch.tensor(1, dtype=torch.int64)  # input: int64 []
        t4 = torch.add(x3, x3, alpha=0.5)  # pointwise: add(tensor, alpha)
""",
    ),
    KnownDivergence(
        "pointwise: cos | warning of statement: ember warns 'invalid value encountered in cos'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x2 = torch.tensor(inf, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t3 = x2.cos()  # pointwise: cos
""",
    ),
    KnownDivergence(
        'pointwise: logical_and(tensor) | exception of statement: torch none, ember RuntimeError',
        'logical_and/or/xor reject non-bool tensors; PyTorch accepts any dtype',
        """\
        x1 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t2 = x1[x1 > 0]  # index: index(bool mask)
        t3 = torch.logical_and(t2, t2)  # pointwise: logical_and(tensor)
""",
    ),
    KnownDivergence(
        'pointwise: logical_or(tensor) | exception of statement: torch none, ember RuntimeError',
        'logical_and/or/xor reject non-bool tensors; PyTorch accepts any dtype',
        """\
        x2 = torch.tensor(1.0, dtype=torch.float16, requires_grad=True)  # input: float16 []
        t3 = torch.logical_or(x2, x2)  # pointwise: logical_or(tensor)
""",
    ),
    KnownDivergence(
        'pointwise: logical_xor(tensor) | exception of statement: torch none, ember RuntimeError',
        'logical_and/or/xor reject non-bool tensors; PyTorch accepts any dtype',
        """\
        x2 = torch.tensor(1.0, dtype=torch.float32)  # input: float32 []
        x4 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t3 = torch.logical_xor(x2, x4)  # pointwise: logical_xor(tensor)
""",
    ),
    KnownDivergence(
        "pointwise: r/(bool) | warning of statement: ember warns 'invalid value encountered in multiply'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x1 = torch.tensor([[-1.0, 1.0], [1.0, 0.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 2]
        t4 = False / x1  # pointwise: r/(bool)
""",
    ),
    KnownDivergence(
        'pointwise: reciprocal | value of result: torch inf, ember -inf',
        'cross_entropy returns -0.0 where PyTorch returns 0.0 (shows after 1/x)',
        """\
        x3 = torch.tensor([1.0], dtype=torch.float32)  # input: float32 [1]
        x4 = torch.tensor(0, dtype=torch.int64)  # input: int64 []
        t5 = F.cross_entropy(x3, x4)  # loss: cross_entropy mean
        t6 = torch.reciprocal(t5)  # pointwise: reciprocal
""",
    ),
    KnownDivergence(
        'pointwise: rpow(int base) | exception of statement: torch none, ember ValueError',
        'integer to negative integer power raises a numpy error (item 6)',
        """\
        x2 = torch.tensor([3, -2], dtype=torch.int64)  # input: int64 [2]
        t3 = (0) ** x2  # pointwise: rpow(int base)
""",
    ),
    KnownDivergence(
        'reduction: amin() | exception of statement: torch RuntimeError, ember ValueError',
        "reduction/softmax over an empty dim leaks numpy's ValueError (items 6, 9)",
        """\
        x5 = torch.zeros(0, dtype=torch.float32)  # input: float32 [0]
        t7 = x5.amin()  # reduction: amin()
""",
    ),
    KnownDivergence(
        'reduction: amin(dims) keepdim | exception of statement: torch IndexError, ember ValueError',
        "reduction/softmax over an empty dim leaks numpy's ValueError (items 6, 9)",
        """\
        x1 = torch.zeros(0, 1, dtype=torch.float64, requires_grad=True)  # input: float64 [0, 1]
        t2 = x1.permute(1, 0)  # view: permute
        t4 = t2.amin((0, 1), keepdim=True)  # reduction: amin(dims) keepdim
""",
    ),
    KnownDivergence(
        'reduction: std(dim) correction | value of result: torch inf, ember nan',
        'var/std with correction >= N give nan, PyTorch inf (item 4)',
        """\
        x2 = torch.tensor([-1.5, -2.75], dtype=torch.float32, requires_grad=True)  # input: float32 [2]
        t4 = x2.std(0, correction=2)  # reduction: std(dim) correction
""",
    ),
    KnownDivergence(
        "setitem: [...] = 0-d tensor [leaf] | warning of statement: ember warns 'invalid value encountered in cast'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x3 = torch.tensor(-1, dtype=torch.int64)  # input: int64 []
        x3[...] = torch.tensor(nan)  # setitem: [...] = 0-d tensor [leaf, int64]
""",
    ),
    KnownDivergence(
        'setitem: [...] = 0-d tensor [non-leaf] | grad_fn of operand: torch CopyBackwards, ember CopySlices',
        '`t[...] = v` is a whole-tensor copy_/fill_ in PyTorch (CopyBackwards/FillBackwardN)',
        """\
        x2 = torch.tensor([-1.0, -1.0, 1.0], dtype=torch.float64, requires_grad=True)  # input: float64 [3]
        x3 = torch.tensor(2, dtype=torch.int64)  # input: int64 []
        t4 = F.nll_loss(x2, x3, reduction='sum')  # loss: nll_loss sum
        t4[...] = torch.tensor(-1)  # setitem: [...] = 0-d tensor [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [...] = 0-d tensor [non-leaf] | grad_fn of operand: torch FillBackward3, ember CopySlices',
        '`t[...] = v` is a whole-tensor copy_/fill_ in PyTorch (CopyBackwards/FillBackwardN)',
        """\
        x3 = torch.tensor([[1.0]], dtype=torch.float16, requires_grad=True)  # input: float16 [1, 1]
        t4, t5 = x3.min(-2)  # reduction: min(dim)
        t4[...] = torch.tensor(True)  # setitem: [...] = 0-d tensor [non-leaf, float16]
""",
    ),
    KnownDivergence(
        'setitem: [...] = scalar [leaf] | exception of statement: torch RuntimeError, ember none',
        'inf/nan/huge scalar written into an integer tensor must raise RuntimeError',
        """\
        x2 = torch.tensor(1, dtype=torch.int64)  # input: int64 []
        x2[...] = nan  # setitem: [...] = scalar [leaf, int64]
""",
    ),
    KnownDivergence(
        'setitem: [...] = scalar [non-leaf] | grad_fn of operand: torch CopyBackwards, ember CopySlices',
        '`t[...] = v` is a whole-tensor copy_/fill_ in PyTorch (CopyBackwards/FillBackwardN)',
        """\
        x3 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t4 = x3.sin()  # pointwise: sin
        t4[...] = -1  # setitem: [...] = scalar [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [...] = scalar [non-leaf] | grad_fn of operand: torch FillBackward3, ember CopySlices',
        '`t[...] = v` is a whole-tensor copy_/fill_ in PyTorch (CopyBackwards/FillBackwardN)',
        """\
        x1 = torch.tensor([-1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        t2 = torch.cat([x1])  # join: cat(one)
        t3 = t2.clamp(min=-1.0)  # pointwise: clamp
        t3[...] = False  # setitem: [...] = scalar [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [...] = tensor [leaf] | requires_grad of operand: torch False, ember True',
        'writing a float tensor that requires grad into an integer tensor makes it require grad (item 5)',
        """\
        x1 = torch.tensor(1, dtype=torch.int64)  # input: int64 []
        x2 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t3, t4 = x1.min(0)  # reduction: min(dim)
        t4[...] = x2  # setitem: [...] = tensor [leaf, int64]
""",
    ),
    KnownDivergence(
        'setitem: [...] = tensor [non-leaf] | grad_fn of operand: torch CopyBackwards, ember CopySlices',
        '`t[...] = v` is a whole-tensor copy_/fill_ in PyTorch (CopyBackwards/FillBackwardN)',
        """\
        x1 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)  # input: float64 []
        x2 = torch.tensor(1.0, dtype=torch.float64)  # input: float64 []
        t3 = F.binary_cross_entropy_with_logits(x1, x2, reduction='sum')  # loss: binary_cross_entropy_with_logits sum
        t3[...] = t3  # setitem: [...] = tensor [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [None] = 0-d tensor [view] | grad_fn of operand: torch AsStridedBackward0, ember SliceBackward0',
        'view keeps a stale grad_fn after an in-place write to its base or a sibling (item 1)',
        """\
        x3 = torch.tensor([1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        t4 = x3 - -2.5  # pointwise: -(float)
        t5 = t4[-1:]  # view: slice(start)
        t5[None] = torch.tensor(2.5)  # setitem: [None] = 0-d tensor [view]
""",
    ),
    KnownDivergence(
        'setitem: [None] = scalar [leaf] | exception of statement: torch RuntimeError, ember none',
        'inf/nan/huge scalar written into an integer tensor must raise RuntimeError',
        """\
        x1 = torch.tensor(-1, dtype=torch.int64)  # input: int64 []
        x1[None] = inf  # setitem: [None] = scalar [leaf, int64]
""",
    ),
    KnownDivergence(
        'setitem: [bool mask] = tensor [non-leaf] | grad_fn of operand: torch IndexPutBackward0, ember CopySlices',
        'setitem with tensor indices is recorded as CopySlices; PyTorch records IndexPutBackward0',
        """\
        x1 = torch.tensor([1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        t2 = torch.where(x1 > 0, x1, inf)  # pointwise: where
        t3 = t2.amin(0, keepdim=True)  # reduction: amin(dim) keepdim
        t4 = t3 ** 2  # pointwise: **(int)
        t3[t3 > 0] = t4  # setitem: [bool mask] = tensor [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [index tensor] = 0-d tensor [non-leaf] | exception of statement: torch RuntimeError, ember none',
        'setitem with tensor indices accepts a dtype mismatch (item 8)',
        """\
        x3 = torch.tensor([1.0, -1.0, -1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [3]
        x4 = torch.tensor([2, 1, 4], dtype=torch.int64)  # input: int64 [3]
        t5 = torch.cat([x3, x4], -1)  # join: cat
        t5[torch.tensor([-4, 5], dtype=torch.int64)] = torch.tensor(True)  # setitem: [index tensor] = 0-d tensor [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [index tensor] = 0-d tensor [non-leaf] | grad_fn of operand: torch IndexPutBackward0, ember CopySlices',
        'setitem with tensor indices is recorded as CopySlices; PyTorch records IndexPutBackward0',
        """\
        x2 = torch.tensor([0.0, 1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [2]
        t5 = torch.clamp(x2, max=2.0)  # pointwise: clamp
        t6 = t5 * 0.0  # pointwise: *(float)
        t6[torch.tensor([1], dtype=torch.int64)] = torch.tensor(nan)  # setitem: [index tensor] = 0-d tensor [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [index tensor] = scalar [leaf] | exception of statement: torch RuntimeError, ember OverflowError',
        'inf/nan/huge scalar written into an integer tensor must raise RuntimeError',
        """\
        x3 = torch.tensor([4], dtype=torch.int64)  # input: int64 [1]
        x3[torch.tensor([-1], dtype=torch.int64)] = inf  # setitem: [index tensor] = scalar [leaf, int64]
""",
    ),
    KnownDivergence(
        'setitem: [index tensor] = scalar [non-leaf] | grad_fn of operand: torch IndexPutBackward0, ember CopySlices',
        'setitem with tensor indices is recorded as CopySlices; PyTorch records IndexPutBackward0',
        """\
        x1 = torch.tensor([[-1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [1, 1]
        t2 = x1[:, torch.tensor([0, -1])]  # index: index(:, tensor)
        t3 = t2 * t2  # pointwise: *(tensor)
        t3[torch.tensor([0], dtype=torch.int64)] = 1e+30  # setitem: [index tensor] = scalar [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [index tensor] = scalar [view] | exception of statement: torch none, ember RuntimeError',
        'ember refuses advanced-index assignment into a view that requires grad; PyTorch records it',
        """\
        x1 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t4 = x1.mean()  # reduction: mean()
        t5 = t4.view(-1)  # view: view(-1)
        t5[torch.tensor([0], dtype=torch.int64)] = 2  # setitem: [index tensor] = scalar [view]
""",
    ),
    KnownDivergence(
        'setitem: [int] = tensor [view] | exception of statement: torch RuntimeError, ember ValueError',
        "setitem/copy_ value that does not broadcast leaks numpy's error (item 9)",
        """\
        x1 = torch.tensor([[[-1.0, 1.0, -1.0, 1.0], [0.0, 0.0, 1.0, nan], [1.0, -1.0, 1.0, -1.0], [1.0, -1.0, 1.0, -1.0]], [[-1.0, -1.0, -1.0, -1.0], [1.0, 1.0, -0.0, -0.0], [-1.0, inf, 1.0, -1.0], [-1.0, -1.0, 1.0, 1.0]]], dtype=torch.float32)  # input: float32 [2, 4, 4]
        t2 = x1.reshape(-1)  # view: reshape(-1)
        t2[-27] = t2  # setitem: [int] = tensor [view]
""",
    ),
    KnownDivergence(
        'setitem: [list] = scalar [non-leaf] | grad_fn of operand: torch IndexPutBackward0, ember CopySlices',
        'setitem with tensor indices is recorded as CopySlices; PyTorch records IndexPutBackward0',
        """\
        x3 = torch.tensor([-1.0, -1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [2]
        t5 = torch.softmax(x3, 0)  # softmax: softmax
        t5[[-2]] = nan  # setitem: [list] = scalar [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [slice, int] = tensor [non-leaf] | exception of statement: torch RuntimeError, ember ValueError',
        "setitem/copy_ value that does not broadcast leaks numpy's error (item 9)",
        """\
        x1 = torch.tensor([[[-1.0]], [[1.0]]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 1, 1]
        t4 = x1[[-2]]  # index: index(list)
        t5 = t4 - inf  # pointwise: -(float)
        x6 = torch.tensor([[-1.0], [-1.0]], dtype=torch.float64, requires_grad=True)  # input: float64 [2, 1]
        t5[:, 0] = x6  # setitem: [slice, int] = tensor [non-leaf]
""",
    ),
    KnownDivergence(
        "setitem: [slice] = 0-d tensor [leaf] | warning of statement: ember warns 'invalid value encountered in cast'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x2 = torch.tensor(-2, dtype=torch.int64)  # input: int64 []
        t5 = x2[x2 > 0]  # index: index(bool mask)
        t5[1:] = torch.tensor(nan)  # setitem: [slice] = 0-d tensor [leaf, int64]
""",
    ),
    KnownDivergence(
        'setitem: [step] = tensor [leaf] | exception of statement: torch RuntimeError, ember ValueError',
        "setitem/copy_ value that does not broadcast leaks numpy's error (item 9)",
        """\
        x2 = torch.tensor([[[1.0]], [[1.0]]], dtype=torch.float32)  # input: float32 [2, 1, 1]
        x2[::2] = x2  # setitem: [step] = tensor [leaf]
""",
    ),
    KnownDivergence(
        'softmax: log_softmax | exception of statement: torch none, ember ValueError',
        "reduction/softmax over an empty dim leaks numpy's ValueError (items 6, 9)",
        """\
        x3 = torch.tensor([[[1.0]]], dtype=torch.float32, requires_grad=True)  # input: float32 [1, 1, 1]
        t4 = x3.log_softmax(2)  # softmax: log_softmax
        t5 = t4[t4 > 0]  # index: index(bool mask)
        x6 = torch.zeros(0, dtype=torch.float32, requires_grad=True)  # input: float32 [0]
        t7 = F.mse_loss(t5, x6, reduction='none')  # loss: mse_loss none
        t8 = F.log_softmax(t7, dim=0)  # softmax: log_softmax
""",
    ),
    KnownDivergence(
        'softmax: softmax | is_contiguous of result: torch True, ember False',
        "result is not contiguous where PyTorch's is (item 7)",
        """\
        x2 = torch.tensor([[[1.0], [1.0]], [[-1.0], [-1.0]]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 2, 1]
        t4 = x2.transpose(-1, -3)  # view: transpose
        t5 = torch.softmax(t4, 0)  # softmax: softmax
""",
    ),
)


def entry_source(signature: str, reason: str, reproducer: str) -> str:
    """A `KnownDivergence(...)` entry as it is written in this file (used by `python3 -m fuzz --emit-known`)."""
    body = "\n".join(f"        {line}" for line in reproducer.strip().splitlines())
    return (
        f"    KnownDivergence(\n        {signature!r},\n        {reason!r},\n"
        f'        """\\\n{body}\n""",\n    ),'
    )
