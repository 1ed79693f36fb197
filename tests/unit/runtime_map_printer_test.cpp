// Map printing from fake key/value bytes. The expected texts are what bpftrace
// 0.17 printed for the same maps (run by hand on this machine), except where a
// comment says why memscript differs.
#include <gtest/gtest.h>

// GCC 12 reports false -Warray-bounds/-Wrestrict inside libstdc++'s vector and
// string code when these byte builders are inlined (GCC PR 105651 family).
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wrestrict"

#include <cstring>

#include "runtime/map_printer.h"
#include "runtime/map_value.h"

namespace ms::runtime {
namespace {

using manifest::AggKind;
using manifest::Field;
using manifest::FieldKind;
using manifest::MapDesc;

// Key or value bytes built field by field, each 8-byte aligned.
struct Bytes {
  std::vector<uint8_t> data;
  Bytes& i64(int64_t v) {
    size_t at = data.size();
    data.resize(at + 8);
    std::memcpy(data.data() + at, &v, 8);
    return *this;
  }
  Bytes& str(const std::string& s, uint32_t size) {
    size_t at = data.size();
    data.resize(at + (size + 7) / 8 * 8, 0);
    std::memcpy(data.data() + at, s.data(), std::min<size_t>(s.size(), size));
    return *this;
  }
};

Field int_field(uint32_t offset, bool is_signed = true) { return {FieldKind::Integer, offset, 8, is_signed}; }
Field str_field(uint32_t offset, uint32_t size) { return {FieldKind::String, offset, size, false}; }

MapDesc make_map(const std::string& name, AggKind agg, const std::vector<Field>& key, Field value = int_field(0)) {
  MapDesc m;
  m.name = name;
  m.elf_name = "m";
  m.agg = agg;
  m.percpu = agg != AggKind::None;
  m.key.assign(key.begin(), key.end());
  uint32_t ks = 0;
  for (const auto& f : m.key) ks = std::max(ks, f.offset + (f.size + 7) / 8 * 8);
  m.key_size = m.key.empty() ? 8 : ks;
  m.value = value;
  m.value_size = agg == AggKind::Min || agg == AggKind::Max || agg == AggKind::Avg ? 16
                 : agg == AggKind::None && value.kind == FieldKind::String ? value.size
                                                                          : 8;
  return m;
}

// Per-CPU value slots for a count/sum map.
Bytes counters(std::initializer_list<int64_t> per_cpu) {
  Bytes b;
  for (int64_t v : per_cpu) b.i64(v);
  return b;
}
// Per-CPU {value, is_set} (min/max) or {sum, count} (avg) slots.
Bytes pairs(std::initializer_list<std::pair<int64_t, int64_t>> per_cpu) {
  Bytes b;
  for (auto [a, c] : per_cpu) b.i64(a).i64(c);
  return b;
}

RawMapEntry entry(const Bytes& key, const Bytes& value) { return {key.data, value.data}; }
Bytes scalar_key() { return Bytes().i64(0); }

TEST(RuntimeMapPrinter, CountWithIntAndStringKeySortsByValue) {
  // bpftrace: @a[1,"x"] = count(); @a[2,"y"] = count() twice
  MapDesc m = make_map("@a", AggKind::Count, {int_field(0), str_field(8, 2)}, int_field(0, false));
  std::vector<RawMapEntry> entries = {
      entry(Bytes().i64(2).str("y", 2), counters({1, 1})),
      entry(Bytes().i64(1).str("x", 2), counters({0, 1})),
  };
  EXPECT_EQ(format_map(m, entries, 2), "@a[1, x]: 1\n@a[2, y]: 2\n");
}

TEST(RuntimeMapPrinter, ScalarAggregations) {
  EXPECT_EQ(format_map(make_map("@b", AggKind::Sum, {}), {entry(scalar_key(), counters({5, 0}))}, 2), "@b: 5\n");
  EXPECT_EQ(format_map(make_map("@d", AggKind::Min, {}), {entry(scalar_key(), pairs({{3, 1}, {0, 0}}))}, 2),
            "@d: 3\n");
  EXPECT_EQ(format_map(make_map("@e", AggKind::Max, {}), {entry(scalar_key(), pairs({{0, 0}, {9, 1}}))}, 2),
            "@e: 9\n");
  // bpftrace prints a blank line after every avg map.
  EXPECT_EQ(format_map(make_map("@c", AggKind::Avg, {}), {entry(scalar_key(), pairs({{7, 1}, {0, 0}}))}, 2),
            "@c: 7\n\n");
}

TEST(RuntimeMapPrinter, PlainIntegerValuesSortByValue) {
  // bpftrace: @s["k"] = 5; @s["j"] = 7; @s["a"] = 6;
  MapDesc m = make_map("@s", AggKind::None, {str_field(0, 2)});
  std::vector<RawMapEntry> entries = {
      entry(Bytes().str("j", 2), Bytes().i64(7)),
      entry(Bytes().str("a", 2), Bytes().i64(6)),
      entry(Bytes().str("k", 2), Bytes().i64(5)),
  };
  EXPECT_EQ(format_map(m, entries, 2), "@s[k]: 5\n@s[a]: 6\n@s[j]: 7\n");
  // bpftrace: @n[-5] = 3; @n[10] = 1; @n[3] = 2;
  MapDesc n = make_map("@n", AggKind::None, {int_field(0)});
  entries = {entry(Bytes().i64(-5), Bytes().i64(3)), entry(Bytes().i64(10), Bytes().i64(1)),
             entry(Bytes().i64(3), Bytes().i64(2))};
  EXPECT_EQ(format_map(n, entries, 2), "@n[10]: 1\n@n[3]: 2\n@n[-5]: 3\n");
  EXPECT_EQ(format_map(make_map("@neg", AggKind::None, {}), {entry(scalar_key(), Bytes().i64(-7))}, 2),
            "@neg: -7\n");
  EXPECT_EQ(format_map(make_map("@z", AggKind::None, {}), {entry(scalar_key(), Bytes().i64(0))}, 2), "@z: 0\n");
}

TEST(RuntimeMapPrinter, SignedSumsSortSigned) {
  // bpftrace: @h[5] = sum(-3); @h[6] = sum(10); @h[7] = sum(1);
  MapDesc m = make_map("@h", AggKind::Sum, {int_field(0)});
  std::vector<RawMapEntry> entries = {entry(Bytes().i64(6), counters({4, 6})), entry(Bytes().i64(5), counters({-3, 0})),
                                      entry(Bytes().i64(7), counters({0, 1}))};
  EXPECT_EQ(format_map(m, entries, 2), "@h[5]: -3\n@h[7]: 1\n@h[6]: 10\n");
}

TEST(RuntimeMapPrinter, UnsignedValuesPrintUnsigned) {
  MapDesc m = make_map("@u", AggKind::None, {}, int_field(0, false));
  EXPECT_EQ(format_map(m, {entry(scalar_key(), Bytes().i64(-1))}, 1), "@u: 18446744073709551615\n");
}

TEST(RuntimeMapPrinter, StringValuesKeepKeyOrder) {
  // bpftrace: @ss[1] = "z"; @ss[2] = "a";
  MapDesc m = make_map("@ss", AggKind::None, {int_field(0)}, str_field(0, 4));
  std::vector<RawMapEntry> entries = {entry(Bytes().i64(2), Bytes().str("a", 4)),
                                      entry(Bytes().i64(1), Bytes().str("z", 4))};
  EXPECT_EQ(format_map(m, entries, 2), "@ss[1]: z\n@ss[2]: a\n");
  EXPECT_EQ(format_map(make_map("@str", AggKind::None, {}, str_field(0, 8)), {entry(scalar_key(), Bytes().str("hello", 8))},
                       2),
            "@str: hello\n");
}

TEST(RuntimeMapPrinter, IntegerKeysSortByUnsignedValue) {
  // bpftrace: @ss[-1] = "a"; @ss[5] = "b"; @ss[2] = "c"; @ss[-7] = "d";
  MapDesc m = make_map("@ss", AggKind::None, {int_field(0)}, str_field(0, 2));
  std::vector<RawMapEntry> entries = {
      entry(Bytes().i64(-1), Bytes().str("a", 2)), entry(Bytes().i64(5), Bytes().str("b", 2)),
      entry(Bytes().i64(2), Bytes().str("c", 2)), entry(Bytes().i64(-7), Bytes().str("d", 2))};
  EXPECT_EQ(format_map(m, entries, 2), "@ss[2]: c\n@ss[5]: b\n@ss[-7]: d\n@ss[-1]: a\n");
  // bpftrace: @ss[256] = "a"; @ss[1] = "b"; @ss[65536] = "c"; (numeric, not bytewise)
  entries = {entry(Bytes().i64(256), Bytes().str("a", 2)), entry(Bytes().i64(1), Bytes().str("b", 2)),
             entry(Bytes().i64(65536), Bytes().str("c", 2))};
  EXPECT_EQ(format_map(m, entries, 2), "@ss[1]: b\n@ss[256]: a\n@ss[65536]: c\n");
}

TEST(RuntimeMapPrinter, MultiFieldKeysSortLeftToRight) {
  // bpftrace: @k["b",2]="x"; @k["a",3]="y"; @k["b",1]="z"; @k["a",1]="w";
  MapDesc m = make_map("@k", AggKind::None, {str_field(0, 2), int_field(8)}, str_field(0, 2));
  std::vector<RawMapEntry> entries = {
      entry(Bytes().str("b", 2).i64(2), Bytes().str("x", 2)), entry(Bytes().str("a", 2).i64(3), Bytes().str("y", 2)),
      entry(Bytes().str("b", 2).i64(1), Bytes().str("z", 2)), entry(Bytes().str("a", 2).i64(1), Bytes().str("w", 2))};
  EXPECT_EQ(format_map(m, entries, 2), "@k[a, 1]: w\n@k[a, 3]: y\n@k[b, 1]: z\n@k[b, 2]: x\n");
  // bpftrace: @s["bb"]="q"; @s["a"]="r"; @s["ab"]="t";
  MapDesc s = make_map("@s", AggKind::None, {str_field(0, 3)}, str_field(0, 2));
  entries = {entry(Bytes().str("bb", 3), Bytes().str("q", 2)), entry(Bytes().str("a", 3), Bytes().str("r", 2)),
             entry(Bytes().str("ab", 3), Bytes().str("t", 2))};
  EXPECT_EQ(format_map(s, entries, 2), "@s[a]: r\n@s[ab]: t\n@s[bb]: q\n");
}

TEST(RuntimeMapPrinter, EqualValuesFallBackToKeyOrder) {
  // bpftrace leaves ties in hash order; memscript makes them deterministic.
  MapDesc m = make_map("@c", AggKind::Count, {int_field(0)}, int_field(0, false));
  std::vector<RawMapEntry> entries = {entry(Bytes().i64(3), counters({1})), entry(Bytes().i64(-1), counters({1})),
                                      entry(Bytes().i64(1), counters({1})), entry(Bytes().i64(2), counters({1}))};
  EXPECT_EQ(format_map(m, entries, 1), "@c[1]: 1\n@c[2]: 1\n@c[3]: 1\n@c[-1]: 1\n");
}

TEST(RuntimeMapPrinter, MinMaxAcrossCpus) {
  // bpftrace: @m[1]=min(-4); @m[2]=min(-9); @m[3]=min(5);
  MapDesc m = make_map("@m", AggKind::Min, {int_field(0)});
  std::vector<RawMapEntry> entries = {
      // CPU 1 holds a smaller value but never set it: ignored.
      entry(Bytes().i64(1), pairs({{-4, 1}, {-100, 0}})),
      entry(Bytes().i64(2), pairs({{3, 1}, {-9, 1}})),
      entry(Bytes().i64(3), pairs({{0, 0}, {5, 1}})),
  };
  EXPECT_EQ(format_map(m, entries, 2), "@m[2]: -9\n@m[1]: -4\n@m[3]: 5\n");

  // bpftrace 0.17 drops negative maxima (@x[1]=max(-2) vanishes); memscript prints them.
  MapDesc x = make_map("@x", AggKind::Max, {int_field(0)});
  entries = {entry(Bytes().i64(1), pairs({{-2, 1}, {0, 0}})), entry(Bytes().i64(2), pairs({{-7, 1}, {-8, 1}})),
             entry(Bytes().i64(3), pairs({{3, 1}, {1, 1}}))};
  EXPECT_EQ(format_map(x, entries, 2), "@x[2]: -7\n@x[1]: -2\n@x[3]: 3\n");
}

TEST(RuntimeMapPrinter, MinNeverSetIsNotPrinted) {
  MapDesc m = make_map("@m", AggKind::Min, {int_field(0)});
  std::vector<RawMapEntry> entries = {entry(Bytes().i64(1), pairs({{0, 0}, {0, 0}})),
                                      entry(Bytes().i64(2), pairs({{7, 1}, {0, 0}}))};
  EXPECT_EQ(format_map(m, entries, 2), "@m[2]: 7\n");
}

TEST(RuntimeMapPrinter, AvgCombinesCpusAndTruncatesTowardZero) {
  // bpftrace: @a[1] = avg(2); @a[1] = avg(5); @a[2] = avg(-5); @a[2] = avg(-2);
  MapDesc m = make_map("@a", AggKind::Avg, {int_field(0)});
  std::vector<RawMapEntry> entries = {entry(Bytes().i64(1), pairs({{2, 1}, {5, 1}})),
                                      entry(Bytes().i64(2), pairs({{-7, 2}, {0, 0}}))};
  EXPECT_EQ(format_map(m, entries, 2), "@a[2]: -3\n@a[1]: 3\n\n");
}

TEST(RuntimeMapPrinter, AnonymousMapAndEmptyMap) {
  MapDesc m = make_map("@", AggKind::Count, {str_field(0, 16)}, int_field(0, false));
  EXPECT_EQ(format_map(m, {entry(Bytes().str("calls", 16), counters({2, 3}))}, 2), "@[calls]: 5\n");
  EXPECT_EQ(format_map(m, {}, 2), "");
}

TEST(RuntimeMapPrinter, ShortBuffersAreSkippedNotRead) {
  MapDesc m = make_map("@c", AggKind::Count, {int_field(0)}, int_field(0, false));
  // Two CPUs expected, one slot given.
  EXPECT_EQ(format_map(m, {entry(Bytes().i64(1), counters({4}))}, 2), "");
  // Key too short.
  EXPECT_EQ(format_map(m, {RawMapEntry{{1, 2}, counters({1, 1}).data}}, 2), "");
}

TEST(RuntimeMapValue, PercpuBufferSizeIsRoundedPerCpu) {
  MapDesc m = make_map("@c", AggKind::Count, {}, int_field(0, false));
  EXPECT_EQ(lookup_value_size(m, 4), 32u);
  m.value_size = 12;  // not a layout codegen emits, but the kernel's rule is 8-byte slots
  EXPECT_EQ(percpu_value_stride(m), 16u);
  EXPECT_EQ(lookup_value_size(m, 3), 48u);
  MapDesc plain = make_map("@p", AggKind::None, {}, str_field(0, 12));
  EXPECT_EQ(lookup_value_size(plain, 4), 12u);
}

TEST(RuntimeMapValue, CountSumsEveryCpu) {
  MapDesc m = make_map("@c", AggKind::Count, {}, int_field(0, false));
  Bytes v = counters({1, 2, 3, 4});
  auto s = decode_value(m, v.data.data(), v.data.size(), 4);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->bits, 10u);
  EXPECT_FALSE(s->is_signed);
}

}  // namespace
}  // namespace ms::runtime
