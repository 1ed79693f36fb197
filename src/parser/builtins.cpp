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
      {"cgroup", Type::integer(false), kAnyProbe, ""},  {"rand", Type::integer(false), kAnyProbe, ""},
      {"curtask", Type::integer(false), kAnyProbe, ""},
      // The pid of the -c command (0 without -c), as in bpftrace; memscript sets it before attaching.
      {"cpid", Type::integer(false), kAnyProbe, ""},
      // Sized per probe by the type pass: the longest attach point (or function) it names. `func`
      // of a wildcard probe is the function that fired (the runtime's name for the BPF cookie).
      {"probe", Type::string(kDefaultStringSize), kAnyProbe, ""}, {"func", Type::string(kDefaultStringSize), kAnyProbe, ""},
      {"retval", Type::integer(false), probe_bit(ProbeType::Uretprobe), "uretprobe"},
  };
  // Like bpftrace, argN only in entry probes: at a return the argument registers are clobbered.
  // USDT probes have up to 12 arguments, read by their location specs (typed int64 there).
  static const char* const kArgs[] = {"arg0", "arg1", "arg2", "arg3", "arg4",  "arg5",
                                      "arg6", "arg7", "arg8", "arg9", "arg10", "arg11"};
  for (size_t i = 0; i < std::size(kArgs); ++i) {
    if (i < 6)
      b.push_back({kArgs[i], Type::integer(false), probe_bit(ProbeType::Uprobe) | probe_bit(ProbeType::Usdt), "uprobe and usdt"});
    else
      b.push_back({kArgs[i], Type::integer(false), probe_bit(ProbeType::Usdt), "usdt"});
  }
  return b;
}

std::vector<FunctionDesc> make_functions() {
  return {
      {"count", FunctionUse::Aggregation, TypeKind::Count, {}, false, "count()"},
      {"sum", FunctionUse::Aggregation, TypeKind::Sum, {ArgKind::Integer}, false, "sum(expr)"},
      {"min", FunctionUse::Aggregation, TypeKind::Min, {ArgKind::Integer}, false, "min(expr)"},
      {"max", FunctionUse::Aggregation, TypeKind::Max, {ArgKind::Integer}, false, "max(expr)"},
      {"avg", FunctionUse::Aggregation, TypeKind::Avg, {ArgKind::Integer}, false, "avg(expr)"},
      {"stats", FunctionUse::Aggregation, TypeKind::Stats, {ArgKind::Integer}, false, "stats(expr)"},
      {"hist", FunctionUse::Aggregation, TypeKind::Hist, {ArgKind::Integer}, false, "hist(expr)"},
      {"lhist", FunctionUse::Aggregation, TypeKind::Lhist,
       {ArgKind::Integer, ArgKind::Integer, ArgKind::Integer, ArgKind::Integer}, false, "lhist(expr, min, max, step)"},
      {"printf", FunctionUse::Statement, TypeKind::None, {ArgKind::Format}, true, "printf(\"format\", args...)"},
      {"join", FunctionUse::Statement, TypeKind::None, {ArgKind::Integer}, true, "join(array[, \"separator\"])", 2},
      {"exit", FunctionUse::Statement, TypeKind::None, {}, false, "exit()"},
      // uprobe only: this call's uretprobe need not run (a uprobe session skips it).
      {"skip_return", FunctionUse::Statement, TypeKind::None, {}, false, "skip_return()"},
      {"print", FunctionUse::Statement, TypeKind::None, {ArgKind::Any}, true, "print(@map[, top[, div]]) or print(value)", 3},
      {"time", FunctionUse::Statement, TypeKind::None, {}, true, "time([\"strftime format\"])", 1},
      {"zero", FunctionUse::Statement, TypeKind::None, {ArgKind::WholeMap}, false, "zero(@map)"},
      {"signal", FunctionUse::Statement, TypeKind::None, {ArgKind::Any}, false, "signal(SIGNAME or number)"},
      {"str", FunctionUse::Value, TypeKind::None, {ArgKind::Integer}, true, "str(pointer[, length])", 2},
      {"buf", FunctionUse::Value, TypeKind::None, {ArgKind::Integer, ArgKind::Integer}, false, "buf(pointer, length)"},
      {"rand_exp", FunctionUse::Value, TypeKind::None, {ArgKind::Integer}, false, "rand_exp(mean)"},
      {"strncmp", FunctionUse::Value, TypeKind::None, {ArgKind::Any, ArgKind::Any, ArgKind::Integer}, false,
       "strncmp(string, string, length)"},
      {"strftime", FunctionUse::Value, TypeKind::None, {ArgKind::Any, ArgKind::Integer}, false,
       "strftime(\"format\", nanoseconds)"},
      {"len", FunctionUse::Value, TypeKind::None, {ArgKind::WholeMap}, false, "len(@map)"},
      {"has_key", FunctionUse::Value, TypeKind::None, {ArgKind::WholeMap, ArgKind::Any}, false, "has_key(@map, key)"},
      {"clear", FunctionUse::Statement, TypeKind::None, {ArgKind::WholeMap}, false, "clear(@map)"},
      // Outstanding-allocation reports (runtime/leak_report.h), for any allocator script.
      {"print_leaks", FunctionUse::Statement, TypeKind::None, {ArgKind::WholeMap}, true,
       "print_leaks(@allocs[, top[, older[, sort[, show_allocs[, sample_rate[, folded[, sample_bytes[, growth[, since]]]]]]]]])", 10},
      {"print_leak_stacks", FunctionUse::Statement, TypeKind::None, {ArgKind::WholeMap, ArgKind::WholeMap}, true,
       "print_leak_stacks(@bytes, @allocations[, top[, sort[, sample_rate[, folded[, growth]]]]])", 7},
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

int signal_number(std::string_view name) {
  static const std::pair<std::string_view, int> kSignals[] = {
      {"HUP", 1},   {"INT", 2},   {"QUIT", 3},  {"ILL", 4},   {"TRAP", 5},   {"ABRT", 6},   {"BUS", 7},
      {"FPE", 8},   {"KILL", 9},  {"USR1", 10}, {"SEGV", 11}, {"USR2", 12},  {"PIPE", 13},  {"ALRM", 14},
      {"TERM", 15}, {"CHLD", 17}, {"CONT", 18}, {"STOP", 19}, {"TSTP", 20},  {"TTIN", 21},  {"TTOU", 22},
      {"URG", 23},  {"XCPU", 24}, {"XFSZ", 25}, {"VTALRM", 26}, {"PROF", 27}, {"WINCH", 28}, {"IO", 29},
      {"PWR", 30},  {"SYS", 31},
  };
  if (name.substr(0, 3) == "SIG") name.remove_prefix(3);
  for (const auto& [n, v] : kSignals)
    if (n == name) return v;
  return 0;
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
