// Attaches one probe of the manifest to its loaded program.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "manifest/manifest.h"

struct bpf_link;
struct bpf_program;

namespace ms::runtime {

struct AttachTarget {
  pid_t uprobe_pid = -1;      // -1: every process
  std::string self_exe;       // memscript's executable, for BEGIN/END
  std::string resolved_path;  // uprobe: the binary the target names, resolved
  std::string func;           // uprobe: the function (without +OFFSET); empty: the probe's func
  uint64_t func_offset = 0;   // uprobe: bytes into the function
};

// Returns the link, or nullptr with `error` set to one line with context,
// e.g. "attaching uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc: No such file or directory".
bpf_link* attach_probe(bpf_program* prog, const manifest::ProbeDesc& probe, const AttachTarget& target,
                       std::string& error);

}  // namespace ms::runtime
