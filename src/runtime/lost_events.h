// Events the BPF side could not send because the ring buffer was full.
//
// The generated code counts them per event (Manifest::lost_events_elf_name);
// nothing is lost without the operator being told, and a lost exit() still
// ends the run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "manifest/manifest.h"

namespace ms::runtime {

// Per-slot totals over every CPU; empty if the map cannot be read.
std::vector<uint64_t> read_lost_events(int map_fd, int num_cpus);

// True if an exit() event was among the lost ones.
bool lost_an_exit(const manifest::Manifest& m, const std::vector<uint64_t>& lost);

// One line per event site that lost events, or "" if none was lost.
std::string format_lost_events(const manifest::Manifest& m, const std::vector<uint64_t>& lost);

}  // namespace ms::runtime
