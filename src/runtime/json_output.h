// bpftrace's `-f json` output: one JSON object per line (NDJSON), each
// {"type": T, "data": D}, with T one of printf, value, map, hist, stats,
// attached_probes. The map encodings live in map_printer (format_map_json) and
// hist_printer (format_hist_json); this file holds the common pieces.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/map_value.h"

namespace ms::runtime {

// `s` as a JSON string, quotes included; escapes as bpftrace does (\" \\ \n
// \r \t and \u00XX for other control characters; other bytes unchanged).
std::string json_string(const std::string& s);

// An integer bare, a string quoted.
std::string json_value(const Scalar& v);

// {"type": "printf", "data": "..."} and a newline.
std::string json_printf(const std::string& text);
// {"type": "value", "data": V} and a newline (print(value)).
std::string json_print_value(const Scalar& v);
// {"type": "attached_probes", "data": {"probes": N}} and a newline.
std::string json_attached_probes(size_t n);

}  // namespace ms::runtime
