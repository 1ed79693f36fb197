#include "runtime/probe_listing.h"
#include "common/printf_format.h"

#include <cstdio>
#include <iostream>
#include <vector>

#include "common/tracepoint_format.h"
#include "runtime/elf_symbols.h"
#include "runtime/session.h"
#include "runtime/system_probe_info.h"

namespace ms::runtime {

namespace {

std::vector<std::string> split_colons(const std::string& s) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t c = s.find(':', start);
    parts.push_back(s.substr(start, c == std::string::npos ? std::string::npos : c - start));
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return parts;
}

// "char[16]" and "comm" -> "char comm[16]", as the kernel declares it.
std::string declaration(const TracepointField& f) {
  size_t bracket = f.type.find('[');
  if (bracket == std::string::npos) return f.type + " " + f.name;
  return f.type.substr(0, bracket) + " " + f.name + f.type.substr(bracket);
}

int list_tracepoints(const std::string& cat_glob, const std::string& name_glob, bool verbose, std::ostream& out) {
  SystemProbeInfo info;
  std::string error;
  auto all = info.tracepoints(error);
  if (all.empty()) {
    std::cerr << "memscript: cannot list tracepoints: " << (error.empty() ? "none found" : error) << "\n";
    return kExitRuntime;
  }
  for (const auto& tp : all) {
    size_t colon = tp.find(':');
    std::string cat = tp.substr(0, colon), name = tp.substr(colon + 1);
    if (!glob_match(cat_glob, cat) || !glob_match(name_glob, name)) continue;
    out << "tracepoint:" << tp << "\n";
    if (!verbose) continue;
    TracepointLookup r = info.tracepoint_format(cat, name);
    if (!r.format) continue;
    for (const auto& f : r.format->fields) out << "    " << declaration(f) << ";\n";
  }
  return kExitOk;
}

int list_uprobes(const std::string& binary, const std::string& func_glob, std::ostream& out) {
  auto path = resolve_binary(binary);
  if (!path) {
    std::cerr << "memscript: cannot find '" << binary << "'\n";
    return kExitUsage;
  }
  std::string error;
  auto functions = list_functions(*path, error);
  if (!error.empty()) {
    std::cerr << "memscript: " << error << "\n";
    return kExitRuntime;
  }
  for (const auto& f : functions)
    if (function_matches(func_glob, f))
      // Symbol names are the binary's to choose: escaped, like every string from a traced program.
      out << "uprobe:" << escape_terminal_controls(*path) << ":"
          << escape_terminal_controls(f.demangled.empty() ? f.name : "\"" + f.demangled + "\"") << "\n";
  return kExitOk;
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// usdt:BINARY[:NAME] or usdt:BINARY:PROVIDER:NAME (globs). With `verbose`,
// each probe's semaphore and, per location, its arguments' types and specs.
int list_usdt(const std::string& binary, const std::string& provider_glob, const std::string& name_glob, bool verbose,
              std::ostream& out) {
  SystemProbeInfo info;
  UsdtLookup r = info.usdt_probes(binary);
  if (r.file_missing) {
    std::cerr << "memscript: cannot find '" << binary << "'\n";
    return kExitUsage;
  }
  if (!r.error.empty()) {
    std::cerr << "memscript: cannot read the USDT probes of " << (r.path.empty() ? binary : r.path) << ": " << r.error
              << "\n";
    return kExitRuntime;
  }
  for (const auto& p : r.probes) {
    if (!glob_match(provider_glob, p.provider) || !glob_match(name_glob, p.name)) continue;
    out << "usdt:" << escape_terminal_controls(p.path) << ":" << escape_terminal_controls(p.provider) << ":"
        << escape_terminal_controls(p.name) << "\n";
    if (!verbose) continue;
    if (p.semaphore_offset) out << "    semaphore at file offset " << hex(p.semaphore_offset) << "\n";
    for (size_t l = 0; l < p.locations.size(); ++l) {
      const auto& loc = p.locations[l];
      out << "    location " << l << " at file offset " << hex(loc.file_offset) << ":";
      if (loc.args.empty()) out << " no arguments";
      for (size_t i = 0; i < loc.args.size(); ++i)
        out << (i ? "," : "") << " " << usdt_arg_type(loc.args[i]) << " arg" << i << " (" << describe(loc.args[i]) << ")";
      out << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

int list_probes(const std::string& pattern, bool verbose, std::ostream& out) {
  std::vector<std::string> parts = split_colons(pattern.empty() ? "tracepoint:*:*" : pattern);
  const std::string& provider = parts[0];
  if (provider == "tracepoint" || provider == "t") {
    if (parts.size() > 3) {
      std::cerr << "memscript: -l: expected tracepoint:CATEGORY:NAME, not '" << pattern << "'\n";
      return kExitUsage;
    }
    return list_tracepoints(parts.size() > 1 ? parts[1] : "*", parts.size() > 2 ? parts[2] : "*", verbose, out);
  }
  if (provider == "uprobe" || provider == "u" || provider == "uretprobe" || provider == "ur") {
    if (parts.size() < 2 || parts[1].empty()) {
      std::cerr << "memscript: -l: expected uprobe:BINARY or uprobe:BINARY:FUNCTION, not '" << pattern << "'\n";
      return kExitUsage;
    }
    // The function may be a C++ name with its own colons, quoted or not.
    std::string func = "*";
    if (parts.size() > 2) {
      size_t second = pattern.find(':', pattern.find(':') + 1);
      func = pattern.substr(second + 1);
      if (func.size() >= 2 && func.front() == '"' && func.back() == '"') func = func.substr(1, func.size() - 2);
    }
    return list_uprobes(parts[1], func, out);
  }
  if (provider == "usdt" || provider == "U") {
    if (parts.size() < 2 || parts.size() > 4 || parts[1].empty()) {
      std::cerr << "memscript: -l: expected usdt:BINARY, usdt:BINARY:NAME or usdt:BINARY:PROVIDER:NAME, not '" << pattern
                << "'\n";
      return kExitUsage;
    }
    std::string prov = parts.size() == 4 ? parts[2] : "*";
    std::string name = parts.size() >= 3 ? parts.back() : "*";
    return list_usdt(parts[1], prov, name, verbose, out);
  }
  std::cerr << "memscript: -l: can list tracepoint:..., uprobe:BINARY:... and usdt:BINARY:..., not '" << pattern << "'\n";
  return kExitUsage;
}

}  // namespace ms::runtime
