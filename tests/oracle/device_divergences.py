"""The oracle tests that cannot or do not yet hold on a device other than the CPU (EMBER_DEFAULT_DEVICE).

CPU_ONLY: "module::test" -> why the test is about CPU-only semantics (PyTorch's own results differ on an
accelerator too): skipped there. CPU_RESULTS: device type -> {"module", "module::test" or
"module::test[params]": why}, tests of PyTorch's CPU results that its own kernels on that device do not give
either: skipped there. KNOWN: device type -> {"module::test[params]": the divergence}, where ember on that
device differs from PyTorch's kernels there (bugs still to fix, or properties of the array library it runs
on): strict xfails, so a fix shows up as an unexpected pass to remove from here.
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

# cupy compiles every kernel with -ftz=true (cupy/cuda/compiler.py appends it after the caller's options, and
# NVRTC takes the last): float32 subnormals read and written by arithmetic and comparisons are zero on cuda, where
# PyTorch's CUDA kernels keep them (README of ember-cuda, "Where ember-cuda differs from PyTorch's CUDA")
_FTZ = "cupy's -ftz=true: float32 subnormals flush to zero"
_IGAMMA = ("cupyx.scipy.special's gammainc/gammaincc, not PyTorch's Cephes-based igamma: float64 values 1e-9 apart, "
           "more near underflow")
_FTZ_TESTS = (
    *(f"test_oracle_math_ops.py::test_unary_special_values_match_torch[{op}-float32]" for op in ("deg2rad", "rad2deg")),
    *(f"test_oracle_math_ops.py::test_binary_special_values_match_torch[{op}-float32]"
      for op in ("fmax", "fmin", "nextafter")),
    "test_oracle_math_ops.py::test_nextafter_in_place_steps_one_ulp_each_way[float32]",
    "test_oracle_math_ops.py::test_frexp_is_exact[float32]",
    *(f"test_oracle_lerp_rounding.py::{test}[float32 special values{weight}]"
      for test in ("test_lerp_is_bitwise_pytorchs_at_its_default_capability",
                   "test_composed_lerp_without_the_kernel_is_bitwise_pytorchs")
      for weight in ("", ", weight 0.0", ", weight 0.25", ", weight 1.0", ", weight -1.0", ", weight 2.0")),
    "test_differential.py::test_program_behaves_as_in_pytorch[70]",  # copy_ of 1.4e-45 into bool
    "test_differential.py::test_program_behaves_as_in_pytorch[185]",  # where(x > 0, ...) at 1.4e-45
)

_IGAMMA_TESTS = (
    *(f"test_oracle_igamma.py::test_float64_values_on_a_grid_with_the_edges[{op}]" for op in ("igamma", "igammac")),
    *(f"test_oracle_igamma_chunks.py::test_float64_over_many_chunks[{op}]" for op in ("igamma", "igammac")),
    "test_oracle_igamma.py::test_cdf_values_and_gradients[Gamma]",
)

KNOWN: dict[str, dict[str, str]] = {"opencl": {}, "cuda": {
    **dict.fromkeys(_FTZ_TESTS, _FTZ), **dict.fromkeys(_IGAMMA_TESTS, _IGAMMA),
}, "cudasim": {}}

_CPU_ORDER = ("PyTorch's CPU kernels' order of accumulation; its CUDA scans and reductions run in parallel, in "
              "another order (as cupy's)")
CPU_RESULTS: dict[str, dict[str, str]] = {"cuda": {
    "test_oracle_sorting.py::test_running_sums_accumulate_as_pytorch_does": _CPU_ORDER,
    "test_oracle_special_more.py::test_zeta_values_on_a_grid_with_the_edges":
        "composed of pow and exp, which CUDA's math library rounds otherwise than the CPU's libm (1.75e-12 apart "
        "where the test allows 1e-12)",
    "test_differential.py::test_program_behaves_as_in_pytorch[230]":
        "inf.long(): x86's conversion gives the most negative int64, CUDA's saturates to the largest (PyTorch's "
        "CUDA tensors too)",
    **{f"test_differential.py::test_known_divergence_still_reproduces[{signature}]":
       "the known divergences are those of the CPU's BLAS (numpy's against PyTorch's); cuBLAS rounds otherwise"
       for signature in ("matmul: @ | value of result: torch nan, ember -inf",
                         "matmul: matmul | value of result: torch 0, ember finite")},
}}

# What tests/cudasim.py (the CUDA backend's kernels over numpy, CI's stand-in for a GPU) cannot show: device
# type -> {"module", "module::test" or "module::test[params]": why}; those tests skip there.
_AUTOCAST = "autocast knows the device types PyTorch has; the stand-in's type is cudasim"
_FUSED = "the fused CUDA C kernels (adam_step) run on a GPU only; the stand-in has the array-library kernels"
STAND_IN: dict[str, dict[str, str]] = {"cudasim": {
    "test_oracle_amp.py": _AUTOCAST,
    "test_oracle_checkpoint.py": f"{_AUTOCAST} (checkpoint saves and restores the device's autocast state)",
    "test_oracle_saved_tensor_hooks.py::test_hooks_around_a_checkpoint_see_its_inputs_not_what_it_recomputes":
        f"{_AUTOCAST} (through checkpoint)",
    **{f"test_oracle_mixed_norm.py::{name}": _AUTOCAST for name in (
        "test_pads_under_autocast_follow_the_device_types_list",
        "test_norms_under_autocast_follow_the_device_types_list",
        "test_a_conv_and_batch_norm_model_steps_under_autocast_as_torch")},
    **{f"test_oracle_optimizers.py::test_trajectory_matches_torch[Adam-8-lr=0.01,amsgrad=True,fused=True-{dtype}]":
       _FUSED for dtype in ("float32", "float64")},
    "test_oracle_optimizers.py::test_state_dict_round_trip_continues_the_trajectory": _FUSED,
    "test_oracle_lerp_rounding.py::test_adam_kernel_lerp_step_is_bitwise_pytorchs": _FUSED,
    "test_oracle_api_breadth.py::test_accelerator_queries_on_this_machine":
        "a CPU-only install: the stand-in registers itself again after every plugin reset",
    "test_oracle_fuzz_fixes.py::test_neg_into_a_strided_view_is_pytorchs":
        "numpy 2.4's np.negative writes wrong values into some strided outputs (the CPU backend works around it; "
        "cupy has no such bug)",
    "test_oracle_fuzz_fixes.py::test_program_matches_torch[-inf and -0. to a broadcast tensor 0.5]":
        "numpy's power takes x ** 0.5 as sqrt (nan at -inf, -0. at -0.); cupy's is C's pow, as PyTorch's",
}}
