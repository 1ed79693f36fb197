// Checked AST -> BPF ELF object (in memory) + manifest.
//
// This header is included by main and tests; it must not include LLVM.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "parser/ast.h"
#include "common/diagnostics.h"
#include "parser/types.h"

namespace ms {

struct CompileOptions {
  bool want_ir = false;   // fill CompileResult::ir (-d ir)
  bool want_asm = false;  // fill CompileResult::asm_text (-d asm)
  uint32_t max_entries = 4096;         // entries of every script map
  uint32_t ringbuf_size = 1u << 20;    // bytes of the event ring buffer (a power of two, >= page size)
  uint32_t stack_map_entries = 16384;  // distinct stacks the stack store keeps (--stack-map-size)
  uint32_t stack_snapshot_bytes = 8192;  // user stack each ustack(dwarf) copies (--dwarf-stack-size)
  std::string bpf_cpu = "v3";          // LLVM BPF cpu: v3 = jmp32 + alu32 (kernel >= 5.1)
  // CPUs whose per-CPU values a probe combines when it reads a count/sum/min/
  // max element (@c[k] > 10). 0: this machine's possible CPUs
  // (/sys/devices/system/cpu/possible), where the program will run.
  uint32_t possible_cpus = 0;
  // The kernel has uprobe sessions (6.12+, the runtime checks): a uprobe that
  // calls skip_return() and the uretprobe of the same function compile to one
  // session program whose entry can spare the return trap.
  bool uprobe_sessions = false;
  // --in-process: uprobe/uretprobe probes also become native x86-64 code
  // (CompileResult::native_object) for the agent; refused with a located
  // error when a probe cannot run there.
  bool in_process = false;
  // ustack in uprobes, uretprobes and USDT probes: walk the frame pointers in
  // BPF (stacks.cpp) instead of bpf_get_stack. false: bpf_get_stack
  // everywhere (MEMSCRIPT_STACK_WALK=kernel, for comparisons).
  bool bpf_stack_walk = true;
};

struct CompileResult {
  std::vector<uint8_t> elf;  // relocatable BPF ELF: programs, .maps with BTF, license "GPL"
  manifest::Manifest manifest;
  std::string ir;        // LLVM IR text, after optimisation
  std::string asm_text;  // BPF assembly from LLVM MC
  // --in-process: a relocatable x86-64 PIC object with the in-process
  // programs (ms_inproc_probes lists them); empty when none.
  std::vector<uint8_t> native_object;
  std::string native_ir;  // its LLVM IR after optimisation (-d ir)
};

// Compiles a checked program. Errors that only codegen can see (e.g. a value
// too large for the BPF stack) go to `diags` with the script location, and the
// result is empty.
std::optional<CompileResult> compile(const ast::Program& program, const SemanticInfo& info, Diagnostics& diags,
                                     const CompileOptions& options = {});

}  // namespace ms
