#!/usr/bin/env bash
# The Python peers of `npm run bench -- core` (PyTorch CPU and numpy) in a project-local venv, .venv/bench.
#
#   npm run bench:peers      create .venv/bench and install torch + numpy from PyPI (skipped if present)
#
# PyPI's torch wheel depends on the CUDA libraries (≈ 3 GB): fine for a bench venv, never part of CI or
# `npm test`; the core bench runs the peers from here and says so when this venv is missing.
# Env: BENCH_PYTHON (python3.11).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$REPO/.venv/bench"
PYTHON="${BENCH_PYTHON:-python3.11}"

log() { echo "[bench:peers] $*" >&2; }

installed() {
  [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import torch, numpy' 2>/dev/null
}

if installed; then
  log "torch and numpy already installed in $VENV"
  exit 0
fi
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
log "creating $VENV and installing torch and numpy from PyPI (≈ 3 GB the first time)"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip >&2
"$VENV/bin/python" -m pip install --disable-pip-version-check -q torch numpy >&2
installed || { log "install failed"; exit 1; }
log "installed: $("$VENV/bin/python" -c 'import torch, numpy; print("torch", torch.__version__, "numpy", numpy.__version__)')"
