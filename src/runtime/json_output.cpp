#include "runtime/json_output.h"

#include <cstdio>

namespace ms::runtime {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string json_value(const Scalar& v) { return v.is_string ? json_string(v.text) : v.to_string(); }

std::string json_printf(const std::string& text) {
  return "{\"type\": \"printf\", \"data\": " + json_string(text) + "}\n";
}

std::string json_print_value(const Scalar& v) { return "{\"type\": \"value\", \"data\": " + json_value(v) + "}\n"; }

std::string json_attached_probes(size_t n) {
  return "{\"type\": \"attached_probes\", \"data\": {\"probes\": " + std::to_string(n) + "}}\n";
}

}  // namespace ms::runtime
