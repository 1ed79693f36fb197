// Points a verifier rejection back at the script.
//
// With BTF line info the verifier prints, before the instructions of each
// source line, a comment `; <source text> @ <file>:<line>`. The error is the
// last message before the statistics footer ("processed N insns ..."); the
// script line that caused it is that of the last line-info comment above the
// error.
#pragma once

#include <string>

#include "manifest/manifest.h"

namespace ms::runtime {

struct VerifierDiagnosis {
  int line = 0;             // 0: the log names no source line before the error
  std::string file;         // as the line info names it
  std::string source_text;  // the source text of the line-info comment
  std::string message;      // e.g. "R0 invalid mem access 'map_value_or_null'"
};

VerifierDiagnosis diagnose_verifier_log(const std::string& log);

// The user-facing report of a rejected program:
//
//   FILE:LINE: error: the BPF verifier rejected probe <display>: <message>
//   <the script line>
//   hint: run with -d verifier for the full log
//
// When the log names no line, the probe's own line and column are used. The
// hint is left out when the full log is shown anyway.
std::string format_verifier_rejection(const VerifierDiagnosis& diagnosis, const manifest::ProbeDesc& probe,
                                      const std::string& source_file, const std::string& source, bool full_log_shown);

}  // namespace ms::runtime
