#include "common/tracepoint_format.h"

#include <fnmatch.h>

#include <sstream>

namespace ms {

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// The value of `key:VALUE;` in a field line, or nullopt.
std::optional<std::string> attribute(const std::string& line, const std::string& key) {
  size_t p = line.find("\t" + key + ":");
  if (p == std::string::npos) p = line.find(" " + key + ":");
  if (p == std::string::npos) return std::nullopt;
  p += key.size() + 2;
  size_t e = line.find(';', p);
  if (e == std::string::npos) return std::nullopt;
  return line.substr(p, e - p);
}

bool to_u32(const std::string& s, uint32_t& out) {
  if (s.empty() || s.size() > 9) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

// "unsigned long len" -> type "unsigned long", name "len"; "char comm[16]" ->
// type "char[16]", name "comm"; "__data_loc char[] filename" stays as is.
bool split_declaration(const std::string& decl, std::string& type, std::string& name, std::string& array) {
  std::string d = trim(decl);
  size_t bracket = std::string::npos;
  if (!d.empty() && d.back() == ']') {
    bracket = d.rfind('[');
    if (bracket == std::string::npos) return false;
    array = d.substr(bracket);
    d = trim(d.substr(0, bracket));
  }
  size_t sp = d.find_last_of(" *");
  if (sp == std::string::npos || sp + 1 >= d.size()) return false;
  name = d.substr(sp + 1);
  type = trim(d.substr(0, sp + 1));
  return !name.empty() && !type.empty();
}

}  // namespace

const TracepointField* TracepointFormat::find(const std::string& field) const {
  for (const auto& f : fields)
    if (f.name == field) return &f;
  return nullptr;
}

std::optional<TracepointFormat> parse_tracepoint_format(const std::string& category, const std::string& name,
                                                        const std::string& text, std::string& error) {
  TracepointFormat fmt;
  fmt.category = category;
  fmt.name = name;
  std::istringstream in(text);
  std::string line;
  bool saw_field = false;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (t.rfind("field:", 0) != 0) continue;
    saw_field = true;
    size_t semi = t.find(';');
    if (semi == std::string::npos) {
      error = "malformed field line '" + t + "'";
      return std::nullopt;
    }
    std::string decl = t.substr(6, semi - 6);
    auto off = attribute(line, "offset"), size = attribute(line, "size"), sign = attribute(line, "signed");
    TracepointField f;
    std::string type, array;
    if (!off || !size || !to_u32(*off, f.offset) || !to_u32(*size, f.size) ||
        !split_declaration(decl, type, f.name, array)) {
      error = "malformed field line '" + t + "'";
      return std::nullopt;
    }
    f.is_signed = sign && *sign == "1";
    if (f.name.rfind("common_", 0) == 0) continue;
    if (type.rfind("__data_loc", 0) == 0) {
      f.kind = TracepointFieldKind::DataLocString;
      f.type = type + array;
      if (type.find("char") == std::string::npos) {
        // A dynamic array of something other than characters: expose its locator as an integer.
        f.kind = TracepointFieldKind::Integer;
      }
    } else if (!array.empty()) {
      f.type = type + array;
      bool is_char = type == "char" || type == "const char" || type == "unsigned char" || type == "u8";
      if (!is_char) continue;  // arrays of other element types: not readable as a value; leave them out
      f.kind = TracepointFieldKind::CharArray;
      f.is_signed = false;
    } else {
      f.type = type;
      f.kind = TracepointFieldKind::Integer;
      if (f.size != 1 && f.size != 2 && f.size != 4 && f.size != 8) continue;  // structs embedded by value
      if (type.find('*') != std::string::npos) f.is_signed = false;  // pointers read as unsigned addresses
    }
    fmt.fields.push_back(std::move(f));
  }
  if (!saw_field) {
    error = "no fields in the format of " + category + ":" + name;
    return std::nullopt;
  }
  return fmt;
}

std::string describe(const TracepointField& f) {
  switch (f.kind) {
    case TracepointFieldKind::CharArray:
      return "string[" + std::to_string(f.size) + "]";
    case TracepointFieldKind::DataLocString:
      return "string";
    case TracepointFieldKind::Integer:
      break;
  }
  return std::string(f.is_signed ? "int" : "uint") + std::to_string(f.size * 8);
}

bool has_wildcard(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

bool glob_match(const std::string& pattern, const std::string& text) {
  return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

}  // namespace ms
