// Unwinds ustack(dwarf) snapshots (registers + a copy of the user stack, see
// manifest.h) with each module's call-frame information, through elfutils'
// libdwfl: dwfl_attach_state with our own register and memory callbacks over
// the snapshot, modules reported from the process's remembered mappings (so
// it works after a -c command has exited). libdwfl reads .eh_frame, else
// .debug_frame (separate debug files included), and on x86-64 falls back to
// the frame pointer for a pc without CFI, so mixed fp / no-fp stacks unwind
// whole.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "manifest/manifest.h"
#include "runtime/symbolizer.h"

namespace ms::runtime {

struct StackSnapshot {
  uint64_t id = 0;
  pid_t pid = 0;
  std::array<uint64_t, manifest::kSnapshotRegs> regs{};  // DWARF order; [7] sp, [16] ip
  std::vector<uint8_t> stack;  // the bytes copied from sp up
  uint32_t capacity = 0;       // the bytes the probe would copy at most
};

// Decodes one StackSnapshot event; nullopt if it is too short.
std::optional<StackSnapshot> decode_stack_snapshot(const uint8_t* data, size_t size);

struct UnwoundStack {
  std::vector<uint64_t> frames;  // innermost first: the ip, then return addresses
  // The unwinder needed stack beyond a full copy: raise --dwarf-stack-size.
  bool truncated = false;
};

class DwarfUnwinder {
 public:
  DwarfUnwinder();
  ~DwarfUnwinder();
  DwarfUnwinder(const DwarfUnwinder&) = delete;
  DwarfUnwinder& operator=(const DwarfUnwinder&) = delete;

  // `maps`: the process's file-backed mappings (Symbolizer). At most
  // `max_frames` frames.
  UnwoundStack unwind(const StackSnapshot& s, const std::vector<Mapping>& maps, uint32_t max_frames);

  struct Process;  // one Dwfl per pid, kept while its mappings stay the same

 private:
  std::map<pid_t, std::unique_ptr<Process>> processes_;
};

}  // namespace ms::runtime
