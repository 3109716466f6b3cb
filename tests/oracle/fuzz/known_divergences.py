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
        'backward: backward retain_graph from DivBackward0 [non-leaf] | exception of statement: torch none, ember RuntimeError',
        "PyTorch's generated nodes save an input only when a gradient that needs it will be computed (MulBackward0 keeps other only if self has an edge, and self only if other has one): t7 * t7 of a no_grad view (a dead edge on both sides) saves nothing, so its backward checks nothing after t6.div_; ember's MulBackward0 saves both and its unpack refuses the view changed in place. Skipping every node without a live edge is not PyTorch's either: its nodes still unpack what they save unconditionally (a saved output, NllLossBackward0's tensors), whose refusals that would lose",
        """\
        x3 = torch.tensor([-1.0], dtype=torch.float32)  # input: float32 [1]
        t4 = x3[...]  # view: index(...)
        x5 = torch.tensor([1.0], dtype=torch.float32, requires_grad=True)  # input: float32 [1]
        t6 = t4 @ x5  # matmul: @
        with torch.no_grad(): t7 = t6[...]  # view: no_grad index(...)
        x8 = torch.tensor(-1.0, dtype=torch.float32, requires_grad=True)  # input: float32 []
        t9 = t7 * t7  # pointwise: *(tensor)
        t6.div_(x8)  # inplace: div_(tensor) [non-leaf]
        t9.sum().backward(retain_graph=True)  # backward: backward retain_graph from DivBackward0 [non-leaf]
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
)


def entry_source(signature: str, reason: str, reproducer: str) -> str:
    """A `KnownDivergence(...)` entry as it is written in this file (used by `python3 -m fuzz --emit-known`)."""
    body = "\n".join(f"        {line}" for line in reproducer.strip().splitlines())
    return (
        f"    KnownDivergence(\n        {signature!r},\n        {reason!r},\n"
        f'        """\\\n{body}\n""",\n    ),'
    )
