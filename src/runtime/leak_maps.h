// Reading the maps of a leak-tracing script into leak_report's records.
//
// print_leaks(@allocs): @allocs[address] = (size, nsecs, stack, ...), a plain
// hash map whose tuple value starts with those three elements.
// print_leak_stacks(@bytes, @allocations): two per-CPU sum/count maps keyed by
// one stack. Decoding is kept apart from the map syscalls so it can be tested
// on fake bytes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "runtime/leak_report.h"
#include "runtime/map_printer.h"
#include "runtime/map_reader.h"

namespace ms::runtime {

// Where the size, the time and the stack sit in a print_leaks map's value.
struct OutstandingLayout {
  uint32_t size_offset = 0, time_offset = 0, stack_offset = 0;
  bool kernel_stack = false;
  uint32_t stack_limit = 0;
};
// nullopt (with `error`) if the map does not have that shape.
std::optional<OutstandingLayout> outstanding_layout(const manifest::MapDesc& map, std::string& error);

std::vector<OutstandingAllocation> decode_outstanding(const OutstandingLayout& layout, const FlatMapEntries& entries);
// Entry i alone (a report adds them one by one instead of holding them all).
OutstandingAllocation decode_outstanding_at(const OutstandingLayout& layout, const FlatMapEntries& entries, size_t i);

// Joins the bytes and allocation maps of print_leak_stacks by stack.
std::vector<CombinedStack> decode_combined(const manifest::MapDesc& bytes_map, const std::vector<RawMapEntry>& bytes,
                                           const manifest::MapDesc& count_map, const std::vector<RawMapEntry>& counts,
                                           int num_cpus);

LeakReportOptions leak_options(const manifest::LeakReportDesc& d);

}  // namespace ms::runtime
