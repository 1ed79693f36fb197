// Checks every attach point before anything is loaded, so that a typo in a
// probe gets one located line instead of a libbpf failure.
#pragma once

#include <string>
#include <vector>

#include "manifest/manifest.h"

namespace ms::runtime {

struct ProbeProblem {
  bool is_script_error = true;  // false: the machine, not the script (tracefs will not mount)
  std::string message;          // located, possibly several lines, no final newline
};

// Fills `resolved_paths` (one per probe; "" where not a uprobe) and returns
// every problem found.
std::vector<ProbeProblem> check_probes(const manifest::Manifest& manifest, const std::string& source,
                                       std::vector<std::string>& resolved_paths);

// "FILE:LINE:COL: error: MESSAGE", then the script line with the attach point
// underlined, like the parser's diagnostics.
std::string located_probe_error(const manifest::Manifest& manifest, const manifest::ProbeDesc& probe,
                                const std::string& source, const std::string& message);

}  // namespace ms::runtime
