#include "runtime/stack_renderer.h"

#include <bpf/bpf.h>

#include <cstdio>
#include <cstring>

#include "runtime/bytes.h"

namespace ms::runtime {

namespace {

std::string hex_no_prefix(uint64_t a) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(a));
  return buf;
}

// Frames unwound with CFI are whole without frame pointers: no warning.
class QuietFramePointers {
 public:
  QuietFramePointers(Symbolizer& s, uint64_t id) : s_(s), on_(id & manifest::kStackSnapshotTag) {
    if (on_) s_.set_frame_pointer_warnings(false);
  }
  ~QuietFramePointers() {
    if (on_) s_.set_frame_pointer_warnings(true);
  }

 private:
  Symbolizer& s_;
  bool on_;
};

}  // namespace

std::vector<uint64_t> StackRecord::printed_frames(uint32_t limit) const {
  std::vector<uint64_t> out;
  for (size_t i = 0; i < frames.size(); ++i) {
    out.push_back(frames[i]);
    if (i == 0 && entry_ret) {
      out.push_back(entry_ret);
      if (hidden_ret && (i + 1 >= frames.size() || frames[i + 1] != hidden_ret)) out.push_back(hidden_ret);
    }
  }
  if (frames.empty() && entry_ret) out.push_back(entry_ret);
  if (limit && out.size() > limit) out.resize(limit);
  return out;
}

StackRecord decode_stack_record(const uint8_t* data, size_t size) {
  StackRecord r;
  const size_t words = size / 8;
  if (words < manifest::kStackHeaderWords) return r;
  r.owner = load_u64(data);
  r.entry_ret = load_u64(data + 8);
  for (size_t i = manifest::kStackHeaderWords; i < words && i < manifest::kStackScanWord; ++i) {
    uint64_t f = load_u64(data + i * 8);
    if (f == 0) break;  // frames are contiguous; the rest is padding
    r.frames.push_back(f);
  }
  if (r.entry_ret && words >= manifest::kStackRecordWords)
    for (size_t i = manifest::kStackScanWord; i < manifest::kStackRecordWords; ++i) r.scan.push_back(load_u64(data + i * 8));
  return r;
}

void StackRenderer::add_snapshot(const uint8_t* data, size_t size) {
  auto s = decode_stack_snapshot(data, size);
  if (!s) {
    ++counts_.malformed;
    return;
  }
  UnwoundStack u;
  if (const auto* maps = symbolizer_.mappings(s->pid, s->regs[16]))
    u = unwinder_.unwind(*s, *maps, manifest::kStackMaxFrames);
  else
    u.frames.push_back(s->regs[16]);  // the process is gone: the ip is all we know
  ++counts_.unwound;
  if (u.truncated) ++counts_.truncated;
  add_unwound(s->id, s->pid, std::move(u.frames));
}

void StackRenderer::add_unwound(uint64_t id, pid_t pid, std::vector<uint64_t> frames) {
  auto [it, fresh] = interned_.try_emplace({static_cast<uint64_t>(pid), frames}, id);
  canonical_[id] = it->second;
  if (fresh) {
    StackRecord r;
    r.owner = static_cast<uint64_t>(pid);
    r.frames = std::move(frames);
    stacks_[id] = std::move(r);
  }
}

uint64_t StackRenderer::canonical(uint64_t id) const {
  auto it = canonical_.find(id);
  return it == canonical_.end() ? id : it->second;
}

uint64_t StackRenderer::canonical(uint64_t id, uint32_t limit) {
  const uint64_t whole = canonical(id);
  if (!(id & manifest::kStackSnapshotTag) || limit == 0 || limit >= manifest::kStackMaxFrames) return whole;
  auto it = stacks_.find(whole);
  if (it == stacks_.end()) return whole;
  std::vector<uint64_t> printed = it->second.printed_frames(limit);
  if (printed.size() == it->second.frames.size()) return whole;
  return interned_limited_.try_emplace({it->second.owner, std::move(printed)}, whole).first->second;
}

const StackRecord* StackRenderer::find(uint64_t id) {
  if (id == 0) return nullptr;
  if (id & manifest::kStackSnapshotTag) {
    // One record per distinct unwound stack, under its first snapshot's id.
    auto it = stacks_.find(canonical(id));
    if (it != stacks_.end()) return &it->second;
    ++counts_.missing;
    return nullptr;
  }
  auto it = stacks_.find(id);
  if (it != stacks_.end()) return &it->second;
  if (!store_.valid()) return nullptr;
  std::vector<uint8_t> value(manifest::kStackRecordWords * 8);
  if (!lookup_raw(store_, &id, value.data(), value.size())) return nullptr;
  StackRecord& r = stacks_[id] = decode_stack_record(value.data(), value.size());
  if (r.entry_ret && !r.scan.empty() && !(r.owner & manifest::kKernelStackFlag)) {
    if (auto hidden = symbolizer_.frameless_caller_return(static_cast<pid_t>(r.owner), r.entry_ret, r.scan))
      r.hidden_ret = *hidden;
  }
  return &r;
}

std::string StackRenderer::render_stack(uint64_t id, bool kernel, uint32_t limit, bool perf, bool as_key) {
  const std::string indent = as_key ? "    " : "        ";
  const StackRecord* found = find(id);
  if (!found) {
    // Counted by the BPF side; the reason is reported once at exit.
    return "\n" + (perf ? std::string("\t") : indent) + "[stack not recorded]\n";
  }
  const StackRecord& r = *found;
  const pid_t pid = kernel ? 0 : static_cast<pid_t>(r.owner);
  QuietFramePointers quiet(symbolizer_, id);
  std::string out = "\n";
  for (uint64_t addr : r.printed_frames(limit)) {
    if (perf) {
      ResolvedFrame f = kernel ? symbolizer_.resolve_kernel(addr) : symbolizer_.resolve_user(pid, addr);
      std::string sym = f.symbol.empty() ? "0x" + hex_no_prefix(addr) : f.symbol + "+" + std::to_string(f.offset);
      // bpftrace 0.17 names the module of user frames only.
      out += "\t" + hex_no_prefix(addr) + " " + sym;
      if (!kernel) out += " (" + (f.module.empty() ? std::string("[unknown]") : f.module) + ")";
      out += "\n";
    } else {
      out += indent + (kernel ? symbolizer_.kernel_name(addr, true) : symbolizer_.user_name(pid, addr, true)) + "\n";
    }
  }
  return out;
}

std::vector<std::string> StackRenderer::leak_frames(uint64_t id, bool kernel, uint32_t limit) {
  std::vector<std::string> out;
  const StackRecord* r = find(id);
  if (!r) return out;
  const auto pid = static_cast<pid_t>(r->owner);
  QuietFramePointers quiet(symbolizer_, id);
  for (uint64_t addr : r->printed_frames(limit)) {
    ResolvedFrame f = kernel ? symbolizer_.resolve_kernel(addr) : symbolizer_.resolve_user(pid, addr);
    char head[32];
    std::snprintf(head, sizeof head, "0x%016llx\t", static_cast<unsigned long long>(addr));
    std::string line = head;
    if (f.symbol.empty()) {
      line += "[unknown]";
    } else {
      char off[32];
      std::snprintf(off, sizeof off, "+0x%llx", static_cast<unsigned long long>(f.offset));
      std::string module = kernel ? "kernel" : f.module.substr(f.module.rfind('/') + 1);
      line += f.symbol + off + " [" + module + "]";
    }
    out.push_back(std::move(line));
  }
  return out;
}

std::string StackRenderer::render(const manifest::Field& f, const uint8_t* data, size_t size, bool as_key) {
  if (static_cast<size_t>(f.offset) + f.size > size) return {};
  const uint8_t* p = data + f.offset;
  switch (f.kind) {
    case manifest::FieldKind::UserStack:
    case manifest::FieldKind::KernelStack:
      return render_stack(load_u64(p), f.kind == manifest::FieldKind::KernelStack, f.stack_limit, f.stack_perf, as_key);
    case manifest::FieldKind::UserSymbol:
      return symbolizer_.user_name(static_cast<pid_t>(load_u64(p + 8)), load_u64(p), false);
    case manifest::FieldKind::KernelSymbol:
      return symbolizer_.kernel_name(load_u64(p), false);
    default:
      return {};
  }
}

}  // namespace ms::runtime
