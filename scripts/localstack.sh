#!/usr/bin/env bash
# LocalStack (S3 + SQS only) on the host, without Docker: a project-local venv and a background process.
#
#   scripts/localstack.sh install   create .venv/localstack and install localstack-core (skipped if present)
#   scripts/localstack.sh start     install if needed, start in the background, wait until healthy
#   scripts/localstack.sh stop      SIGTERM the process (SIGKILL after 20 s) and wait
#   scripts/localstack.sh status    print health JSON; exit 0 if running, 3 if not
#
# Env: LOCALSTACK_PORT (4566), LOCALSTACK_PYTHON (python3.11), LOCALSTACK_START_TIMEOUT (120 s).
# State under .localstack/: localstack.pid, localstack.log, fs/ (its FILESYSTEM_ROOT).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="4.13.1"
VENV="$REPO/.venv/localstack"
STATE="$REPO/.localstack"
PIDFILE="$STATE/localstack.pid"
LOGFILE="$STATE/localstack.log"
PORT="${LOCALSTACK_PORT:-4566}"
HEALTH="http://127.0.0.1:$PORT/_localstack/health"
PYTHON="${LOCALSTACK_PYTHON:-python3.11}"
# The dependency pins of LocalStack community 4.13.1's runtime: from ../shared on a dev/CI machine, else the
# identical copy kept in the repository. Unpinned, pip resolves a set whose plugin entry points LocalStack
# cannot load ("No component plugins found in namespace localstack.runtime.components").
CONSTRAINTS="$REPO/../shared/localstack/constraints-$VERSION.txt"
[[ -f "$CONSTRAINTS" ]] || CONSTRAINTS="$REPO/scripts/localstack-constraints-$VERSION.txt"

log() { echo "[localstack] $*" >&2; }

installed() {
  [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" - "$VERSION" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if version("localstack-core") == sys.argv[1] else 1)
PY
}

install() {
  if installed; then
    log "localstack-core $VERSION already installed in $VENV"
    return 0
  fi
  if ! command -v "$PYTHON" >/dev/null 2>&1; then
    PYTHON=python3
    log "python3.11 not found, using $(command -v python3) ($("$PYTHON" --version 2>&1))"
  fi
  log "creating $VENV and installing localstack-core[runtime]==$VERSION (takes a few minutes the first time)"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip >&2
  local args=("localstack-core[runtime]==$VERSION")
  # The pins install as they are on Python 3.11 (checked).
  args=(-c "$CONSTRAINTS" "${args[@]}")
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q "${args[@]}" >&2
  installed || { log "install failed"; exit 1; }
  log "installed"
}

healthy() {
  local body
  body="$(curl -fsS --max-time 2 "$HEALTH" 2>/dev/null)" || return 1
  [[ "$body" =~ \"s3\":\ *\"(available|running)\" && "$body" =~ \"sqs\":\ *\"(available|running)\" ]]
}

running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  if running_pid >/dev/null && healthy; then
    log "already running (pid $(cat "$PIDFILE")) on 127.0.0.1:$PORT"
    return 0
  fi
  if healthy; then
    log "something else already serves $HEALTH; not starting a second LocalStack"
    return 0
  fi
  install
  mkdir -p "$STATE/fs"
  rm -f "$PIDFILE"
  log "starting on 127.0.0.1:$PORT (log: $LOGFILE)"
  # OVERRIDE_IN_DOCKER=0: this may itself be a container; without it LocalStack would use /var/lib/localstack
  # and probe the Docker bridge. No TLS cert download, no analytics, no infra downloads: loopback only.
  (
    cd "$STATE"
    env SERVICES=s3,sqs \
      GATEWAY_LISTEN="127.0.0.1:$PORT" \
      LOCALSTACK_HOST="127.0.0.1:$PORT" \
      DNS_ADDRESS=0 \
      SQS_ENDPOINT_STRATEGY=path \
      FILESYSTEM_ROOT="$STATE/fs" \
      DISABLE_EVENTS=1 \
      PERSISTENCE=0 \
      EAGER_SERVICE_LOADING=1 \
      OVERRIDE_IN_DOCKER=0 \
      SKIP_SSL_CERT_DOWNLOAD=1 \
      SKIP_INFRA_DOWNLOADS=1 \
      LS_LOG="${LS_LOG:-warn}" \
      nohup "$VENV/bin/python" -m localstack.runtime.main </dev/null >"$LOGFILE" 2>&1 9>&- &
    echo $! >"$PIDFILE"
  )
  local pid deadline
  pid="$(cat "$PIDFILE")"
  deadline=$((SECONDS + ${LOCALSTACK_START_TIMEOUT:-120}))
  until healthy; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "process $pid exited; last log lines:"
      tail -n 30 "$LOGFILE" >&2 || true
      rm -f "$PIDFILE"
      exit 1
    fi
    if ((SECONDS > deadline)); then
      log "not healthy after ${LOCALSTACK_START_TIMEOUT:-120} s; stopping it"
      stop
      exit 1
    fi
    sleep 0.5
  done
  log "ready (pid $pid)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    log "not running"
    rm -f "$PIDFILE"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after 20 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  log "stopped"
}

status() {
  if healthy; then
    curl -fsS --max-time 2 "$HEALTH"
    echo
    if pid="$(running_pid)"; then log "running (pid $pid)"; else log "running (not started by this script)"; fi
    return 0
  fi
  log "not running"
  return 3
}

# One start/stop at a time (parallel test workers may all ask for it).
with_lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/script.lock"
  flock 9
  "$@"
}

case "${1:-}" in
  install) with_lock install ;;
  start) with_lock start ;;
  stop) with_lock stop ;;
  status) status ;;
  *)
    echo "usage: $0 install|start|stop|status" >&2
    exit 2
    ;;
esac
