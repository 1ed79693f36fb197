#include "runtime/probe_checks.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "common/diagnostics.h"
#include "common/tracepoint_format.h"
#include "runtime/elf_symbols.h"
#include "runtime/system_probe_info.h"
#include "runtime/tracefs.h"
#include "runtime/verifier_log.h"

namespace ms::runtime {

using manifest::ProbeType;

std::string located_probe_error(const manifest::Manifest& manifest, const manifest::ProbeDesc& probe,
                                const std::string& source, const std::string& message) {
  Diagnostics diags(manifest.source_file, source);
  // Underline the attach point as written: with options substituted, display may be longer.
  int end = probe.end_column ? probe.end_column : probe.column + static_cast<int>(probe.display.size());
  Location loc{probe.line, probe.column, probe.line, end};
  diags.error(loc, message);
  std::string out = diags.render();
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

namespace {

std::optional<uint64_t> parse_number(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int base = 10;
  size_t i = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    i = 2;
  }
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    int d = c >= '0' && c <= '9' ? c - '0' : base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : base == 16 && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return std::nullopt;
    v = v * base + d;
  }
  return v;
}

// FUNC(+OFFSET) by name -> one site at its file offset. `tables` keeps each
// binary's symbol table once: memleak.ms has eight sessions in libc.
bool session_site(const std::string& path, UprobePlan& plan,
                  std::map<std::string, std::vector<FunctionSymbol>>& tables) {
  auto it = tables.find(path);
  if (it == tables.end()) {
    std::string error;
    it = tables.emplace(path, list_functions(path, error)).first;
  }
  for (const auto& f : it->second) {
    if (f.indirect || f.name != plan.func) continue;
    plan.sites.push_back({plan.func, f.file_offset + plan.func_offset});
    plan.func.clear();
    plan.func_offset = 0;
    return true;
  }
  return false;
}

}  // namespace

std::optional<UprobeFunctionSpec> parse_uprobe_function(const std::string& text) {
  UprobeFunctionSpec spec;
  if (text.empty()) return std::nullopt;
  if (text[0] >= '0' && text[0] <= '9') {
    auto addr = parse_number(text);
    if (!addr) return std::nullopt;
    spec.is_address = true;
    spec.offset = *addr;
    return spec;
  }
  size_t plus = text.rfind('+');
  if (plus == std::string::npos) {
    spec.name = text;
    return spec;
  }
  auto off = parse_number(text.substr(plus + 1));
  if (!off || plus == 0) return std::nullopt;
  spec.name = text.substr(0, plus);
  spec.offset = *off;
  return spec;
}

std::vector<ProbeProblem> check_probes(const manifest::Manifest& manifest, const std::string& source,
                                       std::vector<std::string>& resolved_paths, std::vector<UprobePlan>* plans, int pid) {
  std::vector<ProbeProblem> problems;
  resolved_paths.assign(manifest.probes.size(), {});
  if (plans) plans->assign(manifest.probes.size(), {});
  bool tracefs_checked = false;
  std::map<std::string, std::vector<FunctionSymbol>> session_tables;
  for (size_t i = 0; i < manifest.probes.size(); ++i) {
    const auto& p = manifest.probes[i];
    auto script_error = [&](const std::string& msg) {
      problems.push_back({true, false, located_probe_error(manifest, p, source, msg)});
    };
    auto missing_function = [&](const std::string& msg) {
      problems.push_back({true, true, located_probe_error(manifest, p, source, msg), i});
    };
    switch (p.type) {
      case ProbeType::Begin:
      case ProbeType::End:
        break;
      case ProbeType::Uprobe:
      case ProbeType::Uretprobe: {
        auto path = resolve_binary_for_pid(p.target, pid);
        if (!path) {
          script_error("cannot find '" + p.target + "' to attach " + p.display +
                       (p.target.find(".so") != std::string::npos || p.target.rfind("lib", 0) == 0
                            ? " (not in the library path)"
                            : " (not in PATH)"));
          break;
        }
        UprobePlan plan;
        auto spec = parse_uprobe_function(p.func);
        if (!spec) {
          script_error("cannot read '" + p.func + "' as FUNCTION, FUNCTION+OFFSET or an address");
          break;
        }
        if (spec->is_address) {
          auto off = address_to_file_offset(*path, spec->offset);
          if (!off) {
            script_error("address " + p.func + " is not in a loadable segment of " + *path);
            break;
          }
          plan.sites.push_back({p.func, *off});
          resolved_paths[i] = *path;
          if (plans) (*plans)[i] = plan;
          break;
        }
        if (has_wildcard(spec->name) || is_cplusplus_name(spec->name)) {
          std::string error;
          auto functions = list_functions(*path, error);
          if (!error.empty()) {
            script_error(error);
            break;
          }
          std::vector<FunctionSymbol> matching;
          for (const auto& f : functions)
            if (!f.indirect && function_matches(spec->name, f)) matching.push_back(f);
          for (const auto& f : one_per_address(matching))
            plan.sites.push_back({f.demangled.empty() ? f.name : f.demangled, f.file_offset + spec->offset});
          if (plan.sites.empty()) {
            missing_function(has_wildcard(spec->name) ? "no function matches '" + spec->name + "' in " + *path
                                                  : "function '" + spec->name + "' not found in " + *path);
            break;
          }
          resolved_paths[i] = *path;
          if (plans) (*plans)[i] = plan;
          break;
        }
        plan.func = spec->name;
        plan.func_offset = spec->offset;
        std::string detail;
        switch (check_function(*path, spec->name, &detail)) {
          case SymbolCheck::Found:
            // A session is attached by a uprobe_multi link, which takes file offsets.
            if (p.session && !session_site(*path, plan, session_tables)) {
              missing_function("function '" + spec->name + "' not found in the symbol table of " + *path);
              break;
            }
            resolved_paths[i] = *path;
            if (plans) (*plans)[i] = plan;
            break;
          case SymbolCheck::FileMissing:
            script_error("cannot open " + *path + ": " + detail);
            break;
          case SymbolCheck::NotElf:
            script_error(*path + " is not an ELF file");
            break;
          case SymbolCheck::NoSuchFunction:
            missing_function("function '" + spec->name + "' not found in " + *path);
            break;
          case SymbolCheck::IndirectFunction:
            script_error("'" + spec->name + "' in " + *path +
                         " is an indirect function (GNU IFUNC) chosen at load time; probing it is not supported");
            break;
        }
        break;
      }
      case ProbeType::Tracepoint: {
        if (!tracefs_checked) {
          tracefs_checked = true;
          if (auto err = ensure_tracefs()) {
            problems.push_back({false, false, *err});
            return problems;
          }
        }
        if (!tracepoint_exists(p.target, p.func))
          script_error("tracepoint " + p.target + ":" + p.func + " does not exist");
        break;
      }
      case ProbeType::Profile:
      case ProbeType::Software:
        break;
      case ProbeType::Usdt:
        // Located and decoded at check time (SystemProbeInfo::usdt_probes);
        // here only the file must still be there.
        if (access(p.target.c_str(), R_OK) != 0)
          script_error("cannot open " + p.target + ": " + std::strerror(errno));
        else
          resolved_paths[i] = p.target;
        break;
      case ProbeType::RawTracepoint: {
        std::string error;
        auto all = SystemProbeInfo().tracepoints(error);
        bool found = false;
        for (const auto& tp : all)
          found |= tp.size() > p.func.size() && tp.compare(tp.size() - p.func.size() - 1, std::string::npos, ":" + p.func) == 0;
        if (!found && error.empty()) script_error("tracepoint " + p.func + " does not exist (for rawtracepoint)");
        break;
      }
      case ProbeType::Interval:
        if (p.interval_ns == 0) script_error("the interval of " + p.display + " must be greater than zero");
        break;
    }
  }
  return problems;
}

}  // namespace ms::runtime
