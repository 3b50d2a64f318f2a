#!/usr/bin/env bash
# Optional: Debian's PyTorch, so `npm run bench` can time ../shared/bench/torch_reference.py in the same run
# and print ours/PyTorch ratios. Nothing else in rrm needs it.
set -euo pipefail
# OpenBLAS matters: without it Debian's torch falls back to the reference BLAS and runs ~10x slower,
# which would make every ratio look better than it is.
if /usr/bin/python3 -c 'import torch' 2>/dev/null && [ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  echo "python3-torch and OpenBLAS already installed"
  exit 0
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-torch libopenblas0-pthread
