#!/usr/bin/env bash
# -p tests where the target ends the trace: release_target.sh PID READY_REGEX TRACER [ARGS...]
# PID is a program started with --wait-start (blocked before its work). Runs
# TRACER, waits until its output has a line matching READY_REGEX (printed once
# the probes are attached), releases PID (SIGUSR1) and waits for TRACER to end
# by itself (the target exits, execs, forks or is killed: the tracer must see
# it go). Prints TRACER's output; exit status TRACER's, or 124 when it is not
# ready within 100 s or has not ended 10 s after the release (it is then
# interrupted, and its output still printed).
set -u
pid=$1 ready=$2
shift 2
out=$(mktemp)
"$@" >"$out" 2>&1 &
tracer=$!
for _ in $(seq 2000); do
  grep -Eq "$ready" "$out" && break
  kill -0 "$tracer" 2>/dev/null || { cat "$out"; rm -f "$out"; echo "release_target: the tracer exited early"; exit 1; }
  sleep 0.05
done
grep -Eq "$ready" "$out" || { kill -INT "$tracer"; wait "$tracer"; cat "$out"; rm -f "$out"; echo "release_target: tracer not ready"; exit 124; }
kill -USR1 "$pid"
for _ in $(seq 200); do
  kill -0 "$tracer" 2>/dev/null || break
  sleep 0.05
done
if kill -0 "$tracer" 2>/dev/null; then
  kill -INT "$tracer"
  wait "$tracer"
  cat "$out"; rm -f "$out"
  echo "release_target: the tracer did not end within 10 s of the target's release"
  exit 124
fi
wait "$tracer"
status=$?
cat "$out"
rm -f "$out"
exit $status
