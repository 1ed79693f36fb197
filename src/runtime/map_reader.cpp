#include "runtime/map_reader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
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

// BPF_MAP_LOOKUP_BATCH (or _AND_DELETE_BATCH): thousands of entries per
// system call instead of two calls per entry, into one reused chunk that
// `each` sees. Returns 0 once the whole map was walked, else the errno of the
// failed call; `started` says whether any chunk went through (a map the kernel
// cannot batch fails on the first call).
int walk_batches(int fd, const manifest::MapDesc& map, size_t value_size, bool and_delete,
                 const std::function<void(const FlatMapEntries&)>& each, bool& started) {
  FlatMapEntries batch;
  batch.key_size = map.key_size;
  batch.value_size = value_size;
  uint32_t chunk = 8192;
  // The batch position is the kernel's (a bucket index for hash maps): room
  // for a key or 8 bytes, whichever is larger.
  std::vector<uint8_t> in_batch(std::max<size_t>(map.key_size, 8)), out_batch(in_batch.size());
  started = false;
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  for (;;) {
    batch.keys.resize(static_cast<size_t>(chunk) * batch.key_size);
    batch.values.resize(static_cast<size_t>(chunk) * batch.value_size);
    uint32_t count = chunk;
    void* in = started ? in_batch.data() : nullptr;
    int rc = and_delete ? bpf_map_lookup_and_delete_batch(fd, in, out_batch.data(), batch.keys.data(),
                                                          batch.values.data(), &count, &opts)
                        : bpf_map_lookup_batch(fd, in, out_batch.data(), batch.keys.data(), batch.values.data(),
                                               &count, &opts);
    int err = rc < 0 ? errno : 0;
    if (rc < 0 && err == ENOSPC && count == 0 && chunk < (1u << 22)) {
      chunk *= 2;  // one bucket holds more entries than fit
      continue;
    }
    if (rc < 0 && err != ENOENT) return err;
    batch.count = count;
    if (count) each(batch);
    if (rc < 0) return 0;  // ENOENT: that was the last batch
    in_batch.swap(out_batch);
    started = true;
  }
}

// The whole map in contiguous buffers (a million outstanding allocations read
// in well under a second). Returns false, leaving `out` empty, if the kernel
// cannot batch this map, so the caller falls back to walking the keys.
bool read_batched(int fd, const manifest::MapDesc& map, size_t value_size, FlatMapEntries& out) {
  out = {};
  out.key_size = map.key_size;
  out.value_size = value_size;
  bool started = false;
  int err = walk_batches(fd, map, value_size, false, [&](const FlatMapEntries& b) {
    out.keys.insert(out.keys.end(), b.keys.begin(), b.keys.begin() + static_cast<std::ptrdiff_t>(b.count * b.key_size));
    out.values.insert(out.values.end(), b.values.begin(),
                      b.values.begin() + static_cast<std::ptrdiff_t>(b.count * b.value_size));
    out.count += b.count;
  }, started);
  if (err == 0) return true;
  out = {};
  return false;
}

// A map of a million entries cleared in a few hundred system calls with one
// chunk of memory (walking the keys took seconds and over 100 MiB at the end
// of memleak.ms). False if the kernel cannot batch this map; what was deleted
// stays deleted and the caller's key walk clears the rest.
bool clear_batched(int fd, const manifest::MapDesc& map) {
  const int cpus = map.percpu ? libbpf_num_possible_cpus() : 1;
  if (cpus <= 0) return false;
  bool started = false;
  return walk_batches(fd, map, lookup_value_size(map, cpus), true, [](const FlatMapEntries&) {}, started) == 0;
}

}  // namespace

bool read_map_flat(int fd, const manifest::MapDesc& map, int num_cpus, FlatMapEntries& out, std::string& error) {
  if (read_batched(fd, map, lookup_value_size(map, num_cpus), out)) return true;
  std::vector<RawMapEntry> entries;
  if (!read_map(fd, map, num_cpus, entries, error)) return false;
  out.key_size = map.key_size;
  out.value_size = lookup_value_size(map, num_cpus);
  out.count = entries.size();
  for (const auto& e : entries) {
    out.keys.insert(out.keys.end(), e.key.begin(), e.key.end());
    out.values.insert(out.values.end(), e.value.begin(), e.value.end());
  }
  return true;
}

bool read_map(int fd, const manifest::MapDesc& map, int num_cpus, std::vector<RawMapEntry>& out, std::string& error) {
  out.clear();
  FlatMapEntries flat;
  if (read_batched(fd, map, lookup_value_size(map, num_cpus), flat)) {
    out.reserve(flat.count);
    for (size_t i = 0; i < flat.count; ++i)
      out.push_back({std::vector<uint8_t>(flat.key(i), flat.key(i) + flat.key_size),
                     std::vector<uint8_t>(flat.value(i), flat.value(i) + flat.value_size)});
    return true;
  }
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
  if (clear_batched(fd, map)) return true;
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

bool read_map_batches(int fd, const manifest::MapDesc& map, int num_cpus,
                      const std::function<void(const FlatMapEntries&)>& each, std::string& error) {
  bool started = false;
  int err = walk_batches(fd, map, lookup_value_size(map, num_cpus), false, each, started);
  if (err == 0) return true;
  if (started) {
    error = "reading map " + map.name + ": " + std::strerror(err);
    return false;
  }
  // No batch operations for this map: all of it at once.
  FlatMapEntries all;
  if (!read_map_flat(fd, map, num_cpus, all, error)) return false;
  each(all);
  return true;
}

}  // namespace ms::runtime
