#!/usr/bin/env bash
# The ready GPU run (the rehearsal issue): on a machine with an NVIDIA GPU and the project's ranges of JAX installed,
# in the checkout's root, it finishes within GPU_CHECK_SECONDS (default 540 s) and writes small result files into
# OUT_DIR, each step's wall time in summary.txt:
#   env.json        the environment line (device, nvidia-smi, versions, commit)
#   wrn_epoch.json  one WRN-28-10 epoch at batch 1024 (batch norm per 128 images, as the paper preset): step time,
#                   XLA's FLOPs and memory
#   bench.json      make bench (ours against PyTorch eager per model; a vmapped grid against a Python loop of runs)
#   bench_paper.json the same for the paper's models (CNN-300, WRN-28-10 at batch 128)
#   fc_paper.tar.gz the FC chapter's paper-preset results as far as they got (finished grids only; make book
#                   PRESET=paper reuses them once copied into results/paper/)
#   log.txt         every step's output
# usage: tools/gpu_check.sh OUT_DIR [--quick]   (--quick: small sizes and the smoke preset, to try it on a CPU)
# Python: $PYTHON (default python3), with the checkout's src/ on PYTHONPATH (no install needed). MNIST: $REPLICATION_DATA.
# Carried wheels: if .whl/ holds flax/optax wheels and the installed ones are outside pyproject.toml's ranges, they
# are installed into a temporary folder first.
set -u
OUT=${1:?usage: tools/gpu_check.sh OUT_DIR [--quick]}
QUICK=${2:-}
case "$QUICK" in "" | --quick) ;; *) echo "tools/gpu_check.sh: unknown option $QUICK (only --quick)"; exit 2 ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3}
BUDGET=${GPU_CHECK_SECONDS:-540}
START=$(date +%s)
mkdir -p "$OUT"
WORK=$(mktemp -d)
export PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 REPLICATION_RESULTS="$WORK/results"
cd "$ROOT" || exit 1

left() { echo $((BUDGET - ($(date +%s) - START))); }
# step NAME LIMIT_SECONDS COMMAND...: run with a time limit (SIGINT, then SIGKILL 20 s later), output into log.txt
step() {
  local name=$1 limit=$2 t rc
  shift 2
  if [ "$limit" -lt 10 ]; then echo "$name: skipped (${limit} s left)" | tee -a "$OUT/summary.txt"; return; fi
  t=$(date +%s)
  echo "=== $name (limit ${limit} s): $*" >>"$OUT/log.txt"
  timeout --signal=INT --kill-after=20 "$limit" "$@" >>"$OUT/log.txt" 2>&1
  rc=$?
  echo "$name: rc $rc, $(($(date +%s) - t)) s$([ $rc = 124 ] && echo ' (stopped at its limit)')" | tee -a "$OUT/summary.txt"
}

echo "gpu_check $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown) budget ${BUDGET} s" \
  | tee "$OUT/summary.txt"
: >"$OUT/log.txt"

# flax/optax inside our ranges, else the carried wheels (pure Python) in a temporary folder
if ! "$PY" - <<'EOF' >>"$OUT/log.txt" 2>&1; then
import sys
from importlib.metadata import version
from packaging.version import Version as V
# flax 0.12.8/0.12.9 do not import with jax >= 0.11.1 (Python >= 3.12); 0.12.11 is yanked
floor = V("0.12.8" if sys.version_info < (3, 12) else "0.12.10")
ok = floor <= V(version("flax")) < V("0.14") and version("flax") != "0.12.11"
ok = ok and V("0.2.8") <= V(version("optax")) < V("0.3")
print(f"installed flax {version('flax')}, optax {version('optax')}: {'inside' if ok else 'outside'} our ranges")
raise SystemExit(0 if ok else 1)
EOF
  if ls .whl/*.whl >/dev/null 2>&1; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$WORK/site" .whl/*.whl \
      >>"$OUT/log.txt" 2>&1 && export PYTHONPATH="$PYTHONPATH:$WORK/site" && echo "carried wheels installed" \
      | tee -a "$OUT/summary.txt"
  fi
fi

if [ -n "$QUICK" ]; then
  WRN=(--depth 10 --widen 1 --image 14 --batch 64 --bn-group 32 --steps 2 --train-images 1000)
  BENCH=(--rows fc --repeats 1)
  BENCH_PAPER=(--rows cnn8 --repeats 1)
  PRESET=smoke
else
  WRN=()
  BENCH=(--repeats 3)
  BENCH_PAPER=(--rows cnn300,wrn28 --repeats 3)
  PRESET=paper
fi

# min(cap, what is left after keeping `keep` seconds for the steps after it)
limit() { local cap=$1 keep=$2 l=$(($(left) - $2)); echo $((l < cap ? l : cap)); }
step env 60 "$PY" tools/gpu_check.py env --out "$OUT/env.json"
step wrn_epoch "$(limit 170 300)" "$PY" tools/gpu_check.py wrn-epoch --out "$OUT/wrn_epoch.json" "${WRN[@]}"
step bench "$(limit 120 150)" "$PY" benchmarks/bench_engine.py --out "$OUT/bench.json" "${BENCH[@]}"
step bench_paper "$(limit 120 90)" "$PY" benchmarks/bench_engine.py --out "$OUT/bench_paper.json" "${BENCH_PAPER[@]}"
step "fc_mnist_$PRESET" "$(($(left) - 25))" "$PY" -m replication.experiments fc_mnist --preset $PRESET --seed 0

# finished grids and headlines only (a checkpoint of the paper grid is hundreds of MB)
if [ -d "$WORK/results/$PRESET" ]; then
  tar -C "$WORK/results" -czf "$OUT/fc_$PRESET.tar.gz" --exclude=checkpoints "$PRESET"
  echo "results: $(tar -tzf "$OUT/fc_$PRESET.tar.gz" | grep -c '\.json$') files in fc_$PRESET.tar.gz" | tee -a "$OUT/summary.txt"
fi
echo "total: $(($(date +%s) - START)) s" | tee -a "$OUT/summary.txt"
rm -rf "$WORK"
