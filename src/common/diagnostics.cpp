#include "common/diagnostics.h"

#include <algorithm>

namespace ms {

Diagnostics::Diagnostics(std::string filename, std::string source)
    : filename_(std::move(filename)), source_(std::move(source)) {}

void Diagnostics::error(const Location& loc, std::string message, std::string hint) {
  diags_.push_back({Severity::Error, loc, std::move(message), std::move(hint)});
}

void Diagnostics::warning(const Location& loc, std::string message, std::string hint) {
  diags_.push_back({Severity::Warning, loc, std::move(message), std::move(hint)});
}

bool Diagnostics::has_errors() const {
  return std::any_of(diags_.begin(), diags_.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

std::string source_line(const std::string& source, int line) {
  if (line < 1) return {};
  size_t start = 0;
  for (int l = 1; l < line; ++l) {
    size_t nl = source.find('\n', start);
    if (nl == std::string::npos) return {};
    start = nl + 1;
  }
  size_t end = source.find('\n', start);
  if (end == std::string::npos) end = source.size();
  if (start > source.size()) return {};
  if (end > start && source[end - 1] == '\r') --end;  // CRLF scripts
  return source.substr(start, end - start);
}

std::string Diagnostics::line_text(int line) const { return source_line(source_, line); }

std::string Diagnostics::render(const Diagnostic& d) const {
  std::string out = filename_;
  if (d.loc.line > 0) {
    out += ':';
    out += std::to_string(d.loc.line);
    out += ':';
    out += std::to_string(d.loc.column);
  }
  out += d.severity == Severity::Error ? ": error: " : ": warning: ";
  out += d.message;
  out += '\n';
  if (d.loc.line > 0) {
    std::string text = line_text(d.loc.line);
    out += text + "\n";
    int col = std::max(d.loc.column, 1);
    // Copy tabs into the indentation so the caret lines up however tabs are shown.
    for (int i = 0; i < col - 1; ++i) out += (i < static_cast<int>(text.size()) && text[i] == '\t') ? '\t' : ' ';
    int end = d.loc.end_line > d.loc.line ? static_cast<int>(text.size()) + 1 : d.loc.end_column;
    out += '^';
    for (int c = col + 1; c < end; ++c) out += '~';
    out += "\n";
  }
  if (!d.hint.empty()) out += "hint: " + d.hint + "\n";
  return out;
}

std::string Diagnostics::render() const {
  std::string out;
  for (const auto& d : diags_) out += render(d);
  return out;
}

}  // namespace ms
