#include "runtime/probe_checks.h"

#include <algorithm>

#include "common/diagnostics.h"
#include "runtime/elf_symbols.h"
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

std::vector<ProbeProblem> check_probes(const manifest::Manifest& manifest, const std::string& source,
                                       std::vector<std::string>& resolved_paths) {
  std::vector<ProbeProblem> problems;
  resolved_paths.assign(manifest.probes.size(), {});
  bool tracefs_checked = false;
  for (size_t i = 0; i < manifest.probes.size(); ++i) {
    const auto& p = manifest.probes[i];
    auto script_error = [&](const std::string& msg) {
      problems.push_back({true, located_probe_error(manifest, p, source, msg)});
    };
    switch (p.type) {
      case ProbeType::Begin:
      case ProbeType::End:
        break;
      case ProbeType::Uprobe:
      case ProbeType::Uretprobe: {
        auto path = resolve_binary(p.target);
        if (!path) {
          script_error("cannot find '" + p.target + "' to attach " + p.display +
                       (p.target.find(".so") != std::string::npos || p.target.rfind("lib", 0) == 0
                            ? " (not in the library path)"
                            : " (not in PATH)"));
          break;
        }
        std::string detail;
        switch (check_function(*path, p.func, &detail)) {
          case SymbolCheck::Found:
            resolved_paths[i] = *path;
            break;
          case SymbolCheck::FileMissing:
            script_error("cannot open " + *path + ": " + detail);
            break;
          case SymbolCheck::NotElf:
            script_error(*path + " is not an ELF file");
            break;
          case SymbolCheck::NoSuchFunction:
            script_error("function '" + p.func + "' not found in " + *path);
            break;
          case SymbolCheck::IndirectFunction:
            script_error("'" + p.func + "' in " + *path +
                         " is an indirect function (GNU IFUNC) chosen at load time; probing it is not supported");
            break;
        }
        break;
      }
      case ProbeType::Tracepoint: {
        if (!tracefs_checked) {
          tracefs_checked = true;
          if (auto err = ensure_tracefs()) {
            problems.push_back({false, *err});
            return problems;
          }
        }
        if (!tracepoint_exists(p.target, p.func))
          script_error("tracepoint " + p.target + ":" + p.func + " does not exist");
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
