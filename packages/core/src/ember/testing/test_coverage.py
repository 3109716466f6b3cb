"""The kit itself: every kernel of the backend contract has a check in it.

These tests need no device, so they also run in a plain ``pytest`` of ember-core, and fail as soon as a
kernel is added to the contract without a conformance check.
"""
from __future__ import annotations

from ember.plugins import OPTIONAL_KERNELS, REQUIRED_KERNELS
from ember.testing import (
    test_creation,
    test_decomposition_kernels,
    test_dlpack_kernels,
    test_elementwise,
    test_factorization_kernels,
    test_indexing,
    test_lerp_kernel,
    test_matmul,
    test_optional_kernels,
    test_reductions,
    test_scatter,
    test_sorting,
    test_svd_kernel,
    test_view_dtype_kernel,
    test_views,
)

REQUIRED_CHECKS = (test_creation, test_views, test_elementwise, test_reductions, test_matmul, test_indexing,
                   test_sorting, test_scatter)


def test_every_required_kernel_has_a_check():
    checked = {name for module in REQUIRED_CHECKS for name in module.CHECKED_KERNELS}
    missing = [name for name in REQUIRED_KERNELS if name not in checked]
    assert not missing, f"the conformance kit does not check required kernels {missing}"


def test_every_optional_kernel_has_a_check():
    checked = (test_optional_kernels.CHECKED_KERNELS + test_dlpack_kernels.CHECKED_KERNELS
               + test_lerp_kernel.CHECKED_KERNELS + test_factorization_kernels.CHECKED_KERNELS
               + test_decomposition_kernels.CHECKED_KERNELS + test_svd_kernel.CHECKED_KERNELS
               + test_view_dtype_kernel.CHECKED_KERNELS)
    missing = [name for name in OPTIONAL_KERNELS if name not in checked]
    assert not missing, f"the conformance kit does not check optional kernels {missing}"
