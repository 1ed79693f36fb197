// Deferred attachment: a script's uprobes (the costly, per-call probes) wait
// until the target's memory grows, watched cheaply from /proc/PID/statm with
// no probe at all. Set from the script's options block (`trigger_rss_growth
// OPT`, `trigger_growth_rate OPT`; docs/options.md), so any script can use it;
// memleak.ms exposes them as --trigger-rss-growth and --trigger-growth-rate.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>

namespace ms::runtime {

struct AttachTrigger {
  uint64_t rss_growth_bytes = 0;   // attach once RSS is this much above its lowest since the start
  double rate_bytes_per_s = 0;     // or once it grew this fast over the last second
  std::string rate_text;           // the rate as the user wrote it ("5M/min"), for messages
  std::string label;               // the script's name ("memleak"), to start messages with
  bool active() const { return rss_growth_bytes > 0 || rate_bytes_per_s > 0; }
};

// "5M/min", "100K/s", "1G/h", "512/s" -> bytes per second. Sizes take K M G T
// (powers of 1024, an optional trailing B); times s, sec, m, min, h.
std::optional<double> parse_growth_rate(const std::string& text, std::string& error);

// "12.3 MiB", "512 KiB", "100 B".
std::string human_bytes(double bytes);

// Decides from RSS readings (taken every ~100 ms) when the trigger holds.
class RssTrigger {
 public:
  explicit RssTrigger(AttachTrigger trigger) : trigger_(std::move(trigger)) {}

  // One reading at `t` seconds; the reason to attach once the condition
  // holds (the message's text after "LABEL: "), else nothing.
  std::optional<std::string> observe(double t, uint64_t rss_bytes);
  // What is awaited, for the message at the start.
  std::string condition() const;
  uint64_t lowest() const { return lowest_; }
  uint64_t latest() const { return latest_; }

 private:
  AttachTrigger trigger_;
  bool seen_ = false;
  uint64_t lowest_ = 0, latest_ = 0;
  std::deque<std::pair<double, uint64_t>> window_;  // readings of about the last second
};

// Resident bytes of `pid` from /proc/PID/statm; nothing if it is gone.
std::optional<uint64_t> read_rss_bytes(pid_t pid);

}  // namespace ms::runtime
