"""Writes that read memory they overwrite (PyTorch's memory-overlap checks), with PyTorch 2.13's outcomes
hard-coded; tests/oracle/test_oracle_overlap.py compares thousands of such writes with torch itself."""

from __future__ import annotations

import warnings

import pytest

import ember

SHARED = "some elements of the input tensor and the written-to tensor refer to a single memory location"
INTERNAL = "more than one element of the written-to tensor refers to a single memory location"


def test_storage_offset_counts_elements_from_the_start_of_the_storage():
    x = ember.zeros(3, 4)
    assert (x.storage_offset(), x[1:, 2:].storage_offset(), x[1:, 2:].t().storage_offset()) == (0, 6, 6)
    assert (x[2].expand(2, 4).storage_offset(), x.view(-1)[5:][::2][1].storage_offset()) == (8, 7)


REFUSED = {
    "v[1:].sub_(v[:-1])": lambda v: v[1:].sub_(v[:-1]),
    "v.add_(v[0])": lambda v: v.add_(v[0]),  # a 0-d element of the output
    "v[:4].copy_(v[2:6])": lambda v: v[:4].copy_(v[2:6]),
    "v[1:] = v[:-1]": lambda v: v.__setitem__(slice(1, None), v[:-1]),
    "v.view(2, 3).mul_(v.view(3, 2).t())": lambda v: v.view(2, 3).mul_(v.view(3, 2).t()),  # same memory, reordered
    "v[[0, 1, 2]] = v[3:]": lambda v: v.__setitem__(ember.tensor([0, 1, 2]), v[3:]),  # index_put_: any overlap
}
REFUSED_OUT = {  # out= refuses tensors that require grad: these run untracked only
    "add(v[:3], 1, out=v[1:4])": lambda v: ember.add(v[:3], 1, out=v[1:4]),
    "cat([v[:3]], out=v[:3])": lambda v: ember.cat([v[:3]], out=v[:3]),
}
CASES = [(name, False) for name in {**REFUSED, **REFUSED_OUT}] + [(name, True) for name in REFUSED]


@pytest.mark.parametrize(("name", "tracked"), CASES)
def test_a_write_reading_part_of_its_own_memory_is_refused_before_any_change(name, tracked):
    write = {**REFUSED, **REFUSED_OUT}[name]
    v = ember.arange(6.0)
    if tracked:
        v = v.requires_grad_() * 1
    with pytest.raises(RuntimeError, match=SHARED):
        write(v)
    assert v.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


@pytest.mark.parametrize(("write", "expected"), [
    (lambda v: v[:3].add_(v[3:]), [3.0, 5.0, 7.0, 3.0, 4.0, 5.0]),        # disjoint
    (lambda v: v.add_(v.view(2, 3).view(6)), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]),  # the same elements
    (lambda v: v[::2].add_(v[1::2]), [1.0, 1.0, 5.0, 3.0, 9.0, 5.0]),     # strided: too hard to judge
    (lambda v: v.fill_(v[5]), [5.0] * 6),                                  # a 0-d value is read first
    (lambda v: v.masked_fill_(v > 2, v[0]), [0.0, 1.0, 2.0, 0.0, 0.0, 0.0]),
    (lambda v: v.__setitem__(slice(1, 5), v[0]), [0.0] * 5 + [5.0]),
    (lambda v: v[None].__setitem__(Ellipsis, v), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]),  # expanded: the same
])
def test_writes_pytorch_allows_are_done(write, expected):
    v = ember.arange(6.0)
    write(v)
    assert v.tolist() == expected


def test_copy_onto_the_same_elements_is_allowed_even_into_a_broadcast_view():
    x = ember.arange(6.0).view(2, 3)
    x[1].expand(2, 3).copy_(x[1].expand(2, 3))
    v = ember.arange(2.0)
    with pytest.raises(RuntimeError, match=SHARED):  # copy_ compares the source as it is, not expanded
        v[None].copy_(v)


def test_broadcast_views_refuse_writes_except_fills_masked_fills_and_index_puts():
    e = ember.zeros(3).expand(2, 3)
    for write in (lambda: e.add_(1), lambda: e.copy_(ember.ones(2, 3)), lambda: e.__setitem__(slice(None), 1.0),
                  lambda: ember.add(ember.ones(2, 3), 1, out=e), lambda: e.uniform_(),
                  lambda: e.fill_(ember.tensor(1.0))):
        with pytest.raises(RuntimeError, match=INTERNAL):
            write()
    e.zero_()
    e.fill_(2.0)
    with pytest.warns(UserWarning, match="Use of masked_fill_ on expanded tensors is deprecated"):
        e.masked_fill_(ember.ones(2, 3, dtype=ember.bool), 3.0)
    with pytest.warns(UserWarning, match="Use of index_put_ on expanded tensors is deprecated") as caught:
        e[ember.tensor([1])] = 4.0
    assert caught[0].filename == __file__  # the warning names the user's line
    assert e.tolist() == [[4.0, 4.0, 4.0]] * 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e[0] = 5.0  # a row of a broadcast view has no repeated element
