// Reads and clears maps in the kernel (the bytes; map_value/map_printer decode them).
#pragma once

#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "runtime/map_printer.h"

namespace ms::runtime {

// Every entry of the map, each key once, with a value buffer sized for all
// possible CPUs of a per-CPU map. Entries the programs delete while we read are
// skipped. Returns false with `error` set if the kernel refuses.
bool read_map(int fd, const manifest::MapDesc& map, int num_cpus, std::vector<RawMapEntry>& out, std::string& error);

// Sets the value of every key to zero bytes (every CPU's slot of a per-CPU map).
bool zero_map(int fd, const manifest::MapDesc& map, int num_cpus, std::string& error);

// Deletes every key.
bool clear_map(int fd, const manifest::MapDesc& map, std::string& error);

}  // namespace ms::runtime
