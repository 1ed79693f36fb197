// Types of expressions and maps, computed by the semantic pass and kept in a
// side table keyed by node (SemanticInfo), never stored in the AST itself.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/tracepoint_format.h"
#include "parser/ast.h"

namespace ms {

enum class TypeKind {
  None,     // statements, calls without a value (printf, exit)
  Integer,  // 64-bit arithmetic; `is_signed` says how it compares, divides and prints
  String,   // fixed-size, NUL-padded byte array of `size` bytes
  // Aggregation values: only ever the value of a map.
  Count,
  Sum,
  Min,
  Max,
  Avg,
  // Stacks and symbols (see stacks.h in codegen and the manifest): a stack is an
  // 8-byte stack id into the stack store; a user symbol is an address plus the
  // pid whose mappings resolve it; a kernel symbol is an address.
  UStack,
  KStack,
  USym,
  KSym,
  Stats,  // count, average and total
  Hist,   // power-of-two histogram
  Lhist,  // linear histogram
  Buffer,   // buf(p, n): `size` bytes, an 8-byte length then the data; only printed with %r
  Tuple,    // (a, b, ...): `elements`, each at an 8-byte aligned offset; `size` bytes in all
  Timestamp,  // strftime(fmt, ns): 8 bytes of nanoseconds, printed as text with `format` in user space
};

// Frames a stack captures when the script does not say (ustack / kstack): the
// kernel's default perf_event_max_stack.
inline constexpr uint32_t kDefaultStackFrames = 127;
inline constexpr uint32_t kMaxStackFrames = 127;

struct Type {
  TypeKind kind = TypeKind::None;
  uint32_t size = 0;  // bytes: 8 for Integer, N for String, 8 for stacks and ksym, 16 for usym
  bool is_signed = false;
  // Stacks only: the frames kept (1..kMaxStackFrames) and the print mode; two
  // stacks with different limits or modes are different types, as in bpftrace.
  uint32_t stack_limit = 0;
  bool stack_perf = false;
  // Integer only: non-zero for a typed pointer such as (uint32*)p, the bytes
  // of the integer it points at (1, 2, 4 or 8); `pointee_signed` its sign.
  uint32_t pointee = 0;
  bool pointee_signed = false;
  // Tuple only: the element types (integers, strings, stacks, symbols).
  std::vector<Type> elements = {};
  // Timestamp only: the strftime format; two formats are two types (they print differently).
  std::string format = {};

  static Type none() { return {}; }
  static Type integer(bool is_signed = true) { return {TypeKind::Integer, 8, is_signed}; }
  static Type string(uint32_t size) { return {TypeKind::String, size, false}; }
  static Type buffer(uint32_t bytes) { return {TypeKind::Buffer, 8 + bytes, false}; }
  static Type aggregation(TypeKind k, bool is_signed = true) { return {k, 8, is_signed}; }
  static Type stack(bool kernel, uint32_t limit = kDefaultStackFrames, bool perf = false) {
    return {kernel ? TypeKind::KStack : TypeKind::UStack, 8, false, limit, perf};
  }
  static Type timestamp(std::string fmt) {
    Type t{TypeKind::Timestamp, 8, false};
    t.format = std::move(fmt);
    return t;
  }
  static Type symbol(bool kernel) { return {kernel ? TypeKind::KSym : TypeKind::USym, kernel ? 8u : 16u, false}; }

  // A tuple of `elements`, laid out one after the other, each 8-byte aligned.
  static Type tuple(std::vector<Type> elements);
  // The byte offset of element `i` of a tuple.
  uint32_t element_offset(size_t i) const;

  bool is_stack() const { return kind == TypeKind::UStack || kind == TypeKind::KStack; }
  bool is_symbol() const { return kind == TypeKind::USym || kind == TypeKind::KSym; }
  static Type pointer(uint32_t pointee_size, bool pointee_is_signed) {
    Type t = integer(false);
    t.pointee = pointee_size;
    t.pointee_signed = pointee_is_signed;
    return t;
  }

  bool is_aggregation() const {
    return kind == TypeKind::Count || kind == TypeKind::Sum || kind == TypeKind::Min ||
           kind == TypeKind::Max || kind == TypeKind::Avg || kind == TypeKind::Stats || kind == TypeKind::Hist ||
           kind == TypeKind::Lhist;
  }
  bool operator==(const Type&) const = default;
};

std::string to_string(const Type& t);  // "int64", "uint64", "string[16]", "count", ...

// What the program does with one map: its key layout and value type, fixed by
// the first use and checked against every other use.
struct MapInfo {
  std::string name;          // "@x"
  std::vector<Type> key;     // empty: scalar map
  Type value;
  Location first_use;
  // lhist(value, min, max, step): the constant bounds, fixed by the first call.
  int64_t lhist_min = 0, lhist_max = 0, lhist_step = 0;
};

struct SemanticInfo {
  std::unordered_map<const ast::Expr*, Type> types;  // every expression node
  std::map<std::string, MapInfo> maps;               // by name, sorted
  // Scratch variables per probe: name -> type ($x), keyed by the probe.
  std::unordered_map<const ast::Probe*, std::map<std::string, Type>> variables;
  // Formats of the tracepoints the program attaches to, by "CATEGORY:NAME"
  // (from the ProbeInfoProvider); codegen reads field offsets from here.
  std::map<std::string, TracepointFormat> tracepoint_formats;
  // The USDT probes the program attaches to, by the expanded attach point
  // ("usdt:PATH:PROVIDER:NAME", PATH resolved); codegen makes one program
  // per location and reads arguments by each location's specs.
  std::map<std::string, UsdtProbe> usdt_probes;
  // uprobes that call skip_return(): codegen may fuse each with the uretprobe
  // of the same function into one uprobe-session program.
  std::set<const ast::Probe*> skip_return_probes;

  // What the options pass did, for `-d ast`: each option's value as text, and
  // the probes whose predicate was false with those values (removed unloaded).
  std::vector<std::pair<std::string, std::string>> option_values;
  std::vector<std::string> removed_probes;

  const Type& type_of(const ast::Expr* e) const;
};

// Default and maximum sizes.
inline constexpr uint32_t kCommSize = 16;
inline constexpr uint32_t kDefaultStringSize = 64;
inline constexpr uint32_t kFuncNameSize = 64;

}  // namespace ms
