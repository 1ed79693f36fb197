// Reads and clears maps (the bytes; map_value/map_printer decode them), in
// the kernel or, for --in-process, in the shared memory the agent writes
// (agent/ms_shm.h): one interface, two backends, so every printer and report
// works on both.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "runtime/map_printer.h"

struct ms_shm_map;

namespace ms::runtime {

// Where a map's entries are: a kernel map fd, or a map in the shared memory
// at `shm_base`. Converts from a bare fd for the kernel case.
struct MapSource {
  MapSource(int kernel_fd = -1) : fd(kernel_fd) {}  // NOLINT: an fd is a source
  MapSource(void* base, ms_shm_map* map) : shm_base(base), shm_map(map) {}
  int fd = -1;
  void* shm_base = nullptr;
  ms_shm_map* shm_map = nullptr;
  bool valid() const { return fd >= 0 || shm_map; }
};

// One element into `value` (lookup_value_size bytes; a shared-memory per-CPU
// value fills the first CPU's slot and zeroes the rest). False if absent.
bool lookup_elem(const MapSource& src, const manifest::MapDesc& map, int num_cpus, const void* key, void* value);
// The same for internal maps without a MapDesc (stack store, counters):
// `value_size` bytes of the value of `key` (`key_size` bytes).
bool lookup_raw(const MapSource& src, const void* key, void* value, size_t value_size);

// Every entry of the map, each key once, with a value buffer sized for all
// possible CPUs of a per-CPU map. Entries the programs delete while we read are
// skipped. Returns false with `error` set if the kernel refuses.
bool read_map(const MapSource& src, const manifest::MapDesc& map, int num_cpus, std::vector<RawMapEntry>& out, std::string& error);

// Every entry, keys and values each in one contiguous buffer (entry i's key at
// i * key_size): no allocation per entry, for maps of a million entries.
struct FlatMapEntries {
  size_t key_size = 0, value_size = 0, count = 0;
  std::vector<uint8_t> keys, values;
  const uint8_t* key(size_t i) const { return keys.data() + i * key_size; }
  const uint8_t* value(size_t i) const { return values.data() + i * value_size; }
};
bool read_map_flat(const MapSource& src, const manifest::MapDesc& map, int num_cpus, FlatMapEntries& out, std::string& error);

// Sets the value of every key to zero bytes (every CPU's slot of a per-CPU map).
bool zero_map(const MapSource& src, const manifest::MapDesc& map, int num_cpus, std::string& error);

// Deletes every key.
bool clear_map(const MapSource& src, const manifest::MapDesc& map, std::string& error);

// Every entry, a batch at a time (thousands of entries per call, one buffer
// reused): a report over a million entries holds one batch, not the map.
// `each` sees every key once unless programs change the map meanwhile.
bool read_map_batches(const MapSource& src, const manifest::MapDesc& map, int num_cpus,
                      const std::function<void(const FlatMapEntries&)>& each, std::string& error);

}  // namespace ms::runtime
