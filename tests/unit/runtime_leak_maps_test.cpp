// Reading leak maps (address -> (size, time, stack); per-stack sums) from raw
// bytes, and tuples as bpftrace prints them.
#include <gtest/gtest.h>

#include <cstring>

#include "runtime/leak_maps.h"
#include "runtime/map_value.h"

using namespace ms;
using namespace ms::runtime;

namespace {

manifest::Field integer(uint32_t offset, bool is_signed = false) {
  manifest::Field f;
  f.offset = offset;
  f.is_signed = is_signed;
  return f;
}

manifest::MapDesc allocs_map() {
  manifest::MapDesc m;
  m.name = "@allocs";
  m.key = {integer(0)};
  m.value.kind = manifest::FieldKind::Tuple;
  m.value.size = 24;
  manifest::Field stack = integer(16);
  stack.kind = manifest::FieldKind::UserStack;
  stack.stack_limit = 127;
  m.value.elements = {integer(0), integer(8), stack};
  m.value_size = 24;
  return m;
}

std::vector<uint8_t> words(std::initializer_list<uint64_t> w) {
  std::vector<uint8_t> out(w.size() * 8);
  size_t i = 0;
  for (uint64_t v : w) std::memcpy(out.data() + 8 * i++, &v, 8);
  return out;
}

TEST(LeakMaps, DecodesOutstandingAllocations) {
  std::string error;
  auto layout = outstanding_layout(allocs_map(), error);
  ASSERT_TRUE(layout) << error;
  EXPECT_EQ(layout->stack_offset, 16u);
  EXPECT_FALSE(layout->kernel_stack);
  FlatMapEntries entries;  // as read_map_flat leaves them: keys and values back to back
  entries.key_size = 8;
  entries.value_size = 24;
  entries.count = 2;
  entries.keys = words({0x1000, 0x2000});
  entries.values = words({100, 5'000, 77, 8, 6'000, 0});
  auto allocs = decode_outstanding(*layout, entries);
  ASSERT_EQ(allocs.size(), 2u);
  EXPECT_EQ(allocs[0].address, 0x1000u);
  EXPECT_EQ(allocs[0].size, 100u);
  EXPECT_EQ(allocs[0].timestamp_ns, 5'000u);
  EXPECT_EQ(allocs[0].stack, 77u);
  EXPECT_TRUE(allocs[0].stack_known);
  EXPECT_FALSE(allocs[1].stack_known);  // stack id 0: not recorded
}

TEST(LeakMaps, RejectsOtherShapes) {
  auto m = allocs_map();
  m.value.elements.pop_back();
  std::string error;
  EXPECT_FALSE(outstanding_layout(m, error));
  EXPECT_EQ(error, "map @allocs is not address -> (size, time, stack)");
}

TEST(LeakMaps, JoinsPerStackSumsAcrossCpus) {
  manifest::MapDesc bytes, count;
  manifest::Field stack = integer(0);
  stack.kind = manifest::FieldKind::UserStack;
  bytes.name = "@bytes";
  bytes.key = {stack};
  bytes.percpu = true;
  bytes.agg = manifest::AggKind::Sum;
  count = bytes;
  count.name = "@count";
  // Two CPUs. Stack 5: 300 bytes in 3 blocks; stack 6 freed everything
  // (sums to zero); stack 7 went negative (freed blocks older than the trace).
  std::vector<RawMapEntry> b = {{words({5}), words({200, 100})}, {words({6}), words({64, uint64_t(-64)})},
                                {words({7}), words({0, uint64_t(-32)})}};
  std::vector<RawMapEntry> n = {{words({5}), words({2, 1})}, {words({6}), words({1, uint64_t(-1)})},
                                {words({7}), words({0, uint64_t(-1)})}};
  auto stacks = decode_combined(bytes, b, count, n, 2);
  ASSERT_EQ(stacks.size(), 1u);
  EXPECT_EQ(stacks[0].stack, 5u);
  EXPECT_EQ(stacks[0].total_size, 300u);
  EXPECT_EQ(stacks[0].allocations, 3u);
}

TEST(LeakMaps, OptionsFromTheEvent) {
  manifest::LeakReportDesc d;
  d.top = 4;
  d.min_age_ns = 9;
  d.sort_by_count = true;
  d.show_allocs = true;
  d.sample_rate = 10;
  LeakReportOptions o = leak_options(d);
  EXPECT_EQ(o.top, 4u);
  EXPECT_EQ(o.min_age_ns, 9u);
  EXPECT_EQ(o.sort, LeakSortKey::Count);
  EXPECT_TRUE(o.show_allocs);
  EXPECT_EQ(o.scale, 10u);
}

TEST(Tuples, RenderLikeBpftrace) {
  manifest::Field t;
  t.kind = manifest::FieldKind::Tuple;
  t.offset = 8;
  t.size = 24;
  manifest::Field s = integer(8);
  s.kind = manifest::FieldKind::String;
  s.size = 16;
  t.elements = {integer(0, true), s};
  std::vector<uint8_t> data(32, 0);
  int64_t v = -5;
  std::memcpy(data.data() + 8, &v, 8);
  std::memcpy(data.data() + 16, "hello", 5);
  EXPECT_EQ(render_tuple(t, data.data(), data.size(), nullptr), "(-5, hello)");
}

}  // namespace
