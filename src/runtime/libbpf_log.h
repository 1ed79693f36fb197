// libbpf's own messages, captured instead of printed.
//
// libbpf prints warnings and debug lines through one global callback. By
// default they go to stderr; memscript keeps them in a buffer so the user sees
// one clear line per failure, and shows them only when asked (-v).
#pragma once

#include <string>

namespace ms::runtime {

// Routes libbpf's messages into the buffer; with `echo`, also to stderr.
void capture_libbpf_messages(bool echo);
// What libbpf said since the last call (and clears it).
std::string take_libbpf_messages();
// The last non-empty line libbpf printed at warning level, without the
// "libbpf: " prefix; "" if none.
std::string last_libbpf_warning();

}  // namespace ms::runtime
