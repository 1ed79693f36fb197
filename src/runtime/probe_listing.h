// `memscript -l PATTERN`: the probes a pattern names, like `bpftrace -l`.
#pragma once

#include <ostream>
#include <string>

namespace ms::runtime {

// Lists tracepoint:CAT:NAME (globs allowed; "tracepoint:*" or "" for all) or
// uprobe:BINARY[:FUNC] (FUNC a glob, default every function). With `verbose`,
// tracepoints show their record's fields with the kernel's types. Returns an
// exit code; problems go to stderr.
int list_probes(const std::string& pattern, bool verbose, std::ostream& out);

}  // namespace ms::runtime
