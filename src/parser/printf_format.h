// The conversions of a printf format string, as the checker and the printer
// both need them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ms {

enum class FormatArg { Integer, String };

struct FormatSpec {
  size_t offset = 0;  // of the '%' in the (unescaped) format
  std::string text;   // the whole conversion, e.g. "%-5lu"
  char conversion = 0;  // d i u x X o c p s
  FormatArg arg = FormatArg::Integer;
};

struct ParsedFormat {
  std::vector<FormatSpec> specs;  // "%%" is not a spec: it takes no argument
  std::string error;              // empty when the format is valid
};

// Accepts %[flags -+ #0][width][.precision][length hh h l ll z j t]conversion.
ParsedFormat parse_printf_format(std::string_view format);

}  // namespace ms
