#include "runtime/leak_maps.h"

#include <cstring>
#include <unordered_map>

#include "runtime/map_value.h"

namespace ms::runtime {

namespace {

uint64_t u64_at(const std::vector<uint8_t>& b, size_t off) {
  uint64_t v = 0;
  if (off + 8 <= b.size()) std::memcpy(&v, b.data() + off, 8);
  return v;
}

bool is_stack(const manifest::Field& f) {
  return f.kind == manifest::FieldKind::UserStack || f.kind == manifest::FieldKind::KernelStack;
}

}  // namespace

std::optional<OutstandingLayout> outstanding_layout(const manifest::MapDesc& map, std::string& error) {
  const auto& v = map.value;
  if (map.agg != manifest::AggKind::None || map.key.size() != 1 || map.key[0].kind != manifest::FieldKind::Integer ||
      v.kind != manifest::FieldKind::Tuple || v.elements.size() < 3 ||
      v.elements[0].kind != manifest::FieldKind::Integer || v.elements[1].kind != manifest::FieldKind::Integer ||
      !is_stack(v.elements[2])) {
    error = "map " + map.name + " is not address -> (size, time, stack)";
    return std::nullopt;
  }
  OutstandingLayout l;
  l.size_offset = v.offset + v.elements[0].offset;
  l.time_offset = v.offset + v.elements[1].offset;
  l.stack_offset = v.offset + v.elements[2].offset;
  l.kernel_stack = v.elements[2].kind == manifest::FieldKind::KernelStack;
  l.stack_limit = v.elements[2].stack_limit;
  return l;
}

OutstandingAllocation decode_outstanding_at(const OutstandingLayout& layout, const FlatMapEntries& entries, size_t i) {
  auto at = [](const uint8_t* p, size_t off, size_t size) {
    uint64_t v = 0;
    if (off + 8 <= size) std::memcpy(&v, p + off, 8);
    return v;
  };
  const uint8_t* k = entries.key(i);
  const uint8_t* v = entries.value(i);
  OutstandingAllocation a;
  a.address = at(k, 0, entries.key_size);
  a.size = at(v, layout.size_offset, entries.value_size);
  a.timestamp_ns = at(v, layout.time_offset, entries.value_size);
  a.stack = at(v, layout.stack_offset, entries.value_size);
  a.stack_known = a.stack != 0;  // 0: the stack could not be recorded
  return a;
}

std::vector<OutstandingAllocation> decode_outstanding(const OutstandingLayout& layout, const FlatMapEntries& entries) {
  std::vector<OutstandingAllocation> out;
  out.reserve(entries.count);
  for (size_t i = 0; i < entries.count; ++i) out.push_back(decode_outstanding_at(layout, entries, i));
  return out;
}

std::vector<CombinedStack> decode_combined(const manifest::MapDesc& bytes_map, const std::vector<RawMapEntry>& bytes,
                                           const manifest::MapDesc& count_map, const std::vector<RawMapEntry>& counts,
                                           int num_cpus) {
  std::unordered_map<uint64_t, CombinedStack> by_stack;
  for (const auto& e : bytes) {
    auto v = decode_value(bytes_map, e.value.data(), e.value.size(), num_cpus);
    if (!v) continue;
    CombinedStack& c = by_stack[u64_at(e.key, 0)];
    c.stack = u64_at(e.key, 0);
    c.total_size = v->bits;
  }
  for (const auto& e : counts) {
    auto v = decode_value(count_map, e.value.data(), e.value.size(), num_cpus);
    if (!v) continue;
    CombinedStack& c = by_stack[u64_at(e.key, 0)];
    c.stack = u64_at(e.key, 0);
    c.allocations = v->bits;
  }
  std::vector<CombinedStack> out;
  out.reserve(by_stack.size());
  for (auto& [_, c] : by_stack)
    // Sums that went to zero or below (frees of blocks allocated before tracing began) are not outstanding.
    if (static_cast<int64_t>(c.allocations) > 0 && static_cast<int64_t>(c.total_size) > 0) out.push_back(c);
  return out;
}

LeakReportOptions leak_options(const manifest::LeakReportDesc& d) {
  LeakReportOptions o;
  o.top = d.top;
  o.min_age_ns = d.min_age_ns;
  o.sort = d.sort_by_count ? LeakSortKey::Count : LeakSortKey::Size;
  o.show_allocs = d.show_allocs;
  o.scale = d.sample_rate;
  o.sample_bytes = d.sample_bytes;
  o.growth_intervals = d.growth_intervals;
  return o;
}

}  // namespace ms::runtime
