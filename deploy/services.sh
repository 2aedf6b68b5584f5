#!/usr/bin/env bash
# qtrail's own processes on the local stack: the recorder worker, the HTTP API and one local
# witness (qtrail witness) that cosigns the log's checkpoints.
#
#   deploy/services.sh up | down | status
#
# The local witness stands in for an outside body: its key and state live under
# $QTRAIL_STATE_DIR/witness, the API is told its verifier key (QTRAIL_WITNESS_KEYS), and it reads
# the log's verifier key from the API once (trust on first use, acceptable on one's own machine;
# an outside witness gets it out of band, docs/transparency.md).
#
# Logs and pid files live under $QTRAIL_STATE_DIR (default <repo>/.state). Each process starts as
# the leader of its own process group (setsid), so its pid is also its group's id: stopping signals
# that group, by the recorded pid, and so reaches any child it left behind even after a crash.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${QTRAIL_STATE_DIR:-$ROOT/.state}"
RUN="$STATE/run"
LOGS="$STATE/logs"
PY="$ROOT/.venv/bin/python"
HOST="${QTRAIL_HTTP_HOST:-127.0.0.1}"
PORT="${QTRAIL_HTTP_PORT:-8000}"
PROCESSES=(recorder api)
# The module each process runs (python -m); its name is what its log and pid files are called.
declare -A MODULES=([recorder]=services.recorder [api]=services.http [witness]=services.witness)
WITNESS_STATE="$STATE/witness"
WITNESS_NAME="${QTRAIL_LOCAL_WITNESS_NAME:-witness.local.qtrail}"

say() { printf '[services] %s\n' "$*"; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }
alive() { [[ -f "$RUN/$1.pid" ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }
# Anything left of the group we started (the leader may have crashed, a child may linger).
group_alive() { [[ -f "$RUN/$1.pid" ]] && kill -0 -- "-$(cat "$RUN/$1.pid")" 2>/dev/null; }

start() {
  local name="$1"; shift
  if alive "$name"; then say "$name already running (pid $(cat "$RUN/$name.pid"))"; return; fi
  stop "$name"  # what a crashed run left behind
  cd "$ROOT"
  nohup setsid "$PY" -m "${MODULES[$name]}" "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
  say "$name started (pid $(cat "$RUN/$name.pid"), log $LOGS/$name.log)"
}

stop() {
  local name="$1"
  if ! group_alive "$name"; then rm -f "$RUN/$name.pid"; return; fi
  local pid; pid="$(cat "$RUN/$name.pid")"
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do group_alive "$name" || break; sleep 0.25; done
  group_alive "$name" && kill -KILL -- "-$pid" 2>/dev/null
  rm -f "$RUN/$name.pid"
  say "$name stopped"
}

case "${1:-}" in
  up)
    mkdir -p "$RUN" "$LOGS"
    [[ -x "$PY" ]] || die "no virtual environment; run 'make venv' first"
    (cd "$ROOT" && "$PY" -m services.cli.main migrate && "$PY" -m services.cli.main topics) \
      || die "migrations or topics failed"
    witness_key="$(cd "$ROOT" && "$PY" -m services.witness --state "$WITNESS_STATE" \
      --name "$WITNESS_NAME" --show-key)" || die "the local witness's key could not be made"
    export QTRAIL_WITNESS_KEYS="${QTRAIL_WITNESS_KEYS:+$QTRAIL_WITNESS_KEYS,}$witness_key"
    for p in "${PROCESSES[@]}"; do start "$p"; done
    for _ in $(seq 1 120); do
      for p in "${PROCESSES[@]}"; do alive "$p" || die "$p exited at start; read $LOGS/$p.log"; done
      if curl -fsS "http://$HOST:$PORT/healthz" >/dev/null 2>&1; then
        say "API ready on http://$HOST:$PORT"
        curl -fsS "http://$HOST:$PORT/log/verifier-key" >"$WITNESS_STATE/log.vkey" \
          || die "the log's verifier key could not be read"
        origin="$(head -n 1 "$WITNESS_STATE/log.vkey" | cut -d+ -f1)"
        start witness --log "http://$HOST:$PORT/log" --origin "$origin" \
          --log-key-file "$WITNESS_STATE/log.vkey" --state "$WITNESS_STATE" --every 30
        exit 0
      fi
      sleep 0.5
    done
    die "API did not become healthy within 60 s; read $LOGS/api.log"
    ;;
  down) for p in witness api recorder; do stop "$p"; done ;;
  status)
    rc=0
    for p in "${PROCESSES[@]}" witness; do
      if alive "$p"; then say "$p up (pid $(cat "$RUN/$p.pid"))"; else say "$p down"; rc=1; fi
    done
    exit $rc
    ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
