#include "runtime/map_printer.h"

#include <algorithm>

#include "runtime/map_value.h"

namespace ms::runtime {

namespace {

struct DecodedEntry {
  std::vector<Scalar> key;
  Scalar value;
};

int compare_keys(const std::vector<Scalar>& a, const std::vector<Scalar>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    int c = compare_scalar_as_key(a[i], b[i]);
    if (c) return c;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

}  // namespace

std::string format_map(const manifest::MapDesc& map, const std::vector<RawMapEntry>& entries, int num_cpus,
                       FieldRenderer* renderer) {
  std::vector<DecodedEntry> decoded;
  decoded.reserve(entries.size());
  for (const auto& e : entries) {
    auto key = decode_key(map, e.key.data(), e.key.size(), renderer);
    auto value = decode_value(map, e.value.data(), e.value.size(), num_cpus, renderer);
    if (!key || !value) continue;
    decoded.push_back({std::move(*key), std::move(*value)});
  }
  if (decoded.empty()) return {};

  // Key order first, so that entries with equal values come out the same way
  // on every run (bpftrace leaves ties in hash order).
  std::stable_sort(decoded.begin(), decoded.end(),
                   [](const DecodedEntry& a, const DecodedEntry& b) { return compare_keys(a.key, b.key) < 0; });
  if (!decoded.front().value.is_string) {
    std::stable_sort(decoded.begin(), decoded.end(), [](const DecodedEntry& a, const DecodedEntry& b) {
      return compare_scalar_as_value(a.value, b.value) < 0;
    });
  }

  std::string out;
  for (const auto& e : decoded) {
    out += map.name;
    if (!e.key.empty()) {
      out += '[';
      for (size_t i = 0; i < e.key.size(); ++i) {
        if (i) out += ", ";
        out += e.key[i].to_string();
      }
      out += ']';
    }
    out += ": ";
    out += e.value.to_string();
    out += '\n';
  }
  if (map.agg == manifest::AggKind::Avg) out += '\n';
  return out;
}

}  // namespace ms::runtime
