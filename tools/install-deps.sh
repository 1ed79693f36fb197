#!/usr/bin/env bash
# Installs the Debian 12 packages memscript needs, only those missing.
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config ccache make python3
  binutils  # ld: --in-process links its probes into a shared object at run time
  flex bison
  llvm-19-dev libzstd-dev zlib1g-dev libxml2-dev libedit-dev libffi-dev libncurses-dev
  libbpf-dev libelf-dev libdw-dev
  libbpfcc-dev systemtap-sdt-dev
  libgtest-dev
  clang-14 libclang-rt-14-dev
  bpftrace bpftool
  valgrind heaptrack
  libjemalloc2 libjemalloc-dev
)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "error: missing packages (${missing[*]}); run as root or install them with apt-get" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
