#include "runtime/snapshot_keys.h"

#include <cstring>
#include <map>

#include "runtime/map_value.h"

namespace ms::runtime {

int merge_snapshot_keys(const manifest::MapDesc& map, std::vector<RawMapEntry>& entries, int num_cpus,
                        const std::function<uint64_t(uint64_t id, uint32_t limit)>& canonical) {
  std::vector<std::pair<uint32_t, uint32_t>> stack_offsets;  // offset, frames printed
  for (const auto& f : map.key)
    if (f.kind == manifest::FieldKind::UserStack) stack_offsets.push_back({f.offset, f.stack_limit});
  if (stack_offsets.empty()) return num_cpus;
  bool any = false;
  for (auto& e : entries)
    for (auto [off, limit] : stack_offsets) {
      if (off + 8 > e.key.size()) continue;
      uint64_t id;
      std::memcpy(&id, e.key.data() + off, 8);
      if (!(id & manifest::kStackSnapshotTag)) continue;
      uint64_t c = canonical(id, limit);
      std::memcpy(e.key.data() + off, &c, 8);
      any = true;
    }
  if (!any) return num_cpus;

  std::map<std::vector<uint8_t>, std::vector<size_t>> groups;
  for (size_t i = 0; i < entries.size(); ++i) groups[entries[i].key].push_back(i);
  size_t widest = 1;
  for (const auto& [_, members] : groups) widest = std::max(widest, members.size());
  const bool combine = map.percpu && map.agg != manifest::AggKind::None;
  const size_t per_entry = lookup_value_size(map, num_cpus);
  std::vector<RawMapEntry> out;
  out.reserve(groups.size());
  for (auto& [key, members] : groups) {
    RawMapEntry m;
    m.key = key;
    if (combine) {
      m.value.assign(per_entry * widest, 0);
      for (size_t j = 0; j < members.size(); ++j) {
        const auto& v = entries[members[j]].value;
        std::memcpy(m.value.data() + j * per_entry, v.data(), std::min(v.size(), per_entry));
      }
    } else {
      m.value = entries[members.front()].value;
    }
    out.push_back(std::move(m));
  }
  entries = std::move(out);
  return combine ? num_cpus * static_cast<int>(widest) : num_cpus;
}

}  // namespace ms::runtime
