#include "runtime/map_reader.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "runtime/map_value.h"

namespace ms::runtime {

namespace {

// Collects the keys. If a key vanishes under us, get_next_key starts again from
// the first key, so keys are deduplicated and the walk is bounded.
bool read_keys(int fd, const manifest::MapDesc& map, std::vector<std::vector<uint8_t>>& keys, std::string& error) {
  std::set<std::string> seen;
  std::vector<uint8_t> cur(map.key_size), next(map.key_size);
  const size_t limit = 2 * static_cast<size_t>(map.max_entries) + 16;
  bool first = true;
  for (size_t steps = 0; steps < limit; ++steps) {
    if (bpf_map_get_next_key(fd, first ? nullptr : cur.data(), next.data()) != 0) {
      if (errno == ENOENT) return true;
      error = "reading map " + map.name + ": " + std::strerror(errno);
      return false;
    }
    first = false;
    if (seen.emplace(next.begin(), next.end()).second) keys.push_back(next);
    cur.swap(next);
  }
  return true;
}

}  // namespace

bool read_map(int fd, const manifest::MapDesc& map, int num_cpus, std::vector<RawMapEntry>& out, std::string& error) {
  out.clear();
  std::vector<std::vector<uint8_t>> keys;
  if (!read_keys(fd, map, keys, error)) return false;
  const size_t value_size = lookup_value_size(map, num_cpus);
  for (auto& key : keys) {
    RawMapEntry e;
    e.value.resize(value_size);
    if (bpf_map_lookup_elem(fd, key.data(), e.value.data()) != 0) {
      if (errno == ENOENT) continue;  // deleted meanwhile
      error = "reading map " + map.name + ": " + std::strerror(errno);
      return false;
    }
    e.key = std::move(key);
    out.push_back(std::move(e));
  }
  return true;
}

bool zero_map(int fd, const manifest::MapDesc& map, int num_cpus, std::string& error) {
  std::vector<std::vector<uint8_t>> keys;
  if (!read_keys(fd, map, keys, error)) return false;
  const std::vector<uint8_t> zeros(lookup_value_size(map, num_cpus), 0);
  for (const auto& key : keys) {
    // BPF_EXIST: a key deleted meanwhile stays deleted.
    if (bpf_map_update_elem(fd, key.data(), zeros.data(), BPF_EXIST) != 0 && errno != ENOENT) {
      error = "zeroing map " + map.name + ": " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

bool clear_map(int fd, const manifest::MapDesc& map, std::string& error) {
  std::vector<std::vector<uint8_t>> keys;
  if (!read_keys(fd, map, keys, error)) return false;
  for (const auto& key : keys) {
    if (bpf_map_delete_elem(fd, key.data()) != 0 && errno != ENOENT) {
      error = "clearing map " + map.name + ": " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

}  // namespace ms::runtime
