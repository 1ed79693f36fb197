#include "common/printf_format.h"

#include <cstdio>
#include <cstring>

#include "common/timestamp.h"

namespace ms {

namespace {

// Larger widths are almost certainly a typo and would only flood the terminal.
constexpr int kMaxWidth = 4096;

bool is_flag(char c) { return c == '-' || c == '+' || c == ' ' || c == '#' || c == '0'; }

bool parse_number(const std::string& s, size_t& i, int& out) {
  if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  long v = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    v = v * 10 + (s[i] - '0');
    if (v > kMaxWidth) v = kMaxWidth + 1;
    ++i;
  }
  out = static_cast<int>(v);
  return true;
}

// The rebuilt spec up to (not including) the length modifier and conversion.
std::string spec_prefix(const FormatSpec& spec) {
  std::string s = "%";
  s += spec.flags;
  if (spec.width >= 0) s += std::to_string(spec.width);
  if (spec.precision >= 0) {
    s += '.';
    s += std::to_string(spec.precision);
  }
  return s;
}

template <typename T>
std::string run_snprintf(const std::string& fmt, T value) {
  // fmt is always built by this file from a parsed spec, never taken from the user.
  int n = std::snprintf(nullptr, 0, fmt.c_str(), value);
  if (n <= 0) return {};
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), fmt.c_str(), value);
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace

size_t ParsedFormat::spec_count() const {
  size_t n = 0;
  for (const auto& p : pieces) n += p.is_spec;
  return n;
}

std::vector<const FormatSpec*> ParsedFormat::specs() const {
  std::vector<const FormatSpec*> out;
  for (const auto& p : pieces)
    if (p.is_spec) out.push_back(&p.spec);
  return out;
}

std::optional<ParsedFormat> parse_printf_format(const std::string& format, std::string& error) {
  ParsedFormat out;
  std::string literal;
  size_t i = 0;
  while (i < format.size()) {
    char c = format[i];
    if (c != '%') {
      literal += c;
      ++i;
      continue;
    }
    size_t start = i++;
    if (i < format.size() && format[i] == '%') {
      literal += '%';
      ++i;
      continue;
    }
    FormatSpec spec;
    while (i < format.size() && is_flag(format[i])) spec.flags += format[i++];
    if (i < format.size() && format[i] == '*') {
      error = "'*' width is not supported in '" + format.substr(start, i + 1 - start) + "'";
      return std::nullopt;
    }
    parse_number(format, i, spec.width);
    if (i < format.size() && format[i] == '.') {
      ++i;
      if (!parse_number(format, i, spec.precision)) spec.precision = 0;
    }
    if (spec.width > kMaxWidth || spec.precision > kMaxWidth) {
      error = "width or precision larger than " + std::to_string(kMaxWidth) + " in '" +
              format.substr(start, i - start) + "'";
      return std::nullopt;
    }
    if (i < format.size() && format[i] == 'h') {
      ++i;
      spec.length = FormatLength::Short;
      if (i < format.size() && format[i] == 'h') {
        ++i;
        spec.length = FormatLength::Char;
      }
    } else if (i < format.size() && (format[i] == 'l' || format[i] == 'j' || format[i] == 'z' || format[i] == 't')) {
      bool is_l = format[i] == 'l';
      ++i;
      spec.length = FormatLength::Long;
      if (is_l && i < format.size() && format[i] == 'l') ++i;
    }
    if (i >= format.size()) {
      error = "incomplete conversion '" + format.substr(start) + "' at the end of the format";
      return std::nullopt;
    }
    char conv = format[i++];
    switch (conv) {
      case 'd':
      case 'i':
      case 'u':
      case 'x':
      case 'X':
      case 'o':
      case 'c':
      case 's':
      case 'p':
      case 'r':
        break;
      default:
        error = "unsupported conversion '" + format.substr(start, i - start) + "'";
        return std::nullopt;
    }
    if ((conv == 's' || conv == 'c' || conv == 'p' || conv == 'r') && spec.length != FormatLength::Default) {
      error = "length modifier not allowed in '" + format.substr(start, i - start) + "'";
      return std::nullopt;
    }
    spec.conversion = conv;
    spec.text = format.substr(start, i - start);
    if (!literal.empty()) {
      out.pieces.push_back({false, std::move(literal), {}});
      literal.clear();
    }
    out.pieces.push_back({true, {}, spec});
  }
  if (!literal.empty()) out.pieces.push_back({false, std::move(literal), {}});
  return out;
}

std::string format_integer(const FormatSpec& spec, uint64_t bits, bool is_signed) {
  switch (spec.conversion) {
    case 's':
      return format_string(spec, is_signed ? std::to_string(static_cast<int64_t>(bits)) : std::to_string(bits));
    case 'c':
      return run_snprintf(spec_prefix(spec) + "c", static_cast<int>(static_cast<unsigned char>(bits)));
    case 'p':
      return run_snprintf(spec_prefix(spec) + "p", reinterpret_cast<void*>(static_cast<uintptr_t>(bits)));
    case 'd':
    case 'i': {
      // Truncate as C would for the argument type the spec names.
      long long v = static_cast<int64_t>(bits);
      switch (spec.length) {
        case FormatLength::Default: v = static_cast<int>(bits); break;
        case FormatLength::Short: v = static_cast<short>(bits); break;
        case FormatLength::Char: v = static_cast<signed char>(bits); break;
        case FormatLength::Long: break;
      }
      return run_snprintf(spec_prefix(spec) + "lld", v);
    }
    default: {  // u x X o
      unsigned long long v = bits;
      switch (spec.length) {
        case FormatLength::Default: v = static_cast<unsigned int>(bits); break;
        case FormatLength::Short: v = static_cast<unsigned short>(bits); break;
        case FormatLength::Char: v = static_cast<unsigned char>(bits); break;
        case FormatLength::Long: break;
      }
      return run_snprintf(spec_prefix(spec) + "ll" + std::string(1, spec.conversion), v);
    }
  }
}

std::string format_string(const FormatSpec& spec, const std::string& text) {
  FormatSpec s = spec;
  // '#', '+', ' ' and '0' mean nothing for %s (and '0' is undefined behaviour).
  std::string flags;
  if (spec.flags.find('-') != std::string::npos) flags = "-";
  s.flags = flags;
  if (spec.conversion != 's') s.precision = -1;
  return run_snprintf(spec_prefix(s) + "s", text.c_str());
}

std::string format_buffer(const FormatSpec& spec, const std::string& bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string text;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f) {
      text += static_cast<char>(c);
    } else {
      text += "\\x";
      text += kHex[c >> 4];
      text += kHex[c & 15];
    }
  }
  FormatSpec s = spec;
  s.conversion = 's';
  s.precision = -1;
  return format_string(s, text);
}

bool read_buffer_field(const manifest::Field& field, const uint8_t* data, size_t size, std::string& out) {
  if (field.size < 8 || static_cast<size_t>(field.offset) + field.size > size) return false;
  uint64_t len = 0;
  std::memcpy(&len, data + field.offset, 8);
  len = std::min<uint64_t>(len, field.size - 8);
  out.assign(reinterpret_cast<const char*>(data + field.offset + 8), len);
  return true;
}

bool read_integer_field(const manifest::Field& field, const uint8_t* data, size_t size, uint64_t& out) {
  if (field.size == 0 || field.size > 8 || static_cast<size_t>(field.offset) + field.size > size) return false;
  uint64_t v = 0;
  std::memcpy(&v, data + field.offset, field.size);  // little-endian host
  if (field.is_signed && field.size < 8) {
    unsigned shift = 64 - 8 * field.size;
    v = static_cast<uint64_t>(static_cast<int64_t>(v << shift) >> shift);
  }
  out = v;
  return true;
}

bool read_string_field(const manifest::Field& field, const uint8_t* data, size_t size, std::string& out) {
  if (static_cast<size_t>(field.offset) + field.size > size) return false;
  const char* p = reinterpret_cast<const char*>(data + field.offset);
  out = escape_terminal_controls(std::string_view(p, strnlen(p, field.size)));
  return true;
}

std::string escape_terminal_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string format_event(const ParsedFormat& format, const std::vector<manifest::Field>& args, const uint8_t* event,
                         size_t size, const RenderField* render_other) {
  std::string out;
  size_t arg = 0;
  for (const auto& piece : format.pieces) {
    if (!piece.is_spec) {
      out += piece.literal;
      continue;
    }
    if (arg >= args.size()) continue;
    const manifest::Field& f = args[arg++];
    if (f.kind == manifest::FieldKind::Buffer) {
      std::string s;
      out += read_buffer_field(f, event, size, s) ? format_buffer(piece.spec, s) : "<bad arg>";
    } else if (f.kind == manifest::FieldKind::String) {
      std::string s;
      bool ok = read_string_field(f, event, size, s);
      out += !ok ? "<bad arg>" : piece.spec.takes_buffer() ? format_buffer(piece.spec, s) : format_string(piece.spec, s);
    } else if (f.kind == manifest::FieldKind::Timestamp) {
      uint64_t ns = 0;
      out += read_integer_field(f, event, size, ns) ? format_string(piece.spec, format_timestamp(f.format, ns))
                                                     : "<bad arg>";
    } else if (f.kind != manifest::FieldKind::Integer && render_other && *render_other) {
      out += static_cast<size_t>(f.offset) + f.size <= size ? format_string(piece.spec, (*render_other)(f, event, size))
                                                            : "<bad arg>";
    } else {
      uint64_t v = 0;
      out += read_integer_field(f, event, size, v) ? format_integer(piece.spec, v, f.is_signed) : "<bad arg>";
    }
  }
  return out;
}

}  // namespace ms
