# ruff: noqa: E501 - reproducers are printed programs, one statement a line
"""Known divergences of today's ember from PyTorch, reported as xfail by tests/oracle/test_differential.py.

Each entry is one exact failure signature (statement kind, op, subject | what differs), a short reason,
and the minimal reproducer the shrinker printed (PyTorch code; `import ember as torch` runs it on ember).
A fixed bug makes `test_known_divergence_still_reproduces` fail: then delete its entry. Never widen a
signature to cover a new failure: a new bug must fail the differential test. A fix can also let a CI
program run further into another old bug: `python3 -m fuzz --programs 300 --emit-known` prints entries
for signatures missing here (their reasons to be written).
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
        'backward: backward create_graph from leaf [leaf requiring grad] | is_contiguous of grad of operand (leaf): torch True, ember False',
        "result is not contiguous where PyTorch's is (item 7)",
        """\
        x2 = torch.tensor([[-1.0], [1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 1]
        x2.sum().backward(create_graph=True)  # backward: backward create_graph from leaf [leaf requiring grad]
""",
    ),
    KnownDivergence(
        "backward: backward from leaf [leaf requiring grad] | warning of statement: ember warns 'invalid value encountered in reduce'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x2 = torch.tensor(False, dtype=torch.bool)  # input: bool []
        x3 = torch.tensor([[[-1.0], [-1.0]], [[-1.0], [1.0]]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 2, 1]
        with torch.no_grad(): x3.div_(x2)  # inplace: no_grad div_(tensor) [leaf requiring grad]
        x3.sum().backward()  # backward: backward from leaf [leaf requiring grad]
""",
    ),
    KnownDivergence(
        "backward: backward retain_graph from leaf [leaf requiring grad] | warning of statement: ember warns 'invalid value encountered in reduce'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x1 = torch.tensor([[-inf], [inf]], dtype=torch.float16, requires_grad=True)  # input: float16 [2, 1]
        x1.sum().backward(retain_graph=True)  # backward: backward retain_graph from leaf [leaf requiring grad, float16]
""",
    ),
    KnownDivergence(
        'cast: bool | requires_grad of result: torch False, ember True',
        'integer/bool casts of a tensor that requires grad must not require grad (item 5)',
        """\
        x2 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t3 = torch.log_softmax(x2, 0)  # softmax: log_softmax
        t4 = t3.bool()  # cast: bool
""",
    ),
    KnownDivergence(
        'cast: int | requires_grad of result: torch False, ember True',
        'integer/bool casts of a tensor that requires grad must not require grad (item 5)',
        """\
        x1 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t2 = torch.broadcast_to(x1, (2, ))  # view: broadcast_to
        t3 = t2[t2 > 0]  # index: index(bool mask)
        t4 = torch.outer(t3, t3)  # matmul: outer
        t7 = t4.int()  # cast: int
""",
    ),
    KnownDivergence(
        'cast: long | requires_grad of result: torch False, ember True',
        'integer/bool casts of a tensor that requires grad must not require grad (item 5)',
        """\
        x2 = torch.tensor([[-1.0, 1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [1, 2]
        x4 = torch.tensor([[1.0, 1.0]], dtype=torch.float32)  # input: float32 [1, 2]
        t5 = F.binary_cross_entropy_with_logits(x2, x4, reduction='sum')  # loss: binary_cross_entropy_with_logits sum
        t6 = t5.long()  # cast: long
""",
    ),
    KnownDivergence(
        "cast: long | warning of statement: ember warns 'invalid value encountered in cast'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x1 = torch.tensor([[[-1.0, 1.0], [0.0, 0.0], [1.0, -1.0]], [[-1.0, -1.0], [1.0, 1.0], [-1.0, inf]]], dtype=torch.float32)  # input: float32 [2, 3, 2]
        t2 = x1.reshape(-1)  # view: reshape(-1)
        t3 = t2.long()  # cast: long
""",
    ),
    KnownDivergence(
        'creation: full_like | exception of statement: torch RuntimeError, ember OverflowError',
        "a scalar out of the tensor dtype's range (inf/nan/huge into int64, huge into float16) must raise RuntimeError",
        """\
        x1 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t5 = x1.argmax(0, keepdim=True)  # reduction: argmax(dim) keepdim
        t6 = torch.full_like(t5, inf)  # creation: full_like
""",
    ),
    KnownDivergence(
        'creation: new_full | exception of statement: torch RuntimeError, ember OverflowError',
        "a scalar out of the tensor dtype's range (inf/nan/huge into int64, huge into float16) must raise RuntimeError",
        """\
        x1 = torch.tensor(4, dtype=torch.int64)  # input: int64 []
        t2 = x1.new_full((2,), 1e+30)  # creation: new_full
""",
    ),
    KnownDivergence(
        "grad: autograd.grad create_graph from NllLossBackward0 [non-leaf] | warning of statement: ember warns 'invalid value encountered in matmul'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x1 = torch.tensor([-1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        x2 = torch.tensor([[-1.0, inf]], dtype=torch.float32)  # input: float32 [1, 2]
        t3 = x1 @ x2  # matmul: @
        x6 = torch.tensor(1, dtype=torch.int64)  # input: int64 []
        t7 = F.nll_loss(t3.log_softmax(-1), x6, reduction='none', ignore_index=1)  # loss: nll_loss(ignore_index) none
        g9, = torch.autograd.grad(t7, [x1], create_graph=True, allow_unused=True, retain_graph=True)  # grad: autograd.grad create_graph from NllLossBackward0 [non-leaf]
""",
    ),
    KnownDivergence(
        'grad: autograd.grad from AbsBackward0 [non-leaf] | value of result: torch 0, ember nan',
        'gradient at a special value (nan/inf/0) differs (item 4)',
        """\
        x1 = torch.tensor([[-0.0, 1.0, -inf, 0.0], [1.0, 1.0, 1.0, nan]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 4]
        t5 = x1.abs()  # pointwise: abs
        g6, = torch.autograd.grad(t5.sum(), [x1], retain_graph=True)  # grad: autograd.grad from AbsBackward0 [non-leaf]
""",
    ),
    KnownDivergence(
        'grad: autograd.grad from NllLossBackward0 [non-leaf] | value of result: torch 0, ember nan',
        'gradient at a special value (nan/inf/0) differs (item 4)',
        """\
        x3 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        x5 = torch.tensor([0.0], dtype=torch.float64, requires_grad=True)  # input: float64 [1]
        x6 = torch.tensor(0, dtype=torch.int64)  # input: int64 []
        t7 = F.nll_loss(x5.log_softmax(-1), x6, ignore_index=0)  # loss: nll_loss(ignore_index) mean
        g9, g10 = torch.autograd.grad(t7, [x3, x5], allow_unused=True)  # grad: autograd.grad from NllLossBackward0 [non-leaf]
""",
    ),
    KnownDivergence(
        "grad: autograd.grad from leaf [leaf requiring grad] | warning of statement: ember warns 'invalid value encountered in reduce'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x1 = torch.tensor([[1.0, 0.0], [1.0, -inf], [inf, 1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [3, 2]
        g5, = torch.autograd.grad(x1.sum(), [x1], allow_unused=True)  # grad: autograd.grad from leaf [leaf requiring grad]
""",
    ),
    KnownDivergence(
        'index: index(:, tensor) | is_contiguous of result: torch True, ember False',
        "result is not contiguous where PyTorch's is (item 7)",
        """\
        x1 = torch.tensor([[[1.0]], [[inf]]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 1, 1]
        t3 = x1[:, torch.tensor([0, -1])]  # index: index(:, tensor)
""",
    ),
    KnownDivergence(
        'index: index(list) | exception of statement: torch none, ember IndexError',
        'indexing with an empty list raises; PyTorch returns an empty tensor',
        """\
        t4 = torch.linspace(0, 1, 0)  # creation: linspace
        t7 = t4[[]]  # index: index(list)
""",
    ),
    KnownDivergence(
        'inplace: +=(tensor) [leaf] | value of operand: torch finite, ember inf',
        'prod over size-1 dims returns an alias of its input (item 2)',
        """\
        x1 = torch.tensor(1.0, dtype=torch.float32)  # input: float32 []
        t2 = x1.prod()  # reduction: prod()
        x1 += inf  # inplace: +=(tensor) [leaf]
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
        'inplace: -=(tensor) [view] | grad_fn of operand: torch AsStridedBackward0, ember TBackward0',
        'view keeps a stale grad_fn after an in-place write to its base or a sibling (item 1)',
        """\
        x1 = torch.tensor(1.0, dtype=torch.float32)  # input: float32 []
        t2 = x1.t()  # view: t
        x7 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t2 -= x7  # inplace: -=(tensor) [view]
""",
    ),
    KnownDivergence(
        'inplace: add_(tensor) [non-leaf] | grad_fn of operand: torch AsStridedBackward0, ember SqueezeBackward1',
        'view keeps a stale grad_fn after an in-place write to its base or a sibling (item 1)',
        """\
        x3 = torch.tensor([[-1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [1, 1]
        t4 = x3 * 1  # pointwise: *(int)
        t6 = t4.squeeze(1)  # view: squeeze(dim)
        t7 = t4 * 0.0  # pointwise: *(float)
        t4.add_(t7)  # inplace: add_(tensor) [non-leaf]
""",
    ),
    KnownDivergence(
        'inplace: copy_(tensor) [leaf] | requires_grad of operand: torch False, ember True',
        'writing a float tensor that requires grad into an integer tensor makes it require grad (item 5)',
        """\
        x1 = torch.tensor(3, dtype=torch.int64)  # input: int64 []
        t2 = x1.sum()  # reduction: sum()
        x6 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t2.copy_(x6)  # inplace: copy_(tensor) [leaf, int64]
""",
    ),
    KnownDivergence(
        'inplace: copy_(tensor) [view] | grad_fn of operand: torch AsStridedBackward0, ember SliceBackward0',
        'view keeps a stale grad_fn after an in-place write to its base or a sibling (item 1)',
        """\
        x1 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t2 = x1[x1 > 0]  # index: index(bool mask)
        t3 = t2[-1:]  # view: slice(start)
        t4 = t2.unsqueeze(-1)  # view: unsqueeze
        x5 = torch.zeros(0, 1, dtype=torch.float32)  # input: float32 [0, 1]
        t4.copy_(x5)  # inplace: copy_(tensor) [view]
""",
    ),
    KnownDivergence(
        'inplace: copy_(tensor) [view] | requires_grad of operand: torch False, ember True',
        'writing a float tensor that requires grad into an integer tensor makes it require grad (item 5)',
        """\
        x1 = torch.tensor(True, dtype=torch.bool)  # input: bool []
        x2 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t3 = x1.squeeze()  # view: squeeze()
        t3.copy_(x2)  # inplace: copy_(tensor) [view, bool]
""",
    ),
    KnownDivergence(
        'inplace: fill_(scalar) [leaf] | exception of statement: torch RuntimeError, ember none',
        "a scalar out of the tensor dtype's range (inf/nan/huge into int64, huge into float16) must raise RuntimeError",
        """\
        x3 = torch.tensor(2, dtype=torch.int64)  # input: int64 []
        x3.fill_(1e+30)  # inplace: fill_(scalar) [leaf, int64]
""",
    ),
    KnownDivergence(
        'inplace: fill_(scalar) [view] | exception of statement: torch RuntimeError, ember none',
        "a scalar out of the tensor dtype's range (inf/nan/huge into int64, huge into float16) must raise RuntimeError",
        """\
        x1 = torch.tensor(0, dtype=torch.int64)  # input: int64 []
        t4 = x1.reshape(-1)  # view: reshape(-1)
        t4.fill_(nan)  # inplace: fill_(scalar) [view, int64]
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
        "inplace: mul_(scalar) [non-leaf] | warning of statement: ember warns 'invalid value encountered in multiply'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x3 = torch.tensor([[1.0, -1.0], [0.0, inf]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 2]
        t4 = x3.exp()  # pointwise: exp
        t4.mul_(False)  # inplace: mul_(scalar) [non-leaf]
""",
    ),
    KnownDivergence(
        'inplace: mul_(tensor) [non-leaf] | grad_fn of operand: torch AsStridedBackward0, ember UnsqueezeBackward0',
        'view keeps a stale grad_fn after an in-place write to its base or a sibling (item 1)',
        """\
        x2 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t5 = x2.mean()  # reduction: mean()
        t6 = t5[None]  # view: index(None)
        t5.mul_(t5)  # inplace: mul_(tensor) [non-leaf]
""",
    ),
    KnownDivergence(
        'inplace: no_grad masked_fill_ [leaf] | exception of statement: torch none, ember RuntimeError',
        'masked_fill_ of an integer/bool tensor with a float/int scalar raises; PyTorch casts the scalar',
        """\
        x1 = torch.tensor(3, dtype=torch.int64)  # input: int64 []
        with torch.no_grad(): x1.masked_fill_(x1 > 0, 0.5)  # inplace: no_grad masked_fill_ [leaf, int64]
""",
    ),
    KnownDivergence(
        'inplace: no_grad masked_fill_ [view] | exception of statement: torch none, ember RuntimeError',
        'masked_fill_ of an integer/bool tensor with a float/int scalar raises; PyTorch casts the scalar',
        """\
        x1 = torch.tensor([[False, False, False, False], [False, True, True, False], [False, True, False, False]], dtype=torch.bool)  # input: bool [3, 4]
        t2 = x1.view(4, 3)  # view: view(shape)
        with torch.no_grad(): t2.masked_fill_(t2 > 0, nan)  # inplace: no_grad masked_fill_ [view, bool]
""",
    ),
    KnownDivergence(
        'inplace: sub_(tensor) [view] | exception of statement: torch RuntimeError, ember none',
        'missing overlap check for partially overlapping or expanded operands (item 7)',
        """\
        x3 = torch.tensor([[-1.0, 1.0, 1.0], [1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [3, 3]
        t4 = x3.to(torch.float64)  # cast: to(torch.float64
        t5 = t4.permute(1, 0)  # view: permute
        t5.sub_(t4)  # inplace: sub_(tensor) [view]
""",
    ),
    KnownDivergence(
        'inplace: tanh_ [non-leaf] | grad_fn of operand: torch AsStridedBackward0, ember UnsqueezeBackward0',
        'view keeps a stale grad_fn after an in-place write to its base or a sibling (item 1)',
        """\
        x2 = torch.tensor([1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        t3 = torch.cos(x2)  # pointwise: cos
        t5 = t3.unsqueeze(1)  # view: unsqueeze
        t3.tanh_()  # inplace: tanh_ [non-leaf]
""",
    ),
    KnownDivergence(
        'join: cat | exception of statement: torch RuntimeError, ember ValueError',
        "cat of a 0-d tensor leaks numpy's ValueError (item 9)",
        """\
        x2 = torch.tensor([-1.0], dtype=torch.float64, requires_grad=True)  # input: float64 [1]
        t4 = x2[[0, -1]]  # index: index(list)
        t5 = t4.std(unbiased=False)  # reduction: std() unbiased
        t6 = t5.any()  # reduction: any()
        t7 = t5.log_softmax(-1)  # softmax: log_softmax
        t11 = torch.cat([t6, t7], 0)  # join: cat
""",
    ),
    KnownDivergence(
        'join: cat(one) | exception of statement: torch RuntimeError, ember ValueError',
        "cat of a 0-d tensor leaks numpy's ValueError (item 9)",
        """\
        x2 = torch.tensor(False, dtype=torch.bool)  # input: bool []
        t4 = torch.cat([x2])  # join: cat(one)
""",
    ),
    KnownDivergence(
        "loss: mse_loss mean | warning of statement: ember warns 'overflow encountered in multiply'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x2 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        x3 = torch.tensor([[inf], [1e+30]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 1]
        t4 = F.mse_loss(x2, x3)  # loss: mse_loss mean
""",
    ),
    KnownDivergence(
        "loss: mse_loss none | warning of statement: ember warns 'overflow encountered in multiply'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x1 = torch.tensor(-0.0, dtype=torch.float64, requires_grad=True)  # input: float64 []
        x3 = torch.tensor([-2.5, -1e+300], dtype=torch.float64, requires_grad=True)  # input: float64 [2]
        t4 = F.mse_loss(x1, x3, reduction='none')  # loss: mse_loss none
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
        x3 = torch.tensor([[[1.0, 1.0]]], dtype=torch.float32, requires_grad=True)  # input: float32 [1, 1, 2]
        t4 = x3[-2:]  # view: slice(start)
        t5 = t4 - -2.5  # pointwise: -(float)
        x6 = torch.tensor([1.0, -1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [2]
        t7 = t5 @ x6  # matmul: @
""",
    ),
    KnownDivergence(
        "matmul: @ | warning of statement: ember warns 'invalid value encountered in matmul'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x1 = torch.tensor([1.0, -1.0, 1.0, -1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [4]
        t2 = -inf / x1  # pointwise: r/(float)
        x3 = torch.tensor([[0.0], [1.0], [nan], [-1.0]], dtype=torch.float32)  # input: float32 [4, 1]
        t4 = t2 @ x3  # matmul: @
""",
    ),
    KnownDivergence(
        'matmul: matmul | grad_fn of result: torch UnsafeViewBackward0, ember BmmBackward0',
        "batched matmul result node is named BmmBackward0; PyTorch's is UnsafeViewBackward0",
        """\
        x1 = torch.tensor([[[-1.0]]], dtype=torch.float16)  # input: float16 [1, 1, 1]
        with torch.no_grad(): t3 = x1.transpose(-2, 1)  # view: no_grad transpose
        x4 = torch.tensor([-1.0], dtype=torch.float16, requires_grad=True)  # input: float16 [1]
        t5 = torch.matmul(t3, x4)  # matmul: matmul
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
        'pointwise: clamp | is_contiguous of result: torch True, ember False',
        "result is not contiguous where PyTorch's is (item 7)",
        """\
        x1 = torch.tensor([3, 1], dtype=torch.int64)  # input: int64 [2]
        t4 = x1[x1 > 0]  # index: index(bool mask)
        t5 = t4.view(-1)  # view: view(-1)
        with torch.no_grad(): t6 = torch.broadcast_to(t5, (2, 2))  # view: no_grad broadcast_to
        t8 = t6.clamp(1.0, 1.5)  # pointwise: clamp
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
        x2 = torch.tensor(1.0, dtype=torch.float16)  # input: float16 []
        t5 = x2.amax()  # reduction: amax()
        t7 = torch.logical_and(t5, x2)  # pointwise: logical_and(tensor)
""",
    ),
    KnownDivergence(
        'pointwise: logical_or(tensor) | exception of statement: torch none, ember RuntimeError',
        'logical_and/or/xor reject non-bool tensors; PyTorch accepts any dtype',
        """\
        x1 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t6 = torch.sin(x1)  # pointwise: sin
        x7 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t8 = torch.logical_or(x7, t6)  # pointwise: logical_or(tensor)
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
        'pointwise: rpow(int base) | exception of statement: torch none, ember ValueError',
        'integer to negative integer power raises a numpy error (item 6)',
        """\
        x2 = torch.tensor([3, -2], dtype=torch.int64)  # input: int64 [2]
        t3 = (0) ** x2  # pointwise: rpow(int base)
""",
    ),
    KnownDivergence(
        'reduction: amax() | exception of statement: torch RuntimeError, ember ValueError',
        "reduction/softmax over an empty dim leaks numpy's ValueError (items 6, 9)",
        """\
        x1 = torch.zeros(0, dtype=torch.float32, requires_grad=True)  # input: float32 [0]
        t4 = x1 ** -0.5  # pointwise: pow(float exponent)
        t6 = t4.amax()  # reduction: amax()
""",
    ),
    KnownDivergence(
        'reduction: max(dim) | is_contiguous of result: torch True, ember False',
        "result is not contiguous where PyTorch's is (item 7)",
        """\
        x1 = torch.tensor([[[-1.0, -1.0], [-1.0, -1.0]]], dtype=torch.float32, requires_grad=True)  # input: float32 [1, 2, 2]
        t5 = torch.cat([x1])  # join: cat(one)
        t8 = t5.mT  # view: mT
        t9, t10 = t8.max(-3)  # reduction: max(dim)
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
        "reduction: var(dim) correction | warning of statement: ember warns 'invalid value encountered in subtract'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x1 = torch.tensor([[1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [1, 1]
        x5 = torch.tensor([[1.0, -1.0, inf]], dtype=torch.float32)  # input: float32 [1, 3]
        t6 = x1 @ x5  # matmul: @
        x8 = torch.tensor([[1.0], [1.0], [1.0]], dtype=torch.float32)  # input: float32 [3, 1]
        t9 = torch.matmul(t6, x8)  # matmul: matmul
        t10 = t9.var(1, correction=2)  # reduction: var(dim) correction
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
        x2 = torch.tensor([0.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        t5 = torch.clamp(x2, max=2.0)  # pointwise: clamp
        t5[...] = torch.tensor(True)  # setitem: [...] = 0-d tensor [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [...] = scalar [leaf] | exception of statement: torch RuntimeError, ember none',
        "a scalar out of the tensor dtype's range (inf/nan/huge into int64, huge into float16) must raise RuntimeError",
        """\
        x2 = torch.tensor(1, dtype=torch.int64)  # input: int64 []
        x2[...] = nan  # setitem: [...] = scalar [leaf, int64]
""",
    ),
    KnownDivergence(
        'setitem: [...] = scalar [non-leaf] | grad_fn of operand: torch CopyBackwards, ember CopySlices',
        '`t[...] = v` is a whole-tensor copy_/fill_ in PyTorch (CopyBackwards/FillBackwardN)',
        """\
        x2 = torch.tensor(inf, dtype=torch.float64, requires_grad=True)  # input: float64 []
        t4 = x2 ** 1.5  # pointwise: pow(float exponent)
        t4[...] = 0  # setitem: [...] = scalar [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [...] = scalar [non-leaf] | grad_fn of operand: torch FillBackward3, ember CopySlices',
        '`t[...] = v` is a whole-tensor copy_/fill_ in PyTorch (CopyBackwards/FillBackwardN)',
        """\
        x2 = torch.tensor([-1.0], dtype=torch.float16, requires_grad=True)  # input: float16 [1]
        t4 = x2.sign()  # pointwise: sign
        t4[...] = 0.5  # setitem: [...] = scalar [non-leaf, float16]
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
        'setitem: [...] = tensor [no_grad view] | requires_grad of operand: torch False, ember True',
        'writing a float tensor that requires grad into an integer tensor makes it require grad (item 5)',
        """\
        x2 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        x3 = torch.tensor([False], dtype=torch.bool)  # input: bool [1]
        t4 = x3.narrow(0, 0, 1)  # view: narrow
        with torch.no_grad(): t5 = t4.squeeze(0)  # view: no_grad squeeze(dim)
        t5[...] = x2  # setitem: [...] = tensor [no_grad view, bool]
""",
    ),
    KnownDivergence(
        'setitem: [...] = tensor [non-leaf] | grad_fn of operand: torch CopyBackwards, ember CopySlices',
        '`t[...] = v` is a whole-tensor copy_/fill_ in PyTorch (CopyBackwards/FillBackwardN)',
        """\
        x1 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t2 = F.log_softmax(x1, dim=0)  # softmax: log_softmax
        t3 = torch.tanh(t2)  # pointwise: tanh
        x10 = torch.tensor(2, dtype=torch.int64)  # input: int64 []
        t3[...] = x10  # setitem: [...] = tensor [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [...] = tensor [non-leaf] | grad_fn of operand: torch FillBackward3, ember CopySlices',
        '`t[...] = v` is a whole-tensor copy_/fill_ in PyTorch (CopyBackwards/FillBackwardN)',
        """\
        x2 = torch.tensor(-1.0, dtype=torch.float32)  # input: float32 []
        t5 = torch.arange(5, 0, -2)  # creation: arange
        x9 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t8 = t5 * x9  # pointwise: *(tensor)
        t8[...] = x2  # setitem: [...] = tensor [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [None] = scalar [leaf] | exception of statement: torch RuntimeError, ember none',
        "a scalar out of the tensor dtype's range (inf/nan/huge into int64, huge into float16) must raise RuntimeError",
        """\
        x1 = torch.tensor(-1, dtype=torch.int64)  # input: int64 []
        x1[None] = inf  # setitem: [None] = scalar [leaf, int64]
""",
    ),
    KnownDivergence(
        'setitem: [bool mask] = tensor [non-leaf] | grad_fn of operand: torch IndexPutBackward0, ember CopySlices',
        'setitem with tensor indices is recorded as CopySlices; PyTorch records IndexPutBackward0',
        """\
        x2 = torch.tensor([-1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        t3 = torch.where(x2 > 0, x2, x2)  # pointwise: where
        t4 = t3.float()  # cast: float
        t5 = t4.softmax(0)  # softmax: softmax
        t7 = torch.ge(t4, t4)  # pointwise: ge(tensor)
        t8 = t7.amin()  # reduction: amin()
        t5[t5 > 0] = t8  # setitem: [bool mask] = tensor [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [index tensor] = 0-d tensor [non-leaf] | grad_fn of operand: torch IndexPutBackward0, ember CopySlices',
        'setitem with tensor indices is recorded as CopySlices; PyTorch records IndexPutBackward0',
        """\
        x1 = torch.tensor([[1.0], [-1.0], [-1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [3, 1]
        t2 = x1.view(1, 3, 1)  # view: view(shape)
        t3 = t2.clamp(min=-1.25)  # pointwise: clamp
        t3[torch.tensor([-1], dtype=torch.int64)] = torch.tensor(nan)  # setitem: [index tensor] = 0-d tensor [non-leaf]
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
        'setitem: [index tensor] = tensor [non-leaf] | exception of statement: torch RuntimeError, ember ValueError',
        "setitem/copy_ value that does not broadcast leaks numpy's error (item 9)",
        """\
        x2 = torch.tensor([1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        x3 = torch.tensor([[-1.0, -1.0, -1.0], [1.0, -1.0, -inf]], dtype=torch.float64, requires_grad=True)  # input: float64 [2, 3]
        t4 = x3.t()  # view: t
        x5 = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True)  # input: float64 [2]
        t6 = t4.mv(x5)  # matmul: mv
        t7 = F.softmax(x2, dim=-1)  # softmax: softmax
        t7[torch.tensor([-3, 1], dtype=torch.int64)] = t6  # setitem: [index tensor] = tensor [non-leaf]
""",
    ),
    KnownDivergence(
        "setitem: [int, ..., int] = 0-d tensor [leaf] | warning of statement: ember warns 'invalid value encountered in cast'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x3 = torch.tensor(4, dtype=torch.int64)  # input: int64 []
        x3[0, ..., 0] = torch.tensor(nan)  # setitem: [int, ..., int] = 0-d tensor [leaf, int64]
""",
    ),
    KnownDivergence(
        'setitem: [int, ..., int] = scalar [non-leaf] | value of operand: torch finite, ember finite',
        'prod over size-1 dims returns an alias of its input (item 2)',
        """\
        x1 = torch.tensor([[-1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [1, 1]
        t2 = x1.prod(-1, keepdim=True)  # reduction: prod(dim) keepdim
        t2[0, ..., 0] = 1e+30  # setitem: [int, ..., int] = scalar [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [int] = 0-d tensor [non-leaf] | grad_fn of operand: torch CopySlices, ember SqueezeBackward4',
        "grad_fn named differently from PyTorch's",
        """\
        x2 = torch.tensor([-1.0], dtype=torch.float64, requires_grad=True)  # input: float64 [1]
        x4 = torch.tensor([[-1.0]], dtype=torch.float64, requires_grad=True)  # input: float64 [1, 1]
        t5 = x2 @ x4  # matmul: @
        t5[-1] = torch.tensor(-1)  # setitem: [int] = 0-d tensor [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [list] = 0-d tensor [non-leaf] | exception of statement: torch RuntimeError, ember none',
        'setitem with tensor indices accepts a dtype mismatch (item 8)',
        """\
        x2 = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)  # input: float64 [1]
        t3 = x2[torch.tensor([-1], dtype=torch.int64)]  # index: index(tensor)
        t4 = t3.flatten()  # view: flatten
        t4[[-1]] = torch.tensor(-1)  # setitem: [list] = 0-d tensor [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [list] = 0-d tensor [view] | exception of statement: torch RuntimeError, ember none',
        'setitem with tensor indices accepts a dtype mismatch (item 8)',
        """\
        x1 = torch.tensor([[-1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [1, 1]
        x1.detach_()  # requires_grad_: detach_ [leaf requiring grad]
        t2 = x1.mT  # view: mT
        t2[[-1]] = torch.tensor(True)  # setitem: [list] = 0-d tensor [view]
""",
    ),
    KnownDivergence(
        'setitem: [list] = scalar [non-leaf] | grad_fn of operand: torch IndexPutBackward0, ember CopySlices',
        'setitem with tensor indices is recorded as CopySlices; PyTorch records IndexPutBackward0',
        """\
        x1 = torch.tensor([-1.0], dtype=torch.float16, requires_grad=True)  # input: float16 [1]
        t2 = torch.log(x1)  # pointwise: log
        t2[[-1]] = 1  # setitem: [list] = scalar [non-leaf, float16]
""",
    ),
    KnownDivergence(
        'setitem: [mixed] = 0-d tensor [leaf] | exception of statement: torch RuntimeError, ember none',
        'setitem with tensor indices accepts a dtype mismatch (item 8)',
        """\
        x1 = torch.tensor(1.0, dtype=torch.float16, requires_grad=True)  # input: float16 []
        x3 = torch.tensor([[-1.0]], dtype=torch.float64, requires_grad=True)  # input: float64 [1, 1]
        g4, g5 = torch.autograd.grad(x3.sum(), [x1, x3], allow_unused=True)  # grad: autograd.grad from leaf [leaf requiring grad]
        t8 = torch.log(g5)  # pointwise: log
        t8[:, torch.tensor([0])] = torch.tensor(True)  # setitem: [mixed] = 0-d tensor [leaf]
""",
    ),
    KnownDivergence(
        'setitem: [slice] = tensor [leaf] | exception of statement: torch RuntimeError, ember ValueError',
        "setitem/copy_ value that does not broadcast leaks numpy's error (item 9)",
        """\
        x3 = torch.tensor([1.0], dtype=torch.float32)  # input: float32 [1]
        x6 = torch.tensor([False, False], dtype=torch.bool)  # input: bool [2]
        x3[1:] = x6  # setitem: [slice] = tensor [leaf]
""",
    ),
    KnownDivergence(
        "setitem: [step] = scalar [leaf] | warning of statement: ember warns 'overflow encountered in cast'",
        'numpy RuntimeWarning reaches the user (item 9)',
        """\
        x2 = torch.tensor([[1.0]], dtype=torch.float16)  # input: float16 [1, 1]
        t3 = x2[:, 0]  # view: index(:, int)
        t4 = torch.cat([t3])  # join: cat(one)
        t4[::2] = 1e+30  # setitem: [step] = scalar [leaf, float16]
""",
    ),
    KnownDivergence(
        'setitem: [step] = tensor [leaf] | exception of statement: torch RuntimeError, ember none',
        'missing overlap check for partially overlapping or expanded operands (item 7)',
        """\
        x1 = torch.tensor([inf], dtype=torch.float64)  # input: float64 [1]
        x1[::2] = x1  # setitem: [step] = tensor [leaf]
""",
    ),
    KnownDivergence(
        'softmax: softmax | value of result: torch nan, ember finite',
        'softmax of a 0-d inf/nan gives a number, PyTorch nan (item 6)',
        """\
        x2 = torch.tensor(0, dtype=torch.int64)  # input: int64 []
        t4 = torch.log(x2)  # pointwise: log
        t5 = t4.softmax(-1)  # softmax: softmax
""",
    ),
    KnownDivergence(
        'view: no_grad expand | requires_grad of result: torch True, ember False',
        'views made under no_grad of a tensor that requires grad: requires_grad and the in-place error (item 5)',
        """\
        x1 = torch.tensor([-1.0], dtype=torch.float64, requires_grad=True)  # input: float64 [1]
        with torch.no_grad(): t3 = x1.expand(2, -1)  # view: no_grad expand
""",
    ),
    KnownDivergence(
        'view: no_grad index(None) | requires_grad of result: torch True, ember False',
        'views made under no_grad of a tensor that requires grad: requires_grad and the in-place error (item 5)',
        """\
        x1 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t2 = torch.where(x1 > 0, x1, x1)  # pointwise: where
        with torch.no_grad(): t4 = t2[None]  # view: no_grad index(None)
""",
    ),
    KnownDivergence(
        'view: no_grad narrow | requires_grad of result: torch True, ember False',
        'views made under no_grad of a tensor that requires grad: requires_grad and the in-place error (item 5)',
        """\
        x3 = torch.tensor([-1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        with torch.no_grad(): t6 = x3.narrow(-1, 0, 1)  # view: no_grad narrow
""",
    ),
    KnownDivergence(
        'view: no_grad permute | requires_grad of result: torch True, ember False',
        'views made under no_grad of a tensor that requires grad: requires_grad and the in-place error (item 5)',
        """\
        x2 = torch.tensor(nan, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t3 = x2[x2 > 0]  # index: index(bool mask)
        with torch.no_grad(): t5 = t3.permute(0)  # view: no_grad permute
""",
    ),
    KnownDivergence(
        'view: no_grad reshape(-1) | requires_grad of result: torch True, ember False',
        'views made under no_grad of a tensor that requires grad: requires_grad and the in-place error (item 5)',
        """\
        x1 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t2 = x1[None]  # view: index(None)
        with torch.no_grad(): t5 = t2.reshape(-1)  # view: no_grad reshape(-1)
""",
    ),
    KnownDivergence(
        'view: no_grad select | requires_grad of result: torch True, ember False',
        'views made under no_grad of a tensor that requires grad: requires_grad and the in-place error (item 5)',
        """\
        x2 = torch.tensor([-1.0], dtype=torch.float64, requires_grad=True)  # input: float64 [1]
        with torch.no_grad(): t4 = x2.select(-1, -1)  # view: no_grad select
""",
    ),
    KnownDivergence(
        'view: no_grad t | requires_grad of result: torch True, ember False',
        'views made under no_grad of a tensor that requires grad: requires_grad and the in-place error (item 5)',
        """\
        x2 = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)  # input: float64 []
        with torch.no_grad(): t4 = x2.t()  # view: no_grad t
""",
    ),
    KnownDivergence(
        'view: no_grad unflatten | requires_grad of result: torch True, ember False',
        'views made under no_grad of a tensor that requires grad: requires_grad and the in-place error (item 5)',
        """\
        x1 = torch.tensor([[1.0, 1.0], [0.0, -1.0]], dtype=torch.float64, requires_grad=True)  # input: float64 [2, 2]
        t8 = x1.mm(x1)  # matmul: mm
        with torch.no_grad(): t9 = t8.unflatten(-2, (1, 2))  # view: no_grad unflatten
""",
    ),
    KnownDivergence(
        'view: no_grad view(shape) | requires_grad of result: torch True, ember False',
        'views made under no_grad of a tensor that requires grad: requires_grad and the in-place error (item 5)',
        """\
        x1 = torch.zeros(0, 1, dtype=torch.float64, requires_grad=True)  # input: float64 [0, 1]
        with torch.no_grad(): t2 = x1.view(3, 0)  # view: no_grad view(shape)
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
