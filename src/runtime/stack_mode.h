// ustack(auto): frame pointers when the traced program has them, its CFI
// (ustack(dwarf)) when it does not. Decided once per session, before the
// probes are attached (the BPF side reads a flag, manifest.h).
#pragma once

#include <string>

namespace ms::runtime {

struct AutoStackChoice {
  bool dwarf = true;
  std::string why;  // for the message on stderr, e.g. "app has no frame pointers"
};

// `exe`: the traced program's executable (the -c command, /proc/PID/exe for
// -p), empty when tracing system-wide. Frame pointers are judged with the
// symbolizer's heuristic (docs/stacks.md). Without a program to check, or
// when it cannot be read, dwarf: the stack is right either way, only dearer.
AutoStackChoice choose_auto_stack_mode(const std::string& exe);

}  // namespace ms::runtime
