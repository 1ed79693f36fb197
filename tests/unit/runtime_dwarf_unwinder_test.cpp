// The CFI unwinder on a snapshot captured at build time by a process that has
// exited since (tests/fixtures/unwind): no kernel needed. The chain crosses
// an executable and a library built without frame pointers, the library with
// .debug_frame only.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "runtime/dwarf_unwinder.h"
#include "runtime/snapshot_keys.h"
#include "runtime/stack_renderer.h"

namespace ms::runtime {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Fixture {
  std::vector<uint8_t> event;
  std::vector<Mapping> maps;
};

Fixture load_fixture() {
  Fixture fx;
  std::string bin = slurp(std::string(MS_UNWIND_FIXTURE_DIR) + "/unwind_snapshot.bin");
  fx.event.assign(bin.begin(), bin.end());
  fx.maps = parse_proc_maps(slurp(std::string(MS_UNWIND_FIXTURE_DIR) + "/unwind_maps.txt"));
  return fx;
}

std::vector<std::string> names(Symbolizer& sym, pid_t pid, const std::vector<uint64_t>& frames, size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < frames.size() && i < n; ++i) out.push_back(sym.resolve_user(pid, frames[i]).symbol);
  return out;
}

TEST(DwarfUnwinder, DecodesTheEventLayout) {
  Fixture fx = load_fixture();
  ASSERT_EQ(fx.event.size(), manifest::kSnapshotStackOffset + manifest::kDefaultSnapshotBytes);
  auto s = decode_stack_snapshot(fx.event.data(), fx.event.size());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->id, manifest::kStackSnapshotTag | 1);
  EXPECT_GT(s->pid, 0);
  EXPECT_EQ(s->capacity, manifest::kDefaultSnapshotBytes);
  EXPECT_GT(s->stack.size(), 0u);
  EXPECT_LE(s->stack.size(), s->capacity);
  EXPECT_FALSE(decode_stack_snapshot(fx.event.data(), manifest::kSnapshotStackOffset - 1));
}

TEST(DwarfUnwinder, UnwindsThroughCodeWithoutFramePointers) {
  Fixture fx = load_fixture();
  auto s = decode_stack_snapshot(fx.event.data(), fx.event.size());
  ASSERT_TRUE(s);
  DwarfUnwinder unwinder;
  UnwoundStack u = unwinder.unwind(*s, fx.maps, manifest::kStackMaxFrames);
  Symbolizer sym;
  sym.set_mappings(s->pid, fx.maps);
  EXPECT_EQ(names(sym, s->pid, u.frames, 4),
            (std::vector<std::string>{"ufix_leaf", "ufix_lib_mid", "ufix_outer", "main"}));
  EXPECT_FALSE(u.truncated);
  // A second unwind reuses the process's modules and gives the same frames.
  EXPECT_EQ(unwinder.unwind(*s, fx.maps, manifest::kStackMaxFrames).frames, u.frames);
  // The frame limit.
  EXPECT_EQ(unwinder.unwind(*s, fx.maps, 2).frames.size(), 2u);
}

TEST(DwarfUnwinder, ACopyTooShortIsTruncated) {
  Fixture fx = load_fixture();
  auto s = decode_stack_snapshot(fx.event.data(), fx.event.size());
  ASSERT_TRUE(s);
  // As if --dwarf-stack-size were 64: ufix_lib_mid's 300-byte frame holds
  // its return address far above that.
  s->stack.resize(64);
  s->capacity = 64;
  DwarfUnwinder unwinder;
  UnwoundStack u = unwinder.unwind(*s, fx.maps, manifest::kStackMaxFrames);
  EXPECT_TRUE(u.truncated);
  Symbolizer sym;
  sym.set_mappings(s->pid, fx.maps);
  auto got = names(sym, s->pid, u.frames, 8);
  EXPECT_EQ(std::find(got.begin(), got.end(), "main"), got.end());
}

TEST(DwarfUnwinder, WithoutModulesOnlyTheIp) {
  Fixture fx = load_fixture();
  auto s = decode_stack_snapshot(fx.event.data(), fx.event.size());
  ASSERT_TRUE(s);
  DwarfUnwinder unwinder;
  UnwoundStack u = unwinder.unwind(*s, {}, manifest::kStackMaxFrames);
  EXPECT_EQ(u.frames, std::vector<uint64_t>{s->regs[16]});
}

TEST(DwarfUnwinder, RendererGroupsSnapshotsByChain) {
  Symbolizer sym;
  StackRenderer r(sym);
  const uint64_t a = manifest::kStackSnapshotTag | 1, b = manifest::kStackSnapshotTag | 2,
                 c = manifest::kStackSnapshotTag | 3;
  r.add_unwound(a, 42, {0x1000, 0x2000, 0x3000});
  r.add_unwound(b, 42, {0x1000, 0x2000, 0x3000});
  r.add_unwound(c, 42, {0x1000, 0x2000, 0x4000});
  EXPECT_EQ(r.canonical(a), a);
  EXPECT_EQ(r.canonical(b), a);
  EXPECT_EQ(r.canonical(c), c);
  // Printed with two frames, all three are one stack.
  EXPECT_EQ(r.canonical(c, 2), r.canonical(a, 2));
  EXPECT_EQ(r.canonical(0x1234), 0x1234u);  // frame-pointer ids are their own
  // A snapshot that never arrived prints as not recorded and is counted.
  EXPECT_EQ(r.render_stack(manifest::kStackSnapshotTag | 9, false, 127, false, true), "\n    [stack not recorded]\n");
  EXPECT_EQ(r.snapshot_counts().missing, 1u);
}

TEST(DwarfUnwinder, MapKeysMergeByChain) {
  manifest::MapDesc map;
  map.percpu = true;
  map.agg = manifest::AggKind::Count;
  manifest::Field k;
  k.kind = manifest::FieldKind::UserStack;
  k.stack_limit = 127;
  map.key = {k};
  map.value_size = 8;
  auto entry = [](uint64_t id, std::vector<uint64_t> per_cpu) {
    RawMapEntry e;
    e.key.resize(8);
    std::memcpy(e.key.data(), &id, 8);
    e.value.resize(per_cpu.size() * 8);
    std::memcpy(e.value.data(), per_cpu.data(), e.value.size());
    return e;
  };
  const uint64_t a = manifest::kStackSnapshotTag | 1, b = manifest::kStackSnapshotTag | 2;
  std::vector<RawMapEntry> entries = {entry(a, {1, 2}), entry(b, {3, 4}), entry(0x55, {5, 6})};
  int cpus = merge_snapshot_keys(map, entries, 2, [&](uint64_t id, uint32_t) { return id == b ? a : id; });
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(cpus, 4);  // two members at most: two CPUs' slots each
  for (const auto& e : entries) {
    uint64_t id;
    std::memcpy(&id, e.key.data(), 8);
    auto v = decode_value(map, e.value.data(), e.value.size(), cpus);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->bits, id == a ? 10u : 11u);  // the lone entry is zero-padded
  }
}

}  // namespace
}  // namespace ms::runtime
