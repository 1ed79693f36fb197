// Collected, located diagnostics.
//
// Every user error names file:line:col, shows the source line and underlines
// the range:
//
//   script.ms:3:5: error: unknown function 'cout'
//   @x = cout();
//        ~~~~~~
//
// Several errors are collected in one run; tests compare the exact text.
#pragma once

#include <string>
#include <vector>

#include "common/location.h"

namespace ms {

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  Location loc;           // line == 0: no location (whole-program diagnostic)
  std::string message;
  std::string hint;       // optional, printed as "hint: ..." after the source line
};

// The text of one script and the diagnostics raised against it.
class Diagnostics {
 public:
  Diagnostics(std::string filename, std::string source);

  void error(const Location& loc, std::string message, std::string hint = {});
  void warning(const Location& loc, std::string message, std::string hint = {});

  bool has_errors() const;
  const std::vector<Diagnostic>& all() const { return diags_; }
  const std::string& filename() const { return filename_; }
  const std::string& source() const { return source_; }

  // Renders every diagnostic in order, as shown above.
  std::string render() const;
  std::string render(const Diagnostic& d) const;

  // The text of line N (1-based), without its newline; empty when out of range.
  std::string line_text(int line) const;

 private:
  std::string filename_;
  std::string source_;
  std::vector<Diagnostic> diags_;
};

// The text of line N (1-based) of `source`, without its line end; empty when
// out of range.
std::string source_line(const std::string& source, int line);

}  // namespace ms
