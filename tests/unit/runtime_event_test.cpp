// Decoding ring-buffer events into output and actions.
#include <gtest/gtest.h>

#include <cstring>

#include "runtime/event_reader.h"

namespace ms::runtime {
namespace {

using manifest::EventDesc;
using manifest::EventKind;
using manifest::FieldKind;

std::vector<uint8_t> event(uint64_t id, std::initializer_list<int64_t> args = {}) {
  std::vector<uint8_t> b(8 + 8 * args.size());
  std::memcpy(b.data(), &id, 8);
  size_t at = 8;
  for (int64_t a : args) {
    std::memcpy(b.data() + at, &a, 8);
    at += 8;
  }
  return b;
}

manifest::Manifest sample_manifest() {
  manifest::Manifest m;
  m.source_file = "t.ms";
  m.maps.resize(2);
  m.maps[0].name = "@a";
  m.maps[1].name = "@b";
  EventDesc printf_event;
  printf_event.id = 0;
  printf_event.kind = EventKind::Printf;
  printf_event.format = "x=%d y=%u\n";
  printf_event.args = {{FieldKind::Integer, 8, 8, true}, {FieldKind::Integer, 16, 8, false}};
  printf_event.size = 24;
  EventDesc exit_event;
  exit_event.id = 1;
  exit_event.kind = EventKind::Exit;
  EventDesc print_event;
  print_event.id = 2;
  print_event.kind = EventKind::Print;
  print_event.map_index = 1;
  EventDesc clear_event;
  clear_event.id = 3;
  clear_event.kind = EventKind::Clear;
  clear_event.map_index = 0;
  m.events = {printf_event, exit_event, print_event, clear_event};
  return m;
}

TEST(RuntimeEvents, DispatchesEveryKind) {
  manifest::Manifest m = sample_manifest();
  std::vector<int> cleared;
  EventDispatcher d(
      m, [](int i, uint32_t, uint32_t) { return "<map " + std::to_string(i) + ">\n"; }, [&](int i) { cleared.push_back(i); });
  std::string error;
  ASSERT_TRUE(d.prepare(error)) << error;
  auto e0 = event(0, {-4, 7});
  d.handle(e0.data(), e0.size());
  auto e2 = event(2);
  d.handle(e2.data(), e2.size());
  auto e3 = event(3);
  d.handle(e3.data(), e3.size());
  EXPECT_FALSE(d.exit_requested());
  auto e1 = event(1);
  d.handle(e1.data(), e1.size());
  EXPECT_TRUE(d.exit_requested());
  EXPECT_EQ(d.take_output(), "x=-4 y=7\n<map 1>\n");
  EXPECT_EQ(d.take_output(), "");
  EXPECT_EQ(cleared, std::vector<int>{0});
  EXPECT_EQ(d.malformed_events(), 0u);
}

TEST(RuntimeEvents, MalformedEventsAreCountedNotTrusted) {
  manifest::Manifest m = sample_manifest();
  EventDispatcher d(m, nullptr, nullptr);
  std::string error;
  ASSERT_TRUE(d.prepare(error)) << error;
  auto unknown = event(99);
  d.handle(unknown.data(), unknown.size());
  uint8_t tiny[3] = {0, 0, 0};
  d.handle(tiny, sizeof tiny);
  // A printf event cut short: its arguments are not read past the end.
  auto short_printf = event(0, {5});
  d.handle(short_printf.data(), short_printf.size());
  EXPECT_EQ(d.malformed_events(), 2u);
  EXPECT_EQ(d.take_output(), "x=5 y=<bad arg>\n");
}

TEST(RuntimeEvents, BadFormatIsALocatedError) {
  manifest::Manifest m = sample_manifest();
  m.events[0].format = "%f\n";
  m.events[0].line = 4;
  EventDispatcher d(m, nullptr, nullptr);
  std::string error;
  EXPECT_FALSE(d.prepare(error));
  EXPECT_EQ(error, "t.ms:4: error: printf: unsupported conversion '%f'");
}

TEST(RuntimeEvents, InconsistentManifestIsRefused) {
  manifest::Manifest m = sample_manifest();
  m.events[2].map_index = 5;
  EventDispatcher d(m, nullptr, nullptr);
  std::string error;
  EXPECT_FALSE(d.prepare(error));
  EXPECT_EQ(error, "internal error: event 2 names map 5");
}

}  // namespace
}  // namespace ms::runtime
