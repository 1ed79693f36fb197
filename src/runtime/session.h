// Runs a compiled program: load, attach, stream events, print maps, detach.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "runtime/attach_trigger.h"
#include "runtime/probe_checks.h"

namespace ms::runtime {

// Exit codes of memscript (documented in --help).
inline constexpr int kExitOk = 0;
inline constexpr int kExitScriptError = 1;  // syntax, type, or a probe that cannot exist
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitRuntime = 3;      // load/attach/privilege/target failures

struct RunOptions {
  bool missing_functions_warn = false;  // the script's `missing_functions warn`: skip such uprobes
  pid_t pid = 0;                     // -p PID: uprobes filtered to it; tracing ends when it exits
  std::vector<std::string> command;  // -c: argv, started stopped, released after attach
  bool verifier_log = false;         // -d verifier: print the full verifier log
  bool timings = false;              // --timings: time to attached, RSS
  std::string source;                // the script text, to point verifier errors at a line
  bool verbose = false;              // -v: also show libbpf's own warnings and debug messages
  std::string user;                  // -u USER: run the -c command as USER
  bool json = false;                 // -f json: bpftrace's NDJSON output instead of text
  // Moves entry uprobes past flag-only instructions to one the kernel emulates
  // (main wires in codegen's x86 decoder; empty: probes stay at the entry).
  EntryProbePlacer entry_probe_placer;
  bool show_placement = false;       // -d probes: say where each entry probe went
  uint64_t duration_ns = 0;          // --duration: end the run this long after attaching (0: never)
  // What the probes cost (run_cost.h) on stderr at exit, and with `verbose`
  // at every interval too; --no-cost turns it off. Not in JSON mode.
  bool cost_report = true;
  // The script's trigger (attach_trigger.h): uprobes and USDT probes wait
  // until the target's RSS grows so; the other probes attach at once.
  AttachTrigger attach_trigger;
  // The signal mask from before main blocked SIGINT and SIGTERM (it does so
  // before compiling): restored after the run and given to a -c command.
  std::optional<sigset_t> signal_mask_before_run;
  // --in-process: codegen's native object with the in-process programs
  // (CompileResult::native_object); empty: every probe runs in the kernel.
  std::vector<uint8_t> native_object;
};

// Returns one of the exit codes above. Prints the program's output on stdout
// and errors on stderr.
int run(const std::vector<uint8_t>& elf, const manifest::Manifest& manifest, const RunOptions& options);

}  // namespace ms::runtime
