#include "printf_format.h"

#include <cstring>

namespace ms {

ParsedFormat parse_printf_format(std::string_view f) {
  ParsedFormat out;
  size_t i = 0;
  while (i < f.size()) {
    if (f[i] != '%') {
      ++i;
      continue;
    }
    size_t start = i++;
    if (i < f.size() && f[i] == '%') {
      ++i;
      continue;
    }
    while (i < f.size() && std::strchr("-+ #0", f[i])) ++i;
    while (i < f.size() && f[i] >= '0' && f[i] <= '9') ++i;
    if (i < f.size() && f[i] == '.') {
      ++i;
      while (i < f.size() && f[i] >= '0' && f[i] <= '9') ++i;
    }
    size_t length_start = i;
    while (i < f.size() && std::strchr("hlzjt", f[i])) ++i;
    std::string_view length = f.substr(length_start, i - length_start);
    if (i >= f.size()) {
      out.error = "format ends inside the conversion '" + std::string(f.substr(start)) + "'";
      return out;
    }
    char c = f[i++];
    FormatSpec spec;
    spec.offset = start;
    spec.text = std::string(f.substr(start, i - start));
    spec.conversion = c;
    if (std::strchr("diuxXocp", c)) {
      spec.arg = FormatArg::Integer;
    } else if (c == 's') {
      spec.arg = FormatArg::String;
    } else {
      out.error = "unknown conversion '" + spec.text + "'";
      return out;
    }
    if (!length.empty() && (length != "h" && length != "hh" && length != "l" && length != "ll" && length != "z" &&
                            length != "j" && length != "t")) {
      out.error = "bad length modifier in '" + spec.text + "'";
      return out;
    }
    if (!length.empty() && (c == 's' || c == 'p' || c == 'c')) {
      out.error = "length modifier not allowed in '" + spec.text + "'";
      return out;
    }
    out.specs.push_back(std::move(spec));
  }
  return out;
}

}  // namespace ms
