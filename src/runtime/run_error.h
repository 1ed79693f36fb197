// A failure that ends the run: the exit code and what to print on stderr.
#pragma once

#include <string>

namespace ms::runtime {

struct RunError {
  int exit_code = 0;
  std::string message;  // one or more lines, without the final newline
};

}  // namespace ms::runtime
