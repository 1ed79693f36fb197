#include "runtime/map_printer.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "runtime/bytes.h"
#include "runtime/hist_printer.h"
#include "runtime/json_output.h"
#include "runtime/map_value.h"

namespace ms::runtime {

namespace {

// One entry to print, decoded and combined across CPUs.
struct Row {
  std::vector<Scalar> key;
  Scalar value;                    // plain maps and count/sum/min/max/avg
  uint64_t count = 0, total = 0;   // stats
  int64_t average = 0;             // stats
  std::vector<uint64_t> buckets;   // hist/lhist
};

int compare_keys(const std::vector<Scalar>& a, const std::vector<Scalar>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    int c = compare_scalar_as_key(a[i], b[i]);
    if (c) return c;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

int cpus_of(const manifest::MapDesc& map, int num_cpus) { return map.percpu ? (num_cpus > 0 ? num_cpus : 1) : 1; }

bool is_histogram(const manifest::MapDesc& map) {
  return map.agg == manifest::AggKind::Hist || map.agg == manifest::AggKind::Lhist;
}

// hist and lhist: one map entry per (key, bucket), gathered into one bucket
// vector per key.
std::vector<Row> histogram_rows(const manifest::MapDesc& map, const std::vector<RawMapEntry>& entries, int num_cpus,
                                FieldRenderer* renderer) {
  std::vector<Row> rows;
  if (map.key_size < 8) return rows;
  const size_t prefix = map.key_size - 8;
  const int cpus = cpus_of(map, num_cpus);
  const size_t stride = percpu_value_stride(map);
  std::map<std::vector<uint8_t>, Row> by_key;
  for (const auto& e : entries) {
    if (e.key.size() < map.key_size || e.value.size() < stride * static_cast<size_t>(cpus)) continue;
    std::vector<uint8_t> k(e.key.begin(), e.key.begin() + static_cast<long>(prefix));
    const uint64_t bucket = load_u64(e.key.data() + prefix);
    if (bucket > 4096) continue;  // not a bucket codegen produces
    uint64_t count = 0;
    for (int c = 0; c < cpus; ++c) count += load_u64(e.value.data() + static_cast<size_t>(c) * stride);
    auto it = by_key.find(k);
    if (it == by_key.end()) {
      auto decoded = decode_key(map, e.key.data(), prefix, renderer);
      if (!decoded) continue;
      Row r;
      r.key = std::move(*decoded);
      it = by_key.emplace(k, std::move(r)).first;
    }
    Row& h = it->second;
    if (h.buckets.size() <= bucket) h.buckets.resize(bucket + 1, 0);
    h.buckets[bucket] += count;
    h.total += count;
  }
  for (auto& [k, h] : by_key)
    if (h.total) rows.push_back(std::move(h));
  return rows;
}

std::vector<Row> stats_rows(const manifest::MapDesc& map, const std::vector<RawMapEntry>& entries, int num_cpus,
                            FieldRenderer* renderer) {
  std::vector<Row> rows;
  const int cpus = cpus_of(map, num_cpus);
  const size_t stride = percpu_value_stride(map);
  for (const auto& e : entries) {
    auto key = decode_key(map, e.key.data(), e.key.size(), renderer);
    if (!key || map.value_size < 16 || e.value.size() < stride * static_cast<size_t>(cpus)) continue;
    Row r;
    r.key = std::move(*key);
    for (int c = 0; c < cpus; ++c) {
      r.total += load_u64(e.value.data() + static_cast<size_t>(c) * stride);
      r.count += load_u64(e.value.data() + static_cast<size_t>(c) * stride + 8);
    }
    if (r.count == 0) continue;
    r.average = map.value.is_signed ? static_cast<int64_t>(r.total) / static_cast<int64_t>(r.count)
                                    : static_cast<int64_t>(r.total / r.count);
    rows.push_back(std::move(r));
  }
  return rows;
}

// The entries in print order, `top` applied. Key order first, so that ties
// come out the same way on every run (bpftrace leaves them in hash order);
// then stably by value: total count for histograms, average for stats, the
// value itself for integers. String values keep key order.
std::vector<Row> ordered_rows(const manifest::MapDesc& map, const std::vector<RawMapEntry>& entries, int num_cpus,
                              FieldRenderer* renderer, uint32_t top, uint32_t div) {
  std::vector<Row> rows;
  if (is_histogram(map)) {
    rows = histogram_rows(map, entries, num_cpus, renderer);
  } else if (map.agg == manifest::AggKind::Stats) {
    rows = stats_rows(map, entries, num_cpus, renderer);
  } else {
    for (const auto& e : entries) {
      auto key = decode_key(map, e.key.data(), e.key.size(), renderer);
      auto value = decode_value(map, e.value.data(), e.value.size(), num_cpus, renderer);
      if (!key || !value) continue;
      Row r;
      r.key = std::move(*key);
      r.value = std::move(*value);
      rows.push_back(std::move(r));
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return compare_keys(a.key, b.key) < 0; });
  if (is_histogram(map)) {
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.total < b.total; });
  } else if (map.agg == manifest::AggKind::Stats) {
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.average < b.average; });
  } else if (!rows.empty() && !rows.front().value.is_string) {
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Row& a, const Row& b) { return compare_scalar_as_value(a.value, b.value) < 0; });
  }
  if (top && rows.size() > top) rows.erase(rows.begin(), rows.end() - top);
  if (div > 1 && !is_histogram(map) && map.agg != manifest::AggKind::Stats) {
    for (Row& r : rows) {
      if (r.value.is_string) continue;
      r.value.bits = r.value.is_signed ? static_cast<uint64_t>(static_cast<int64_t>(r.value.bits) / div)
                                       : r.value.bits / div;
    }
  }
  return rows;
}

std::string key_text(const std::vector<Scalar>& key) {
  if (key.empty()) return {};
  std::string out = "[";
  for (size_t i = 0; i < key.size(); ++i) {
    if (i) out += ", ";
    out += key[i].to_string();
  }
  return out + "]";
}

std::string stats_text(const manifest::MapDesc& map, const Row& r) {
  const std::string total = map.value.is_signed ? std::to_string(static_cast<int64_t>(r.total)) : std::to_string(r.total);
  return "count " + std::to_string(r.count) + ", average " + std::to_string(r.average) + ", total " + total;
}

}  // namespace

std::string format_map(const manifest::MapDesc& map, const std::vector<RawMapEntry>& entries, int num_cpus,
                       FieldRenderer* renderer, uint32_t top, uint32_t div) {
  const std::vector<Row> rows = ordered_rows(map, entries, num_cpus, renderer, top, div);
  if (rows.empty()) return {};
  std::string out;
  for (const Row& r : rows) {
    out += map.name + key_text(r.key) + ": ";
    if (is_histogram(map)) {
      out += '\n';
      out += map.agg == manifest::AggKind::Hist ? format_hist(r.buckets, div)
                                                : format_lhist(r.buckets, map.lhist_min, map.lhist_max, map.lhist_step);
      out += '\n';
    } else if (map.agg == manifest::AggKind::Stats) {
      out += stats_text(map, r) + '\n';
    } else {
      out += r.value.to_string() + '\n';
    }
  }
  if (map.agg == manifest::AggKind::Avg || map.agg == manifest::AggKind::Stats) out += '\n';
  return out;
}

std::string format_map_json(const manifest::MapDesc& map, const std::vector<RawMapEntry>& entries, int num_cpus,
                            FieldRenderer* renderer, uint32_t top, uint32_t div) {
  const std::vector<Row> rows = ordered_rows(map, entries, num_cpus, renderer, top, div);
  if (rows.empty()) return {};
  // bpftrace's message types: avg and stats maps are "stats", histograms "hist".
  const char* type = is_histogram(map) ? "hist"
                     : map.agg == manifest::AggKind::Avg || map.agg == manifest::AggKind::Stats ? "stats"
                                                                                                 : "map";
  std::string out = std::string("{\"type\": \"") + type + "\", \"data\": {" + json_string(map.name) + ": ";
  const bool keyed = !map.key.empty();
  if (keyed) out += '{';
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (i) out += ", ";
    if (keyed) {
      // Key fields joined with ',' in one JSON string, as bpftrace does.
      std::string k;
      for (size_t j = 0; j < r.key.size(); ++j) k += (j ? "," : "") + r.key[j].to_string();
      out += json_string(k) + ": ";
    }
    if (is_histogram(map)) {
      out += map.agg == manifest::AggKind::Hist
                 ? format_hist_json(r.buckets, div)
                 : format_lhist_json(r.buckets, map.lhist_min, map.lhist_max, map.lhist_step);
    } else if (map.agg == manifest::AggKind::Stats) {
      const std::string total =
          map.value.is_signed ? std::to_string(static_cast<int64_t>(r.total)) : std::to_string(r.total);
      out += "{\"count\": " + std::to_string(r.count) + ", \"average\": " + std::to_string(r.average) +
             ", \"total\": " + total + "}";
    } else {
      out += json_value(r.value);
    }
  }
  if (keyed) out += '}';
  return out + "}}\n";
}

}  // namespace ms::runtime
