// Decodes ring-buffer events (layout in manifest.h) and acts on them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "common/printf_format.h"
#include "runtime/map_value.h"

namespace ms::runtime {

class EventDispatcher {
 public:
  // print_map/clear_map act on Manifest::maps[index]; print_map returns the text to show,
  // keeping the last `top` entries (0: all) and dividing values by `div`.
  using PrintMap = std::function<std::string(int map_index, uint32_t top, uint32_t div)>;
  using ClearMap = std::function<void(int map_index)>;

  EventDispatcher(const manifest::Manifest& manifest, PrintMap print_map, ClearMap clear_map);

  // Parses every printf format up front. Returns false with `error` (naming
  // the script line) if one cannot be used.
  bool prepare(std::string& error);

  // zero(@m): sets every value of Manifest::maps[index] to zero.
  void set_zero_map(ClearMap zero_map) { zero_map_ = std::move(zero_map); }

  // print_leaks / print_leak_stacks: returns the report's text.
  using LeakReport = std::function<std::string(const manifest::EventDesc& event)>;
  void set_leak_report(LeakReport f) { leak_report_ = std::move(f); }

  // ustack(dwarf): a register and stack snapshot to unwind (manifest.h).
  using StackSnapshot = std::function<void(const uint8_t* data, size_t size)>;
  void set_stack_snapshot(StackSnapshot f) { stack_snapshot_ = std::move(f); }

  // -f json: printf and print(value) become bpftrace's JSON lines.
  void set_json(bool json) { json_ = json; }

  // Handles one event. Output accumulates until take_output().
  void handle(const uint8_t* data, size_t size);

  // Renders stack and symbol arguments of printf (not owned; may be null).
  void set_field_renderer(FieldRenderer* r) { renderer_ = r; }

  bool exit_requested() const { return exit_requested_; }
  std::string take_output();
  // Events that could not be decoded (unknown id, too short); reported at the end.
  uint64_t malformed_events() const { return malformed_; }

 private:
  const manifest::Manifest& manifest_;
  PrintMap print_map_;
  ClearMap clear_map_;
  ClearMap zero_map_;
  LeakReport leak_report_;
  StackSnapshot stack_snapshot_;
  std::vector<std::optional<ParsedFormat>> formats_;  // by event id
  std::string output_;
  bool exit_requested_ = false;
  bool json_ = false;
  uint64_t malformed_ = 0;
  FieldRenderer* renderer_ = nullptr;
};

}  // namespace ms::runtime
