#include "runtime/verifier_log.h"

#include "common/diagnostics.h"

#include <cctype>
#include <vector>

namespace ms::runtime {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Statistics, framing and per-instruction chatter that follow or surround the error.
bool is_noise(const std::string& line) {
  return line.empty() || starts_with(line, "processed ") || starts_with(line, "verification time") ||
         starts_with(line, "stack depth") || starts_with(line, "-- ") || starts_with(line, "libbpf:") ||
         starts_with(line, "mark_precise:") || starts_with(line, "Func#") || starts_with(line, "func#") ||
         starts_with(line, "last_idx ") || starts_with(line, "parent ") || starts_with(line, "regs=");
}

// "12: (79) r0 = ...", "12: R1=ctx() ...", "from 4 to 6: ..." are instruction
// traces, not messages.
bool is_instruction(const std::string& line) {
  size_t i = 0;
  while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
  if (i > 0 && i < line.size() && line[i] == ':') return true;
  return starts_with(line, "from ");
}

bool is_line_info(const std::string& line) { return starts_with(line, ";"); }

// Parses "; <text> @ <file>:<line>"; line 0 (compiler-generated code) counts as none.
bool parse_line_info(const std::string& line, VerifierDiagnosis& out) {
  size_t at = line.rfind(" @ ");
  if (at == std::string::npos) return false;
  size_t colon = line.rfind(':');
  if (colon == std::string::npos || colon < at) return false;
  int n = 0;
  size_t i = colon + 1;
  if (i >= line.size()) return false;
  for (; i < line.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(line[i]))) return false;
    n = n * 10 + (line[i] - '0');
    if (n > 10000000) return false;
  }
  if (n == 0) return false;
  out.line = n;
  out.file = line.substr(at + 3, colon - (at + 3));
  std::string text = line.substr(1, at - 1);
  size_t first = text.find_first_not_of(' ');
  out.source_text = first == std::string::npos ? std::string() : text.substr(first);
  return true;
}

}  // namespace

VerifierDiagnosis diagnose_verifier_log(const std::string& log) {
  VerifierDiagnosis d;
  std::vector<std::string> lines = split_lines(log);
  // Walk up past the footer to the last message.
  size_t i = lines.size();
  while (i > 0 && is_noise(lines[i - 1])) --i;
  // Collect the contiguous block of message lines (some errors take two).
  size_t end = i;
  while (i > 0 && !is_noise(lines[i - 1]) && !is_instruction(lines[i - 1]) && !is_line_info(lines[i - 1]) &&
         end - i < 3)
    --i;
  for (size_t k = i; k < end; ++k) {
    if (!d.message.empty()) d.message += ": ";
    d.message += lines[k];
  }
  // The source line in effect at the error.
  for (size_t k = i; k > 0; --k) {
    if (is_line_info(lines[k - 1]) && parse_line_info(lines[k - 1], d)) break;
  }
  return d;
}

}  // namespace ms::runtime

namespace ms::runtime {

std::string format_verifier_rejection(const VerifierDiagnosis& d, const manifest::ProbeDesc& probe,
                                      const std::string& source_file, const std::string& source,
                                      bool full_log_shown) {
  std::string out = source_file + ":";
  int line = d.line;
  if (line > 0) {
    out += std::to_string(line);
  } else {
    line = probe.line;
    out += std::to_string(probe.line) + ":" + std::to_string(probe.column);
  }
  out += ": error: the BPF verifier rejected probe " + probe.display + ": ";
  out += d.message.empty() ? "no reason given in the verifier log" : d.message;
  std::string text = source_line(source, line);
  if (text.empty() && d.line > 0) text = d.source_text;
  if (!text.empty()) out += "\n" + text;
  // The verifier's own size limits: name them, since no memscript option raises them.
  const std::string& m = d.message;
  if (m.find("too complex") != std::string::npos || m.find("too large") != std::string::npos)
    out += "\nhint: the kernel verifies at most 1000000 instructions per program and follows at most 8192 "
           "jumps in a row; shorten the loops or split the probe";
  if (!full_log_shown) out += "\nhint: run with -d verifier for the full log";
  return out;
}

}  // namespace ms::runtime
