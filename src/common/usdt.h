// USDT probes (statically defined user-space tracepoints, <sys/sdt.h>): what
// the front end, codegen and the runtime need to know about one, without bcc.
//
// A probe is PROVIDER:NAME in one ELF file; it has one or more locations (each
// DTRACE_PROBE site, inlined copies included), and at each location its
// arguments have their own location specs, as the compiler chose them:
// "-4@%edi" (a register), "-8@16(%rbx)" (memory at base register +
// displacement), "-4@$42" (a constant). src/usdt reads them with bcc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ms {

enum class UsdtArgKind : uint8_t {
  Constant,  // $N
  Register,  // %reg
  Memory,    // DISP(%base[,%index[,SCALE]]) or SYMBOL(%rip)
};

struct UsdtArgument {
  UsdtArgKind kind = UsdtArgKind::Constant;
  uint32_t size = 8;       // bytes read: 1, 2, 4 or 8
  bool is_signed = false;  // sign-extend to 64 bits (the spec's size was negative)
  int64_t constant = 0;    // Constant: the value
  // Register and Memory: the base register by its x86-64 pt_regs name ("ax",
  // "di", "r8", "ip"), as bcc normalises them (a sub-register such as %edi or
  // %dil names its full register; `size` says how much of it counts).
  std::string base_register;
  int64_t offset = 0;           // Memory: displacement
  std::string index_register;   // Memory: optional index register
  int scale = 1;                // Memory: index scale
  std::string symbol;           // Memory: SYMBOL(%rip) operands (not supported by codegen)
};

struct UsdtLocation {
  uint64_t address = 0;      // virtual address in the file (the note's pc)
  uint64_t file_offset = 0;  // where uprobes go: through the file's PT_LOAD segments
  std::vector<UsdtArgument> args;
};

struct UsdtProbe {
  std::string path;  // the ELF file holding the probe
  std::string provider;
  std::string name;
  uint64_t semaphore_offset = 0;  // file offset of the semaphore; 0: the probe has none
  std::vector<UsdtLocation> locations;
};

// The USDT probes of one file, or why there are none.
struct UsdtLookup {
  std::string path;  // the file read (resolved from the target as written)
  std::vector<UsdtProbe> probes;
  bool file_missing = false;  // the target names no file
  std::string error;          // set when the probes could not be read
};

// Offset of x86-64 register `name` (pt_regs naming, as in UsdtArgument) in
// struct pt_regs, the context of a uprobe program; nullopt if unknown.
std::optional<uint32_t> pt_regs_offset(const std::string& name);

// The argument's location spec, written like the ELF note does
// ("-4@%di", "8@-16(%bp)", "-4@$42") but with pt_regs register names.
std::string describe(const UsdtArgument& a);

// A C-like type for listings: "int32", "uint64".
std::string usdt_arg_type(const UsdtArgument& a);

}  // namespace ms
