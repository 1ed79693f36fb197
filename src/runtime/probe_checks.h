// Checks every attach point before anything is loaded, so that a typo in a
// probe gets one located line instead of a libbpf failure.
#pragma once

#include <cstdint>
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include "manifest/manifest.h"

namespace ms::runtime {

struct ProbeProblem {
  bool is_script_error = true;  // false: the machine, not the script (tracefs will not mount)
  bool missing_function = false;  // a uprobe's function is not in its binary (optional with `missing_functions warn`)
  std::string message;          // located, possibly several lines, no final newline
  size_t probe_index = 0;       // missing_function: which manifest probe
};

// Where one uprobe attach point goes in its binary: a function by name (the
// kernel's uprobe API resolves it with libbpf), or explicit sites.
struct UprobeSite {
  std::string name;      // function name, for `func` and messages
  uint64_t file_offset;  // absolute offset in the file
};
struct UprobePlan {
  std::string func;     // attach by name (libbpf resolves it) plus func_offset; empty: use `sites`
  uint64_t func_offset = 0;
  std::vector<UprobeSite> sites;  // wildcard matches or a raw address
  uint64_t cookie_base = 0;       // site i gets BPF cookie cookie_base + i (its row in the func-names map)
};

// FUNC, FUNC+OFFSET (decimal or 0x hex) or a raw address 0xADDR, as written
// after the binary of a uprobe. nullopt if malformed.
struct UprobeFunctionSpec {
  std::string name;     // empty for a raw address
  uint64_t offset = 0;  // FUNC+OFFSET: the offset; raw address: the address
  bool is_address = false;
};
std::optional<UprobeFunctionSpec> parse_uprobe_function(const std::string& text);

// Fills `resolved_paths` (one per probe; "" where not a uprobe) and returns
// every problem found. With `plans`, also says where each uprobe attaches
// (wildcards expanded). With `pid`, short library names resolve to what that
// process maps.
// Where an entry uprobe should go in a function whose code is given: the byte
// offset of the first instruction the kernel emulates when only flag-setting
// instructions precede it (see codegen/probe_placement.h, which main wires in:
// the runtime itself never decodes x86). `why` says what was stepped over.
using EntryProbePlacer = std::function<uint64_t(const uint8_t* code, size_t size, std::string* why)>;

// Moves each entry uprobe of `plans` (function entry, no +OFFSET written) to
// where `placer` says, reading the code from `resolved_paths`. With `log`,
// one line per moved probe.
void place_entry_probes(const manifest::Manifest& manifest, const std::vector<std::string>& resolved_paths,
                        std::vector<UprobePlan>& plans, const EntryProbePlacer& placer, std::string* log);

std::vector<ProbeProblem> check_probes(const manifest::Manifest& manifest, const std::string& source,
                                       std::vector<std::string>& resolved_paths,
                                       std::vector<UprobePlan>* plans = nullptr, int pid = 0);

// "FILE:LINE:COL: error: MESSAGE", then the script line with the attach point
// underlined, like the parser's diagnostics.
std::string located_probe_error(const manifest::Manifest& manifest, const manifest::ProbeDesc& probe,
                                const std::string& source, const std::string& message);

}  // namespace ms::runtime
