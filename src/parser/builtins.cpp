#include "builtins.h"

#include <algorithm>

namespace ms {

namespace {

using manifest::ProbeType;

// Types follow bpftrace 0.17: the process and time builtins are unsigned.
std::vector<BuiltinDesc> make_builtins() {
  std::vector<BuiltinDesc> b = {
      {"pid", Type::integer(false), kAnyProbe, ""},   {"tid", Type::integer(false), kAnyProbe, ""},     {"uid", Type::integer(false), kAnyProbe, ""},
      {"gid", Type::integer(false), kAnyProbe, ""},   {"cpu", Type::integer(false), kAnyProbe, ""},     {"nsecs", Type::integer(false), kAnyProbe, ""},
      {"elapsed", Type::integer(false), kAnyProbe, ""}, {"comm", Type::string(kCommSize), kAnyProbe, ""},
      {"ustack", Type::stack(false), kAnyProbe, ""},  {"kstack", Type::stack(true), kAnyProbe, ""},
      {"retval", Type::integer(false), probe_bit(ProbeType::Uretprobe), "uretprobe"},
      // The probed function's name; for wildcards, the function that fired (from the BPF cookie).
      {"func", Type::string(kFuncNameSize), probe_bit(ProbeType::Uprobe) | probe_bit(ProbeType::Uretprobe),
       "uprobe and uretprobe"},
  };
  // Like bpftrace, argN only in entry probes: at a return the argument registers are clobbered.
  static const char* const kArgs[] = {"arg0", "arg1", "arg2", "arg3", "arg4", "arg5"};
  for (const char* a : kArgs) b.push_back({a, Type::integer(false), probe_bit(ProbeType::Uprobe), "uprobe"});
  return b;
}

std::vector<FunctionDesc> make_functions() {
  return {
      {"count", FunctionUse::Aggregation, TypeKind::Count, {}, false, "count()"},
      {"sum", FunctionUse::Aggregation, TypeKind::Sum, {ArgKind::Integer}, false, "sum(expr)"},
      {"min", FunctionUse::Aggregation, TypeKind::Min, {ArgKind::Integer}, false, "min(expr)"},
      {"max", FunctionUse::Aggregation, TypeKind::Max, {ArgKind::Integer}, false, "max(expr)"},
      {"avg", FunctionUse::Aggregation, TypeKind::Avg, {ArgKind::Integer}, false, "avg(expr)"},
      {"printf", FunctionUse::Statement, TypeKind::None, {ArgKind::Format}, true, "printf(\"format\", args...)"},
      {"exit", FunctionUse::Statement, TypeKind::None, {}, false, "exit()"},
      {"print", FunctionUse::Statement, TypeKind::None, {ArgKind::WholeMap}, false, "print(@map)"},
      {"clear", FunctionUse::Statement, TypeKind::None, {ArgKind::WholeMap}, false, "clear(@map)"},
      {"delete", FunctionUse::Statement, TypeKind::None, {ArgKind::MapElement}, false, "delete(@map[key])"},
      // Both a builtin (ustack) and a function (ustack(perf, 5)).
      {"ustack", FunctionUse::Value, TypeKind::UStack, {}, true, "ustack([perf|bpftrace][, frames])"},
      {"kstack", FunctionUse::Value, TypeKind::KStack, {}, true, "kstack([perf|bpftrace][, frames])"},
      {"usym", FunctionUse::Value, TypeKind::USym, {ArgKind::Integer}, false, "usym(address)"},
      {"ksym", FunctionUse::Value, TypeKind::KSym, {ArgKind::Integer}, false, "ksym(address)"},
  };
}

}  // namespace

const std::vector<BuiltinDesc>& all_builtins() {
  static const std::vector<BuiltinDesc> kBuiltins = make_builtins();
  return kBuiltins;
}

const std::vector<FunctionDesc>& all_functions() {
  static const std::vector<FunctionDesc> kFunctions = make_functions();
  return kFunctions;
}

const BuiltinDesc* find_builtin(std::string_view name) {
  const auto& b = all_builtins();
  auto it = std::find_if(b.begin(), b.end(), [&](const BuiltinDesc& d) { return d.name == name; });
  return it == b.end() ? nullptr : &*it;
}

const FunctionDesc* find_function(std::string_view name) {
  const auto& f = all_functions();
  auto it = std::find_if(f.begin(), f.end(), [&](const FunctionDesc& d) { return d.name == name; });
  return it == f.end() ? nullptr : &*it;
}

}  // namespace ms
