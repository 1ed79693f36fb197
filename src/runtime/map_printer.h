// Prints a map the way bpftrace 0.17 does at exit and for print(@m):
//
//   @name[k1, k2]: value      one line per entry; `@name: value` for a scalar map
//
// Order (checked against bpftrace 0.17): entries sorted by key (integers by
// their unsigned value, strings bytewise, fields left to right), then, for
// integer values and every aggregation, stably by value ascending. String
// values keep key order. An avg map is followed by one blank line, as
// bpftrace prints it. An empty map prints nothing.
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
                       FieldRenderer* renderer = nullptr);

}  // namespace ms::runtime
