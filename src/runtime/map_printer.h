// Prints a map the way bpftrace 0.17 does at exit and for print(@m):
//
//   @name[k1, k2]: value      one line per entry; `@name: value` for a scalar map
//
// Order (checked against bpftrace 0.17): entries sorted by key (integers by
// their unsigned value, strings bytewise, fields left to right), then, for
// integer values and every aggregation, stably by value ascending. String
// values keep key order. An avg map is followed by one blank line, as
// bpftrace prints it. An empty map prints nothing.
//
// stats maps print `@s[k]: count N, average N, total N`, ordered by average,
// followed by a blank line. hist and lhist maps print `@h[k]: ` and the
// histogram (hist_printer.h) then a blank line per key, ordered by total count.
// `top` keeps only the last `top` entries of that order (print(@m, top));
// `div` divides integer values (and hist counts) as print(@m, top, div) does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "manifest/manifest.h"

namespace ms::runtime {

// One entry as read from the kernel: key bytes and value bytes (all CPUs'
// slots, one after the other, for a per-CPU map).
struct RawMapEntry {
  std::vector<uint8_t> key;
  std::vector<uint8_t> value;
};

class FieldRenderer;
// `renderer` turns stack and symbol fields into text (null: raw numbers).
std::string format_map(const manifest::MapDesc& map, const std::vector<RawMapEntry>& entries, int num_cpus,
                       FieldRenderer* renderer = nullptr, uint32_t top = 0, uint32_t div = 1);

// The same entries as one line of bpftrace's `-f json` output:
//   {"type": "map", "data": {"@x": {"k1,k2": 3, ...}}}   ("@x": 3 for a scalar map)
// with type "stats" for avg and stats maps and "hist" for hist/lhist maps.
// Nothing for an empty map.
std::string format_map_json(const manifest::MapDesc& map, const std::vector<RawMapEntry>& entries, int num_cpus,
                            FieldRenderer* renderer = nullptr, uint32_t top = 0, uint32_t div = 1);

}  // namespace ms::runtime
