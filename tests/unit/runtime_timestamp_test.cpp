// strftime() values: monotonic nanoseconds printed as local wall-clock text.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "common/timestamp.h"

namespace ms {
namespace {

class Timestamp : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_ = tz ? tz : "";
    had_ = tz != nullptr;
    setenv("TZ", "UTC", 1);
    tzset();
  }
  void TearDown() override {
    if (had_) setenv("TZ", saved_.c_str(), 1);
    else unsetenv("TZ");
    tzset();
  }
  std::string saved_;
  bool had_ = false;
};

// 2021-03-04 05:06:07 UTC is 1614834367 s since the epoch.
constexpr int64_t kEpoch = 1614834367;

TEST_F(Timestamp, AddsTheOffsetAndFormats) {
  const uint64_t mono = 1000 * 1000000000ull + 123456789;  // 1000.123456789 s since boot
  const int64_t offset = (kEpoch - 1000) * 1000000000ll;
  EXPECT_EQ(format_timestamp("%Y-%m-%d %H:%M:%S", mono, offset), "2021-03-04 05:06:07");
  EXPECT_EQ(format_timestamp("%s", mono, offset), "1614834367");
}

TEST_F(Timestamp, PercentFIsMicroseconds) {
  const int64_t offset = kEpoch * 1000000000ll;
  EXPECT_EQ(format_timestamp("%S.%f", 7000123, offset), "07.007000");
  EXPECT_EQ(format_timestamp("%f|%%f|%%|%", 999999999, offset), "999999|%f|%|%");
}

TEST_F(Timestamp, NegativeRemainderBorrowsASecond) {
  // offset ending in a fraction: 0.5 s before a whole second.
  const int64_t offset = kEpoch * 1000000000ll - 500000000;
  EXPECT_EQ(format_timestamp("%S.%f", 0, offset), "06.500000");
}

TEST_F(Timestamp, OffsetIsStable) {
  EXPECT_EQ(monotonic_to_realtime_offset_ns(), monotonic_to_realtime_offset_ns());
  timespec real{};
  clock_gettime(CLOCK_REALTIME, &real);
  // Boot was in the past: the offset is positive and below now.
  EXPECT_GT(monotonic_to_realtime_offset_ns(), 0);
  EXPECT_LT(monotonic_to_realtime_offset_ns(), static_cast<int64_t>(real.tv_sec) * 1000000000ll);
}

}  // namespace
}  // namespace ms
