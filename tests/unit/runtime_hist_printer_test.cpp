// hist, lhist and stats printing, from bucket counts and fake map bytes. The
// expected texts are what bpftrace 0.17 printed for the same values on this
// machine (tests/runtime/compat.test runs the same scripts under both).
#include <gtest/gtest.h>

#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wrestrict"

#include <cstring>

#include "runtime/hist_printer.h"
#include "runtime/map_printer.h"

namespace ms::runtime {
namespace {

using manifest::AggKind;
using manifest::FieldKind;
using manifest::MapDesc;

std::vector<uint8_t> u64s(std::initializer_list<uint64_t> values) {
  std::vector<uint8_t> out(values.size() * 8);
  size_t at = 0;
  for (uint64_t v : values) {
    std::memcpy(out.data() + at, &v, 8);
    at += 8;
  }
  return out;
}

TEST(HistPrinter, Labels) {
  EXPECT_EQ(hist_label(0), "1");
  EXPECT_EQ(hist_label(9), "512");
  EXPECT_EQ(hist_label(10), "1K");
  EXPECT_EQ(hist_label(21), "2M");
  EXPECT_EQ(hist_label(31), "2G");
  EXPECT_EQ(hist_label(40), "1T");
  EXPECT_EQ(lhist_label(0), "0");
  EXPECT_EQ(lhist_label(100), "100");
  EXPECT_EQ(lhist_label(3072), "3K");
  EXPECT_EQ(lhist_label(2 * 1048576), "2M");
  EXPECT_EQ(lhist_label(-50), "-50");
}

TEST(HistPrinter, PowerOfTwoBuckets) {
  // hist(0), hist(1), hist(2), hist(3), hist(1500) twice, hist(-5).
  std::vector<uint64_t> b(13, 0);
  b[0] = 1;   // negative
  b[1] = 1;   // 0
  b[2] = 1;   // 1
  b[3] = 2;   // [2, 4)
  b[12] = 2;  // [1K, 2K)
  EXPECT_EQ(format_hist(b),
            "(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
            "[0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
            "[1]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
            "[2, 4)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "[4, 8)                 0 |                                                    |\n"
            "[8, 16)                0 |                                                    |\n"
            "[16, 32)               0 |                                                    |\n"
            "[32, 64)               0 |                                                    |\n"
            "[64, 128)              0 |                                                    |\n"
            "[128, 256)             0 |                                                    |\n"
            "[256, 512)             0 |                                                    |\n"
            "[512, 1K)              0 |                                                    |\n"
            "[1K, 2K)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n");
}

TEST(HistPrinter, BarsTruncateLikeBpftrace) {
  // 1 of 3 is 17.33 columns: 17 '@'.
  std::vector<uint64_t> b = {0, 0, 1, 3};
  EXPECT_EQ(format_hist(b),
            "[1]                    1 |@@@@@@@@@@@@@@@@@                                   |\n"
            "[2, 4)                 3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n");
  // div divides the counts shown, not the bars.
  EXPECT_EQ(format_hist(b, 2),
            "[1]                    0 |@@@@@@@@@@@@@@@@@                                   |\n"
            "[2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n");
  EXPECT_EQ(format_hist({0, 0, 0}), "");
}

TEST(HistPrinter, LinearBuckets) {
  // lhist(v, 0, 100, 10) of 5, 55, 150 and -1.
  std::vector<uint64_t> b(12, 0);
  b[0] = 1;
  b[1] = 1;
  b[6] = 1;
  b[11] = 1;
  EXPECT_EQ(format_lhist(b, 0, 100, 10),
            "(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "[0, 10)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "[10, 20)               0 |                                                    |\n"
            "[20, 30)               0 |                                                    |\n"
            "[30, 40)               0 |                                                    |\n"
            "[40, 50)               0 |                                                    |\n"
            "[50, 60)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "[60, 70)               0 |                                                    |\n"
            "[70, 80)               0 |                                                    |\n"
            "[80, 90)               0 |                                                    |\n"
            "[90, 100)              0 |                                                    |\n"
            "[100, ...)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n");
  // lhist(3000, 0, 4096, 1024): K labels.
  EXPECT_EQ(format_lhist({0, 0, 0, 1}, 0, 4096, 1024),
            "[2K, 3K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n");
}

MapDesc hist_map(AggKind agg, bool keyed) {
  MapDesc m;
  m.name = "@h";
  m.elf_name = "m_h";
  m.agg = agg;
  m.percpu = true;
  if (keyed) m.key.push_back({FieldKind::Integer, 0, 8, true});
  m.key_size = keyed ? 16 : 8;
  m.value = {FieldKind::Integer, 0, 8, false};
  m.value_size = 8;
  return m;
}

TEST(HistPrinter, KeyedHistogramsInOrderOfTotalCount) {
  // @h[1] = hist(4) once, @h[2] twice, @h[3] = hist(8) four times; 2 CPUs.
  MapDesc m = hist_map(AggKind::Hist, true);
  std::vector<RawMapEntry> entries = {
      {u64s({3, 5}), u64s({3, 1})},
      {u64s({1, 4}), u64s({1, 0})},
      {u64s({2, 4}), u64s({0, 2})},
  };
  EXPECT_EQ(format_map(m, entries, 2),
            "@h[1]: \n"
            "[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "\n"
            "@h[2]: \n"
            "[4, 8)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "\n"
            "@h[3]: \n"
            "[8, 16)                4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "\n");
  // print(@h, 1, 2): the largest only, counts halved.
  EXPECT_EQ(format_map(m, entries, 2, nullptr, 1, 2),
            "@h[3]: \n"
            "[8, 16)                2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "\n");
}

TEST(HistPrinter, ScalarLhistMap) {
  MapDesc m = hist_map(AggKind::Lhist, false);
  m.lhist_min = -100;
  m.lhist_max = 100;
  m.lhist_step = 50;
  std::vector<RawMapEntry> entries = {{u64s({2}), u64s({1, 0})}, {u64s({4}), u64s({0, 1})}};
  EXPECT_EQ(format_map(m, entries, 2),
            "@h: \n"
            "[-50, 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "[0, 50)                0 |                                                    |\n"
            "[50, 100)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
            "\n");
  EXPECT_EQ(format_map(m, {}, 2), "");
}

TEST(HistPrinter, StatsInOrderOfAverage) {
  MapDesc m;
  m.name = "@t";
  m.elf_name = "m_t";
  m.agg = AggKind::Stats;
  m.percpu = true;
  m.key.push_back({FieldKind::Integer, 0, 8, true});
  m.key_size = 8;
  m.value = {FieldKind::Integer, 0, 8, true};
  m.value_size = 16;
  // {sum, count} per CPU, 2 CPUs: @t[1] = stats(100); @t[2] = stats(10) x3; @t[3] = stats(50) x2.
  std::vector<RawMapEntry> entries = {
      {u64s({1}), u64s({100, 1, 0, 0})},
      {u64s({3}), u64s({50, 1, 50, 1})},
      {u64s({2}), u64s({20, 2, 10, 1})},
  };
  EXPECT_EQ(format_map(m, entries, 2),
            "@t[2]: count 3, average 10, total 30\n"
            "@t[3]: count 2, average 50, total 100\n"
            "@t[1]: count 1, average 100, total 100\n"
            "\n");
  EXPECT_EQ(format_map(m, entries, 2, nullptr, 1), "@t[1]: count 1, average 100, total 100\n\n");
}

TEST(HistPrinter, PlainMapTopAndDiv) {
  MapDesc m;
  m.name = "@y";
  m.elf_name = "m_y";
  m.key.push_back({FieldKind::Integer, 0, 8, true});
  m.key_size = 8;
  m.value = {FieldKind::Integer, 0, 8, true};
  std::vector<RawMapEntry> entries = {
      {u64s({1}), u64s({10})}, {u64s({2}), u64s({20})}, {u64s({3}), u64s({30})}, {u64s({4}), u64s({40})}};
  EXPECT_EQ(format_map(m, entries, 2, nullptr, 2), "@y[3]: 30\n@y[4]: 40\n");
  EXPECT_EQ(format_map(m, entries, 2, nullptr, 3, 10), "@y[2]: 2\n@y[3]: 3\n@y[4]: 4\n");
  EXPECT_EQ(format_map(m, entries, 2, nullptr, 0, 5), "@y[1]: 2\n@y[2]: 4\n@y[3]: 6\n@y[4]: 8\n");
}

}  // namespace
}  // namespace ms::runtime
