// -f json text: exact lines as bpftrace 0.17 printed them for the same values
// (tests/runtime/compat.test compares whole runs with bpftrace).
#include <gtest/gtest.h>

#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wrestrict"

#include <cstring>

#include "common/printf_format.h"
#include "runtime/hist_printer.h"
#include "runtime/json_output.h"
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

TEST(JsonOutput, StringEscapes) {
  EXPECT_EQ(json_string("a\"b\\c\nd\re\tf"), "\"a\\\"b\\\\c\\nd\\re\\tf\"");
  EXPECT_EQ(json_string(std::string("\x01x", 2)), "\"\\u0001x\"");
  EXPECT_EQ(json_string("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // UTF-8 passes through
}

TEST(JsonOutput, Messages) {
  EXPECT_EQ(json_printf("hi \"x\"\n"), "{\"type\": \"printf\", \"data\": \"hi \\\"x\\\"\\n\"}\n");
  Scalar n;
  n.is_signed = true;
  n.bits = static_cast<uint64_t>(-5);
  EXPECT_EQ(json_print_value(n), "{\"type\": \"value\", \"data\": -5}\n");
  Scalar s;
  s.is_string = true;
  s.text = "s";
  EXPECT_EQ(json_print_value(s), "{\"type\": \"value\", \"data\": \"s\"}\n");
  EXPECT_EQ(json_attached_probes(2), "{\"type\": \"attached_probes\", \"data\": {\"probes\": 2}}\n");
}

TEST(JsonOutput, KeyedAndScalarMaps) {
  MapDesc m;
  m.name = "@k";
  m.key = {{FieldKind::Integer, 0, 8, true}, {FieldKind::String, 8, 2, false}};
  m.key_size = 16;
  m.value = {FieldKind::Integer, 0, 8, true};
  std::vector<uint8_t> k1 = u64s({3, 'y'}), k2 = u64s({1, 'x'});
  std::vector<RawMapEntry> entries = {{k1, u64s({5})}, {k2, u64s({2})}};
  EXPECT_EQ(format_map_json(m, entries, 2), "{\"type\": \"map\", \"data\": {\"@k\": {\"1,x\": 2, \"3,y\": 5}}}\n");
  EXPECT_EQ(format_map_json(m, entries, 2, nullptr, 1), "{\"type\": \"map\", \"data\": {\"@k\": {\"3,y\": 5}}}\n");
  EXPECT_EQ(format_map_json(m, {}, 2), "");

  MapDesc c;
  c.name = "@c";
  c.agg = AggKind::Count;
  c.percpu = true;
  c.value = {FieldKind::Integer, 0, 8, false};
  EXPECT_EQ(format_map_json(c, {{u64s({0}), u64s({1, 2})}}, 2), "{\"type\": \"map\", \"data\": {\"@c\": 3}}\n");
}

TEST(JsonOutput, AvgAndStatsAreStats) {
  MapDesc a;
  a.name = "@av";
  a.agg = AggKind::Avg;
  a.percpu = true;
  a.value = {FieldKind::Integer, 0, 8, true};
  a.value_size = 16;
  EXPECT_EQ(format_map_json(a, {{u64s({0}), u64s({13, 2, 0, 0})}}, 2), "{\"type\": \"stats\", \"data\": {\"@av\": 6}}\n");
  MapDesc s = a;
  s.name = "@st";
  s.agg = AggKind::Stats;
  EXPECT_EQ(format_map_json(s, {{u64s({0}), u64s({5, 1, 0, 0})}}, 2),
            "{\"type\": \"stats\", \"data\": {\"@st\": {\"count\": 1, \"average\": 5, \"total\": 5}}}\n");
}

TEST(JsonOutput, Histograms) {
  EXPECT_EQ(format_hist_json({0, 1, 0, 0, 1}),
            "[{\"min\": 0, \"max\": 0, \"count\": 1}, {\"min\": 1, \"max\": 1, \"count\": 0}, "
            "{\"min\": 2, \"max\": 3, \"count\": 0}, {\"min\": 4, \"max\": 7, \"count\": 1}]");
  EXPECT_EQ(format_hist_json({1}), "[{\"max\": -1, \"count\": 1}]");
  EXPECT_EQ(format_lhist_json({1, 1, 0, 1}, 0, 20, 10),
            "[{\"max\": -1, \"count\": 1}, {\"min\": 0, \"max\": 9, \"count\": 1}, {\"min\": 10, \"max\": 19, \"count\": 0}, "
            "{\"min\": 20, \"count\": 1}]");
  MapDesc h;
  h.name = "@hk";
  h.agg = AggKind::Hist;
  h.percpu = true;
  h.key = {{FieldKind::Integer, 0, 8, true}};
  h.key_size = 16;
  h.value = {FieldKind::Integer, 0, 8, false};
  EXPECT_EQ(format_map_json(h, {{u64s({2, 8}), u64s({1, 0})}}, 2),
            "{\"type\": \"hist\", \"data\": {\"@hk\": {\"2\": [{\"min\": 64, \"max\": 127, \"count\": 1}]}}}\n");
}

TEST(BufferFormat, PercentR) {
  std::string err;
  auto f = parse_printf_format("%r|%-8r|", err);
  ASSERT_TRUE(f) << err;
  const auto specs = f->specs();
  EXPECT_EQ(format_buffer(*specs[0], std::string("alpha\0be", 8)), "alpha\\x00be");
  EXPECT_EQ(format_buffer(*specs[0], "\xf9\xff\x7f"), "\\xf9\\xff\\x7f");
  EXPECT_EQ(format_buffer(*specs[1], "ab"), "ab      ");
  // An event with an 8-byte header, then a buffer field: length 3 of 8 bytes.
  std::vector<uint8_t> ev(24, 0);
  ev[8] = 3;
  ev[16] = 'x';
  ev[17] = 0;
  ev[18] = 'y';
  manifest::Field field{manifest::FieldKind::Buffer, 8, 16, false};
  EXPECT_EQ(format_event(*f, {field}, ev.data(), ev.size()), "x\\x00y||");  // the second spec has no argument
}

}  // namespace
}  // namespace ms::runtime
