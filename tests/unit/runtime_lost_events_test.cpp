// Reporting events the ring buffer had no room for (src/runtime/lost_events.h).
#include <gtest/gtest.h>

#include "runtime/lost_events.h"

namespace ms::runtime {
namespace {

manifest::Manifest two_events() {
  manifest::Manifest m;
  m.ringbuf_size = 4096;
  manifest::EventDesc p;
  p.id = 0;
  p.kind = manifest::EventKind::Printf;
  p.line = 2;
  manifest::EventDesc e;
  e.id = 1;
  e.kind = manifest::EventKind::Exit;
  e.line = 3;
  m.events = {p, e};
  return m;
}

TEST(RuntimeLostEvents, NothingLostSaysNothing) {
  auto m = two_events();
  std::vector<uint64_t> lost(manifest::kLostEventSlots, 0);
  EXPECT_EQ(format_lost_events(m, lost), "");
  EXPECT_FALSE(lost_an_exit(m, lost));
  EXPECT_EQ(format_lost_events(m, {}), "");  // the map could not be read
}

TEST(RuntimeLostEvents, EachSiteIsCountedAndALostExitIsSeen) {
  auto m = two_events();
  std::vector<uint64_t> lost(manifest::kLostEventSlots, 0);
  lost[0] = 330;
  EXPECT_FALSE(lost_an_exit(m, lost));
  lost[1] = 1;
  EXPECT_TRUE(lost_an_exit(m, lost));
  EXPECT_EQ(format_lost_events(m, lost),
            "memscript: 330 printf() events from line 2 were lost: the event buffer was full (4096 bytes; raise "
            "--event-buffer-size)\n"
            "memscript: 1 exit() event from line 3 was lost: the event buffer was full (4096 bytes; raise "
            "--event-buffer-size)\n");
}

TEST(RuntimeLostEvents, EventsPastTheSlotsShareTheLast) {
  manifest::Manifest m;
  m.ringbuf_size = 8192;
  for (uint32_t i = 0; i < manifest::kLostEventSlots + 2; ++i) {
    manifest::EventDesc e;
    e.id = i;
    e.line = static_cast<int>(i + 1);
    m.events.push_back(e);
  }
  std::vector<uint64_t> lost(manifest::kLostEventSlots, 0);
  lost.back() = 7;
  EXPECT_EQ(format_lost_events(m, lost),
            "memscript: 7 events from several lines were lost: the event buffer was full (8192 bytes; raise "
            "--event-buffer-size)\n");
}

}  // namespace
}  // namespace ms::runtime
