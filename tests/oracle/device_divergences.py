"""The oracle tests that cannot or do not yet hold on a device other than the CPU (EMBER_DEFAULT_DEVICE).

CPU_ONLY: "module::test" -> why the test is about CPU-only semantics (PyTorch's own results differ on an
accelerator too): skipped there. KNOWN: device type -> {"module::test[params]": the divergence}, ember bugs
on that device still to fix: strict xfails, so a fix shows up as an unexpected pass to remove from here.
"""

_REPR = "the expected text is a CPU tensor's; PyTorch prints an accelerator tensor with its device suffix"
_LEGACY = "the legacy typed classes (FloatTensor...) are CPU types; PyTorch's device tensors are not instances"
_DLPACK = ("DLPack exchange with numpy and PyTorch's CPU tensors; opencl registers no DLPack kernels (no "
           "consumer here reads OpenCL memory)")

_CPU_STREAM = ("PyTorch's CPU generator streams (mt19937); other devices draw from their own (PyTorch's CUDA "
               "Philox is not reproduced): test_other_devices_stay_seeded checks those")

CPU_ONLY: dict[str, str] = {
    "test_oracle_memory_format.py::test_dropout_of_a_channels_last_input_draws_pytorchs_mask": _CPU_STREAM,
    "test_oracle_api_breadth.py::test_format_of_0d_tensor": _REPR,
    "test_oracle_api_breadth.py::test_format_of_other_tensors": _REPR,
    "test_oracle_api_breadth.py::test_cpu_0_is_the_cpu": "adds a default-device tensor to a 'cpu:0' one",
    "test_oracle_api_breadth.py::test_bare_index_needs_an_accelerator":
        "checks PyTorch's error without an accelerator; the default device is one",
    "test_oracle_api_breadth.py::test_typed_constructor_isinstance_and_tensors": _LEGACY,
    "test_oracle_small_ints.py::test_printing_and_legacy_types_are_pytorchs": f"{_REPR}; {_LEGACY}",
    "test_oracle_sorting.py::test_named_tuples_print_as_pytorchs": _REPR,
    "test_oracle_prune.py::test_random_pruning_draws_pytorchs_masks_from_the_same_seed":
        "RandomStructured draws from the default device's generator (PyTorch's torch.rand(n) too); the masks are "
        "PyTorch's CPU ones when that device is the CPU",
    **{f"test_oracle_dlpack.py::{name}": _DLPACK for name in (
        "test_legacy_capsules_cross_both_ways", "test_a_capsule_is_consumed_once_as_in_pytorch",
        "test_cpu_stream_arguments_are_refused_as_in_pytorch",
        "test_legacy_to_dlpack_exports_a_tensor_requiring_grad_as_pytorch_does", "test_dlpack_device_matches_pytorch",
        "test_copy_true_exports_and_imports_a_copy", "test_capsule_with_device_or_copy_is_refused_as_in_pytorch",
        "test_data_ptr_addresses_the_first_element_as_pytorchs")},
    **{f"test_oracle_rng.py::{name}": _CPU_STREAM for name in (
        "test_default_generator_draws_equal_pytorchs", "test_large_draws_equal_pytorchs",
        "test_small_shapes_draw_as_pytorchs", "test_draws_are_laid_out_as_pytorchs",
        "test_generator_objects_draw_as_pytorchs_and_leave_the_default_alone",
        "test_unseeded_generators_start_from_pytorchs_default_seed", "test_state_layout_and_round_trips",
        "test_fork_rng_restores_the_stream", "test_nn_init_equals_pytorchs", "test_training_setup_equals_pytorchs",
        "test_dropout_masks_equal_pytorchs", "test_random_split_and_sampler_orders_equal_pytorchs",
        "test_distribution_samples_equal_pytorchs", "test_gamma_and_poisson_draws_equal_pytorchs",
        "test_fills_of_non_contiguous_tensors_follow_memory_order_as_pytorchs", "test_binomial_draws_equal_pytorchs")},
}

KNOWN: dict[str, dict[str, str]] = {"opencl": {}}
