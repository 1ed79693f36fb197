// Reads and clears maps in the kernel (the bytes; map_value/map_printer decode them).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "runtime/map_printer.h"

namespace ms::runtime {

// Every entry of the map, each key once, with a value buffer sized for all
// possible CPUs of a per-CPU map. Entries the programs delete while we read are
// skipped. Returns false with `error` set if the kernel refuses.
bool read_map(int fd, const manifest::MapDesc& map, int num_cpus, std::vector<RawMapEntry>& out, std::string& error);

// Every entry, keys and values each in one contiguous buffer (entry i's key at
// i * key_size): no allocation per entry, for maps of a million entries.
struct FlatMapEntries {
  size_t key_size = 0, value_size = 0, count = 0;
  std::vector<uint8_t> keys, values;
  const uint8_t* key(size_t i) const { return keys.data() + i * key_size; }
  const uint8_t* value(size_t i) const { return values.data() + i * value_size; }
};
bool read_map_flat(int fd, const manifest::MapDesc& map, int num_cpus, FlatMapEntries& out, std::string& error);

// Sets the value of every key to zero bytes (every CPU's slot of a per-CPU map).
bool zero_map(int fd, const manifest::MapDesc& map, int num_cpus, std::string& error);

// Deletes every key.
bool clear_map(int fd, const manifest::MapDesc& map, std::string& error);

// Every entry, a batch at a time (thousands of entries per call, one buffer
// reused): a report over a million entries holds one batch, not the map.
// `each` sees every key once unless programs change the map meanwhile.
bool read_map_batches(int fd, const manifest::MapDesc& map, int num_cpus,
                      const std::function<void(const FlatMapEntries&)>& each, std::string& error);

}  // namespace ms::runtime
