#include "runtime/lost_events.h"

#include <bpf/bpf.h>

#include <algorithm>

namespace ms::runtime {

std::vector<uint64_t> read_lost_events(int map_fd, int num_cpus) {
  std::vector<uint64_t> totals(manifest::kLostEventSlots, 0);
  std::vector<uint64_t> per_cpu(static_cast<size_t>(std::max(num_cpus, 1)));
  for (uint32_t i = 0; i < manifest::kLostEventSlots; ++i) {
    if (bpf_map_lookup_elem(map_fd, &i, per_cpu.data()) != 0) return {};
    for (uint64_t v : per_cpu) totals[i] += v;
  }
  return totals;
}

namespace {

// The slot an event's losses are counted in (the last one is shared).
uint32_t slot_of(uint32_t id) { return std::min(id, manifest::kLostEventSlots - 1); }

const char* kind_name(manifest::EventKind k) {
  switch (k) {
    case manifest::EventKind::Printf: return "printf()";
    case manifest::EventKind::Exit: return "exit()";
    case manifest::EventKind::Print: return "print()";
    case manifest::EventKind::Clear: return "clear()";
    case manifest::EventKind::Zero: return "zero()";
    case manifest::EventKind::Value: return "print()";
    case manifest::EventKind::Time: return "time()";
    case manifest::EventKind::LeakReport: return "leak report";
    case manifest::EventKind::Join: return "join()";
    case manifest::EventKind::StackSnapshot: return "ustack(dwarf)";
  }
  return "event";
}

}  // namespace

bool lost_an_exit(const manifest::Manifest& m, const std::vector<uint64_t>& lost) {
  if (lost.empty()) return false;
  for (const auto& e : m.events)
    if (e.kind == manifest::EventKind::Exit && lost[slot_of(e.id)] > 0) return true;
  return false;
}

std::string format_lost_events(const manifest::Manifest& m, const std::vector<uint64_t>& lost) {
  if (lost.empty()) return "";
  std::string out;
  for (uint32_t slot = 0; slot < manifest::kLostEventSlots; ++slot) {
    if (!lost[slot]) continue;
    std::string what;
    for (const auto& e : m.events) {
      if (slot_of(e.id) != slot) continue;
      if (!what.empty()) {
        what = "events from several lines";  // only the shared last slot
        break;
      }
      what = std::string(kind_name(e.kind)) + " events from line " + std::to_string(e.line);
    }
    if (what.empty()) what = "events";
    if (lost[slot] == 1) what.replace(what.find("events"), 6, "event");
    out += "memscript: " + std::to_string(lost[slot]) + " " + what + (lost[slot] == 1 ? " was" : " were") +
           " lost: the event buffer was full (" + std::to_string(m.ringbuf_size) +
           " bytes; raise --event-buffer-size)\n";
  }
  return out;
}

}  // namespace ms::runtime
