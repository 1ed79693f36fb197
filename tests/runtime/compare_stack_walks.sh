#!/usr/bin/env bash
# compare_stack_walks.sh MEMSCRIPT COMMAND: the same script on COMMAND with
# the BPF-side frame-pointer walk (the default in uprobes) and with the
# kernel's (bpf_get_stack, MEMSCRIPT_STACK_WALK=kernel) must print the same
# stacks, at malloc's entry and at its return, whole and cut to 3 frames. Addresses differ between the
# two runs (ASLR), so the leading hex of each frame is dropped. Prints
# "stack walks agree: N frames in M stacks" or the difference, and fails.
set -u
ms=$1
shift
script='uretprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { @ret[ustack] = count(); @ret3[ustack(3)] = count(); }
uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { @entry[ustack] = count(); }'
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for walk in bpf kernel; do
  MEMSCRIPT_STACK_WALK=$walk "$ms" -c "$*" -e "$script" 2>&1 |
    grep -Ev '^(truth:|memscript:)' | sed -E 's/^(\s*)(0x)?[0-9a-f]+( |$)/\1\3/' >"$dir/$walk" ||
    { echo "memscript failed with the $walk walk"; cat "$dir/$walk"; exit 1; }
done
if ! diff "$dir/bpf" "$dir/kernel" >"$dir/diff"; then
  echo "stack walks differ (< bpf, > kernel):"
  head -40 "$dir/diff"
  exit 1
fi
echo "stack walks agree: $(grep -Ec '^\s+\S' "$dir/bpf") frames in $(grep -c '^@' "$dir/bpf") stacks"
