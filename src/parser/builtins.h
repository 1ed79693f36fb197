// Descriptor tables for the builtins (pid, comm, arg0, ...) and functions
// (count, printf, ...) of the language. Passes look names up here instead of
// comparing strings, so adding a builtin is one table row.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "manifest/manifest.h"
#include "parser/types.h"

namespace ms {

// A set of probe types, one bit per manifest::ProbeType.
using ProbeTypeMask = uint32_t;
constexpr ProbeTypeMask probe_bit(manifest::ProbeType t) { return 1u << static_cast<unsigned>(t); }
inline constexpr ProbeTypeMask kAnyProbe = ~0u;

struct BuiltinDesc {
  std::string_view name;
  Type type;
  ProbeTypeMask allowed = kAnyProbe;  // probe types where the builtin means something
  std::string_view allowed_text;      // for messages: "uprobe" ...
};

// How a function may appear in a script.
enum class FunctionUse {
  Aggregation,  // only as the whole right-hand side of a map assignment: @x[k] = count()
  Statement,    // only as a statement of its own: printf(...); exit();
  Value,        // an expression with a value: str(p), strncmp(a, b, n), ustack(perf, 5), usym(addr)
};

// What one argument must be.
enum class ArgKind {
  Integer,     // any integer expression
  WholeMap,    // a map named without keys: print(@x)
  MapElement,  // a map element, or a scalar map: delete(@x[k]), delete(@x)
  Format,      // a printf format string literal; the remaining arguments follow it
  StackMode,   // ustack/kstack arguments: [perf|bpftrace][, frames]
  Any,         // checked by the function's own rule in the type pass (print, str)
};

struct FunctionDesc {
  std::string_view name;
  FunctionUse use;
  TypeKind aggregation = TypeKind::None;  // for FunctionUse::Aggregation
  std::vector<ArgKind> args;              // fixed arguments
  bool variadic = false;                  // more arguments may follow (printf)
  std::string_view usage;                 // "sum(expr)", for messages
  size_t max_args = 0;                    // when variadic: at most this many (0: no limit)
};

// The settings print_leaks and print_leak_stacks take after their map(s), in
// order: the checker validates them, codegen copies them into the event.
inline constexpr const char* kPrintLeaksSettings[] = {"top", "older", "sort", "show_allocs", "sample_rate", "folded",
                                                      "sample_bytes", "growth", "since"};
inline constexpr const char* kPrintLeakStacksSettings[] = {"top", "sort", "sample_rate", "folded", "growth"};
// Setting `i` (0: the first after the maps) of print_leaks or print_leak_stacks.
inline std::string_view leak_report_setting(bool per_address, size_t i) {
  return per_address ? kPrintLeaksSettings[i] : kPrintLeakStacksSettings[i];
}

const BuiltinDesc* find_builtin(std::string_view name);
const FunctionDesc* find_function(std::string_view name);

// "SIGUSR1" (or "USR1") -> 10; 0 for an unknown name.
int signal_number(std::string_view name);

const std::vector<BuiltinDesc>& all_builtins();
const std::vector<FunctionDesc>& all_functions();

}  // namespace ms
