#!/usr/bin/env bash
# -p tests without sleeps: trace_released.sh PID READY_REGEX TRACER [ARGS...]
# PID is a leak_* program started with `--wait-start --ack` (it blocks before
# its work). Runs TRACER, waits until its output has a line matching
# READY_REGEX (a line printed once the probes are attached: a BEGIN line),
# releases PID (SIGUSR1), waits for PID's acknowledgement (SIGUSR2: the work is
# done), stops TRACER with SIGINT, lets PID exit (SIGUSR1 again) and prints
# TRACER's output. Exit status: TRACER's, or 124 when a step times out (50 s
# each: bpftrace compiles and attaches slowly on a loaded machine; two steps
# stay inside the harness's 110 s, so a timeout prints the tracer's output and
# which step it was).
set -u
pid=$1 ready=$2
shift 2
out=$(mktemp)
acked=0
trap 'acked=1' USR2
"$@" >"$out" 2>&1 &
tracer=$!
start=$SECONDS
step() {  # step 'CONDITION': eval'd each time, polled for up to 50 s
  for _ in $(seq 1000); do
    eval "$1" && return 0
    kill -0 "$tracer" 2>/dev/null || { cat "$out"; rm -f "$out"; echo "trace_released: the tracer exited early"; exit 1; }
    sleep 0.05
  done
  cat "$out"; rm -f "$out"; kill -INT "$tracer"
  echo "trace_released: timed out waiting for: $1 ($((SECONDS - start)) s after the tracer started)"; exit 124
}
step 'grep -Eq "$ready" "$out"'
kill -USR1 "$pid"
step '[ "$acked" = 1 ]'
kill -INT "$tracer"
wait "$tracer"
status=$?
kill -USR1 "$pid" 2>/dev/null
cat "$out"
rm -f "$out"
exit $status
