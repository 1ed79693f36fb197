// ustack(dwarf) stacks as map keys: every snapshot has its own id, so
// `@[ustack(dwarf)] = count()` holds one entry per call. Before printing,
// keys are rewritten to the id of their unwound call chain (StackRenderer::
// canonical) and entries with equal keys are merged.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "manifest/manifest.h"
#include "runtime/map_printer.h"

namespace ms::runtime {

// Merges `entries` in place and returns the CPU count to decode them with.
// Per-CPU aggregations merge by concatenating the members' per-CPU values
// (zero-padded to the largest group): every aggregation already combines
// slots across CPUs, and an all-zero slot adds nothing (min/max see it as
// unset). A plain value keeps one member's. Maps without a user-stack key
// are left alone.
int merge_snapshot_keys(const manifest::MapDesc& map, std::vector<RawMapEntry>& entries, int num_cpus,
                        const std::function<uint64_t(uint64_t id, uint32_t limit)>& canonical);

}  // namespace ms::runtime
