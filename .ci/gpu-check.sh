#!/usr/bin/env bash
# ember on a machine with an NVIDIA GPU (the device tool's machine, say; never part of CI): installs this checkout
# without dependencies (the machine brings cupy, numpy, pluggy, pytest, pytest-xdist and torch), runs the CUDA tests
# beside the kit on cuda, then the seeds/oracle tests on cuda, then the CUDA benchmarks alone. Full logs go to $OUT
# (or ./gpu-check), each failure's traceback to <phase>.failures as it happens (.ci/failure_log.py); a summary is
# printed last. Each phase is cut by SIGINT at its limit (seconds), so pytest still reports what it can.
#   KIT_S=130 ORACLE_S=250 BENCH_S=120 bash .ci/gpu-check.sh
set -u
cd "$(dirname "$0")/.."
out=${OUT:-gpu-check}
mkdir -p "$out"
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0  # xdist's workers must collect alike
{
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
    python3 -c "import sys, numpy, cupy, torch; print(sys.version.split()[0], 'numpy', numpy.__version__,
        'cupy', cupy.__version__, 'torch', torch.__version__)"
    python3 -m pip install -q --no-deps --no-build-isolation --no-index -e packages/core -e packages/backend-cpu \
        -e packages/backend-cuda
    python3 -c "import ember; print('ember cuda:', ember.cuda.is_available(), ember.cuda.get_device_name(0))"
} > "$out/env.log" 2>&1
cat "$out/env.log"
export PYTHONPATH=$PWD/.ci${PYTHONPATH:+:$PYTHONPATH}
phase() {  # phase LIMIT_S NAME ARGS...: one phase, its log and its failures under $out
    FAILURE_LOG="$out/$2.failures" timeout -s INT -k 30 "$1" python3 -m pytest -p no:cacheprovider -p failure_log \
        --timeout=120 -q -rfE --tb=short "${@:3}" > "$out/$2.log" 2>&1
}
phase "${KIT_S:-130}" cuda-tests -n 3 tests/test_cuda_*.py &
phase "${KIT_S:-130}" kit -n 12 --pyargs ember.testing --ember-device=cuda &
wait
echo "[${SECONDS}s] CUDA tests and kit done"
EMBER_DEFAULT_DEVICE=cuda phase "${ORACLE_S:-250}" oracle -n 15 tests/seeds tests/oracle tests/test_example.py
echo "[${SECONDS}s] oracle done"
if [ "${BENCH_S:-120}" != 0 ]; then  # BENCH_S=0: no benchmarks
    OMP_WAIT_POLICY=PASSIVE timeout -s INT "${BENCH_S:-120}" python3 benchmarks/run_cuda.py --repeat 5 \
        --json "$out/bench.json" > "$out/bench.log" 2>&1
fi
for log in cuda-tests kit oracle; do
    echo "== $log"
    [ -f "$out/$log.failures" ] && grep "^===== " "$out/$log.failures" | sed -E 's/^===== //; s/\[.*//' | sort | uniq -c |
        sort -rn | head -40
    tail -n 1 "$out/$log.log"
done
[ -f "$out/bench.log" ] && cat "$out/bench.log"
