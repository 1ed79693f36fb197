// Emulation-aware placement of function-entry uprobes (x86-64).
//
// The kernel emulates a few instructions at a uprobe (push reg, jmp/jcc/call
// rel, nop) and single-steps every other one out of line, which costs about
// four times as much per hit here (glibc's free begins with `test %rdi,%rdi`:
// ~22 µs per call instead of ~6 µs). When a function starts with instructions
// that only set flags -- no register or memory writes, no branches -- a probe
// on the first emulated instruction after them sees exactly the same
// registers, stack and arguments, and every call still passes through it once.
//
// This header is free of LLVM so the runtime's caller (main) can use it; the
// decoding uses LLVM's MC disassembler inside codegen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ms {

struct EntryProbePlacement {
  uint64_t offset = 0;   // bytes from the function's start where the probe goes
  std::string skipped;   // the instructions stepped over, e.g. "test %rdi, %rdi"
  std::string reason;    // why the probe is (or is not) moved, for -d probes
};

// `code` holds the function's bytes from its first instruction; `size` is the
// function's size from its symbol (or what is available). Never moves the
// probe when in doubt: unknown instructions, a skippable run that is not
// followed by an emulated instruction, or a direct branch inside the function
// that targets the new offset (that would fire the probe twice per call).
EntryProbePlacement place_entry_probe(const uint8_t* code, size_t size);

}  // namespace ms
