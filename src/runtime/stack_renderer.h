// Prints stacks and symbols the way bpftrace 0.17 does, from the stack store
// the BPF side fills (see the stack store in manifest.h) and our symbolizer.
//
//   ustack as a map key:   "@[\n    frame\n    frame\n]: 3"   (4 spaces)
//   ustack as a value:     "@v: \n        frame\n\n"           (8 spaces)
//   frame:                 "func+offset", or 0xADDR when unknown
//   perf mode:             "\tADDR func+offset (module)" per user frame,
//                          "\tADDR func+offset" per kernel frame
//   usym / ksym:           "func", or 0xADDR when unknown
#pragma once

#include "runtime/map_reader.h"

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "manifest/manifest.h"
#include "runtime/dwarf_unwinder.h"
#include "runtime/map_value.h"
#include "runtime/symbolizer.h"

namespace ms::runtime {

struct StackRecord {
  uint64_t owner = 0;      // pid, or kKernelStackFlag for kernel stacks
  uint64_t entry_ret = 0;  // the entry-probe caller to insert as frame 2, or 0
  std::vector<uint64_t> frames;
  std::vector<uint64_t> scan;  // words above entry_ret on the stack (manifest.h)
  uint64_t hidden_ret = 0;     // the frameless caller's own return address, once found

  // The frames as printed: entry_ret (and hidden_ret) inserted after the
  // first, at most `limit`.
  std::vector<uint64_t> printed_frames(uint32_t limit) const;
};

// Decodes one record of kStackRecordWords words.
StackRecord decode_stack_record(const uint8_t* data, size_t size);

class StackRenderer : public FieldRenderer {
 public:
  // `stacks_fd`: the stack store, looked up by id on first use (-1: none).
  // An id names one content forever (the BPF side never stores a different
  // stack under an existing id), so what is read once stays valid.
  explicit StackRenderer(Symbolizer& symbolizer, int stacks_fd = -1) : symbolizer_(symbolizer), store_(stacks_fd) {}
  // The stack store elsewhere (--in-process: in the shared memory).
  StackRenderer(Symbolizer& symbolizer, MapSource store) : symbolizer_(symbolizer), store_(store) {}
  void add(uint64_t id, StackRecord r) { stacks_[id] = std::move(r); }
  size_t size() const { return stacks_.size(); }

  // ustack(dwarf): unwinds one StackSnapshot event now (the process may be
  // gone by the time it is printed) and keeps its frames under its id.
  void add_snapshot(const uint8_t* data, size_t size);
  // Unwound frames for a snapshot id, as add_snapshot keeps them (tests).
  void add_unwound(uint64_t id, pid_t pid, std::vector<uint64_t> frames);
  // The id that stands for every stack equal to `id`'s: each snapshot has its
  // own id, but a report groups by call chain. Frame-pointer ids are already
  // one per stack and are returned unchanged.
  uint64_t canonical(uint64_t id) const;
  // The same for stacks printed with at most `limit` frames (ustack(dwarf, N)):
  // chains that differ only below the printed frames share one id.
  uint64_t canonical(uint64_t id, uint32_t limit);

  struct SnapshotCounts {
    uint64_t unwound = 0;
    uint64_t truncated = 0;   // the unwinder needed more stack than was copied
    uint64_t malformed = 0;   // too short to decode
    uint64_t missing = 0;     // a printed snapshot id that never arrived (dropped)
  };
  const SnapshotCounts& snapshot_counts() const { return counts_; }

  std::string render(const manifest::Field& f, const uint8_t* data, size_t size, bool as_key) override;
  std::string render_stack(uint64_t id, bool kernel, uint32_t limit, bool perf, bool as_key);
  // One line per frame as BCC's memleak prints them, innermost first:
  // "0x00007f3c1a2b3c4d\tmalloc+0x1d [libc.so.6]", "[kernel]" for kernel
  // frames, "[unknown]" alone when no symbol covers the address. Empty when
  // the stack was not recorded.
  std::vector<std::string> leak_frames(uint64_t id, bool kernel, uint32_t limit);

 private:
  const StackRecord* find(uint64_t id);
  Symbolizer& symbolizer_;
  MapSource store_;
  std::unordered_map<uint64_t, StackRecord> stacks_;
  // ustack(dwarf): snapshot id -> the first id with the same pid and frames.
  DwarfUnwinder unwinder_;
  std::unordered_map<uint64_t, uint64_t> canonical_;
  std::map<std::pair<uint64_t, std::vector<uint64_t>>, uint64_t> interned_;
  std::map<std::pair<uint64_t, std::vector<uint64_t>>, uint64_t> interned_limited_;
  SnapshotCounts counts_;
};

}  // namespace ms::runtime
