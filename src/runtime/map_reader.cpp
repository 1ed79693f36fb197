#include "runtime/map_reader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <set>

#include "agent/ms_shm.h"
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


bool read_map_kernel(int fd, const manifest::MapDesc& map, int num_cpus, std::vector<RawMapEntry>& out, std::string& error);

bool read_map_flat_kernel(int fd, const manifest::MapDesc& map, int num_cpus, FlatMapEntries& out, std::string& error) {
  if (read_batched(fd, map, lookup_value_size(map, num_cpus), out)) return true;
  std::vector<RawMapEntry> entries;
  if (!read_map_kernel(fd, map, num_cpus, entries, error)) return false;
  out.key_size = map.key_size;
  out.value_size = lookup_value_size(map, num_cpus);
  out.count = entries.size();
  for (const auto& e : entries) {
    out.keys.insert(out.keys.end(), e.key.begin(), e.key.end());
    out.values.insert(out.values.end(), e.value.begin(), e.value.end());
  }
  return true;
}

bool read_map_kernel(int fd, const manifest::MapDesc& map, int num_cpus, std::vector<RawMapEntry>& out, std::string& error) {
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

bool zero_map_kernel(int fd, const manifest::MapDesc& map, int num_cpus, std::string& error) {
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

bool clear_map_kernel(int fd, const manifest::MapDesc& map, std::string& error) {
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

}  // namespace

// --------------------------------------------------------------- shared memory
//
// The agent's tables (agent/ms_shm.h) are read in place. Entries are copied
// without the map's lock (the target keeps running; a reader must never make
// it spin for a whole table): a slot that changed state while it was copied
// is skipped, like an entry a BPF program deletes during a kernel map walk.

namespace {

// Calls fn(key, value) for every live entry.
template <typename F>
void for_each_shm_entry(const MapSource& src, F&& fn) {
  ms_shm_map* m = src.shm_map;
  if (m->type == MS_SHM_ARRAY) {
    for (uint32_t i = 0; i < m->capacity; ++i) fn(reinterpret_cast<const uint8_t*>(&i), ms_array_lookup(src.shm_base, m, &i));
    return;
  }
  if (m->type != MS_SHM_HASH) return;
  std::vector<uint8_t> key(m->key_size), value(m->value_size);
  for (uint64_t i = 0; i < m->capacity; ++i) {
    uint8_t* slot = ms_slot(src.shm_base, m, i);
    if (ms_slot_state(slot) != MS_SLOT_FULL) continue;
    std::memcpy(key.data(), ms_slot_key(slot), m->key_size);
    std::memcpy(value.data(), ms_slot_value(m, slot), m->value_size);
    if (ms_slot_state(slot) != MS_SLOT_FULL || std::memcmp(key.data(), ms_slot_key(slot), m->key_size) != 0) continue;
    fn(key.data(), value.data());
  }
}

}  // namespace

bool lookup_raw(const MapSource& src, const void* key, void* value, size_t value_size) {
  if (src.fd >= 0) return bpf_map_lookup_elem(src.fd, key, value) == 0;
  if (!src.shm_map) return false;
  ms_shm_map* m = src.shm_map;
  const void* p = nullptr;
  if (m->type == MS_SHM_HASH) {
    ms_spin_lock(&m->lock);
    uint8_t* slot = ms_hash_find_locked(src.shm_base, m, key, nullptr);
    if (slot) std::memcpy(value, ms_slot_value(m, slot), std::min<size_t>(value_size, m->value_size));
    ms_spin_unlock(&m->lock);
    return slot != nullptr;
  }
  if (m->type == MS_SHM_ARRAY) p = ms_array_lookup(src.shm_base, m, key);
  if (!p) return false;
  std::memset(value, 0, value_size);
  std::memcpy(value, p, std::min<size_t>(value_size, m->value_size));
  return true;
}

bool lookup_elem(const MapSource& src, const manifest::MapDesc& map, int num_cpus, const void* key, void* value) {
  const size_t size = lookup_value_size(map, num_cpus);
  if (src.fd >= 0) return bpf_map_lookup_elem(src.fd, key, value) == 0;
  std::memset(value, 0, size);
  return lookup_raw(src, key, value, std::min<size_t>(size, map.value_size));
}

bool read_map_flat(const MapSource& src, const manifest::MapDesc& map, int num_cpus, FlatMapEntries& out,
                   std::string& error) {
  if (!src.shm_map) return read_map_flat_kernel(src.fd, map, num_cpus, out, error);
  out = {};
  out.key_size = map.key_size;
  out.value_size = lookup_value_size(map, num_cpus);
  const size_t copy = std::min<size_t>(map.value_size, src.shm_map->value_size);
  for_each_shm_entry(src, [&](const uint8_t* key, const void* value) {
    out.keys.insert(out.keys.end(), key, key + map.key_size);
    const size_t at = out.values.size();
    out.values.resize(at + out.value_size, 0);  // per-CPU: one slot, the first CPU's
    std::memcpy(out.values.data() + at, value, copy);
    ++out.count;
  });
  return true;
}

bool read_map(const MapSource& src, const manifest::MapDesc& map, int num_cpus, std::vector<RawMapEntry>& out,
              std::string& error) {
  if (!src.shm_map) return read_map_kernel(src.fd, map, num_cpus, out, error);
  FlatMapEntries flat;
  if (!read_map_flat(src, map, num_cpus, flat, error)) return false;
  out.clear();
  out.reserve(flat.count);
  for (size_t i = 0; i < flat.count; ++i)
    out.push_back({std::vector<uint8_t>(flat.key(i), flat.key(i) + flat.key_size),
                   std::vector<uint8_t>(flat.value(i), flat.value(i) + flat.value_size)});
  return true;
}

bool zero_map(const MapSource& src, const manifest::MapDesc& map, int num_cpus, std::string& error) {
  if (!src.shm_map) return zero_map_kernel(src.fd, map, num_cpus, error);
  ms_shm_map* m = src.shm_map;
  if (m->type == MS_SHM_ARRAY) {
    std::memset(ms_map_region(src.shm_base, m), 0, ms_region_size(m));
    return true;
  }
  ms_spin_lock(&m->lock);
  for (uint64_t i = 0; i < m->capacity; ++i) {
    uint8_t* slot = ms_slot(src.shm_base, m, i);
    if (*reinterpret_cast<uint64_t*>(slot) == MS_SLOT_FULL) std::memset(ms_slot_value(m, slot), 0, m->value_size);
  }
  ms_spin_unlock(&m->lock);
  return true;
}

bool clear_map(const MapSource& src, const manifest::MapDesc& map, std::string& error) {
  if (!src.shm_map) return clear_map_kernel(src.fd, map, error);
  ms_shm_map* m = src.shm_map;
  if (m->type == MS_SHM_ARRAY) {  // arrays cannot lose entries: clearing zeroes them, as in the kernel
    std::memset(ms_map_region(src.shm_base, m), 0, ms_region_size(m));
    return true;
  }
  ms_spin_lock(&m->lock);
  for (uint64_t i = 0; i < m->capacity; ++i) {
    uint8_t* slot = ms_slot(src.shm_base, m, i);
    if (*reinterpret_cast<uint64_t*>(slot) != MS_SLOT_EMPTY)
      __atomic_store_n(reinterpret_cast<uint64_t*>(slot), uint64_t{MS_SLOT_EMPTY}, __ATOMIC_RELEASE);
  }
  m->count = 0;
  ms_spin_unlock(&m->lock);
  return true;
}

bool read_map_batches(const MapSource& src, const manifest::MapDesc& map, int num_cpus,
                      const std::function<void(const FlatMapEntries&)>& each, std::string& error) {
  if (src.fd >= 0) {
    bool started = false;
    int err = walk_batches(src.fd, map, lookup_value_size(map, num_cpus), false, each, started);
    if (err == 0) return true;
    if (started) {
      error = "reading map " + map.name + ": " + std::strerror(err);
      return false;
    }
  }
  // Shared memory, or a kernel map without batch operations: all of it at once.
  FlatMapEntries all;
  if (!read_map_flat(src, map, num_cpus, all, error)) return false;
  each(all);
  return true;
}

}  // namespace ms::runtime
