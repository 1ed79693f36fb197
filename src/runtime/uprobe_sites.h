// Attaching one uprobe program at many places of one binary: wildcard
// matches (uprobe:libc:*alloc*) and raw addresses.
//
// With uprobe_multi (kernel 6.6+) every site goes into ONE link made by a raw
// bpf(BPF_LINK_CREATE) (Debian's libbpf 1.1 has no API for it); the program
// must then have been loaded with expected_attach_type BPF_TRACE_UPROBE_MULTI.
// Without it, one perf-event uprobe link per site. Each site carries its index
// as the BPF cookie either way.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "runtime/probe_checks.h"

struct bpf_link;
struct bpf_program;

namespace ms::runtime {

inline constexpr int kBpfTraceUprobeMulti = 48;    // enum bpf_attach_type on this kernel
inline constexpr int kBpfTraceUprobeSession = 57;  // kernel 6.12+

// What a uprobe program is attached as.
enum class UprobeKind { Entry, Return, Session };

// Whether wildcard uprobes use uprobe_multi: yes unless the environment says
// MEMSCRIPT_UPROBE_MULTI=0 (to compare, or on a kernel without it).
bool use_uprobe_multi();

// Whether this kernel runs uprobe sessions (BPF_TRACE_UPROBE_SESSION, 6.12+,
// with the bpf_session_is_return kfunc), with uprobe_multi in use and unless
// the environment says MEMSCRIPT_UPROBE_SESSION=0. Reads the kernel's BTF
// once (a few ms): ask only when a script could use them.
bool uprobe_sessions_supported();
// bpf_loop (kernel 5.17+), which the BPF-side user stack walk uses.
bool bpf_loop_supported();

struct SiteLinks {
  std::vector<bpf_link*> links;   // per-site fallback
  std::vector<int> multi_fds;     // uprobe_multi links (one unless sites were skipped); close() detaches
  std::vector<std::string> skipped;  // sites whose first instruction the kernel cannot probe
};

// Attaches `prog` at every site of `plan` in `path`. A wildcard site the
// kernel cannot probe (ENOTSUPP: e.g. a function starting with a `lock`
// prefixed instruction) is skipped and listed in `out.skipped`, like a user
// would drop it from the list; all of them skipped is an error. On failure
// returns false with `error` set (links made so far stay in `out`, for the
// caller to close).
// A session is always one uprobe_multi link (`multi` must be true).
bool attach_uprobe_sites(bpf_program* prog, const std::string& path, const UprobePlan& plan, UprobeKind kind, pid_t pid,
                         bool multi, SiteLinks& out, std::string& error);

}  // namespace ms::runtime
