#!/usr/bin/env bash
# The GPU check (issue 13), one command on a machine with a GPU. UNVERIFIED: written without a GPU; no
# GPU machine has run it yet. On the project's GPU machine (../shared/GPU.md), from the repository root:
#
#   bash .gpu/setup.sh && . .gpu/env.sh && export PATH=$PWD/.gpu/node/bin:$PATH && bash tools/scripts/gpu-check.sh "$OUT"
#
# It runs (1) the webgpu tests with RRM_REQUIRE_GPU=1 (a missing adapter fails instead of skipping),
# (2) rrm train / evaluate / predict end to end on webgpu and on wasm with the same seed (dataset pattern
# and DDPG) and compares their final test sum rates, (3) the model benchmark (webgpu rows appear when the
# backend initialises), and writes everything under OUT (default gpu-check/) with a summary table.
set -uo pipefail
OUT=${1:-gpu-check}
mkdir -p "$OUT"
SUMMARY="$OUT/summary.md"
: > "$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }
status=0

say "# GPU check $(date -u +%FT%TZ) on $(hostname)"
say ""
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | sed 's/^/GPU: /' | tee -a "$SUMMARY"

say "## 1. webgpu tests"
if RRM_REQUIRE_GPU=1 npx vitest run packages/models-gnn/src/webgpu.test.ts > "$OUT/webgpu-tests.log" 2>&1; then say "passed"; else say "FAILED (see webgpu-tests.log)"; status=1; fi
grep -E "Tests|✓|×" "$OUT/webgpu-tests.log" | tail -8 >> "$SUMMARY"

say ""
say "## 2. end to end, same seed on wasm and webgpu"
say "| run | backend | final test sum rate | wall s |"
say "|---|---|---|---|"
e2e() {
  local name=$1; shift
  for backend in wasm webgpu; do
    local dir="$OUT/runs/$name-$backend" t0=$(date +%s.%N)
    if npx rrm train --force --backend "$backend" --out "$dir" "$@" > "$dir.log" 2>&1; then
      local rate=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$dir/summary.json','utf8')).finalTestSumRate.toFixed(5))")
      say "| $name | $backend | $rate | $(echo "$(date +%s.%N) - $t0" | bc | cut -c1-6) |"
    else
      say "| $name | $backend | FAILED (see runs/$name-$backend.log) | |"; status=1
    fi
  done
}
mkdir -p "$OUT/runs"
e2e uwgnn-k10 --config configs/uwgnn-k10.yaml --set data.train=2000 --set data.test=500 --set trainer.epochs=3
e2e gnn-k40 --set scenario.users=40 --set model.kind=gnn --set data.train=512 --set data.test=256 --set trainer.epochs=2 --set trainer.batch=512
e2e ad-ddpg-mlp-k10 --config configs/ad-ddpg-mlp-k10.yaml --set trainer.steps=100
npx rrm generate --channel rayleigh --users 50 --samples 2000 --seed 7 --out "$OUT/k50.npy" > /dev/null 2>&1
for backend in wasm webgpu; do
  if npx rrm evaluate --backend "$backend" --run "$OUT/runs/uwgnn-k10-$backend" --channels "$OUT/k50.npy" --json > "$OUT/evaluate-k50-$backend.json" 2> "$OUT/evaluate-k50-$backend.log"; then
    say "| evaluate K=50 (2 000 samples) | $backend | $(node -e "const r=JSON.parse(require('fs').readFileSync('$OUT/evaluate-k50-$backend.json','utf8'));console.log(r.mean.toFixed(5)+' ('+r.msPerSample.toFixed(4)+' ms/sample)')") | |"
  else say "| evaluate K=50 | $backend | FAILED | |"; status=1; fi
done

say ""
say "## 3. benchmark (ours, with webgpu rows when available; PyTorch CPU reference if installed)"
npm run bench -- --only models --json "$OUT/bench.json" > "$OUT/bench.log" 2>&1 || { say "bench FAILED (see bench.log)"; status=1; }
grep -E "webgpu" "$OUT/bench.log" | sed 's/^/    /' >> "$SUMMARY"
say ""
say "Not covered yet: a PyTorch CUDA reference of the same shapes (tools/reference/*.py time PyTorch on the CPU only)."
exit $status
