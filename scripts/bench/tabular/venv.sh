#!/usr/bin/env bash
# The Python side of the tabular bench and of the NumPy/Parquet test fixtures: a project-local venv
# (git-ignored, .venv/tabular) with pinned scikit-learn, NumPy and pyarrow from PyPI. Idempotent.
#
#   scripts/bench/tabular/venv.sh           create or update the venv; prints its python's path
#
# Env: TABULAR_PYTHON (python3.11).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
VENV="$REPO/.venv/tabular"
PYTHON="${TABULAR_PYTHON:-python3.11}"
REQUIREMENTS="$REPO/scripts/bench/tabular/requirements.txt"

log() { echo "[tabular-venv] $*" >&2; }

if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating $VENV with $PYTHON"
  "$PYTHON" -m venv "$VENV"
fi
log "pip install -r ${REQUIREMENTS#"$REPO/"} (a no-op when already satisfied)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
echo "$VENV/bin/python"
