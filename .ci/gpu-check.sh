#!/usr/bin/env bash
# ember on a machine with an NVIDIA GPU (the device tool's machine, say; never part of CI): installs this checkout
# without dependencies (the machine brings cupy, numpy, pluggy, pytest, pytest-xdist and torch), runs the CUDA tests,
# the kit and the seeds/oracle tests on cuda side by side, then the CUDA benchmarks alone. Full logs go to $OUT (or
# ./gpu-check); a summary is printed last. Each phase is cut by SIGINT at its limit, so pytest still reports.
#   PHASE_S=240 BENCH_S=150 bash .ci/gpu-check.sh
set -u
cd "$(dirname "$0")/.."
out=${OUT:-gpu-check}
mkdir -p "$out"
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0  # xdist's workers must collect alike
phase=${PHASE_S:-240}
{
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
    python3 -c "import sys, numpy, cupy, torch; print(sys.version.split()[0], 'numpy', numpy.__version__,
        'cupy', cupy.__version__, 'torch', torch.__version__)"
    python3 -m pip install -q --no-deps --no-build-isolation --no-index -e packages/core -e packages/backend-cpu \
        -e packages/backend-cuda
    python3 -c "import ember; print('ember cuda:', ember.cuda.is_available(), ember.cuda.get_device_name(0))"
} > "$out/env.log" 2>&1
cat "$out/env.log"
pytest=(timeout -s INT -k 60 "$phase" python3 -m pytest -p no:cacheprovider --timeout=120 -q -rfE --tb=short)
"${pytest[@]}" -n 3 tests/test_cuda_*.py > "$out/cuda-tests.log" 2>&1 &
"${pytest[@]}" -n 5 --pyargs ember.testing --ember-device=cuda > "$out/kit.log" 2>&1 &
EMBER_DEFAULT_DEVICE=cuda "${pytest[@]}" -n 7 tests/seeds tests/oracle tests/test_example.py > "$out/oracle.log" 2>&1 &
wait
OMP_WAIT_POLICY=PASSIVE timeout -s INT "${BENCH_S:-150}" python3 benchmarks/run_cuda.py --repeat 7 \
    --json "$out/bench.json" > "$out/bench.log" 2>&1
for log in cuda-tests kit oracle; do
    echo "== $log"
    grep -E "^(FAILED|ERROR)" "$out/$log.log" | sed -E 's/\[.*//; s/ - .*//' | sort | uniq -c | sort -rn | head -20
    tail -n 1 "$out/$log.log"
done
cat "$out/bench.log"
