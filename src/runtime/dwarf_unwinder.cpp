#include "runtime/dwarf_unwinder.h"

#include <elfutils/libdwfl.h>
#include <sys/sysmacros.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "runtime/bytes.h"

namespace ms::runtime {

namespace {

constexpr unsigned kRegSp = 7;
constexpr unsigned kRegIp = 16;

// What the callbacks read: the snapshot being unwound and what went wrong.
struct UnwindState {
  const StackSnapshot* snapshot = nullptr;
  bool read_past_copy = false;
};

pid_t next_thread(Dwfl*, void* arg, void** thread_arg) {
  // One thread: the snapshot's. A second call ends the list.
  if (*thread_arg) return 0;
  *thread_arg = arg;
  auto* st = static_cast<UnwindState*>(arg);
  return st->snapshot ? st->snapshot->pid : 0;
}

bool get_thread(Dwfl*, pid_t, void* arg, void** thread_arg) {
  *thread_arg = arg;
  return true;
}

bool memory_read(Dwfl*, Dwarf_Addr addr, Dwarf_Word* result, void* arg) {
  auto* st = static_cast<UnwindState*>(arg);
  const StackSnapshot& s = *st->snapshot;
  const uint64_t sp = s.regs[kRegSp];
  if (addr >= sp && addr - sp + 8 <= s.stack.size()) {
    *result = load_u64(s.stack.data() + (addr - sp));
    return true;
  }
  // Above a copy that was cut short by its size (not by the end of the stack
  // mapping): the unwinder needed more than --dwarf-stack-size.
  if (addr >= sp + s.stack.size() && s.stack.size() >= s.capacity) st->read_past_copy = true;
  return false;
}

bool set_initial_registers(Dwfl_Thread* thread, void* arg) {
  const StackSnapshot& s = *static_cast<UnwindState*>(arg)->snapshot;
  Dwarf_Word regs[manifest::kSnapshotRegs];
  for (unsigned i = 0; i < manifest::kSnapshotRegs; ++i) regs[i] = s.regs[i];
  if (!dwfl_thread_state_registers(thread, 0, manifest::kSnapshotRegs, regs)) return false;
  dwfl_thread_state_register_pc(thread, s.regs[kRegIp]);
  return true;
}

const Dwfl_Thread_Callbacks kCallbacks = {next_thread, get_thread, memory_read, set_initial_registers, nullptr,
                                          nullptr};

const Dwfl_Callbacks kDwflCallbacks = {
    dwfl_linux_proc_find_elf,
    dwfl_standard_find_debuginfo,
    nullptr,
    nullptr,
};

// The mappings as /proc/PID/maps lines: what dwfl_linux_proc_maps_report
// reads (it groups a file's segments into one module and finds its bias).
std::string maps_text(const std::vector<Mapping>& maps) {
  std::string out;
  char line[128];
  for (const auto& m : maps) {
    std::snprintf(line, sizeof line, "%llx-%llx r-xp %llx %x:%x %llu ", static_cast<unsigned long long>(m.start),
                  static_cast<unsigned long long>(m.end), static_cast<unsigned long long>(m.offset),
                  static_cast<unsigned>(major(m.dev)), static_cast<unsigned>(minor(m.dev)),
                  static_cast<unsigned long long>(m.inode));
    out += line;
    out += m.path;
    out += '\n';
  }
  return out;
}

struct FrameCollector {
  std::vector<uint64_t>* frames;
  uint32_t max;
};

int collect_frame(Dwfl_Frame* frame, void* arg) {
  auto* c = static_cast<FrameCollector*>(arg);
  Dwarf_Addr pc = 0;
  if (!dwfl_frame_pc(frame, &pc, nullptr) || pc == 0) return DWARF_CB_ABORT;
  c->frames->push_back(pc);
  return c->frames->size() >= c->max ? DWARF_CB_ABORT : DWARF_CB_OK;
}

bool same_mappings(const std::vector<Mapping>& a, const std::vector<Mapping>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].start != b[i].start || a[i].end != b[i].end || a[i].offset != b[i].offset || a[i].inode != b[i].inode)
      return false;
  return true;
}

}  // namespace

struct DwarfUnwinder::Process {
  Dwfl* dwfl = nullptr;
  std::vector<Mapping> mappings;  // what it was built from
  std::string maps;               // the same as /proc/PID/maps text
  UnwindState state;
  bool attached = false;
  ~Process() {
    if (dwfl) dwfl_end(dwfl);
  }
};

DwarfUnwinder::DwarfUnwinder() = default;
DwarfUnwinder::~DwarfUnwinder() = default;

std::optional<StackSnapshot> decode_stack_snapshot(const uint8_t* data, size_t size) {
  if (size < manifest::kSnapshotStackOffset) return std::nullopt;
  StackSnapshot s;
  s.id = load_u64(data + manifest::kSnapshotIdOffset);
  s.pid = static_cast<pid_t>(load_u64(data + manifest::kSnapshotPidOffset));
  for (unsigned i = 0; i < manifest::kSnapshotRegs; ++i) s.regs[i] = load_u64(data + manifest::kSnapshotRegsOffset + i * 8);
  s.capacity = static_cast<uint32_t>(size - manifest::kSnapshotStackOffset);
  uint64_t len = load_u64(data + manifest::kSnapshotLengthOffset);
  if (len > s.capacity) len = s.capacity;
  s.stack.assign(data + manifest::kSnapshotStackOffset, data + manifest::kSnapshotStackOffset + len);
  return s;
}

UnwoundStack DwarfUnwinder::unwind(const StackSnapshot& s, const std::vector<Mapping>& maps, uint32_t max_frames) {
  UnwoundStack out;
  if (max_frames == 0) return out;
  std::unique_ptr<Process>& p = processes_[s.pid];
  if (!p || !same_mappings(p->mappings, maps)) {
    // New process, or it mapped something since (dlopen): report again.
    p = std::make_unique<Process>();
    p->mappings = maps;
    p->maps = maps_text(maps);
    p->dwfl = dwfl_begin(&kDwflCallbacks);
    if (p->dwfl) {
      FILE* f = fmemopen(p->maps.data(), p->maps.size(), "r");
      if (f) {
        dwfl_report_begin(p->dwfl);
        int rc = dwfl_linux_proc_maps_report(p->dwfl, f);
        std::fclose(f);
        dwfl_report_end(p->dwfl, nullptr, nullptr);
        if (rc == 0) p->attached = dwfl_attach_state(p->dwfl, nullptr, s.pid, &kCallbacks, &p->state);
      }
    }
  }
  if (!p->attached) {
    // No module to unwind with: the ip is all we know.
    out.frames.push_back(s.regs[kRegIp]);
    return out;
  }
  p->state.snapshot = &s;
  p->state.read_past_copy = false;
  FrameCollector c{&out.frames, max_frames};
  dwfl_getthread_frames(p->dwfl, s.pid, collect_frame, &c);
  out.truncated = p->state.read_past_copy && out.frames.size() < max_frames;
  p->state.snapshot = nullptr;
  if (out.frames.empty()) out.frames.push_back(s.regs[kRegIp]);
  return out;
}

}  // namespace ms::runtime
