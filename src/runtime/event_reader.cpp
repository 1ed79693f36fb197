#include "runtime/event_reader.h"

#include <cstring>
#include <ctime>

#include "common/timestamp.h"
#include "runtime/json_output.h"

namespace ms::runtime {

using manifest::EventKind;

EventDispatcher::EventDispatcher(const manifest::Manifest& manifest, PrintMap print_map, ClearMap clear_map)
    : manifest_(manifest), print_map_(std::move(print_map)), clear_map_(std::move(clear_map)) {}

bool EventDispatcher::prepare(std::string& error) {
  formats_.assign(manifest_.events.size(), std::nullopt);
  for (size_t i = 0; i < manifest_.events.size(); ++i) {
    const auto& e = manifest_.events[i];
    if (e.id != i) {
      error = "internal error: event " + std::to_string(i) + " has id " + std::to_string(e.id);
      return false;
    }
    if ((e.kind == EventKind::Print || e.kind == EventKind::Clear || e.kind == EventKind::Zero) &&
        (e.map_index < 0 || static_cast<size_t>(e.map_index) >= manifest_.maps.size())) {
      error = "internal error: event " + std::to_string(i) + " names map " + std::to_string(e.map_index);
      return false;
    }
    if (e.kind != EventKind::Printf && e.kind != EventKind::Value) continue;
    std::string why;
    formats_[i] = parse_printf_format(e.format, why);
    if (!formats_[i]) {
      error = manifest_.source_file + ":" + std::to_string(e.line) + ": error: printf: " + why;
      return false;
    }
  }
  return true;
}

void EventDispatcher::handle(const uint8_t* data, size_t size) {
  uint64_t id = 0;
  if (size < 8) {
    ++malformed_;
    return;
  }
  std::memcpy(&id, data, 8);
  if (id >= manifest_.events.size()) {
    ++malformed_;
    return;
  }
  const auto& e = manifest_.events[id];
  switch (e.kind) {
    case EventKind::Printf:
      if (formats_.empty() || !formats_[id]) break;
      {
        RenderField render;
        if (renderer_)
          render = [this](const manifest::Field& f, const uint8_t* d, size_t n) { return renderer_->render(f, d, n, false); };
        std::string text = format_event(*formats_[id], e.args, data, size, &render);
        output_ += json_ ? json_printf(text) : text;
      }
      break;
    case EventKind::Value:
      if (formats_.empty() || !formats_[id] || e.args.size() != 1) break;
      if (e.args[0].kind == manifest::FieldKind::Tuple) {
        std::string text = render_tuple(e.args[0], data, size, renderer_);
        output_ += json_ ? json_print_value(Scalar{true, false, 0, text}) : text + "\n";
      } else if (json_) {
        const manifest::Field& f = e.args[0];
        Scalar v;
        v.is_string = f.kind == manifest::FieldKind::String || f.kind == manifest::FieldKind::Timestamp;
        v.is_signed = f.is_signed;
        bool ok = f.kind == manifest::FieldKind::String ? read_string_field(f, data, size, v.text)
                                                        : read_integer_field(f, data, size, v.bits);
        if (ok && f.kind == manifest::FieldKind::Timestamp) v.text = format_timestamp(f.format, v.bits);
        if (ok) output_ += json_print_value(v);
        else ++malformed_;
      } else {
        output_ += format_event(*formats_[id], e.args, data, size);
      }
      break;
    case EventKind::Exit:
      exit_requested_ = true;
      break;
    case EventKind::Print:
      if (print_map_) output_ += print_map_(e.map_index, e.top, e.div);
      break;
    case EventKind::Clear:
      if (clear_map_) clear_map_(e.map_index);
      break;
    case EventKind::Time: {
      // Like bpftrace: the time the event is handled, in local time.
      char buf[512];
      time_t now = ::time(nullptr);
      struct tm tm;
      localtime_r(&now, &tm);
      size_t n = strftime(buf, sizeof buf, e.format.c_str(), &tm);
      std::string text(buf, n);
      output_ += json_ ? "{\"type\": \"time\", \"data\": " + json_string(text) + "}\n" : text;
      break;
    }
    case EventKind::Zero:
      if (zero_map_) zero_map_(e.map_index);
      break;
    case EventKind::LeakReport:
      if (leak_report_) output_ += leak_report_(e);
      break;
    case EventKind::StackSnapshot:
      if (stack_snapshot_) stack_snapshot_(data, size);
      break;
    case EventKind::Join: {
      // args[0]: how many strings BPF read; args[1..]: the strings.
      uint64_t n = 0;
      if (e.args.empty() || !read_integer_field(e.args[0], data, size, n) || n >= e.args.size()) {
        ++malformed_;
        break;
      }
      std::string text;
      for (uint64_t i = 1; i <= n; ++i) {
        std::string s;
        if (!read_string_field(e.args[i], data, size, s)) break;
        if (i > 1) text += e.format;
        text += s;
      }
      output_ += json_ ? "{\"type\": \"join\", \"data\": " + json_string(text) + "}\n" : text + "\n";
      break;
    }
  }
}

std::string EventDispatcher::take_output() {
  std::string out;
  out.swap(output_);
  return out;
}

}  // namespace ms::runtime
