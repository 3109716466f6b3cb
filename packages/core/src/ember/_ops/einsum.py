"""einsum: Einstein summation over an equation string (or PyTorch's sublist form), composed of
differentiable ops so that gradients, double gradients and grad_fn names come from them.

PyTorch's algorithm, step for step: each operand takes its diagonals for repeated subscripts, gains
size-1 dims for the subscripts it lacks and is permuted to one common order (the output's subscripts,
then the contracted ones); then the operands are folded left to right, each pair multiplied
(`MulBackward0`) or, where both share a contracted dim, reduced through one `bmm`; a contracted dim only
one operand has is summed first. The result is a view dropping the contracted dims (`ViewBackward0`), a
sum for one operand (`SumBackward1`), or the permuted operand (`PermuteBackward0`).
"""
from __future__ import annotations

import math
import string

from .._tensor import Tensor
from . import linalg, pointwise, reduction, shape, views
from .dispatch import profiled

_ELLIPSIS = "..."
_SUBLIST_LETTERS = string.ascii_uppercase + string.ascii_lowercase  # sublist ints 0-51, as PyTorch's


def _error(message: str) -> RuntimeError:
    return RuntimeError(f"einsum(): {message}")


def _parse_term(equation: str, start: int, stop: int, what: str) -> list:
    """The subscripts of equation[start:stop], `_ELLIPSIS` standing for an ellipsis; spaces ignored."""
    labels: list = []
    i = start
    while i < stop:
        c = equation[i]
        if c == ".":
            if _ELLIPSIS in labels:
                raise _error(f"found '.' for {what} for which an ellipsis was already found")
            if equation[i:i + 3] != _ELLIPSIS or i + 3 > stop:
                raise _error(f"found '.' for {what} that is not part of any ellipsis")
            labels.append(_ELLIPSIS)
            i += 3
            continue
        if c in string.ascii_letters:
            labels.append(c)
        elif c != " ":
            raise _error(f"invalid subscript given at index {i} in the equation string, subscripts must be in "
                         "[a-zA-Z]")
        i += 1
    return labels


def _parse(equation: str, count: int):
    """(the subscripts of each operand, the output's or None when implicit)."""
    arrow = equation.find("->")
    lhs_end = len(equation) if arrow < 0 else arrow
    terms: list[list] = []
    start = 0
    while True:
        comma = equation.find(",", start, lhs_end)
        stop = lhs_end if comma < 0 else comma
        terms.append(_parse_term(equation, start, stop, f"operand {len(terms)}"))
        if comma < 0:
            break
        if len(terms) >= count:
            raise _error("fewer operands were provided than specified in the equation")
        start = comma + 1
    if len(terms) != count:
        raise _error("more operands were provided than specified in the equation")
    output = None if arrow < 0 else _parse_term(equation, arrow + 2, len(equation), "output")
    return terms, output


def _sizes(terms: list, operands: tuple):
    """Each subscript's size (checked as PyTorch's: repeats equal, operands broadcast), the ellipsis's
    dims, and each operand's subscripts with its ellipsis spelt out as ints (aligned to the right)."""
    ellipsis_dims = 0
    for index, (labels, t) in enumerate(zip(terms, operands)):
        named = len(labels) - (_ELLIPSIS in labels)
        if _ELLIPSIS in labels:
            if named > t.ndim:
                raise _error(f"the number of subscripts in the equation ({named}) is more than the number of "
                             f"dimensions ({t.ndim}) for operand {index}")
            ellipsis_dims = max(ellipsis_dims, t.ndim - named)
        elif named != t.ndim:
            raise _error(f"the number of subscripts in the equation ({named}) does not match the number of "
                         f"dimensions ({t.ndim}) for operand {index} and no ellipsis was given")
    sizes: dict = {}
    expanded = []
    for index, (labels, t) in enumerate(zip(terms, operands)):
        if _ELLIPSIS in labels:
            at = labels.index(_ELLIPSIS)
            own = t.ndim - len(labels) + 1
            labels = labels[:at] + list(range(ellipsis_dims - own, ellipsis_dims)) + labels[at + 1:]
        seen: dict = {}
        for label, size in zip(labels, t._data.shape):
            if label in seen and seen[label] != size:
                raise _error(f"subscript {label} is repeated for operand {index} but the sizes don't match, "
                             f"{size} != {seen[label]}")
            seen[label] = size
        for dim, (label, size) in enumerate(seen.items()):
            previous = sizes.get(label, 1)
            if size != previous and size != 1 and previous != 1:
                raise _error(f"subscript {label} has size {size} for operand {index} which does not broadcast "
                             f"with previously seen size {previous}" if isinstance(label, str) else
                             f"dimension {dim} covered by ellipsis in operand {index}has size {size} which does not "
                             f"broadcast with previously seen ellipsis with size {previous} for the respective "
                             "dimension")
            sizes[label] = size if previous == 1 else previous
        expanded.append(labels)
    return sizes, ellipsis_dims, expanded


def _output(terms: list, output, ellipsis_dims: int) -> list:
    """The output's subscripts (ellipsis dims as ints), explicit or PyTorch's implicit order."""
    named = [label for labels in terms for label in labels if label != _ELLIPSIS]
    if output is None:
        once = sorted(label for label in set(named) if named.count(label) == 1)
        return list(range(ellipsis_dims)) + once
    result: list = []
    for label in output:
        if label == _ELLIPSIS:
            result.extend(range(ellipsis_dims))
            continue
        if label in result:
            raise _error(f"output subscript {label} appears more than once in the output")
        if label not in named:
            raise _error(f"output subscript {label} does not appear in the equation for any input operand")
        result.append(label)
    return result


def _aligned(t: Tensor, labels: list, order: list) -> Tensor:
    """`t` with its repeated subscripts reduced to their diagonal, size-1 dims for the subscripts of
    `order` it lacks, permuted to `order`."""
    labels = list(labels)
    for label in order:
        while labels.count(label) > 1:
            first = labels.index(label)
            second = labels.index(label, first + 1)
            t = shape.diagonal(t, 0, first, second)
            labels = [x for i, x in enumerate(labels) if i not in (first, second)] + [label]
    for label in order:
        if label not in labels:
            t = views.unsqueeze(t, -1)
            labels.append(label)
    return views.permute(t, [labels.index(label) for label in order])


def _sum_product(left: Tensor, right: Tensor, sum_dims: list) -> Tensor:
    """sum(left * right) over `sum_dims` (sizes > 1 in both), keeping them as size 1: one bmm over the dims
    both share (batch), the left's own, the summed ones and the right's own."""
    both, left_only, right_only = [], [], []
    for d in range(left.ndim):
        if d in sum_dims:
            continue
        if left._data.shape[d] != 1 and right._data.shape[d] != 1:
            both.append(d)
        elif left._data.shape[d] != 1:
            left_only.append(d)
        else:
            right_only.append(d)

    def size(t, dims):
        return math.prod(t._data.shape[d] for d in dims)
    out_shape = ([left._data.shape[d] for d in both + left_only] + [1] * len(sum_dims)
                 + [right._data.shape[d] for d in right_only])
    left_order = both + left_only + sum_dims + right_only
    left3 = views.reshape(views.permute(left, left_order), size(left, both), size(left, left_only),
                          size(left, sum_dims))
    right3 = views.reshape(views.permute(right, both + sum_dims + right_only + left_only), size(right, both),
                           size(right, sum_dims), size(right, right_only))
    product = views.view(linalg.bmm(left3, right3), tuple(out_shape))
    return views.permute(product, [left_order.index(d) for d in range(left.ndim)])


def _fold(operands: list, kept: int) -> Tensor:
    """The product of the aligned operands, their dims from `kept` on (contracted) reduced to size 1."""
    result = operands[0]
    for i in range(1, len(operands)):
        other = operands[i]
        later = operands[i + 1:]
        sum_dims, result_dims, other_dims = [], [], []
        for d in range(kept, result.ndim):
            if any(t._data.shape[d] != 1 for t in later):
                continue
            big_result, big_other = result._data.shape[d] != 1, other._data.shape[d] != 1
            if big_result and big_other:
                sum_dims.append(d)
            elif big_result:
                result_dims.append(d)
            elif big_other:
                other_dims.append(d)
        if result_dims:
            result = reduction.sum(result, result_dims, keepdim=True)
        if other_dims:
            other = reduction.sum(other, other_dims, keepdim=True)
        result = _sum_product(result, other, sum_dims) if sum_dims else pointwise.mul(result, other)
    return result


def _from_sublists(args: tuple):
    """(equation, operands) of PyTorch's sublist form: op, [0, 1], op, [1, 2], ..., [0, 2]."""
    def term(sublist) -> str:
        if not isinstance(sublist, (list, tuple)):
            raise TypeError(f"einsum(): expected a list of subscripts, got {type(sublist).__name__}")
        letters = []
        for s in sublist:
            if s is Ellipsis:
                letters.append(_ELLIPSIS)
            elif isinstance(s, int) and 0 <= s < len(_SUBLIST_LETTERS):
                letters.append(_SUBLIST_LETTERS[s])
            else:
                raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")
        return "".join(letters)
    pairs = len(args) // 2
    equation = ",".join(term(args[2 * i + 1]) for i in range(pairs))
    if len(args) % 2:
        equation += "->" + term(args[-1])
    return equation, tuple(args[2 * i] for i in range(pairs))


@profiled("aten::einsum")
def einsum(*args):
    """Sum of products over the subscripts of `equation` (``einsum("ij,jk->ik", a, b)``), with
    ellipses, implicit output, repeated subscripts (diagonals) and broadcasting as PyTorch's."""
    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one operand, or at least one "
                         "operand and its subscripts list")
    if isinstance(args[0], Tensor):
        equation, operands = _from_sublists(args)
    else:
        equation, operands = args[0], args[1:]
        if not isinstance(equation, str):
            raise TypeError(f"einsum(): argument 'equation' (position 1) must be str, not {type(equation).__name__}")
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):  # einsum("ij,jk", [a, b])
            operands = tuple(operands[0])
    for index, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {index} in argument 1, but got {type(t).__name__}")
    terms, output = _parse(equation, len(operands))
    sizes, ellipsis_dims, expanded = _sizes(terms, operands)
    out = _output(terms, output, ellipsis_dims)
    contracted = sorted((label for label in sizes if label not in out), key=str)
    order = out + contracted
    aligned = [_aligned(t, labels, order) for t, labels in zip(operands, expanded)]
    if len(aligned) == 1:
        result = aligned[0]
        return reduction.sum(result, list(range(len(out), len(order)))) if contracted else result
    result = _fold(aligned, len(out))
    return views.view(result, tuple(result._data.shape[:len(out)])) if contracted else result
