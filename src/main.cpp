// memscript: command line -> front end -> codegen -> runtime.
//
// Kept small on purpose: each stage lives in its own library.
#include <signal.h>
#include <unistd.h>
#include <wordexp.h>

#include <chrono>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "codegen/codegen.h"
#include "common/script_file.h"
#include "codegen/probe_placement.h"
#include "parser/parse.h"
#include "parser/script_options.h"
#include "runtime/session.h"
#include "runtime/target_process.h"
#include "runtime/timings.h"
#include "runtime/probe_listing.h"
#include "runtime/system_probe_info.h"
#include "runtime/uprobe_sites.h"

namespace {

using ms::runtime::kExitOk;
using ms::runtime::kExitRuntime;
using ms::runtime::kExitScriptError;
using ms::runtime::kExitUsage;

const char* kUsage = R"(USAGE:
    memscript [options] FILE.ms [script options and arguments]
    memscript [options] -e 'PROGRAM' [arguments] [-- script options]

OPTIONS:
    -e PROGRAM      trace the program given on the command line
    -p PID          attach uprobes to process PID only; stop when it exits
    -c 'CMD ARGS'   run CMD (split like a shell would, but not run through one),
                    started stopped and released once every probe is attached;
                    stop when it exits
    -u USER         run the -c command as USER (name or uid); memscript keeps its privileges
    -f FORMAT       output format: text (default) or json (bpftrace's NDJSON)
    -d STAGE        print a compilation stage and go on: ast, ir, asm,
                    manifest, verifier (the full kernel verifier log), probes
                    (where entry uprobes are placed), all
    --no-probe-placement
                    keep entry uprobes on a function's first instruction (by
                    default a probe steps over leading flag-only instructions
                    such as free's `test %rdi,%rdi` to one the kernel emulates:
                    same semantics, about 4x cheaper per hit)
    --dry-run       compile only: no privilege needed, nothing is loaded
    --in-process    with -c: run uprobes on libc's allocator functions inside
                    the command (a preloaded agent, native code, shared-memory
                    maps) instead of kernel uprobes; the rest of the script
                    stays in the kernel (docs/in-process.md)
    -l [PATTERN]    list probes: 'tracepoint:kmem:*', 'uprobe:/path/bin:*alloc*',
                    'usdt:/path/bin:*'
    -v              with -l: show the fields of tracepoint records and the
                    argument specs of USDT probes
    --duration TIME stop after TIME (300s, 500ms, 5m; a bare number is seconds)
                    counted from when every probe is attached: END runs and
                    the maps are printed as on Ctrl-C
    --timings       print time from start to attached and peak RSS (stderr)
    --no-cost       do not print what the probes cost at exit (by default:
                    probe hits, BPF run time and an estimate of the time added
                    to the traced code, on stderr)
    -v              verbose: also show libbpf's own messages, and the cost at
                    every interval
    --map-size N    entries of each script map (default: the script's
                    `map_size`, else 4096); updates of a full map are
                    counted and reported at exit
    --stack-map-size N
                    distinct stacks kept (default 16384); stacks beyond it
                    are counted and reported at exit, never merged
    --dwarf-stack-size BYTES
                    user stack each ustack(dwarf) copies to unwind (default
                    8192; a multiple of 512 up to 65536); stacks that needed
                    more are counted and reported at exit
    --max-probes N  refuse a program with more than N probes (default 512)
    --event-buffer-size BYTES
                    ring buffer for printf() and other events (a power of
                    two, default 1048576); events it has no room for are
                    counted and reported at exit
    -h, --help      show this help
    -V, --version   show the version

    Everything after FILE.ms belongs to the script: the options it declares
    (memscript FILE.ms --help lists them) and its positional parameters $1 ...

EXIT STATUS:
    0   success (including Ctrl-C and SIGTERM, after printing the maps)
    1   error in the script (syntax, types, a probe that cannot exist)
    2   usage error (bad command line)
    3   runtime failure (privilege, loading, attaching, target process)

EXAMPLES:
    memscript -e 'BEGIN { printf("hello\n"); exit(); }'
    memscript -c ./prog -e 'uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { @bytes[comm] = sum(arg0); }'
    memscript -p 1234 script.ms
)";

struct CommandLine {
  std::string program_text;
  std::string filename;
  bool have_program = false;
  uint32_t stack_map_entries = 16384;
  uint32_t stack_snapshot_bytes = ms::manifest::kDefaultSnapshotBytes;
  uint32_t map_size = 0;  // --map-size (0: the script's map_size, else 4096)
  // --max-probes: attach points a program may have (bpftrace's BPFTRACE_MAX_PROBES
  // default); each costs a trap per hit in some process, so a typo'd
  // loop-generated script should not attach thousands silently.
  uint32_t max_probes = 512;
  uint32_t event_buffer_size = 0;  // --event-buffer-size (0: CompileOptions' default, 1 MiB)
  ms::runtime::RunOptions run;
  std::set<std::string> debug;
  bool dry_run = false;
  bool in_process = false;  // --in-process (also accepted among a script's options)
  bool probe_placement = true;  // --no-probe-placement keeps entry uprobes on the first instruction
  std::vector<std::string> script_words;  // after FILE.ms (or bare words and `-- ...` with -e)
  std::string engine_command;             // -c as given, for a script's `command` option
  bool list = false;
  std::string list_pattern;
  bool verbose = false;
};

int usage_error(const std::string& msg) {
  std::cerr << "memscript: " << msg << "\n"
            << "Try 'memscript --help' for more information.\n";
  return kExitUsage;
}

// Splits CMD like a shell (quotes, escapes, $VARS) without running one:
// command substitution is refused.
std::optional<std::vector<std::string>> split_command(const std::string& cmd, std::string& err) {
  wordexp_t we;
  int rc = wordexp(cmd.c_str(), &we, WRDE_NOCMD);
  if (rc != 0) {
    switch (rc) {
      case WRDE_BADCHAR: err = "contains a character a shell would treat specially (| & ; < > ( ) { } or newline)"; break;
      case WRDE_CMDSUB: err = "command substitution is not allowed"; break;
      case WRDE_SYNTAX: err = "has a syntax error (unbalanced quotes?)"; break;
      default: err = "cannot be split into arguments"; break;
    }
    if (rc == WRDE_NOSPACE) wordfree(&we);
    return std::nullopt;
  }
  std::vector<std::string> argv(we.we_wordv, we.we_wordv + we.we_wordc);
  wordfree(&we);
  if (argv.empty()) {
    err = "is empty";
    return std::nullopt;
  }
  return argv;
}

std::optional<int> parse_pid(const std::string& s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  long v = std::strtol(s.c_str(), nullptr, 10);
  if (v <= 0 || v > 0x3fffffff) return std::nullopt;
  return static_cast<int>(v);
}

// Returns an exit code if the program should stop now.
std::optional<int> parse_command_line(int argc, char** argv, CommandLine& cl) {
  static const std::set<std::string> kStages = {"ast", "ir", "asm", "manifest", "verifier", "probes", "all"};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    // Engine flags come before the script; everything after it is the script's.
    if (cl.have_program && cl.filename != "-e") {
      cl.script_words.push_back(a);
      continue;
    }
    if (a == "--" && cl.have_program) {
      cl.script_words.insert(cl.script_words.end(), argv + i + 1, argv + argc);
      break;
    }
    auto need_value = [&](const char* flag) -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      (void)flag;
      return std::string(argv[++i]);
    };
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return kExitOk;
    } else if (a == "-V" || a == "--version") {
      std::cout << "memscript " << MEMSCRIPT_VERSION << "\n";
      return kExitOk;
    } else if (a == "-e") {
      auto v = need_value("-e");
      if (!v) return usage_error("option -e needs a program");
      if (cl.have_program) return usage_error("give one program: either -e or a FILE, once");
      cl.program_text = *v;
      cl.filename = "-e";
      cl.have_program = true;
    } else if (a == "--map-size") {
      auto v = need_value("--map-size");
      auto n = v ? parse_pid(*v) : std::nullopt;  // a positive integer, like a pid
      if (!n || *n > (1 << 26)) return usage_error("option --map-size needs a number of entries from 1 to 67108864");
      cl.map_size = static_cast<uint32_t>(*n);
    } else if (a == "--max-probes") {
      auto v = need_value("--max-probes");
      auto n = v ? parse_pid(*v) : std::nullopt;  // a positive integer, like a pid
      if (!n || *n > 100000) return usage_error("option --max-probes needs a number of probes from 1 to 100000");
      cl.max_probes = static_cast<uint32_t>(*n);
    } else if (a == "--event-buffer-size") {
      auto v = need_value("--event-buffer-size");
      auto n = v ? parse_pid(*v) : std::nullopt;  // a positive integer, like a pid
      // The kernel wants a power of two and at least a page.
      if (!n || *n < 4096 || *n > (1 << 30) || (*n & (*n - 1)) != 0)
        return usage_error("option --event-buffer-size needs a power of two from 4096 to 1073741824 (bytes)");
      cl.event_buffer_size = static_cast<uint32_t>(*n);
    } else if (a == "--stack-map-size") {
      auto v = need_value("--stack-map-size");
      auto n = v ? parse_pid(*v) : std::nullopt;  // a positive integer, like a pid
      if (!n) return usage_error("option --stack-map-size needs a positive number of stacks");
      cl.stack_map_entries = static_cast<uint32_t>(*n);
    } else if (a == "--dwarf-stack-size") {
      auto v = need_value("--dwarf-stack-size");
      auto n = v ? parse_pid(*v) : std::nullopt;  // a positive integer, like a pid
      if (!n || static_cast<uint32_t>(*n) % ms::manifest::kSnapshotChunk != 0 || static_cast<uint32_t>(*n) > ms::manifest::kMaxSnapshotBytes)
        return usage_error("option --dwarf-stack-size needs a multiple of 512 bytes from 512 to 65536");
      cl.stack_snapshot_bytes = static_cast<uint32_t>(*n);
    } else if (a == "-p") {
      auto v = need_value("-p");
      if (!v) return usage_error("option -p needs a process id");
      auto pid = parse_pid(*v);
      if (!pid) return usage_error("option -p: '" + *v + "' is not a process id (a positive integer)");
      cl.run.pid = *pid;
    } else if (a == "-c") {
      auto v = need_value("-c");
      if (!v) return usage_error("option -c needs a command");
      std::string err;
      auto words = split_command(*v, err);
      if (!words) return usage_error("option -c: the command '" + *v + "' " + err);
      cl.run.command = std::move(*words);
      cl.engine_command = *v;
    } else if (a == "-d") {
      auto v = need_value("-d");
      if (!v) return usage_error("option -d needs a stage (ast, ir, asm, manifest, verifier, probes, all)");
      if (!kStages.count(*v)) return usage_error("option -d: unknown stage '" + *v + "' (ast, ir, asm, manifest, verifier, probes, all)");
      cl.debug.insert(*v);
    } else if (a == "-l" || a == "-lv") {
      cl.list = true;
      cl.verbose |= a == "-lv";
      if (i + 1 < argc && argv[i + 1][0] != '-') cl.list_pattern = argv[++i];
    } else if (a == "-v") {
      // With -l: the fields of each probe; when tracing: libbpf's messages and the running cost.
      cl.verbose = true;
      cl.run.verbose = true;
    } else if (a == "-u") {
      auto v = need_value("-u");
      if (!v) return usage_error("option -u needs a user name or uid");
      cl.run.user = *v;
    } else if (a == "-f") {
      auto v = need_value("-f");
      if (!v || (*v != "text" && *v != "json")) return usage_error("option -f needs an output format: text or json");
      cl.run.json = *v == "json";
    } else if (a == "--no-probe-placement") {
      cl.probe_placement = false;
    } else if (a == "--dry-run") {
      cl.dry_run = true;
    } else if (a == "--in-process") {
      cl.in_process = true;
    } else if (a == "--duration") {
      auto v = need_value("--duration");
      if (!v) return usage_error("option --duration needs a time, e.g. 300s or 500ms");
      // The scripts' own duration type: same suffixes, same errors.
      ms::ScriptOption spec;
      spec.type = ms::OptionType::Duration;
      spec.bare_unit_ns = 1000000000ull;
      spec.bare_unit = "seconds";
      std::string err;
      auto d = ms::parse_option_value(spec, *v, err);
      if (!d) return usage_error("option --duration: " + err);
      if (d->number <= 0) return usage_error("option --duration: '" + *v + "' is not a positive time");
      cl.run.duration_ns = static_cast<uint64_t>(d->number);
    } else if (a == "--timings") {
      cl.run.timings = true;
    } else if (a == "--no-cost") {
      cl.run.cost_report = false;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage_error("unknown option '" + a + "'");
    } else if (cl.list && cl.list_pattern.empty()) {
      cl.list_pattern = a;
    } else if (cl.have_program) {
      cl.script_words.push_back(a);  // -e 'PROGRAM' ARG ...: positional parameters
    } else {
      ms::ScriptLookup lookup;
      lookup.script_dirs = {MEMSCRIPT_SCRIPT_DIR, MEMSCRIPT_SOURCE_SCRIPT_DIR};
      lookup.as_root = ::geteuid() == 0;
      std::string err;
      auto file = ms::load_script(a, lookup, err);
      if (!file) return usage_error(err);
      cl.program_text = std::move(file->text);
      cl.filename = file->path;
      cl.have_program = true;
    }
  }
  if (cl.list) {
    if (cl.have_program) return usage_error("-l lists probes: give a pattern, not a program");
    return std::nullopt;
  }
  if (!cl.have_program) return usage_error("no program given: use -e 'PROGRAM' or a script FILE");
  return std::nullopt;
}

// Parses the script's own command line against the options it declares and
// hands its `pid` and `command` options to the engine's -p and -c. Returns an
// exit code if the program should stop now (--help, usage error).
std::optional<int> apply_script_command_line(const ms::ScriptInterface& iface, CommandLine& cl, ms::ScriptArgs& out) {
  auto script_error = [&](const std::string& msg) {
    std::cerr << "memscript: " << iface.prog << ": " << msg << "\n";
    if (iface.declared) std::cerr << "Try 'memscript " << cl.filename << " --help' for more information.\n";
    return kExitUsage;
  };
  auto parsed = ms::parse_script_args(iface, cl.script_words);
  if (parsed.help) {
    std::cout << ms::script_help(iface);
    return kExitOk;
  }
  if (!parsed.error.empty()) {
    // `memscript memleak.ms -d ast`: an engine flag after the script is the script's.
    static const std::set<std::string> kEngineOnly = {"-d", "-e", "-v", "-V", "--dry-run", "--timings", "--duration", "--no-cost", "--version"};
    for (const auto& flag : kEngineOnly) {
      if (parsed.error.rfind("unknown option '" + flag + "'", 0) == 0) {
        parsed.error += "\nmemscript: " + flag + " is memscript's own flag: put it before the script (memscript " +
                        flag + (flag == "-d" ? " STAGE " : " ") + cl.filename + " ...)";
        break;
      }
    }
    return script_error(parsed.error);
  }
  for (const auto& opt : iface.options) {
    ms::OptionValue& v = parsed.args.values[opt.name];
    std::string flag = opt.short_flag.empty() ? opt.long_flag : opt.short_flag;
    if (opt.type == ms::OptionType::Pid) {
      if (v.given && cl.run.pid && cl.run.pid != v.number)
        return script_error("option " + flag + " and memscript's -p name different processes");
      if (v.given) {
        cl.run.pid = static_cast<int>(v.number);
      } else if (cl.run.pid) {
        v.number = cl.run.pid;
        v.text = std::to_string(cl.run.pid);
        v.given = true;
      }
    } else if (opt.type == ms::OptionType::Command) {
      if (v.given && !cl.run.command.empty()) return script_error("option " + flag + " and memscript's -c both give a command");
      if (v.given) {
        std::string err;
        auto words = split_command(v.text, err);
        if (!words) return script_error("option " + flag + ": the command '" + v.text + "' " + err);
        cl.run.command = std::move(*words);
      } else if (!cl.run.command.empty()) {
        v.text = cl.engine_command;
        v.given = true;
      }
    }
  }
  if (cl.run.pid && !cl.run.command.empty()) return usage_error("-p and -c cannot be used together");
  // The script's attach trigger (`trigger_rss_growth OPT` / `trigger_growth_rate OPT`).
  auto flag_of = [&](const std::string& name) {
    const ms::ScriptOption* o = iface.find(name);
    return o->long_flag.empty() ? o->short_flag : o->long_flag;
  };
  auto& trigger = cl.run.attach_trigger;
  if (!iface.trigger_rss_growth_option.empty()) {
    const ms::OptionValue& v = parsed.args.values[iface.trigger_rss_growth_option];
    if (v.number > 0) trigger.rss_growth_bytes = static_cast<uint64_t>(v.number);
  }
  if (!iface.trigger_growth_rate_option.empty()) {
    const ms::OptionValue& v = parsed.args.values[iface.trigger_growth_rate_option];
    if (!v.text.empty()) {
      std::string err;
      auto rate = ms::runtime::parse_growth_rate(v.text, err);
      if (!rate) return script_error("option " + flag_of(iface.trigger_growth_rate_option) + ": " + err);
      trigger.rate_bytes_per_s = *rate;
      trigger.rate_text = v.text;
    }
  }
  if (trigger.active()) {
    trigger.label = iface.prog.substr(0, iface.prog.rfind(".ms"));
    if (!cl.run.pid && cl.run.command.empty())
      return script_error(
          "option " +
          flag_of(trigger.rss_growth_bytes ? iface.trigger_rss_growth_option : iface.trigger_growth_rate_option) +
          " watches the target's memory: give -p PID or -c CMD");
  }
  if (!cl.run.user.empty() && cl.run.command.empty()) return usage_error("-u USER applies to the command of -c");
  if (!cl.run.user.empty()) {
    std::string err;
    if (!ms::runtime::lookup_user(cl.run.user, err)) return usage_error("option -u: " + err);
  }
  out = std::move(parsed.args);
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  CommandLine cl;
  if (auto rc = parse_command_line(argc, argv, cl)) return *rc;
  // An engine option that scripts pass through: `memleak.ms --in-process -c CMD`.
  for (auto it = cl.script_words.begin(); it != cl.script_words.end();) {
    if (*it == "--") break;
    if (*it == "--in-process") {
      cl.in_process = true;
      it = cl.script_words.erase(it);
    } else {
      ++it;
    }
  }
  if (cl.list) return ms::runtime::list_probes(cl.list_pattern, cl.verbose, std::cout);
  if (!cl.dry_run) {
    // SIGINT and SIGTERM wait (blocked) until the run reads them from its
    // signalfd: an interrupt while the script compiles then ends the run like
    // one during tracing (END runs, maps print, exit 0) instead of killing
    // memscript half-way. Compiling is bounded (nesting and size limits).
    sigset_t block, before;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &before);
    cl.run.signal_mask_before_run = before;
  }
  auto wants = [&](const char* stage) { return cl.debug.count(stage) || cl.debug.count("all"); };

  ms::Diagnostics diags(cl.filename, cl.program_text);
  auto program = ms::parse(diags);
  std::optional<ms::ScriptInterface> iface;
  if (program) iface = ms::script_interface(*program, diags, cl.filename.substr(cl.filename.rfind('/') + 1));
  if (!program || !iface) {
    std::cerr << diags.render();
    return kExitScriptError;
  }
  ms::ScriptArgs script_args;
  if (auto rc = apply_script_command_line(*iface, cl, script_args)) return *rc;
  ms::SemanticInfo info;
  ms::runtime::SystemProbeInfo probe_info;
  probe_info.set_target_pid(cl.run.pid);
  if (!ms::check(*program, diags, info, script_args, &probe_info)) program.reset();
  if (!program || diags.has_errors()) {
    std::cerr << diags.render();
    return kExitScriptError;
  }
  if (!diags.all().empty()) std::cerr << diags.render();  // warnings
  if (wants("ast")) std::cout << ms::dump_ast(*program, &info);

  ms::CompileOptions copts;
  copts.want_ir = wants("ir");
  copts.want_asm = wants("asm");
  copts.stack_map_entries = cl.stack_map_entries;
  copts.stack_snapshot_bytes = cl.stack_snapshot_bytes;
  if (cl.event_buffer_size) copts.ringbuf_size = cl.event_buffer_size;
  if (cl.map_size) copts.max_entries = cl.map_size;
  else if (iface->map_size) copts.max_entries = iface->map_size;
  cl.run.missing_functions_warn = iface->missing_functions_warn;
  // Only a script with skip_return() can use uprobe sessions: only then is the kernel asked.
  // In-process probes have no trap to spare: their entry and return run in one call.
  copts.uprobe_sessions = !cl.in_process && !info.skip_return_probes.empty() && ms::runtime::uprobe_sessions_supported();
  copts.in_process = cl.in_process;
  // The BPF-side user stack walk needs bpf_loop; without it (or with
  // MEMSCRIPT_STACK_WALK=kernel) ustack uses bpf_get_stack's walk.
  if (const char* walk = std::getenv("MEMSCRIPT_STACK_WALK"); walk && std::string_view(walk) == "kernel")
    copts.bpf_stack_walk = false;
  else if (!cl.in_process &&
           std::any_of(info.types.begin(), info.types.end(),
                       [](const auto& e) { return e.second.kind == ms::TypeKind::UStack; }) &&
           !ms::runtime::bpf_loop_supported())
    copts.bpf_stack_walk = false;  // asked only of scripts with a user stack: it loads a probe program
  if (cl.in_process && cl.run.pid)
    return usage_error("--in-process needs -c: it runs probes inside a command memscript starts, not in an existing "
                       "process (run without --in-process to trace -p " + std::to_string(cl.run.pid) + ")");
  if (cl.in_process && !cl.run.user.empty())
    return usage_error("--in-process cannot run the command as another user (-u): the in-process probes' library is "
                       "private to memscript's user");
  const auto compile_start = std::chrono::steady_clock::now();
  auto compiled = ms::compile(*program, info, diags, copts);
  if (cl.run.timings) {
    if (auto at = ms::runtime::ms_since_exec()) std::fprintf(stderr, "timings: compiled %.0f ms after exec", *at);
    std::fprintf(stderr, " (code generation and LLVM: %.1f ms)\n",
                 std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - compile_start).count());
  }
  if (!compiled) {
    std::cerr << diags.render();
    return kExitScriptError;
  }
  if (compiled->manifest.probes.size() > cl.max_probes) {
    const auto& first_over = compiled->manifest.probes[cl.max_probes];
    int end = first_over.end_column ? first_over.end_column
                                    : first_over.column + static_cast<int>(first_over.display.size());
    diags.error({first_over.line, first_over.column, first_over.line, end},
                "the program has " + std::to_string(compiled->manifest.probes.size()) +
                    " probes, more than the limit of " + std::to_string(cl.max_probes) + " (this is the first beyond it)",
                "raise the limit with --max-probes N");
    std::cerr << diags.render();
    return kExitScriptError;
  }
  if (copts.want_ir) std::cout << compiled->ir;
  if (copts.want_asm) std::cout << compiled->asm_text;
  if (copts.want_ir && !compiled->native_ir.empty()) std::cout << "; --in-process: native module\n" << compiled->native_ir;
  if (wants("manifest")) std::cout << ms::manifest::to_text(compiled->manifest);
  std::cout.flush();
  if (cl.in_process && (cl.dry_run || wants("probes"))) {
    // What runs where.
    for (const auto& p : compiled->manifest.probes)
      std::cerr << (p.in_process ? "in-process: " : "kernel:     ") << p.display << "\n";
    for (const auto& m : compiled->manifest.in_process_maps)
      std::cerr << "shared map: " << m.elf_name << "\n";
  }
  if (cl.dry_run) return kExitOk;
  cl.run.native_object = compiled->native_object;

  cl.run.verifier_log = wants("verifier");
  cl.run.show_placement = wants("probes");
  if (cl.probe_placement) {
    cl.run.entry_probe_placer = [](const uint8_t* code, size_t size, std::string* why) {
      ms::EntryProbePlacement p = ms::place_entry_probe(code, size);
      if (why) *why = p.offset ? "stepped over " + p.skipped : p.reason;
      return p.offset;
    };
  }
  cl.run.source = cl.program_text;
  return ms::runtime::run(compiled->elf, compiled->manifest, cl.run);
}
