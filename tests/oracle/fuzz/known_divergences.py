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
    only_on: str | None = None  # the device type whose kernels diverge (their rounding); None: every device


KNOWN_DIVERGENCES: tuple[KnownDivergence, ...] = (
    KnownDivergence(
        'backward: backward from WhereBackward0 [non-leaf] | shape of grad of operand (leaf): differs',
        "an in-place view op under no_grad (unsqueeze_) changes a leaf's shape unrecorded; PyTorch's AccumulateGrad stores the gradient in the shape the leaf had when the consuming node was recorded, ember's fits it to the leaf's current shape",
        """\
        x1 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t3 = x1.exp()  # pointwise: exp
        t4 = torch.where(t3 > 0, t3, t3)  # pointwise: where
        with torch.no_grad(): x1.unsqueeze_(0)  # inplace: no_grad unsqueeze_ [leaf requiring grad]
        t4.backward()  # backward: backward from WhereBackward0 [non-leaf]
""",
    ),
    KnownDivergence(
        'grad: autograd.grad create_graph from MaximumBackward0 [non-leaf] | exception of statement: torch RuntimeError, ember none',
        "an in-place view op under no_grad (squeeze_) changes a non-leaf's shape unrecorded; PyTorch checks each gradient against the shape the next node's output had (validate_outputs), ember against the shape its input had when the consuming node was recorded, so the gradient of the new shape goes through",
        """\
        x1 = torch.tensor([1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        x3 = torch.tensor(-2, dtype=torch.int64)  # input: int64 []
        t2 = torch.maximum(x1, x3)  # pointwise: maximum(tensor)
        with torch.no_grad(): t2.squeeze_()  # inplace: no_grad squeeze_() [non-leaf]
        g4, = torch.autograd.grad(t2.sum(), [x1], create_graph=True, allow_unused=True)  # grad: autograd.grad create_graph from MaximumBackward0 [non-leaf]
""",
    ),
    KnownDivergence(
        'backward: backward retain_graph from CatBackward0 [non-leaf] | exception of statement: torch RuntimeError, ember none',
        "an in-place view op under no_grad (unsqueeze_) changes a non-leaf's shape unrecorded; PyTorch checks each gradient against the shape the next node's output had (validate_outputs), ember against the shape its input had when the consuming node was recorded, so the gradient of the new shape goes through",
        """\
        x3 = torch.tensor([1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        x4 = torch.tensor([-1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        t5 = torch.cat([x3, x4], 0)  # join: cat
        with torch.no_grad(): t5.unsqueeze_(1)  # inplace: no_grad unsqueeze_ [non-leaf]
        t5.sum().backward(retain_graph=True)  # backward: backward retain_graph from CatBackward0 [non-leaf]
""",
    ),
    KnownDivergence(
        'setitem: [bool mask] = tensor [leaf] | requires_grad of operand: torch True, ember False',
        "PyTorch's setitem of a 0-d value is fill_ (index_put_ for a bool mask), which, unlike copy_, records a node on an integer or bool tensor: the int tensor then requires grad, its later ops raise 'Autograd not support dtype' and backward through it hits an INTERNAL ASSERT; ember keeps non-float tensors out of autograd",
        """\
        x1 = torch.tensor([True], dtype=torch.bool)  # input: bool [1]
        t2 = torch.add(x1, x1, alpha=-1)  # pointwise: add(tensor, alpha)
        x3 = torch.tensor(1.0, dtype=torch.float16, requires_grad=True)  # input: float16 []
        t2[t2 > 0] = x3  # setitem: [bool mask] = tensor [leaf, bool]
""",
    ),
    KnownDivergence(
        'setitem: [slice] = tensor [view] | requires_grad of operand: torch True, ember False',
        "PyTorch's setitem of a 0-d value is fill_ (index_put_ for a bool mask), which, unlike copy_, records a node on an integer or bool tensor: the int tensor then requires grad, its later ops raise 'Autograd not support dtype' and backward through it hits an INTERNAL ASSERT; ember keeps non-float tensors out of autograd",
        """\
        x3 = torch.tensor([False], dtype=torch.bool)  # input: bool [1]
        x4 = torch.tensor([-1.0, -1.0, 1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [3]
        x5 = torch.tensor(2, dtype=torch.int64)  # input: int64 []
        t6 = F.nll_loss(x4.log_softmax(-1), x5, reduction='sum', ignore_index=1)  # loss: nll_loss(ignore_index) sum
        t7 = x3[...]  # view: index(...)
        t7[1:] = t6  # setitem: [slice] = tensor [view, bool]
""",
    ),
    KnownDivergence(
        'setitem: [slice] = tensor [leaf] | requires_grad of operand: torch True, ember False',
        "PyTorch's setitem of a 0-d value is fill_ (index_put_ for a bool mask), which, unlike copy_, records a node on an integer or bool tensor: the int tensor then requires grad, its later ops raise 'Autograd not support dtype' and backward through it hits an INTERNAL ASSERT; ember keeps non-float tensors out of autograd",
        """\
        x9 = torch.tensor([[-1.0, -1.0, 1.0, 1.0], [1.0, 1.0, -0.0, inf], [-0.0, -1.0, -1.0, -1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [3, 4]
        x10 = torch.tensor([1, 3, 3], dtype=torch.int64)  # input: int64 [3]
        t11 = F.nll_loss(x9, x10, ignore_index=1)  # loss: nll_loss(ignore_index) mean
        x10[1:] = t11  # setitem: [slice] = tensor [leaf, int64]
""",
    ),
    KnownDivergence(
        'setitem: [step] = tensor [leaf] | requires_grad of operand: torch True, ember False',
        "PyTorch's setitem of a 0-d value is fill_ (index_put_ for a bool mask), which, unlike copy_, records a node on an integer or bool tensor: the int tensor then requires grad, its later ops raise 'Autograd not support dtype' and backward through it hits an INTERNAL ASSERT; ember keeps non-float tensors out of autograd",
        """\
        x2 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        x3 = torch.tensor([-1], dtype=torch.int64)  # input: int64 [1]
        x3[::2] = x2  # setitem: [step] = tensor [leaf, int64]
""",
    ),
    KnownDivergence(
        'inplace: div_(tensor) [non-leaf] | value of operand: torch inf, ember finite',
        "softmax rounding: PyTorch's vectorized kernel (Sleef exp, its sum order, times the sum's reciprocal) makes sum(softmax) exactly 1 where numpy's is 1 - 1ulp, so softmax's create_graph gradient is 0 in PyTorch and ~1e-8 in ember (values beyond it differ: x / 0 against x / 1e-8)",
        """\
        x1 = torch.tensor([-0.75, -1.5, -2.75], dtype=torch.float32, requires_grad=True)  # input: float32 [3]
        t2 = x1.softmax(-1)  # softmax: softmax
        g4, = torch.autograd.grad(t2.sum(), [x1], create_graph=True, allow_unused=True, retain_graph=True)  # grad: autograd.grad create_graph from SoftmaxBackward0 [non-leaf]
        t5 = g4.sigmoid()  # pointwise: sigmoid
        t5.div_(g4)  # inplace: div_(tensor) [non-leaf]
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'setitem: [int] = tensor [leaf] | requires_grad of operand: torch True, ember False',
        "PyTorch's setitem of a 0-d value is fill_ (index_put_ for a bool mask), which, unlike copy_, records a node on an integer or bool tensor: the int tensor then requires grad, its later ops raise 'Autograd not support dtype' and backward through it hits an INTERNAL ASSERT; ember keeps non-float tensors out of autograd",
        """\
        x1 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        x3 = torch.tensor([[3]], dtype=torch.int64)  # input: int64 [1, 1]
        x3[-1] = x1  # setitem: [int] = tensor [leaf, int64]
""",
    ),
    KnownDivergence(
        'setitem: [bool mask] = scalar [non-leaf] | value of operand: torch 0, ember -inf',
        "softmax rounding: PyTorch's vectorized kernel (Sleef exp, its sum order, times the sum's reciprocal) makes sum(softmax) exactly 1 where numpy's is 1 - 1ulp, so softmax's create_graph gradient is 0 in PyTorch and ~1e-8 in ember (values beyond it differ: x / 0 against x / 1e-8)",
        """\
        x1 = torch.tensor([2.0, 1.25, 1.401298464324817e-45], dtype=torch.float32, requires_grad=True)  # input: float32 [3]
        t2 = F.softmax(x1, dim=0)  # softmax: softmax
        g3, = torch.autograd.grad(t2.sum(), [x1], create_graph=True, allow_unused=True, retain_graph=True)  # grad: autograd.grad create_graph from SoftmaxBackward0 [non-leaf]
        g3[g3 > 0] = -inf  # setitem: [bool mask] = scalar [non-leaf]
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'setitem: [...] = tensor [view] | requires_grad of operand: torch True, ember False',
        "PyTorch's setitem of a 0-d value is fill_ (index_put_ for a bool mask), which, unlike copy_, records a node on an integer or bool tensor: the int tensor then requires grad, its later ops raise 'Autograd not support dtype' and backward through it hits an INTERNAL ASSERT; ember keeps non-float tensors out of autograd",
        """\
        x2 = torch.tensor(-1, dtype=torch.int64)  # input: int64 []
        t3 = x2[None]  # view: index(None)
        x5 = torch.tensor(-1.0, dtype=torch.float64, requires_grad=True)  # input: float64 []
        t3[...] = x5  # setitem: [...] = tensor [view, int64]
""",
    ),
    KnownDivergence(
        'inplace: mul_(tensor) [view] | value of operand: torch finite, ember finite',
        "an in-place op reading a non-dense view of the tensor it writes: PyTorch's overlap check gives up (TooHard) and its loop reads elements it has already written; ember reads the operand as it was before the write",
        """\
        x1 = torch.tensor([[[-1.0, 1.0, -1.0, -1.0], [-1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]]], dtype=torch.float16)  # input: float16 [1, 4, 4]
        t2 = x1.float()  # cast: float
        t3 = t2.transpose(-3, 0)  # view: transpose
        t5 = t3[..., 0]  # view: index(..., int)
        t3.mul_(t5)  # inplace: mul_(tensor) [view]
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'matmul: @ | value of result: torch 0, ember finite',
        "summation order with 1e30-scale cancellation: PyTorch's BLAS/vectorized loops add in another order than numpy's, which decides whether the small terms survive the cancellation",
        """\
        x2 = torch.tensor([[[0.0, -1.0, 1.0, 1.0]], [[-1.0, 1.0, -1.0, 0.0]]], dtype=torch.float64, requires_grad=True)  # input: float64 [2, 1, 4]
        x8 = torch.tensor([0.0, 1e+300, 2.75, 1e+300], dtype=torch.float64, requires_grad=True)  # input: float64 [4]
        t9 = x2 @ x8  # matmul: @
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'setitem: [step] = tensor [view] | requires_grad of operand: torch True, ember False',
        "PyTorch's setitem of a 0-d value is fill_ (index_put_ for a bool mask), which, unlike copy_, records a node on an integer or bool tensor: the int tensor then requires grad, its later ops raise 'Autograd not support dtype' and backward through it hits an INTERNAL ASSERT; ember keeps non-float tensors out of autograd",
        """\
        x1 = torch.tensor(False, dtype=torch.bool)  # input: bool []
        x2 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        x3 = torch.tensor(-1.0, dtype=torch.float32)  # input: float32 []
        t4 = F.l1_loss(x2, x3, reduction='sum')  # loss: l1_loss sum
        t5 = x1[None]  # view: index(None)
        t5[::2] = t4  # setitem: [step] = tensor [view, bool]
""",
    ),
    KnownDivergence(
        'backward: backward retain_graph from SqueezeBackward4 [non-leaf] | value of grad of operand (leaf): torch finite, ember finite',
        "summation order with 1e30-scale cancellation: PyTorch's BLAS/vectorized loops add in another order than numpy's, which decides whether the small terms survive the cancellation",
        """\
        x1 = torch.tensor([[-2.5, -1.5, -0.75, 2.75], [1.75, -2.75, -2.0, 1.5], [-0.5, 0.0, 0.0, 1.75]], dtype=torch.float32, requires_grad=True)  # input: float32 [3, 4]
        t2 = F.log_softmax(x1, dim=0)  # softmax: log_softmax
        t3 = t2[[0, -2]]  # index: index(list)
        t4 = F.softmax(t3, dim=-2)  # softmax: softmax
        t6 = t4.flatten()  # view: flatten
        x10 = torch.tensor([[2.0], [1e+30], [1.75], [2.0], [-1e+30], [0.75], [3.0], [-1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [8, 1]
        t11 = t6 @ x10  # matmul: @
        t11.sum().backward(retain_graph=True)  # backward: backward retain_graph from SqueezeBackward4 [non-leaf]
""",
    ),
    KnownDivergence(
        'loss: binary_cross_entropy none | is_contiguous of result: torch False, ember True',
        "the CPU backend's arithmetic kernels keep numpy's result layout where the operands' layouts conflict (numpy falls back to row-major, PyTorch's TensorIterator follows the first operand): a layout check on every call cost ~8% on chains of small ops (benchmarks/run.py --only chain); values and gradients agree",
        """\
        x2 = torch.tensor([[-1.0, -1.0, 1.0], [-1.0, -1.0, -1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 3]
        t4 = x2.t()  # view: t
        x6 = torch.tensor([[1.0, 1.0], [0.0, 1.0], [1.0, 1.0]], dtype=torch.float32)  # input: float32 [3, 2]
        t7 = F.binary_cross_entropy(t4.sigmoid(), x6, reduction='none')  # loss: binary_cross_entropy none
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'loss: l1_loss none | is_contiguous of result: torch False, ember True',
        "the CPU backend's arithmetic kernels keep numpy's result layout where the operands' layouts conflict (numpy falls back to row-major, PyTorch's TensorIterator follows the first operand): a layout check on every call cost ~8% on chains of small ops (benchmarks/run.py --only chain); values and gradients agree",
        """\
        x2 = torch.tensor([[1.0, -1.0, 1.0], [1.0, 1.0, -1.0]], dtype=torch.float32)  # input: float32 [2, 3]
        t3 = x2.swapaxes(0, -1)  # view: swapaxes
        x4 = torch.tensor([[-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]], dtype=torch.float32)  # input: float32 [3, 2]
        t5 = F.l1_loss(t3, x4, reduction='none')  # loss: l1_loss none
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'grad: autograd.grad from BinaryCrossEntropyWithLogitsBackward0 [non-leaf] | is_contiguous of result: torch True, ember False',
        "the CPU backend's arithmetic kernels keep numpy's result layout where the operands' layouts conflict (numpy falls back to row-major, PyTorch's TensorIterator follows the first operand): a layout check on every call cost ~8% on chains of small ops (benchmarks/run.py --only chain); values and gradients agree",
        """\
        x1 = torch.tensor(-inf, dtype=torch.float16, requires_grad=True)  # input: float16 []
        x2 = torch.tensor([[[-1.0, -1.0, -1.0], [-1.0, -1.0, 1.0]]], dtype=torch.float32, requires_grad=True)  # input: float32 [1, 2, 3]
        t3 = x2.float()  # cast: float
        t5 = x2.swapaxes(0, -1)  # view: swapaxes
        x6 = torch.tensor([[[1.0], [0.0]], [[1.0], [1.0]], [[0.0], [1.0]]], dtype=torch.float32)  # input: float32 [3, 2, 1]
        t7 = F.binary_cross_entropy_with_logits(t5, x6)  # loss: binary_cross_entropy_with_logits mean
        g8, g9 = torch.autograd.grad(t7, [t3, x1], allow_unused=True, retain_graph=True)  # grad: autograd.grad from BinaryCrossEntropyWithLogitsBackward0 [non-leaf]
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'backward: backward(gradient) from VarBackward0 [non-leaf] | value of grad of operand (leaf): torch finite, ember finite',
        "PyTorch's summation order: its sum of these six float64 values is 0 (its reduction keeps interleaved partial sums, element i into i % 4, then adds them in order: 3.5 - 1e300 + 1e300; the same with ATEN_CPU_CAPABILITY=default), numpy's sequential/pairwise sum and the OpenCL kernel's give 0.75, so var's backward, 2 / (n - 1) * g * (x - mean), differs by the mean (0 against 0.125); matching PyTorch's order in every reduction is a rewrite of the reduction kernels",
        """\
        x6 = torch.tensor([[1.25, 1.5], [-1e+300, 1e+300], [-0.0, 0.75]], dtype=torch.float64, requires_grad=True)  # input: float64 [3, 2]
        t9 = x6.var((0, 1))  # reduction: var(dims)
        x10 = torch.tensor(-1.0, dtype=torch.float64)  # input: float64 []
        t9.backward(x10.clone())  # backward: backward(gradient) from VarBackward0 [non-leaf]
""",
    ),
    KnownDivergence(
        'matmul: @ | value of result: torch nan, ember -inf',
        "fused multiply-add in the BLAS: numpy's OpenBLAS (and the OpenCL kernel) compute fma(1e300, 1e300, -inf) = -inf, PyTorch's MKL rounds the product to inf first and gives inf - inf = nan (measured: torch's mm, mv, bmm, einsum and (a * b).sum() all give nan here, numpy's matmul -inf); which one a PyTorch build gives depends on its BLAS",
        """\
        x1 = torch.tensor([[-1.5, -0.75, -2.75], [5e-324, -inf, 1.5], [-3.0, 1e+300, -1e+300]], dtype=torch.float64, requires_grad=True)  # input: float64 [3, 3]
        x7 = torch.tensor([[-1.75, inf], [-inf, 1e+300], [0.0, -3.0]], dtype=torch.float64, requires_grad=True)  # input: float64 [3, 2]
        t8 = x1 @ x7  # matmul: @
""",
    ),
    KnownDivergence(
        'matmul: matmul | value of result: torch 0, ember finite',
        "fused multiply-add in the BLAS: numpy's batched matmul (OpenBLAS) and the OpenCL kernel keep the rounding error of -1e30 * 2.5 through fma (-7.6e22), PyTorch's MKL rounds each product first, so -1e30 * -2.5 + -1e30 * 2.5 is exactly 0 (measured: torch's mm, mv, bmm and einsum all give 0, numpy's batched matmul -7.6e22); which one a PyTorch build gives depends on its BLAS",
        """\
        x3 = torch.tensor([[[nan, 1e+30], [-0.5, -1.0]], [[1.25, -inf], [2.5, 2.5]], [[1.0, 0.0], [-1e+30, -1e+30]]], dtype=torch.float32, requires_grad=True)  # input: float32 [3, 2, 2]
        x4 = torch.tensor([[-2.5, 1.5], [2.5, 1.0]], dtype=torch.float32)  # input: float32 [2, 2]
        t5 = torch.matmul(x3, x4)  # matmul: matmul
""",
    ),
    KnownDivergence(
        'setitem: [None] = tensor [leaf] | requires_grad of operand: torch True, ember False',
        "PyTorch's setitem of a 0-d value is fill_ (index_put_ for a bool mask), which, unlike copy_, records a node on an integer or bool tensor: the int tensor then requires grad, its later ops raise 'Autograd not support dtype' and backward through it hits an INTERNAL ASSERT; ember keeps non-float tensors out of autograd",
        """\
        x2 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)  # input: float64 []
        x3 = torch.tensor(2, dtype=torch.int64)  # input: int64 []
        x3[None] = x2  # setitem: [None] = tensor [leaf, int64]
""",
    ),
    KnownDivergence(
        'setitem: [...] = tensor [leaf] | requires_grad of operand: torch True, ember False',
        "PyTorch's setitem of a 0-d value is fill_ (index_put_ for a bool mask), which, unlike copy_, records a node on an integer or bool tensor: the int tensor then requires grad, its later ops raise 'Autograd not support dtype' and backward through it hits an INTERNAL ASSERT; ember keeps non-float tensors out of autograd",
        """\
        x1 = torch.tensor(3, dtype=torch.int64)  # input: int64 []
        with torch.no_grad(): t2 = x1.reshape(-1)  # view: no_grad reshape(-1)
        t3 = x1 / 0  # pointwise: /(int)
        t4 = t2.bool()  # cast: bool
        x5 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t6 = F.l1_loss(t3, x5)  # loss: l1_loss mean
        t4[...] = t6  # setitem: [...] = tensor [leaf, bool]
""",
    ),
    KnownDivergence(
        'setitem: [bool mask] = tensor [view] | requires_grad of operand: torch True, ember False',
        "PyTorch's setitem of a 0-d value is fill_ (index_put_ for a bool mask), which, unlike copy_, records a node on an integer or bool tensor: the int tensor then requires grad, its later ops raise 'Autograd not support dtype' and backward through it hits an INTERNAL ASSERT; ember keeps non-float tensors out of autograd",
        """\
        x2 = torch.tensor(-3, dtype=torch.int64)  # input: int64 []
        t4 = x2[None]  # view: index(None)
        x5 = torch.tensor(0.0, dtype=torch.float16, requires_grad=True)  # input: float16 []
        t4[t4 > 0] = x5  # setitem: [bool mask] = tensor [view, int64]
""",
    ),
    KnownDivergence(
        'matmul: matmul | value of result: torch finite, ember 0',
        "summation order with 1e30-scale cancellation: PyTorch's BLAS/vectorized loops add in another order than numpy's, which decides whether the small terms survive the cancellation",
        """\
        x2 = torch.tensor([-0.5, 1e+30, -1e+30, 0.75], dtype=torch.float32, requires_grad=True)  # input: float32 [4]
        x5 = torch.tensor([[-1.0, -1.0], [-1.0, -1.0], [-1.0, 1.0], [-1.0, 1.0]], dtype=torch.float32)  # input: float32 [4, 2]
        t6 = torch.matmul(x2, x5)  # matmul: matmul
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'pointwise: +(tensor) | is_contiguous of result: torch False, ember True',
        "the CPU backend's arithmetic kernels keep numpy's result layout where the operands' layouts conflict (numpy falls back to row-major, PyTorch's TensorIterator follows the first operand): a layout check on every call cost ~8% on chains of small ops (benchmarks/run.py --only chain); values and gradients agree",
        """\
        x3 = torch.tensor([[[-1.0, 1.0]]], dtype=torch.float32, requires_grad=True)  # input: float32 [1, 1, 2]
        t4 = x3.log_softmax(2)  # softmax: log_softmax
        t4.swapdims_(-1, 0)  # inplace: swapdims_ [non-leaf]
        t5 = t4[:, torch.tensor([0, -1])]  # index: index(:, tensor)
        x8 = torch.tensor([[[1.0], [1.0]], [[0.0], [1.0]]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 2, 1]
        t7 = t5 + x8  # pointwise: +(tensor)
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'pointwise: r/(int) | value of result: torch finite, ember -inf',
        "softmax rounding: PyTorch's vectorized kernel (Sleef exp, its sum order, times the sum's reciprocal) rounds sum(softmax) otherwise than numpy and the OpenCL kernel: here one column sums to 1 + 2**-23 in PyTorch and to exactly 1 in ember, so softmax's gradient there is -5.7e-8 in PyTorch and 0 in ember (and -1 / g finite against -inf)",
        """\
        x1 = torch.tensor([[[0.0, 1.0], [-1.0, 1.0], [1.0, 1.0]], [[-1.0, -1.0], [1.0, inf], [-1.0, -inf]], [[-1.0, 1.0], [-1.0, -1.0], [-inf, -1.0]], [[-1.0, 0.0], [-1.0, nan], [1.0, 1.0]]], dtype=torch.float32, requires_grad=True)  # input: float32 [4, 3, 2]
        t2 = F.softmax(x1, dim=0)  # softmax: softmax
        g3, = torch.autograd.grad(t2.sum(), [x1], allow_unused=True, retain_graph=True)  # grad: autograd.grad from SoftmaxBackward0 [non-leaf]
        t4 = g3.reshape(2, 3, 4)  # view: reshape(shape)
        t6 = -1 / t4  # pointwise: r/(int)
""",
    ),
    KnownDivergence(
        'backward: backward retain_graph from AsStridedBackward0 [view] | grad of grad of operand after RuntimeError (leaf): torch Tensor, ember None',
        "the order of a backward that raises midway: PyTorch's engine gives a leaf's AccumulateGrad the largest sequence number, so it accumulates x2's gradient as soon as that gradient is complete, before PowBackward1 raises on its saved output changed in place; ember's engine runs every node by creation order without a dependency count (docs/internals.md, the engine's hot loop), so the leaf that was used first waits until after PowBackward1 and the error comes first; a backward that succeeds gives the same gradients",
        """\
        x2 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        x3 = torch.tensor([[[1.0]]], dtype=torch.float32, requires_grad=True)  # input: float32 [1, 1, 1]
        x5 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t4 = x2 - x5  # pointwise: -(tensor)
        x8 = torch.tensor([[1.0], [1.0], [-1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [3, 1]
        t7 = x3 ** x8  # pointwise: **(tensor)
        t9 = t7.unflatten(1, (1, 3))  # view: unflatten
        t9[::2] = x2  # setitem: [step] = tensor [view]
        t9.sum().backward(retain_graph=True)  # backward: backward retain_graph from AsStridedBackward0 [view]
""",
    ),
    KnownDivergence(
        'backward: backward retain_graph from FillBackward3 [non-leaf] | exception of statement: torch none, ember RuntimeError',
        "an in-place view op under no_grad (squeeze_) changes a leaf's shape unrecorded; PyTorch's AccumulateGrad stores the gradient in the shape the leaf had when the consuming node was recorded, ember's fits it to the leaf's current shape, which fails here (the [1] gradient expanded to the 0-d leaf)",
        """\
        x2 = torch.tensor([-1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        t3 = torch.where(x2 > 0, x2, x2)  # pointwise: where
        with torch.no_grad(): x2.squeeze_(0)  # inplace: no_grad squeeze_(dim) [leaf requiring grad]
        t3.sum().backward(retain_graph=True)  # backward: backward retain_graph from FillBackward3 [non-leaf]
""",
    ),
    KnownDivergence(
        'pointwise: r/(float) | value of result: torch 0, ember nan',
        "float16 softmax rounding: PyTorch's kernel gives 0.2227783 for softmax([1, 2.25])[0], where the correctly rounded value (ember's, computed in float32 and rounded once) is 0.2226563, so the two elements sum to 1 + 2**-13 in PyTorch and to exactly 1 in ember: softmax's create_graph gradient is ~-3e-5 there and 0 here (-0. / g: 0 against NaN)",
        """\
        x1 = torch.tensor([[1.0], [2.25]], dtype=torch.float16, requires_grad=True)  # input: float16 [2, 1]
        t2 = x1.softmax(-2)  # softmax: softmax
        g3, = torch.autograd.grad(t2.sum(), [x1], create_graph=True, allow_unused=True, retain_graph=True)  # grad: autograd.grad create_graph from SoftmaxBackward0 [non-leaf, float16]
        t4 = -0.0 / g3  # pointwise: r/(float)
""",
    ),
    KnownDivergence(
        'backward: backward retain_graph from UnsafeViewBackward0 [non-leaf] | exception of statement: torch RuntimeError, ember none',
        "an in-place view op under no_grad (unsqueeze_) changes a non-leaf's shape unrecorded; PyTorch checks each gradient against the shape the next node's output had (validate_outputs), ember against the shape its input had when the consuming node was recorded, so the gradient of the new shape goes through",
        """\
        x2 = torch.tensor([[[-1.0]], [[1.0]]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 1, 1]
        t3 = torch.where(x2 > 0, x2, -1)  # pointwise: where
        x6 = torch.tensor([-1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        t7 = t3 @ x6  # matmul: @
        with torch.no_grad(): t7.unsqueeze_(-2)  # inplace: no_grad unsqueeze_ [non-leaf]
        t7.sum().backward(retain_graph=True)  # backward: backward retain_graph from UnsafeViewBackward0 [non-leaf]
""",
    ),
    KnownDivergence(
        'backward: backward from ViewBackward0 [view] | grad of grad of operand after RuntimeError (leaf): torch Tensor, ember None',
        "which leaves hold a gradient after a backward fails midway depends on the order nodes run: PyTorch's engine counts dependencies and runs a ready AccumulateGrad first (the highest priority), ember's runs every node newest first without dependency counts, so x3's AccumulateGrad, made earlier (by the squeeze), runs after the failing ProdBackward1; a completed backward agrees",
        """\
        x2 = torch.tensor([-1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        x3 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)  # input: float64 []
        t5 = x3.squeeze(0)  # view: squeeze(dim)
        t6 = x2.prod(0, keepdim=True)  # reduction: prod(dim) keepdim
        t6[t6 > 0] = x3  # setitem: [bool mask] = tensor [non-leaf]
        t8 = t6.reshape(-1)  # view: reshape(-1)
        t8.sum().backward()  # backward: backward from ViewBackward0 [view]
""",
    ),
    KnownDivergence(
        'backward: backward retain_graph from VarBackward0 [non-leaf] | value of grad of operand (leaf): torch finite, ember -0',
        "reduction order: PyTorch's float64 sum of nine equal -1e30 (its vectorised accumulation) rounds to -9.000000000000001e30 where ember's (numpy's pairwise sum) gives -9e30, so the mean in var's backward (x - mean) is 1.4e14 there and 0 here, amplified by 2e30; the gradient of a constant input differs only by this rounding",
        """\
        x3 = torch.tensor(-1.0, dtype=torch.float64, requires_grad=True)  # input: float64 []
        t4 = x3[None]  # view: index(None)
        t5 = 1e+30 / t4  # pointwise: r/(float)
        t6 = t5.unsqueeze(1)  # view: unsqueeze
        t7 = t6.expand(2, 3, 3)  # view: expand
        t8 = t7.var((1, 2), keepdim=True)  # reduction: var(dims) keepdim
        t8.sum().backward(retain_graph=True)  # backward: backward retain_graph from VarBackward0 [non-leaf]
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'backward: backward from AminBackward0 [non-leaf] | value of grad of operand (leaf): torch finite, ember finite',
        "rounding: matmul of softmax weights by [1e30, -1e30] cancels to values ~1e23 decided by the last bits of the summation order (PyTorch's BLAS against numpy's), which the gradient of x3 carries; the values agree to the rounding of the inputs",
        """\
        x1 = torch.tensor([[[-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]], [[0.0, 1.0], [-0.0, 1.0], [1.0, 0.0]]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 3, 2]
        x3 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)  # input: float64 []
        t5 = torch.add(x1, x3, alpha=2)  # pointwise: add(tensor, alpha)
        t6 = t5.softmax(-2)  # softmax: softmax
        x8 = torch.tensor([1e+30, -1e+30], dtype=torch.float32)  # input: float32 [2]
        t9 = torch.matmul(t6, x8)  # matmul: matmul
        t10 = t9.amin(1, keepdim=True)  # reduction: amin(dim) keepdim
        t10.sum().backward()  # backward: backward from AminBackward0 [non-leaf]
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'pointwise: -(tensor) | is_contiguous of result: torch False, ember True',
        "the CPU backend's arithmetic kernels keep numpy's result layout where the operands' layouts conflict (numpy falls back to row-major, PyTorch's TensorIterator follows the first operand): a layout check on every call cost ~8% on chains of small ops (benchmarks/run.py --only chain); values and gradients agree",
        """\
        x2 = torch.tensor([[-1.0, 1.0, -1.0], [nan, 1.0, -1.0], [-1.0, 1.0, nan]], dtype=torch.float64, requires_grad=True)  # input: float64 [3, 3]
        t4 = x2.t()  # view: t
        t5 = t4 - x2  # pointwise: -(tensor)
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'pointwise: logical_or(tensor) | is_contiguous of result: torch False, ember True',
        "the CPU backend's arithmetic kernels keep numpy's result layout where the operands' layouts conflict (numpy falls back to row-major, PyTorch's TensorIterator follows the first operand): a layout check on every call cost ~8% on chains of small ops (benchmarks/run.py --only chain); values and gradients agree",
        """\
        x1 = torch.tensor([[True, False], [False, True], [False, True]], dtype=torch.bool)  # input: bool [3, 2]
        x1.transpose_(-2, -1)  # inplace: transpose_ [leaf, bool]
        x4 = torch.tensor([[0, 0, 0], [-2, 1, -2]], dtype=torch.int64)  # input: int64 [2, 3]
        t3 = torch.logical_or(x1, x4)  # pointwise: logical_or(tensor)
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'grad: autograd.grad create_graph from DotBackward0 [non-leaf] | shape of result: differs',
        "an in-place view op under no_grad (unsqueeze_) changes a leaf's shape unrecorded; PyTorch checks the gradient against the shape the leaf had when its AccumulateGrad was made (validate_outputs sums it to that, so autograd.grad returns it 0-d), ember's fits it to the leaf's current shape",
        """\
        x1 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t2 = torch.sqrt(x1)  # pointwise: sqrt
        with torch.no_grad(): x1.unsqueeze_(-1)  # inplace: no_grad unsqueeze_ [leaf requiring grad]
        t4 = torch.matmul(x1, x1)  # matmul: matmul
        g5, = torch.autograd.grad(t4, [x1], create_graph=True, allow_unused=True)  # grad: autograd.grad create_graph from DotBackward0 [non-leaf]
""",
    ),
    KnownDivergence(
        'backward: backward retain_graph from UnsqueezeBackward0 [view] | exception of statement: torch RuntimeError, ember none',
        "an in-place view op under no_grad (squeeze_) changes a non-leaf's shape unrecorded; PyTorch checks each gradient against the shape the next node's output had (validate_outputs), ember against the shape its input had when the consuming node was recorded, so the gradient of the new shape goes through",
        """\
        x1 = torch.tensor(1.0, dtype=torch.float16, requires_grad=True)  # input: float16 []
        t3 = x1[x1 > 0]  # index: index(bool mask)
        with torch.no_grad(): t3.squeeze_(-1)  # inplace: no_grad squeeze_(dim) [non-leaf, float16]
        t7 = t3.unsqueeze(-1)  # view: unsqueeze
        t7.sum().backward(retain_graph=True)  # backward: backward retain_graph from UnsqueezeBackward0 [view, float16]
""",
    ),
    KnownDivergence(
        'inplace: sub_(tensor) [no_grad view] | value of operand: torch finite, ember finite',
        "an in-place op whose operand is a non-dense view of the written tensor: PyTorch's overlap check gives up on it (get_overlap_status: TOO_HARD) and its loop reads elements it has already written, a result of its iteration order; ember's CPU kernels (numpy's, which buffer an operand overlapping the output) compute the op, then write (the OpenCL kernels agree with PyTorch here)",
        """\
        x1 = torch.tensor([[3, 1], [-2, -2]], dtype=torch.int64)  # input: int64 [2, 2]
        with torch.no_grad(): t3 = x1.permute(0, 1)  # view: no_grad permute
        t4 = t3.narrow(-1, 0, 1)  # view: narrow
        t3.sub_(t4)  # inplace: sub_(tensor) [no_grad view, int64]
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'setitem: [int, ..., int] = tensor [leaf] | requires_grad of operand: torch True, ember False',
        "PyTorch's setitem of a 0-d value is fill_ (index_put_ for a bool mask), which, unlike copy_, records a node on an integer or bool tensor: the int tensor then requires grad, its later ops raise 'Autograd not support dtype' and backward through it hits an INTERNAL ASSERT; ember keeps non-float tensors out of autograd",
        """\
        x1 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        x3 = torch.tensor([[[True]]], dtype=torch.bool)  # input: bool [1, 1, 1]
        x3[0, ..., 0] = x1  # setitem: [int, ..., int] = tensor [leaf, bool]
""",
    ),
    KnownDivergence(
        'inplace: div_(tensor) [leaf] | value of operand: torch finite, ember inf',
        "rounding: the variance of softmax values equal up to rounding is ~1e-15 in PyTorch (its summation order) and exactly 0 in ember (numpy's), so the division gives a finite value there and inf here",
        """\
        x1 = torch.tensor([[True, True, False], [True, False, True], [True, False, False]], dtype=torch.bool)  # input: bool [3, 3]
        t2 = torch.sigmoid(x1)  # pointwise: sigmoid
        t2.masked_fill_(t2 > 0, 0.5)  # inplace: masked_fill_ [leaf]
        t3, t4 = t2.max(0, keepdim=True)  # reduction: max(dim) keepdim
        t5 = torch.matmul(t2, t2)  # matmul: matmul
        t7 = F.softmax(t5, dim=1)  # softmax: softmax
        t8 = t7.var((0, 1), keepdim=True, correction=0)  # reduction: var(dims) keepdim correction
        t3.div_(t8)  # inplace: div_(tensor) [leaf]
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'backward: backward retain_graph from AddBackward0 [non-leaf] | grad of grad of operand after RuntimeError (retained): torch None, ember Tensor',
        "an in-place view op under no_grad (t_) changes a non-leaf's shape unrecorded; PyTorch checks each gradient against the shape the next node's output had (validate_outputs), ember against the shape its input had when the consuming node was recorded, so PyTorch fails at SumBackward0's gradient, before the retained tensor's hook runs, and ember one node later, after it",
        """\
        x2 = torch.tensor([[nan], [-1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 1]
        t3 = torch.add(x2, x2, alpha=-1)  # pointwise: add(tensor, alpha)
        with torch.no_grad(): t3.t_()  # inplace: no_grad t_ [non-leaf]
        t3.retain_grad()  # retain_grad: retain_grad [non-leaf]
        t3.sum().backward(retain_graph=True)  # backward: backward retain_graph from AddBackward0 [non-leaf]
""",
    ),
    KnownDivergence(
        'pointwise: rpow(float base) | is_contiguous of result: torch True, ember False',
        "PyTorch's pow(Scalar, Tensor) allocates its result row-major (its meta function sets no strides), whatever the exponent's layout; ember's binary ops lay a result whose operand was converted (int64 to float) out as the tensor operand; values and gradients agree",
        """\
        x2 = torch.tensor([[-3, 0], [4, -3]], dtype=torch.int64)  # input: int64 [2, 2]
        t4 = x2.permute(1, 0)  # view: permute
        t6 = (-1.5) ** t4  # pointwise: rpow(float base)
""",
    ),
    KnownDivergence(
        'inplace: mul_(tensor) [leaf] | value of operand: torch finite, ember finite',
        "an in-place op whose operand is a non-dense view of the written tensor: PyTorch's overlap check gives up on it (get_overlap_status: TOO_HARD) and its loop reads elements it has already written, a result of its iteration order; ember's CPU kernels (numpy's, which buffer an operand overlapping the output) compute the op, then write (the OpenCL kernels agree with PyTorch here)",
        """\
        x1 = torch.tensor([[4, 3], [0, 4]], dtype=torch.int64)  # input: int64 [2, 2]
        t2 = x1.cos()  # pointwise: cos
        t4 = t2[..., 0]  # view: index(..., int)
        t2.mul_(t4)  # inplace: mul_(tensor) [leaf]
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'grad: autograd.grad from MulBackward0 [non-leaf] | value of result: torch 0, ember finite',
        "rounding: softmax along dim 0 of this input is one ulp from PyTorch's in some elements (exp's rounding), and its gradient times 1e30 (grad - sum(grad * y)) cancels exactly to 0 in PyTorch but not here",
        """\
        x2 = torch.tensor([[-2.0, 0.5, -1.25], [1.401298464324817e-45, 1e+30, 2.5], [3.0, -1.75, -0.25], [-1.25, -inf, -1e+30]], dtype=torch.float32, requires_grad=True)  # input: float32 [4, 3]
        t4 = x2.softmax(0)  # softmax: softmax
        t7 = t4 * 1e+30  # pointwise: *(float)
        g8, = torch.autograd.grad(t7.sum(), [x2], allow_unused=True)  # grad: autograd.grad from MulBackward0 [non-leaf]
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'setitem: [int] = tensor [view] | requires_grad of operand: torch True, ember False',
        "PyTorch's setitem of a 0-d value is fill_ (index_put_ for a bool mask), which, unlike copy_, records a node on an integer or bool tensor: the int tensor then requires grad, its later ops raise 'Autograd not support dtype' and backward through it hits an INTERNAL ASSERT; ember keeps non-float tensors out of autograd",
        """\
        x1 = torch.tensor([[True]], dtype=torch.bool)  # input: bool [1, 1]
        t5 = x1[::2]  # view: slice(step)
        x6 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t5[0] = x6  # setitem: [int] = tensor [view, bool]
""",
    ),
    KnownDivergence(
        'pointwise: sin | value of result: torch finite, ember finite',
        'rounding: the float16 sum of these 18 losses is 16.265625 in PyTorch and 16.28125 in ember (one float16 ulp: the accumulation), which the sine carries; the losses agree',
        """\
        x1 = torch.tensor([[[-0.25, -0.5], [-0.25, 2.75], [0.25, -1.0]], [[0.0, 0.75], [1.75, 0.0], [-0.25, -1.25]], [[0.5, 2.25], [-1.5, 1.25], [2.5, 0.25]]], dtype=torch.float16, requires_grad=True)  # input: float16 [3, 3, 2]
        x4 = torch.tensor([[[0.25, 0.25], [0.0, 0.25], [0.25, 1.0]], [[1.0, 0.0], [0.0, 0.25], [0.25, 0.0]], [[0.25, 0.25], [0.0, 0.25], [1.0, 0.0]]], dtype=torch.float16)  # input: float16 [3, 3, 2]
        t5 = F.binary_cross_entropy_with_logits(x1, x4, reduction='sum')  # loss: binary_cross_entropy_with_logits sum
        t6 = t5.sin()  # pointwise: sin
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'backward: backward from ExpandBackward0 [view] | exception of statement: torch none, ember RuntimeError',
        "an in-place view op under no_grad (squeeze_) changes a leaf's shape unrecorded; PyTorch's AccumulateGrad takes the gradient in the shape the leaf had when the consuming node was recorded, ember's fits it to the leaf's current shape, which this gradient does not expand to (expand's error)",
        """\
        x1 = torch.tensor([-1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        t2 = x1[x1 > 0]  # index: index(bool mask)
        x3 = torch.zeros(0, 1, dtype=torch.float32, requires_grad=True)  # input: float32 [0, 1]
        t4 = torch.matmul(t2, x3)  # matmul: matmul
        with torch.no_grad(): x1.squeeze_()  # inplace: no_grad squeeze_() [leaf requiring grad]
        t5 = t4.expand(2, 3)  # view: expand
        t5.sum().backward()  # backward: backward from ExpandBackward0 [view]
""",
    ),
    KnownDivergence(
        'matmul: @ | value of result: torch nan, ember inf',
        "ember's CPU matmul is numpy's BLAS, where inf * 2.5 + 1e30 * -1e30 gives inf (its accumulation does not overflow the product to -inf first, as an FMA); PyTorch's kernel gives NaN, as numpy's elementwise product and sum do",
        """\
        x1 = torch.tensor([inf, 1e+30], dtype=torch.float32, requires_grad=True)  # input: float32 [2]
        x5 = torch.tensor([[2.5, 1.0], [-1e+30, 2.5]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 2]
        t6 = x1 @ x5  # matmul: @
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'pointwise: logical_and(tensor) | is_contiguous of result: torch False, ember True',
        "the CPU backend's arithmetic kernels keep numpy's result layout where the operands' layouts conflict (numpy falls back to row-major, PyTorch's TensorIterator follows the first operand): a layout check on every call cost ~8% on chains of small ops (benchmarks/run.py --only chain); values and gradients agree",
        """\
        x3 = torch.tensor([[1.0, -1.0], [-1.0, -1.0]], dtype=torch.float32)  # input: float32 [2, 2]
        t4 = x3.t()  # view: t
        t6 = F.log_softmax(t4, dim=1)  # softmax: log_softmax
        t7 = torch.logical_and(t4, t6)  # pointwise: logical_and(tensor)
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'inplace: mul_(tensor) [non-leaf] | value of operand: torch finite, ember finite',
        "an in-place op whose operand is a non-dense view of the written tensor: PyTorch's overlap check gives up on it (get_overlap_status: TOO_HARD) and its loop reads elements it has already written, a result of its iteration order; ember's CPU kernels (numpy's, which buffer an operand overlapping the output) compute the op, then write (the OpenCL kernels agree with PyTorch here)",
        """\
        x1 = torch.tensor([[-1.0], [-1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 1]
        t2 = torch.cat([x1, x1], 1)  # join: cat
        t3 = t2.narrow(1, 0, 1)  # view: narrow
        t2.mul_(t3)  # inplace: mul_(tensor) [non-leaf]
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'setitem: [bool mask] = scalar [non-leaf] | exception of statement: torch RuntimeError, ember none',
        "PyTorch's INTERNAL ASSERT (out != nullptr in variable.cpp, 'please report a bug'): an in-place op on a non-leaf that retains its grad after an in-place view op (transpose_) on it; ember carries on",
        """\
        x1 = torch.tensor([[-1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [1, 1]
        t2 = x1[torch.tensor([0], dtype=torch.int64)]  # index: index(tensor)
        t2.retain_grad()  # retain_grad: retain_grad [non-leaf]
        t2.transpose_(-1, 1)  # inplace: transpose_ [non-leaf]
        t2[t2 > 0] = -0.0  # setitem: [bool mask] = scalar [non-leaf]
""",
    ),
    KnownDivergence(
        'pointwise: /(tensor) | is_contiguous of result: torch False, ember True',
        "the CPU backend's arithmetic kernels keep numpy's result layout where the operands' layouts conflict (numpy falls back to row-major, PyTorch's TensorIterator follows the first operand): a layout check on every call cost ~8% on chains of small ops (benchmarks/run.py --only chain); values and gradients agree",
        """\
        x2 = torch.tensor([[-1.0], [1.0], [1.0]], dtype=torch.float32)  # input: float32 [3, 1]
        t3 = x2[:, torch.tensor([0, -1])]  # index: index(:, tensor)
        t4 = t3.swapaxes(0, -1)  # view: swapaxes
        x6 = torch.tensor([[1.0, 1.0, 0.0], [-1.0, 1.0, -1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [2, 3]
        t5 = t4 / x6  # pointwise: /(tensor)
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'pointwise: cos | value of result: torch finite, ember finite',
        "rounding: the matmul's result (~5.4e29) differs in its last bits (5.403023e29 in PyTorch, 5.403022e29 here: the BLAS's summation), and the cosine of so large an argument is decided by them",
        """\
        x1 = torch.tensor([True, True, True], dtype=torch.bool)  # input: bool [3]
        t2 = x1.cos()  # pointwise: cos
        t4 = t2.squeeze()  # view: squeeze()
        x7 = torch.tensor([[1.75], [1e+30], [-1.25]], dtype=torch.float32, requires_grad=True)  # input: float32 [3, 1]
        t8 = t4 @ x7  # matmul: @
        t9 = t8.cos()  # pointwise: cos
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'loss: binary_cross_entropy_with_logits sum | value of result: torch finite, ember finite',
        "float16 rounding: PyTorch computes (1 - t) x - log_sigmoid(x) with log_sigmoid rounded to float16 first (-4.01815 to -4.01953, so the loss of x = -4 is 0.01953); ember's CPU kernel rounds the loss once (0.01814, the exact value's float16)",
        """\
        x2 = torch.tensor([[3.0]], dtype=torch.float16, requires_grad=True)  # input: float16 [1, 1]
        t3 = x2.squeeze(-1)  # view: squeeze(dim)
        t4 = torch.where(t3 > 0, t3, t3)  # pointwise: where
        t6 = -1 - t4  # pointwise: r-(int)
        t7 = t6[::2]  # view: slice(step)
        x8 = torch.tensor([0.0], dtype=torch.float16)  # input: float16 [1]
        t9 = F.binary_cross_entropy_with_logits(t7, x8, reduction='sum')  # loss: binary_cross_entropy_with_logits sum
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'backward: backward(gradient) from MulBackward0 [non-leaf] | exception of statement: torch none, ember RuntimeError',
        "an in-place view op under no_grad (squeeze_) changes a leaf's shape unrecorded; PyTorch checks the gradient against the shape the leaf had when its AccumulateGrad was made, ember fits it to the leaf's current shape, which this gradient does not expand to (expand's error)",
        """\
        x1 = torch.tensor([[1.0], [1.0], [-1.0], [1.0]], dtype=torch.float64, requires_grad=True)  # input: float64 [4, 1]
        x2 = torch.tensor([-1.0], dtype=torch.float64, requires_grad=True)  # input: float64 [1]
        t3 = torch.matmul(x1, x2)  # matmul: matmul
        g4, = torch.autograd.grad(t3.sum(), [x1], create_graph=True)  # grad: autograd.grad create_graph from MvBackward0 [non-leaf]
        with torch.no_grad(): x2.squeeze_(-1)  # inplace: no_grad squeeze_(dim) [leaf requiring grad]
        x8 = torch.tensor([[1.0], [1.0], [1.0], [1.0]], dtype=torch.float64)  # input: float64 [4, 1]
        g4.backward(x8.clone())  # backward: backward(gradient) from MulBackward0 [non-leaf]
""",
    ),
    KnownDivergence(
        'backward: backward from SelectBackward0 [view] | exception of statement: torch RuntimeError, ember none',
        "an in-place view op under no_grad (squeeze_) changes a non-leaf's shape unrecorded; PyTorch checks each gradient against the shape the next node's output had (validate_outputs), ember against the shape its input had when the consuming node was recorded, so the gradient of the old shape goes through",
        """\
        x2 = torch.tensor([[-1.0, -1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [1, 2]
        t3 = x2 ** -0.5  # pointwise: pow(float exponent)
        with torch.no_grad(): t3.squeeze_(0)  # inplace: no_grad squeeze_(dim) [non-leaf]
        t7 = t3[..., 1]  # view: index(..., int)
        t7.backward()  # backward: backward from SelectBackward0 [view]
""",
    ),
    KnownDivergence(
        'inplace: clamp_ [non-leaf] | exception of statement: torch RuntimeError, ember none',
        "PyTorch's INTERNAL ASSERT (out != nullptr in variable.cpp, 'please report a bug'): an in-place op on a non-leaf that retains its grad after an in-place view op (unsqueeze_) on it; ember carries on",
        """\
        x1 = torch.tensor(-1.0, dtype=torch.float16, requires_grad=True)  # input: float16 []
        t2 = x1.sqrt()  # pointwise: sqrt
        t2.retain_grad()  # retain_grad: retain_grad [non-leaf, float16]
        t2.unsqueeze_(-1)  # inplace: unsqueeze_ [non-leaf, float16]
        t2.clamp_(-1.75, 1.0)  # inplace: clamp_ [non-leaf, float16]
""",
    ),
    KnownDivergence(
        'backward: backward from CopySlices [non-leaf] | exception of statement: torch RuntimeError, ember ValueError',
        "an in-place view op under no_grad (t_) changes a non-leaf's shape unrecorded; PyTorch checks each gradient against the shape the next node's output had (validate_outputs), ember against the shape its input had when the consuming node was recorded, so PyTorch refuses SumBackward0's gradient; ember's CopySlices adds it into a buffer of the other shape, where the CPU's numpy raises its ValueError (OpenCL's kernel broadcasts it: no error)",
        """\
        x4 = torch.tensor([[1.0], [1.0], [1.0], [1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [4, 1]
        t5 = x4[torch.tensor([-3, 3], dtype=torch.int64)]  # index: index(tensor)
        t6 = t5[...]  # view: index(...)
        x7 = torch.tensor(1.0, dtype=torch.float32)  # input: float32 []
        t8 = F.mse_loss(t6, x7, reduction='none')  # loss: mse_loss none
        with torch.no_grad(): t8.t_()  # inplace: no_grad t_ [non-leaf]
        t8.sum().backward()  # backward: backward from CopySlices [non-leaf]
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'grad: autograd.grad from StdBackward0 [non-leaf] | exception of statement: torch RuntimeError, ember none',
        "an in-place view op under no_grad (unsqueeze_) changes a non-leaf's shape unrecorded; PyTorch checks each gradient against the shape the next node's output had (validate_outputs), ember against the shape its input had when the consuming node was recorded, so the gradient of the new shape goes through",
        """\
        x2 = torch.tensor([1.0, 1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [2]
        t3 = torch.where(x2 > 0, x2, x2)  # pointwise: where
        with torch.no_grad(): t3.unsqueeze_(1)  # inplace: no_grad unsqueeze_ [non-leaf]
        t7 = t3.std((0, 1), keepdim=True, correction=2)  # reduction: std(dims) keepdim correction
        g8, = torch.autograd.grad(t7.sum(), [x2], allow_unused=True, retain_graph=True)  # grad: autograd.grad from StdBackward0 [non-leaf]
""",
    ),
    KnownDivergence(
        'pointwise: *(tensor) | is_contiguous of result: torch False, ember True',
        "the CPU backend's arithmetic kernels keep numpy's result layout where the operands' layouts conflict (numpy falls back to row-major, PyTorch's TensorIterator follows the first operand): a layout check on every call cost ~8% on chains of small ops (benchmarks/run.py --only chain); values and gradients agree",
        """\
        x3 = torch.tensor([[nan, 1.0, 1.0], [1.0, 1.0, -1.0], [-1.0, -1.0, 1.0], [nan, -0.0, 1.0]], dtype=torch.float32)  # input: float32 [4, 3]
        t5 = x3.permute(1, 0)  # view: permute
        x11 = torch.tensor([[-1.0, 1.0, -1.0, 1.0], [1.0, -1.0, 1.0, 1.0], [1.0, 1.0, -1.0, 1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [3, 4]
        t10 = t5 * x11  # pointwise: *(tensor)
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'setitem: [int] = tensor [view] | value of operand: torch 0, ember finite',
        "a copy into a broadcast view from a view of the same memory (t4[0] = x2[:, 0], t4 = broadcast_to(x2)): PyTorch's overlap check gives up on the broadcast target and its loop reads elements it has already written; ember copies the values the source had",
        """\
        x2 = torch.tensor([[0.0, 0.0], [-1.0, -1.0]], dtype=torch.float64)  # input: float64 [2, 2]
        t3 = x2.select(1, 0)  # view: select
        t4 = torch.broadcast_to(x2, (2, 2, 2))  # view: broadcast_to
        t4[0] = t3  # setitem: [int] = tensor [view]
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'pointwise: **(tensor) | is_contiguous of result: torch False, ember True',
        "the CPU backend's arithmetic kernels keep numpy's result layout where the operands' layouts conflict (numpy falls back to row-major, PyTorch's TensorIterator follows the first operand): a layout check on every call cost ~8% on chains of small ops (benchmarks/run.py --only chain); values and gradients agree",
        """\
        x2 = torch.tensor([[-1.0, -1.0, -1.0], [-1.0, 1.0, 1.0]], dtype=torch.float64, requires_grad=True)  # input: float64 [2, 3]
        t3 = x2.transpose(0, -1)  # view: transpose
        x5 = torch.tensor([[-1.0, -1.0], [0.0, -1.0], [-1.0, -1.0]], dtype=torch.float64, requires_grad=True)  # input: float64 [3, 2]
        t4 = t3 ** x5  # pointwise: **(tensor)
""",
        only_on="cpu",
    ),
    KnownDivergence(
        'backward: backward retain_graph from SliceBackward0 [view] | value of grad of operand (leaf): torch finite, ember finite',
        "cumprod's backward next to zeros (prod's double backward goes through it): PyTorch's O(n) formula without grad mode divides the reversed cumulative sum by the elements before the first zero, so the NaN spreads and -1.75 times the denormal 1.4e-45 (which rounds to -2.8e-45) divided by it gives -2.0; ember's division-free recurrence gives -1.75 and 1.0; first-order gradients agree",
        """\
        x1 = torch.tensor(1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        x2 = torch.tensor([[[0.0], [1.401298464324817e-45]], [[1.0], [-0.0]], [[nan], [-1.75]]], dtype=torch.float32, requires_grad=True)  # input: float32 [3, 2, 1]
        t3 = torch.cat([x2])  # join: cat(one)
        t4 = t3.prod(-3)  # reduction: prod(dim)
        g8, g9 = torch.autograd.grad(t4.sum(), [x2, x1], create_graph=True, allow_unused=True, retain_graph=True)  # grad: autograd.grad create_graph from ProdBackward1 [non-leaf]
        g8.sum().backward(retain_graph=True)  # backward: backward retain_graph from SliceBackward0 [view]
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
