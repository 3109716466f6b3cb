"""The oracle tests that cannot or do not yet hold on a device other than the CPU (EMBER_DEFAULT_DEVICE).

CPU_ONLY: "module::test" -> why the test is about CPU-only semantics (PyTorch's own results differ on an
accelerator too): skipped there. KNOWN: device type -> {"module::test[params]": the divergence}, ember bugs
on that device still to fix: strict xfails, so a fix shows up as an unexpected pass to remove from here.
"""

_REPR = "the expected text is a CPU tensor's; PyTorch prints an accelerator tensor with its device suffix"
_LEGACY = "the legacy typed classes (FloatTensor...) are CPU types; PyTorch's device tensors are not instances"
_DLPACK = ("DLPack exchange with numpy and PyTorch's CPU tensors; opencl registers no DLPack kernels (no "
           "consumer here reads OpenCL memory)")

CPU_ONLY: dict[str, str] = {
    "test_oracle_api_breadth.py::test_format_of_0d_tensor": _REPR,
    "test_oracle_api_breadth.py::test_format_of_other_tensors": _REPR,
    "test_oracle_api_breadth.py::test_cpu_0_is_the_cpu": "adds a default-device tensor to a 'cpu:0' one",
    "test_oracle_api_breadth.py::test_bare_index_needs_an_accelerator":
        "checks PyTorch's error without an accelerator; the default device is one",
    "test_oracle_api_breadth.py::test_typed_constructor_isinstance_and_tensors": _LEGACY,
    "test_oracle_small_ints.py::test_printing_and_legacy_types_are_pytorchs": f"{_REPR}; {_LEGACY}",
    **{f"test_oracle_dlpack.py::{name}": _DLPACK for name in (
        "test_legacy_capsules_cross_both_ways", "test_a_capsule_is_consumed_once_as_in_pytorch",
        "test_cpu_stream_arguments_are_refused_as_in_pytorch",
        "test_legacy_to_dlpack_exports_a_tensor_requiring_grad_as_pytorch_does", "test_dlpack_device_matches_pytorch",
        "test_copy_true_exports_and_imports_a_copy", "test_capsule_with_device_or_copy_is_refused_as_in_pytorch")},
}

KNOWN: dict[str, dict[str, str]] = {"opencl": {
    'test_oracle_activations.py::test_values_dtypes_and_errors_are_pytorchs[gelu(approximate=tanh)-float32]':
        "float32 tanh-GELU differs from PyTorch's beyond the float32 tolerance (PoCL's tanh)",
    'test_oracle_activations.py::test_gradients_grad_fn_and_second_derivatives_are_pytorchs[gelu(approximate=tanh)-float32]':
        'float32 tanh-GELU gradients beyond the float32 tolerance',
    'test_oracle_activations.py::test_gradients_grad_fn_and_second_derivatives_are_pytorchs[mish()-float32]':
        'float32 mish gradients beyond the float32 tolerance',
    'test_oracle_activations.py::test_gradients_grad_fn_and_second_derivatives_are_pytorchs[tanhshrink()-float32]':
        'float32 tanhshrink gradients beyond the float32 tolerance',
    'test_oracle_activations.py::test_modules_are_pytorchs[Softmin(1,)]':
        "Softmin's float32 values beyond the float32 tolerance",
    'test_oracle_binary_registry.py::test_python_numbers_on_either_side_are_pytorchs[pow-bool-bool]':
        "bool ** True: opencl's pow kernel has no bool (PyTorch gives bool)",
    'test_oracle_elementwise.py::test_tensor_scalar_result_dtype_follows_torch_promotion[bool-True-x**s]':
        "bool ** True: opencl's pow kernel has no bool",
    'test_oracle_fused_kernels.py::test_cross_entropy_of_one_class_is_minus_zero_as_torchs':
        'cross-entropy of one class gives +0. where PyTorch gives -0.',
    'test_oracle_fuzz_fixes.py::test_program_matches_torch[nll_loss batch zero]':
        'nll_loss of an empty batch',
    'test_oracle_sorting.py::test_running_sums_accumulate_as_pytorch_does':
        "scan kernels accumulate float32 in another order than PyTorch's (beyond tolerance on long runs)",
    'test_oracle_stress_numerics.py::test_values_and_gradients_at_special_values_match_pytorch[bce(sigmoid)-float32]':
        "bce's deferred range check on the device counts NaN inputs as out of [0, 1]; the CPU's does not",
    'test_oracle_stress_numerics.py::test_values_and_gradients_at_special_values_match_pytorch[bce(sigmoid)-float64]':
        'as bce(sigmoid)-float32',
    'test_oracle_stress_numerics.py::test_values_and_gradients_at_special_values_match_pytorch[bce(sigmoid)-float16]':
        'as bce(sigmoid)-float32',
    'test_oracle_stress_numerics.py::test_ops_leak_no_runtime_warning_from_core':
        'the bce(sigmoid) range check above, raised at the synchronisation',
    'test_oracle_stress_numerics.py::test_special_value_suite_runs_with_warnings_as_errors':
        'the bce(sigmoid) range check above',
    'test_oracle_layout.py::test_advanced_indexing_result_strides_match_pytorchs[contiguous]':
        'a 0-d False mask beside other index tensors, and the layout of some advanced-indexing results',
    'test_oracle_layout.py::test_advanced_indexing_result_strides_match_pytorchs[permuted]':
        'a 0-d False mask beside other index tensors, and the layout of some advanced-indexing results',
    'test_oracle_layout.py::test_advanced_indexing_result_strides_match_pytorchs[reversed]':
        'a 0-d False mask beside other index tensors, and the layout of some advanced-indexing results',
    'test_oracle_layout.py::test_advanced_indexing_result_strides_match_pytorchs[gapped]':
        'a 0-d False mask beside other index tensors, and the layout of some advanced-indexing results',
    'test_oracle_layout.py::test_advanced_indexing_result_strides_match_pytorchs[size_one]':
        'a 0-d False mask beside other index tensors, and the layout of some advanced-indexing results',
    'test_oracle_layout.py::test_advanced_indexing_result_strides_match_pytorchs[transposed_2d]':
        'a 0-d False mask beside other index tensors, and the layout of some advanced-indexing results',
    'test_oracle_stress_errors.py::test_getitem_and_setitem_place_advanced_dims_as_pytorch[0]':
        'a 0-d False mask beside other index tensors (PyTorch broadcasts it as an empty index)',
    'test_oracle_stress_errors.py::test_getitem_and_setitem_place_advanced_dims_as_pytorch[1]':
        'a 0-d False mask beside other index tensors (PyTorch broadcasts it as an empty index)',
    'test_oracle_stress_errors.py::test_getitem_and_setitem_place_advanced_dims_as_pytorch[2]':
        'a 0-d False mask beside other index tensors (PyTorch broadcasts it as an empty index)',
    'test_oracle_stress_errors.py::test_getitem_and_setitem_place_advanced_dims_as_pytorch[3]':
        'a 0-d False mask beside other index tensors (PyTorch broadcasts it as an empty index)',
}}
