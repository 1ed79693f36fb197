// The orchestration of one run:
//
//   privileges -> check probes -> load -> (start -c command, held) ->
//   attach all but END -> fire BEGIN -> release command -> event loop ->
//   drain -> detach -> attach and fire END -> drain -> print maps -> close.
//
// SIGINT and SIGTERM are blocked for the whole run and read from a signalfd,
// so an interrupt at any point ends in the same orderly teardown and no probe
// is left in the kernel. --duration is a timerfd in the same epoll set, so a
// time limit ends the run by exactly that path too.
#include "runtime/session.h"
#include "runtime/lost_events.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <functional>
#include <thread>

#include "runtime/attacher.h"
#include "runtime/perf_probes.h"
#include "runtime/uprobe_sites.h"
#include "runtime/event_reader.h"
#include "runtime/in_process.h"
#include "runtime/json_output.h"
#include "runtime/libbpf_log.h"
#include "runtime/loader.h"
#include "runtime/map_printer.h"
#include "runtime/leak_growth.h"
#include "runtime/leak_maps.h"
#include "runtime/map_reader.h"
#include "runtime/privileges.h"
#include "runtime/probe_checks.h"
#include "runtime/run_cost.h"
#include "runtime/snapshot_keys.h"
#include "runtime/stack_mode.h"
#include "runtime/stack_renderer.h"
#include "runtime/symbolizer.h"
#include "runtime/target_process.h"
#include "runtime/timings.h"
#include "runtime/triggers.h"

namespace ms::runtime {

namespace {

using manifest::ProbeType;

void print_error(const std::string& message) { std::fprintf(stderr, "%s\n", message.c_str()); }

bool uses_user_symbols(const manifest::Manifest& m) {
  auto is_usym = [](const manifest::Field& f) { return f.kind == manifest::FieldKind::UserSymbol; };
  for (const auto& map : m.maps)
    if (is_usym(map.value) || std::any_of(map.key.begin(), map.key.end(), is_usym)) return true;
  return false;
}

class FdGuard {
 public:
  explicit FdGuard(int fd = -1) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// Blocks SIGINT/SIGTERM for the run and restores the mask afterwards,
// swallowing any that arrived so they do not kill us on unblock. When main
// blocked them already (before compiling, so that an interrupt during the
// compile is not a silent death either), `mask_before` is the mask from
// before that: the one restored, and the one a -c command starts with.
class SignalBlock {
 public:
  explicit SignalBlock(const std::optional<sigset_t>& mask_before) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigprocmask(SIG_BLOCK, &set_, &old_);
    if (mask_before) old_ = *mask_before;
    fd_ = signalfd(-1, &set_, SFD_CLOEXEC | SFD_NONBLOCK);
  }
  ~SignalBlock() {
    if (fd_ >= 0) {
      signalfd_siginfo info;
      while (read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      }
      close(fd_);
    }
    sigprocmask(SIG_SETMASK, &old_, nullptr);
  }
  int fd() const { return fd_; }
  const sigset_t& original_mask() const { return old_; }

 private:
  sigset_t set_{}, old_{};
  int fd_ = -1;
};

std::optional<std::string> self_exe() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

class Session {
 public:
  Session(const std::vector<uint8_t>& elf, const manifest::Manifest& manifest, const RunOptions& options)
      : elf_(elf), manifest_(manifest), options_(options), signals_(options.signal_mask_before_run) {}
  ~Session() { teardown(); }

  int run();

 private:
  int fail(const RunError& e) {
    print_error(e.message);
    return e.exit_code;
  }
  bool attach_one(size_t index, RunError& error);
  // A map's entries: in the shared memory for maps of in-process probes,
  // otherwise the kernel map.
  MapSource map_source(const std::string& elf_name) const {
    if (in_process_)
      if (MapSource s = in_process_->source(elf_name); s.valid()) return s;
    return object_->map_fd(elf_name);
  }
  // A u64 counter (slot `key`) of an internal per-CPU array, summed over
  // CPUs, kernel and in-process copies added.
  uint64_t counter_total(const std::string& elf_name, uint32_t key);
  void detach_all();
  void teardown();
  int event_loop();
  int consume_events();
  void flush_output();
  std::string map_text(int index, uint32_t top = 0, uint32_t div = 1);
  std::string leak_report_text(const manifest::EventDesc& e);  // --timings: how long it took
  std::string build_leak_report(const manifest::EventDesc& e);
  bool read_script_map(int index, std::vector<RawMapEntry>& entries);
  void print_all_maps();
  void stop_command();
  std::optional<RunError> store_runtime_value(const std::string& elf_name, uint64_t value, const char* what);
  std::optional<RunError> store_start_time();
  std::optional<RunError> store_command_pid();
  void report_stack_errors();
  void report_map_errors();
  int lost_events_fd() {
    return manifest_.lost_events_elf_name.empty() ? -1 : object_->map_fd(manifest_.lost_events_elf_name);
  }
  void print_symbol_warnings();
  std::optional<RunError> store_func_names();
  bool cost_wanted() const { return options_.cost_report && !options_.json; }
  void print_cost(const std::string& when);
  bool deferred(const manifest::ProbeDesc& p) const {
    return options_.attach_trigger.active() &&
           (p.type == ProbeType::Uprobe || p.type == ProbeType::Uretprobe || p.type == ProbeType::Usdt);
  }
  // One RSS reading; attaches the deferred probes once the trigger holds.
  // False (with `error`) if attaching failed.
  bool check_trigger(RunError& error);
  void trigger_timer_off();
  uint64_t cost_interval_ns() const;

  const std::vector<uint8_t>& elf_;
  const manifest::Manifest& manifest_;
  const RunOptions& options_;

  SignalBlock signals_;
  std::vector<std::string> resolved_paths_;
  std::vector<UprobePlan> uprobe_plans_;
  std::vector<int> multi_link_fds_;
  timespec consume_start_{};  // when the current consume_events() began
  // What the ring-buffer callback does with an event: handle it while
  // tracing (batches bounded in time, nothing after exit()), drop what fired
  // while detaching, handle END's output.
  enum class RingPhase { Run, Discard, End };
  RingPhase ring_phase_ = RingPhase::Run;
  bool uprobe_multi_ = use_uprobe_multi();
  std::unique_ptr<LoadedObject> object_;
  std::unique_ptr<InProcessRun> in_process_;  // --in-process
  std::string why_prepare_;
  std::vector<bpf_link*> links_;
  std::optional<TracedCommand> command_;
  FdGuard target_pidfd_;
  ring_buffer* ringbuf_ = nullptr;
  std::unique_ptr<EventDispatcher> dispatcher_;
  std::string self_exe_;
  pid_t uprobe_pid_ = -1;
  int num_cpus_ = 1;
  bool command_exited_ = false;
  Symbolizer symbolizer_;
  std::unique_ptr<StackRenderer> renderer_;
  std::vector<bool> skipped_;  // probes left out: their function is missing (missing_functions warn)  // stacks and symbols in maps and printf
  FdGuard child_signal_fd_;  // SIGCHLD, when the command is stopped at exit for its mappings
  // --growth: per allocation map (so the interval reports and END's final
  // one share a history), each stack's bytes at the last K+1 reports.
  std::map<int, LeakGrowthTracker> growth_;
  std::vector<size_t> deferred_;            // probes waiting for the attach trigger
  std::optional<RssTrigger> rss_trigger_;
  timespec trigger_since_{};
  FdGuard trigger_fd_;                      // 100 ms RSS polling while probes wait
  int epoll_fd_ = -1;
  RunCostMeter cost_meter_;
  std::string cost_unavailable_;  // why the kernel keeps no run-time statistics for us
  timespec traced_since_{};       // probes attached: the start of the cost figures
};

void Session::print_cost(const std::string& when) {
  if (!cost_meter_.enabled()) {
    std::fprintf(stderr, "memscript: cost %s: unknown (%s)\n", when.c_str(), cost_unavailable_.c_str());
    return;
  }
  std::vector<RunCostMeter::Program> programs;
  size_t in_process = 0;
  for (size_t i = 0; i < manifest_.probes.size(); ++i) {
    const auto& probe = manifest_.probes[i];
    // BEGIN and END run in memscript itself.
    if (probe.type == ProbeType::Begin || probe.type == ProbeType::End || skipped_[i]) continue;
    if (probe.in_process) {
      ++in_process;
      continue;
    }
    bpf_program* prog = object_->program(probe.prog_name);
    if (prog) programs.push_back({bpf_program__fd(prog), &probe});
  }
  std::fputs(format_cost(cost_meter_.read(programs), when).c_str(), stderr);
  // The kernel keeps no statistics for code that runs in the command.
  if (in_process)
    std::fprintf(stderr, "memscript: (%zu in-process probe%s not measured: docs/in-process.md)\n", in_process,
                 in_process == 1 ? "" : "s");
}

bool Session::check_trigger(RunError& error) {
  if (deferred_.empty() || !rss_trigger_) return true;
  auto rss = read_rss_bytes(uprobe_pid_);
  if (!rss) return true;  // the target is going: its exit ends the run
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  double t = (now.tv_sec - trigger_since_.tv_sec) + (now.tv_nsec - trigger_since_.tv_nsec) / 1e9;
  auto why = rss_trigger_->observe(t, *rss);
  if (!why) return true;
  const std::string& label = options_.attach_trigger.label;
  std::fprintf(stderr, "%s: %s; attaching %zu probe%s\n", label.c_str(), why->c_str(), deferred_.size(),
               deferred_.size() == 1 ? "" : "s");
  trigger_timer_off();
  std::vector<size_t> todo;
  todo.swap(deferred_);
  for (size_t i : todo)
    if (!attach_one(i, error)) return false;
  return true;
}

void Session::trigger_timer_off() {
  if (trigger_fd_.get() < 0) return;
  if (epoll_fd_ >= 0) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, trigger_fd_.get(), nullptr);
  trigger_fd_.reset(-1);
}

// -v: the running cost is printed as often as the script's shortest
// interval probe reports (once a second without one).
uint64_t Session::cost_interval_ns() const {
  uint64_t ns = 0;
  for (const auto& p : manifest_.probes)
    if (p.type == ProbeType::Interval && p.interval_ns > 0 && (ns == 0 || p.interval_ns < ns)) ns = p.interval_ns;
  return ns ? ns : 1000000000ull;
}

bool Session::attach_one(size_t index, RunError& error) {
  const auto& probe = manifest_.probes[index];
  if (probe.in_process) return true;  // runs inside the command, through the agent
  AttachTarget target;
  target.uprobe_pid = uprobe_pid_;
  target.self_exe = self_exe_;
  target.resolved_path = resolved_paths_[index];
  std::string why;
  if (probe.type == manifest::ProbeType::Profile || probe.type == manifest::ProbeType::Software) {
    std::vector<bpf_link*> per_cpu;
    bool ok = attach_perf_probe(object_->program(probe.prog_name), probe, per_cpu, why);
    links_.insert(links_.end(), per_cpu.begin(), per_cpu.end());
    if (!ok) error = {kExitRuntime, why};
    return ok;
  }
  const UprobePlan& plan = uprobe_plans_[index];
  if (!plan.sites.empty()) {
    SiteLinks sl;
    const UprobeKind kind = probe.session                                   ? UprobeKind::Session
                            : probe.type == manifest::ProbeType::Uretprobe ? UprobeKind::Return
                                                                           : UprobeKind::Entry;
    bool ok = attach_uprobe_sites(object_->program(probe.prog_name), target.resolved_path, plan, kind, uprobe_pid_,
                                  uprobe_multi_, sl, why);
    links_.insert(links_.end(), sl.links.begin(), sl.links.end());
    multi_link_fds_.insert(multi_link_fds_.end(), sl.multi_fds.begin(), sl.multi_fds.end());
    if (!ok) {
      error = {kExitRuntime, why};
      return false;
    }
    if (!sl.skipped.empty()) {
      std::string names;
      for (size_t i = 0; i < sl.skipped.size() && i < 8; ++i) names += (i ? ", " : "") + sl.skipped[i];
      if (sl.skipped.size() > 8) names += ", ...";
      std::fprintf(stderr, "warning: %s: skipped %zu of %zu functions whose first instruction cannot be probed (%s)\n",
                   probe.display.c_str(), sl.skipped.size(), plan.sites.size(), names.c_str());
    }
    return true;
  }
  target.func = plan.func;
  target.func_offset = plan.func_offset;
  bpf_link* link = attach_probe(object_->program(probe.prog_name), probe, target, why);
  if (!link) {
    error = {kExitRuntime, why};
    return false;
  }
  links_.push_back(link);
  return true;
}

void Session::detach_all() {
  // Each uprobe link waits for an RCU grace period when it goes (~100 ms
  // here): release them from several threads at once, so a script with 28
  // probes (memleak.ms) detaches in one wait instead of 28 in a row.
  std::vector<std::function<void()>> jobs;
  for (bpf_link* l : links_) jobs.emplace_back([l] { bpf_link__destroy(l); });
  for (int fd : multi_link_fds_) jobs.emplace_back([fd] { close(fd); });
  links_.clear();
  multi_link_fds_.clear();
  if (jobs.size() <= 2) {
    for (auto& j : jobs) j();
    return;
  }
  constexpr size_t kThreads = 32;
  std::vector<std::thread> threads;
  const size_t per = (jobs.size() + kThreads - 1) / kThreads;
  for (size_t start = 0; start < jobs.size(); start += per) {
    threads.emplace_back([&jobs, start, per] {
      for (size_t i = start; i < std::min(jobs.size(), start + per); ++i) jobs[i]();
    });
  }
  for (auto& t : threads) t.join();
}

void Session::teardown() {
  detach_all();
  if (ringbuf_) {
    ring_buffer__free(ringbuf_);
    ringbuf_ = nullptr;
  }
  object_.reset();  // closes every program and map fd
  if (command_) stop_command();
}

void Session::stop_command() {
  if (!command_) return;
  if (!command_exited_) {
    // Tracing ended before the command did (exit(), Ctrl-C, a failure): do
    // not leave it running, held or not.
    command_->kill_and_reap();
  } else {
    std::string status = command_->reap();
    if (!status.empty()) print_error(status);
  }
  command_.reset();
}

// `func` in a multi-site probe: the name of each site, at its cookie.
std::optional<RunError> Session::store_func_names() {
  if (manifest_.func_names_elf_name.empty()) return std::nullopt;
  int fd = object_->map_fd(manifest_.func_names_elf_name);
  if (fd < 0)
    return RunError{kExitRuntime, "internal error: the BPF object has no map '" + manifest_.func_names_elf_name + "'"};
  std::vector<char> value(manifest_.func_name_size);
  for (const auto& plan : uprobe_plans_) {
    for (size_t i = 0; i < plan.sites.size(); ++i) {
      std::fill(value.begin(), value.end(), 0);
      std::memcpy(value.data(), plan.sites[i].name.data(), std::min(value.size() - 1, plan.sites[i].name.size()));
      uint32_t key = static_cast<uint32_t>(plan.cookie_base + i);
      if (bpf_map_update_elem(fd, &key, value.data(), BPF_ANY) != 0)
        return RunError{kExitRuntime, std::string("storing function names: ") + std::strerror(errno)};
    }
  }
  return std::nullopt;
}

// A value the runtime gives the programs: element 0 of the one-element
// array `elf_name` (`what` names it in messages).
std::optional<RunError> Session::store_runtime_value(const std::string& elf_name, uint64_t value, const char* what) {
  int fd = object_->map_fd(elf_name);
  if (fd < 0)
    return RunError{kExitRuntime, "internal error: the BPF object has no map '" + elf_name + "' for the " + what};
  uint32_t key = 0;
  if (bpf_map_update_elem(fd, &key, &value, BPF_ANY) != 0)
    return RunError{kExitRuntime, std::string("storing the ") + what + ": " + std::strerror(errno)};
  return std::nullopt;
}

// `elapsed` counts from here: just before the first probe is attached.
std::optional<RunError> Session::store_start_time() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  uint64_t ns = static_cast<uint64_t>(now.tv_sec) * 1000000000ull + static_cast<uint64_t>(now.tv_nsec);
  return store_runtime_value(manifest_.start_time_elf_name, ns, "start time");
}

// `cpid`: the command's pid, before any probe is attached (0 without -c:
// the map starts zeroed).
std::optional<RunError> Session::store_command_pid() {
  if (manifest_.command_pid_elf_name.empty()) return std::nullopt;
  return store_runtime_value(manifest_.command_pid_elf_name, static_cast<uint64_t>(command_->pid()), "command's pid");
}

void Session::flush_output() {
  if (!dispatcher_) return;
  std::string out = dispatcher_->take_output();
  if (!out.empty()) {
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
  }
}

// Returns ring_buffer__consume's result: negative when a batch was cut short.
int Session::consume_events() {
  if (!ringbuf_) return 0;
  clock_gettime(CLOCK_MONOTONIC, &consume_start_);
  int rc = ring_buffer__consume(ringbuf_);
  if (in_process_ && in_process_->has_ring() && ring_phase_ != RingPhase::Discard)
    in_process_->consume_events([this](const uint8_t* data, size_t size) { dispatcher_->handle(data, size); });
  else if (in_process_)
    in_process_->consume_events([](const uint8_t*, size_t) {});
  flush_output();
  return rc;
}

std::string Session::map_text(int index, uint32_t top, uint32_t div) {
  const auto& desc = manifest_.maps[static_cast<size_t>(index)];
  std::vector<RawMapEntry> entries;
  std::string error;
  if (!read_map(map_source(desc.elf_name), desc, num_cpus_, entries, error)) {
    print_error(error);
    return {};
  }
  symbolizer_.new_report();
  int cpus = num_cpus_;
  if (manifest_.stack_snapshot_event >= 0)
    cpus = merge_snapshot_keys(desc, entries, num_cpus_, [this](uint64_t id, uint32_t limit) { return renderer_->canonical(id, limit); });
  if (options_.json) return format_map_json(desc, entries, cpus, renderer_.get(), top, div);
  return format_map(desc, entries, cpus, renderer_.get(), top, div);
}

bool Session::read_script_map(int index, std::vector<RawMapEntry>& entries) {
  const auto& desc = manifest_.maps[static_cast<size_t>(index)];
  std::string error;
  if (read_map(map_source(desc.elf_name), desc, num_cpus_, entries, error)) return true;
  print_error(error);
  return false;
}

std::string Session::leak_report_text(const manifest::EventDesc& e) {
  timespec t0{};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  std::string text = build_leak_report(e);
  if (options_.timings) {
    timespec t1{};
    clock_gettime(CLOCK_MONOTONIC, &t1);
    std::fprintf(stderr, "timings: leak report (%zu bytes of text) in %.0f ms\n", text.size(),
                 (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
  }
  return text;
}

std::string Session::build_leak_report(const manifest::EventDesc& e) {
  const auto& first = manifest_.maps[static_cast<size_t>(e.map_index)];
  LeakReportOptions options = leak_options(e.leak);
  if (e.leak.sample_rate_map_index >= 0) {
    // A rate chosen at run time (memleak --auto-sample): the map's one value.
    std::vector<RawMapEntry> rate;
    if (read_script_map(e.leak.sample_rate_map_index, rate) && !rate.empty() && rate[0].value.size() >= 8) {
      uint64_t n = 0;
      std::memcpy(&n, rate[0].value.data(), 8);
      options.scale = std::max<uint64_t>(n, 1);
    }
  }
  uint64_t since = e.leak.since_ns;
  if (e.leak.since_map_index >= 0) {
    std::vector<RawMapEntry> value;
    if (read_script_map(e.leak.since_map_index, value) && !value.empty() && value[0].value.size() >= 8)
      std::memcpy(&since, value[0].value.data(), 8);
  }
  // --growth ranks among every stack: summarise them all, the tracker cuts.
  const size_t top = options.top;
  if (options.growth_intervals) options.top = SIZE_MAX;
  LeakSummary summary;
  bool kernel = false;
  uint32_t limit = 0;
  if (e.leak.count_map_index < 0) {
    std::string error;
    auto layout = outstanding_layout(first, error);
    if (!layout) {
      print_error(error);
      return {};
    }
    kernel = layout->kernel_stack;
    limit = layout->stack_limit;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);  // bpf_ktime_get_ns's clock
    uint64_t now = static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
    LeakAccumulator acc(now, options);
    // A batch at a time: a million outstanding blocks are never all in memory.
    auto add_batch = [&](const FlatMapEntries& batch) {
      for (size_t i = 0; i < batch.count; ++i) {
        OutstandingAllocation a = decode_outstanding_at(*layout, batch, i);
        if (a.timestamp_ns < since) continue;
        // ustack(dwarf): one id per snapshot; group by unwound call chain.
        a.stack = renderer_->canonical(a.stack, limit);
        acc.add(a);
      }
    };
    if (!read_map_batches(map_source(first.elf_name), first, num_cpus_, add_batch, error)) {
      print_error(error);
      return {};
    }
    summary = acc.finish();
  } else {
    std::vector<RawMapEntry> entries, counts;
    if (!read_script_map(e.map_index, entries) || !read_script_map(e.leak.count_map_index, counts)) return {};
    const auto& count_map = manifest_.maps[static_cast<size_t>(e.leak.count_map_index)];
    if (!first.key.empty()) {
      kernel = first.key[0].kind == manifest::FieldKind::KernelStack;
      limit = first.key[0].stack_limit;
    }
    std::vector<CombinedStack> combined = decode_combined(first, entries, count_map, counts, num_cpus_);
    std::map<StackKey, CombinedStack> merged;  // ustack(dwarf): by unwound call chain
    for (const auto& c : combined) {
      const StackKey key = renderer_->canonical(c.stack, limit);
      CombinedStack& m = merged[key];
      m.stack = key;
      m.total_size += c.total_size;
      m.allocations += c.allocations;
    }
    combined.clear();
    for (auto& [_, c] : merged) combined.push_back(c);
    summary = summarize_combined(combined, options);
  }
  if (options.growth_intervals) {
    auto it = growth_.try_emplace(e.map_index, options.growth_intervals).first;
    summary = it->second.observe(summary, top);
    summary.growth_reports = it->second.reports_seen();
    options.top = top;
  }
  symbolizer_.new_report();
  LeakFrames frames = [&](StackKey id) { return renderer_->leak_frames(id, kernel, limit); };
  char clock[16];
  time_t now = ::time(nullptr);
  struct tm tm;
  localtime_r(&now, &tm);
  strftime(clock, sizeof clock, "%H:%M:%S", &tm);
  std::string out = e.leak.folded   ? format_leak_report_folded(summary, options, frames)
                    : options_.json ? format_leak_report_json(summary, options, clock, frames)
                                    : format_leak_report_text(summary, options, clock, frames);
  print_symbol_warnings();
  return out;
}

uint64_t Session::counter_total(const std::string& elf_name, uint32_t key) {
  uint64_t total = 0;
  std::vector<uint64_t> per_cpu(static_cast<size_t>(num_cpus_));
  int fd = object_->map_fd(elf_name);
  if (fd >= 0 && bpf_map_lookup_elem(fd, &key, per_cpu.data()) == 0)
    for (uint64_t v : per_cpu) total += v;
  if (in_process_)
    if (MapSource s = in_process_->source(elf_name); s.valid()) {
      uint64_t v = 0;
      if (lookup_raw(s, &key, &v, sizeof v)) total += v;
    }
  return total;
}

// Updates the BPF side could not make (a full map) were counted per map.
void Session::report_map_errors() {
  if (manifest_.map_errors_elf_name.empty()) return;
  for (uint32_t i = 0; i < manifest_.maps.size(); ++i) {
    const uint64_t total = counter_total(manifest_.map_errors_elf_name, i);
    const manifest::MapDesc& m = manifest_.maps[i];
    if (total && m.task_storage)
      std::fprintf(stderr, "memscript: %llu update%s of %s failed: the kernel could not create the thread's value\n",
                   static_cast<unsigned long long>(total), total == 1 ? "" : "s", m.name.c_str());
    else if (total)
      std::fprintf(stderr, "memscript: %llu update%s of %s failed: the map is full (%u entries; %s)\n",
                   static_cast<unsigned long long>(total), total == 1 ? "" : "s", m.name.c_str(), m.max_entries,
                   m.declared ? ("raise the size in its declaration, let " + m.name + " = hash(N)").c_str()
                              : "raise --map-size");
  }
}

// Stacks that could not be recorded were counted per reason by the BPF side.
void Session::report_stack_errors() {
  if (manifest_.stack_errors_elf_name.empty()) return;
  static const char* const kWhy[] = {
      "the stack could not be read",
      "stack map full; raise --stack-map-size",
      "a different stack had the same 64-bit id",
      "the ring buffer had no room for a ustack(dwarf) snapshot",
  };
  for (uint32_t i = 0; i < static_cast<uint32_t>(manifest::StackError::Count); ++i) {
    const uint64_t total = counter_total(manifest_.stack_errors_elf_name, i);
    if (total)
      std::fprintf(stderr, "memscript: %llu stack%s could not be recorded (%s)\n",
                   static_cast<unsigned long long>(total), total == 1 ? "" : "s", kWhy[i]);
  }
  if (!renderer_) return;
  const auto& c = renderer_->snapshot_counts();
  if (c.truncated)
    std::fprintf(stderr,
                 "memscript: %llu of %llu ustack(dwarf) stacks were truncated: unwinding needed more than the %u "
                 "bytes of stack copied (raise --dwarf-stack-size)\n",
                 static_cast<unsigned long long>(c.truncated), static_cast<unsigned long long>(c.unwound),
                 manifest_.stack_snapshot_bytes);
  if (c.malformed)
    std::fprintf(stderr, "memscript: %llu ustack(dwarf) snapshots were malformed\n",
                 static_cast<unsigned long long>(c.malformed));
}

void Session::print_symbol_warnings() {
  for (const auto& w : symbolizer_.take_warnings()) std::fprintf(stderr, "memscript: %s\n", w.c_str());
}

void Session::print_all_maps() {
  // bpftrace prints two newlines before the maps at exit, then the maps by name.
  // In JSON mode every line is a JSON object: no blank lines.
  std::string out = options_.json ? "" : "\n\n";
  std::vector<size_t> order(manifest_.maps.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return manifest_.maps[a].name < manifest_.maps[b].name; });
  for (size_t i : order)
    if (!manifest_.maps[i].task_storage) out += map_text(static_cast<int>(i));  // not listable
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  print_symbol_warnings();
}

int Session::event_loop() {
  FdGuard epfd(epoll_create1(EPOLL_CLOEXEC));
  if (epfd.get() < 0) {
    print_error(std::string("epoll_create1: ") + std::strerror(errno));
    return kExitRuntime;
  }
  enum : uint64_t { kRing = 1, kSignal = 2, kTarget = 3, kChild = 4, kDuration = 5, kCost = 6, kTrigger = 7 };
  epoll_fd_ = epfd.get();
  auto add = [&](int fd, uint64_t tag) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag;
    return epoll_ctl(epfd.get(), EPOLL_CTL_ADD, fd, &ev);
  };
  if (add(ring_buffer__epoll_fd(ringbuf_), kRing) != 0 || add(signals_.fd(), kSignal) != 0) {
    print_error(std::string("epoll_ctl: ") + std::strerror(errno));
    return kExitRuntime;
  }
  int target_fd = command_ ? command_->pidfd() : target_pidfd_.get();
  if (target_fd >= 0 && add(target_fd, kTarget) != 0) {
    print_error(std::string("epoll_ctl: ") + std::strerror(errno));
    return kExitRuntime;
  }

  if (child_signal_fd_.get() >= 0 && add(child_signal_fd_.get(), kChild) != 0) {
    print_error(std::string("epoll_ctl: ") + std::strerror(errno));
    return kExitRuntime;
  }

  // --duration: a one-shot timer from now (every probe attached, BEGIN run);
  // when it fires the run ends as on Ctrl-C, with END and the maps.
  FdGuard duration_fd;
  if (options_.duration_ns > 0) {
    duration_fd.reset(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    itimerspec spec{};
    spec.it_value.tv_sec = static_cast<time_t>(options_.duration_ns / 1000000000ull);
    spec.it_value.tv_nsec = static_cast<long>(options_.duration_ns % 1000000000ull);
    if (duration_fd.get() < 0 || timerfd_settime(duration_fd.get(), 0, &spec, nullptr) != 0 ||
        add(duration_fd.get(), kDuration) != 0) {
      print_error(std::string("--duration: cannot set a timer: ") + std::strerror(errno));
      return kExitRuntime;
    }
  }

  FdGuard cost_fd;
  if (cost_wanted() && options_.verbose) {
    cost_fd.reset(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    uint64_t ns = cost_interval_ns();
    itimerspec spec{};
    spec.it_value.tv_sec = spec.it_interval.tv_sec = static_cast<time_t>(ns / 1000000000ull);
    spec.it_value.tv_nsec = spec.it_interval.tv_nsec = static_cast<long>(ns % 1000000000ull);
    if (cost_fd.get() < 0 || timerfd_settime(cost_fd.get(), 0, &spec, nullptr) != 0 || add(cost_fd.get(), kCost) != 0)
      print_error(std::string("warning: -v: cannot set the cost timer: ") + std::strerror(errno));
  }

  // The attach trigger: RSS every 100 ms (a read of /proc/PID/statm; no probe).
  if (!deferred_.empty()) {
    rss_trigger_.emplace(options_.attach_trigger);
    clock_gettime(CLOCK_MONOTONIC, &trigger_since_);
    auto rss = read_rss_bytes(uprobe_pid_);
    std::fprintf(stderr, "%s: waiting for %s (now %s) before attaching %zu probe%s\n",
                 options_.attach_trigger.label.c_str(), rss_trigger_->condition().c_str(),
                 rss ? human_bytes(static_cast<double>(*rss)).c_str() : "unknown", deferred_.size(),
                 deferred_.size() == 1 ? "" : "s");
    if (rss) rss_trigger_->observe(0, *rss);
    trigger_fd_.reset(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    itimerspec spec{};
    spec.it_value.tv_nsec = spec.it_interval.tv_nsec = 100000000;
    if (trigger_fd_.get() < 0 || timerfd_settime(trigger_fd_.get(), 0, &spec, nullptr) != 0 ||
        add(trigger_fd_.get(), kTrigger) != 0) {
      print_error(std::string("cannot set the attach trigger's timer: ") + std::strerror(errno));
      return kExitRuntime;
    }
  }

  consume_events();  // BEGIN may already have printed, or called exit()
  // An exit() the full ring buffer dropped never arrives: with lost-event
  // counters, look at them a few times a second and stop as if it had.
  const int lost_fd = lost_events_fd();
  while (!dispatcher_->exit_requested()) {
    if (lost_fd >= 0 && lost_an_exit(manifest_, read_lost_events(lost_fd, num_cpus_))) {
      consume_events();
      break;
    }
    epoll_event events[4];
    // The in-process ring has no fd to wait on: look at it 10 times a second.
    const bool shared_ring = in_process_ && in_process_->has_ring();
    int n = epoll_wait(epfd.get(), events, 4, shared_ring ? 100 : lost_fd >= 0 ? 250 : -1);
    if (shared_ring) consume_events();
    if (n < 0) {
      if (errno == EINTR) continue;
      print_error(std::string("epoll_wait: ") + std::strerror(errno));
      return kExitRuntime;
    }
    bool stop = false;
    for (int i = 0; i < n; ++i) {
      switch (events[i].data.u64) {
        case kRing:
          consume_events();
          break;
        case kSignal:
        case kDuration:
          stop = true;
          break;
        case kTrigger: {
          uint64_t expirations = 0;
          if (read(trigger_fd_.get(), &expirations, sizeof expirations) != sizeof expirations) break;
          RunError error;
          if (!check_trigger(error)) {
            print_error(error.message);
            return error.exit_code;
          }
          break;
        }
        case kCost: {
          uint64_t expirations = 0;
          if (read(cost_fd.get(), &expirations, sizeof expirations) != sizeof expirations) break;
          consume_events();  // the interval's own report first
          timespec now{};
          clock_gettime(CLOCK_MONOTONIC, &now);
          char when[48];
          std::snprintf(when, sizeof when, "after %.1f s",
                        (now.tv_sec - traced_since_.tv_sec) + (now.tv_nsec - traced_since_.tv_nsec) / 1e9);
          print_cost(when);
          break;
        }
        case kTarget:
          command_exited_ = command_.has_value();
          stop = true;
          break;
        case kChild: {
          signalfd_siginfo info;
          while (read(child_signal_fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
          }
          // The exit stop: the mappings are still there; read them for symbols.
          // The exec stop: the new image has not run yet; the script's events
          // up to the exec (e.g. memleak.ms's clear() of the old image's blocks
          // at sched_process_exec) are handled before it does.
          if (command_)
            command_->service_stops([this](pid_t pid) { symbolizer_.remember_process(pid); },
                                    [this](pid_t) { consume_events(); });
          break;
        }
      }
    }
    if (stop) break;
  }
  if (!deferred_.empty() && rss_trigger_)
    std::fprintf(stderr, "%s: the trigger never held (RSS %s, lowest %s; waited for %s): %zu probe%s never attached\n",
                 options_.attach_trigger.label.c_str(), human_bytes(static_cast<double>(rss_trigger_->latest())).c_str(),
                 human_bytes(static_cast<double>(rss_trigger_->lowest())).c_str(), rss_trigger_->condition().c_str(),
                 deferred_.size(), deferred_.size() == 1 ? "" : "s");
  trigger_timer_off();
  epoll_fd_ = -1;
  return kExitOk;
}

int Session::run() {
  if (signals_.fd() < 0) return fail({kExitRuntime, std::string("signalfd: ") + std::strerror(errno)});
  num_cpus_ = libbpf_num_possible_cpus();
  if (num_cpus_ <= 0) return fail({kExitRuntime, "cannot determine the number of possible CPUs"});

  if (!options_.native_object.empty() && options_.command.empty()) {
    for (const auto& p : manifest_.probes)
      if (p.in_process)
        return fail({kExitUsage, "--in-process needs -c: probe " + p.display +
                                     " runs inside a command memscript starts (run without --in-process to trace "
                                     "an existing process)"});
  }
  // Script problems first: they are the user's to fix, whatever the machine.
  std::vector<ProbeProblem> problems = check_probes(manifest_, options_.source, resolved_paths_, &uprobe_plans_, options_.pid);
  skipped_.assign(manifest_.probes.size(), false);
  if (options_.missing_functions_warn) {
    // The script allows it (`missing_functions warn`): a probe on a function
    // its binary lacks (jemalloc has no pvalloc) is left out, with a warning.
    size_t uprobes = 0, skipped = 0;
    for (const auto& pd : manifest_.probes)
      uprobes += pd.type == ProbeType::Uprobe || pd.type == ProbeType::Uretprobe;
    std::vector<ProbeProblem> kept;
    std::set<std::string> warned;  // an entry and a return probe miss the same function
    for (auto& pr : problems) {
      if (!pr.missing_function) {
        kept.push_back(std::move(pr));
        continue;
      }
      skipped_[pr.probe_index] = true;
      ++skipped;
      std::string first_line = pr.message.substr(0, pr.message.find('\n'));
      auto at = first_line.find(": error: ");
      std::string text = at == std::string::npos ? first_line : first_line.substr(at + 9);
      if (warned.insert(text).second) std::fprintf(stderr, "warning: %s (probe skipped)\n", text.c_str());
    }
    if (skipped == uprobes && uprobes > 0 && kept.empty())
      kept.push_back({true, false, "error: none of the script's uprobe functions exist in their binaries"});
    problems = std::move(kept);
  }
  if (!problems.empty()) {
    bool script = true;
    for (const auto& p : problems) {
      print_error(p.message);
      script = script && p.is_script_error;
    }
    return script ? kExitScriptError : kExitRuntime;
  }
  std::string placement_log;
  place_entry_probes(manifest_, resolved_paths_, uprobe_plans_, options_.entry_probe_placer,
                     options_.show_placement ? &placement_log : nullptr);
  if (options_.show_placement)
    for (const auto& p : manifest_.probes)
      if (p.session)
        placement_log += "session: " + p.display + " and " + p.session_display +
                         " run as one uprobe session (skip_return() spares the return trap)\n";
  if (!placement_log.empty()) std::fputs(placement_log.c_str(), stderr);

  std::optional<std::string> command_path;
  if (!options_.command.empty()) {
    std::string error;
    const char* path_env = std::getenv("PATH");
    command_path = find_program(options_.command[0], path_env ? path_env : "", error);
    if (!command_path) return fail({kExitRuntime, error});
    if (!options_.native_object.empty())
      if (std::string why = check_preloadable(*command_path); !why.empty()) return fail({kExitRuntime, "--in-process: " + why});
  } else if (options_.pid > 0) {
    std::string error;
    auto fd = open_existing_process(options_.pid, error);
    if (!fd) return fail({kExitRuntime, error});
    target_pidfd_.reset(*fd);
    uprobe_pid_ = options_.pid;
    symbolizer_.remember_process(options_.pid);
  }

  auto exe = self_exe();
  if (!exe) return fail({kExitRuntime, std::string("cannot read /proc/self/exe: ") + std::strerror(errno)});
  self_exe_ = *exe;

  RunError error;
  LoadOptions load_options{options_.verifier_log, options_.source, {}, {}};
  uint64_t sites = 0;
  for (auto& plan : uprobe_plans_) {
    plan.cookie_base = sites;
    sites += plan.sites.size();
  }
  if (!manifest_.func_names_elf_name.empty())
    load_options.map_sizes.push_back({manifest_.func_names_elf_name, static_cast<uint32_t>(std::max<uint64_t>(sites, 1))});
  for (size_t i = 0; i < manifest_.probes.size(); ++i) {
    // A session program loads as one even when its function is missing (a
    // skipped probe): the kfunc it calls is only allowed in sessions.
    if (manifest_.probes[i].session)
      load_options.uprobe_session_programs.push_back(manifest_.probes[i].prog_name);
    else if (uprobe_multi_ && !uprobe_plans_[i].sites.empty())
      load_options.uprobe_multi_programs.push_back(manifest_.probes[i].prog_name);
  }
  if (manifest_.stack_snapshot_event >= 0) {
    // Each ustack(dwarf) snapshot takes its whole size in the ring buffer:
    // room for a burst of ~2,000 of 8 KiB while user space unwinds.
    uint32_t ring = std::max<uint32_t>(manifest_.ringbuf_size, 16u << 20);
    load_options.map_sizes.push_back({manifest_.ringbuf_elf_name, ring});
  }
  const auto load_start = std::chrono::steady_clock::now();
  object_ = load_object(elf_, manifest_, load_options, error);
  if (!object_) return fail(error);
  take_libbpf_messages();
  if (options_.timings)
    std::fprintf(stderr, "timings: maps created and %zu programs verified in %.1f ms\n", manifest_.probes.size(),
                 std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load_start).count());

  dispatcher_ = std::make_unique<EventDispatcher>(
      manifest_, [this](int i, uint32_t top, uint32_t div) { return map_text(i, top, div); },
      [this](int i) {
        std::string why;
        const auto& desc = manifest_.maps[static_cast<size_t>(i)];
        if (!clear_map(map_source(desc.elf_name), desc, why)) print_error(why);
      });
  if (!options_.native_object.empty()) {
    // --in-process: the native programs' maps in shared memory, their
    // library linked, before the command starts.
    in_process_ = InProcessRun::prepare(manifest_, options_.native_object, self_exe_, why_prepare_);
    if (!in_process_) return fail({kExitRuntime, why_prepare_});
  }
  renderer_ = std::make_unique<StackRenderer>(
      symbolizer_, manifest_.stacks_elf_name.empty() ? MapSource() : map_source(manifest_.stacks_elf_name));
  dispatcher_->set_field_renderer(renderer_.get());
  dispatcher_->set_leak_report([this](const manifest::EventDesc& e) { return leak_report_text(e); });
  dispatcher_->set_stack_snapshot([this](const uint8_t* data, size_t size) { renderer_->add_snapshot(data, size); });
  dispatcher_->set_json(options_.json);
  dispatcher_->set_zero_map([this](int i) {
    std::string why;
    const auto& desc = manifest_.maps[static_cast<size_t>(i)];
    if (!zero_map(map_source(desc.elf_name), desc, num_cpus_, why)) print_error(why);
  });
  std::string why;
  if (!dispatcher_->prepare(why)) return fail({kExitScriptError, why});
  int rb_fd = object_->map_fd(manifest_.ringbuf_elf_name);
  if (rb_fd < 0)
    return fail({kExitRuntime, "internal error: the BPF object has no ring buffer '" + manifest_.ringbuf_elf_name + "'"});
  ringbuf_ = ring_buffer__new(
      rb_fd,
      [](void* ctx, void* data, size_t size) {
        auto* self = static_cast<Session*>(ctx);
        if (self->ring_phase_ == RingPhase::Discard) return 0;
        if (self->ring_phase_ == RingPhase::End) {
          self->dispatcher_->handle(static_cast<const uint8_t*>(data), size);
          return 0;
        }
        // While tracing, a batch ends after 100 ms of handling: libbpf keeps
        // consuming while events arrive, so slow handlers (leak reports of a
        // busy kernel, every second) would otherwise never let the loop see
        // a signal, the stop or exit().
        self->dispatcher_->handle(static_cast<const uint8_t*>(data), size);
        timespec now{};
        clock_gettime(CLOCK_MONOTONIC, &now);
        const int64_t elapsed_ms = (now.tv_sec - self->consume_start_.tv_sec) * 1000 +
                                   (now.tv_nsec - self->consume_start_.tv_nsec) / 1000000;
        return elapsed_ms >= 100 ? -1 : 0;
      },
      this, nullptr);
  if (!ringbuf_) return fail({kExitRuntime, std::string("opening the ring buffer: ") + std::strerror(errno)});

  if (!manifest_.start_time_elf_name.empty()) {
    if (auto e = store_start_time()) return fail(*e);
  }
  if (!manifest_.stack_auto_elf_name.empty()) {
    std::string exe = command_path ? *command_path : options_.pid > 0 ? "/proc/" + std::to_string(options_.pid) + "/exe" : "";
    AutoStackChoice choice = choose_auto_stack_mode(exe);
    uint32_t key = 0;
    uint64_t on = choice.dwarf ? 1 : 0;
    int fd = object_->map_fd(manifest_.stack_auto_elf_name);
    if (fd < 0 || bpf_map_update_elem(fd, &key, &on, BPF_ANY) != 0)
      return fail({kExitRuntime, std::string("setting the ustack(auto) mode: ") + std::strerror(errno)});
    std::fprintf(stderr, "memscript: ustack(auto) uses %s: %s\n", choice.dwarf ? "dwarf (CFI)" : "frame pointers",
                 choice.why.c_str());
  }

  if (command_path) {
    std::optional<CommandUser> user;
    if (!options_.user.empty()) {
      user = lookup_user(options_.user, why);
      if (!user) return fail({kExitUsage, "-u: " + why});
    }
    auto cmd = TracedCommand::start(*command_path, options_.command, signals_.original_mask(), why,
                                    user ? &*user : nullptr,
                                    in_process_ ? in_process_->command_env() : std::vector<std::string>{});
    if (!cmd) return fail({kExitRuntime, why});
    if (in_process_) in_process_->close_fd();
    command_.emplace(std::move(*cmd));
    uprobe_pid_ = command_->pid();
    if (auto e = store_command_pid()) return fail(*e);
    if (!manifest_.stacks_elf_name.empty() || uses_user_symbols(manifest_)) {
      // Stacks are printed after the command has exited: keep it at its exit
      // long enough to read its mappings (without this, raw addresses).
      sigset_t chld;
      sigemptyset(&chld);
      sigaddset(&chld, SIGCHLD);
      sigprocmask(SIG_BLOCK, &chld, nullptr);
      child_signal_fd_.reset(signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
      if (child_signal_fd_.get() < 0 || !command_->stop_at_exit())
        print_error("warning: cannot watch " + command_->name() + " exit; its stacks may show raw addresses");
    }
  }

  if (auto e = store_func_names()) return fail(*e);

  size_t n = manifest_.probes.size();
  if (options_.json)
    std::fputs(json_attached_probes(n).c_str(), stderr);
  else
    std::fprintf(stderr, "Attaching %zu probe%s...\n", n, n == 1 ? "" : "s");
  if (cost_wanted() && !cost_meter_.enable(why)) cost_unavailable_ = why;
  bool has_end = false;
  timespec attach_start{};
  clock_gettime(CLOCK_MONOTONIC, &attach_start);
  for (size_t i = 0; i < n; ++i) {
    if (manifest_.probes[i].type == ProbeType::End) {
      has_end = true;
      continue;
    }
    if (skipped_[i]) continue;
    if (deferred(manifest_.probes[i])) {
      deferred_.push_back(i);
      continue;
    }
    if (!attach_one(i, error)) return fail(error);  // teardown kills a held command
  }
  clock_gettime(CLOCK_MONOTONIC, &traced_since_);
  memscript_begin_trigger();
  if (command_ && !command_->release(why)) return fail({kExitRuntime, why});
  if (options_.timings) {
    if (auto ms = ms_since_exec()) std::fprintf(stderr, "timings: probes attached %.0f ms after exec\n", *ms);
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    double attach_ms = (now.tv_sec - attach_start.tv_sec) * 1e3 + (now.tv_nsec - attach_start.tv_nsec) / 1e6;
    size_t links = links_.size() + multi_link_fds_.size();
    std::fprintf(stderr, "timings: attaching took %.1f ms (%zu link%s)\n", attach_ms, links, links == 1 ? "" : "s");
  }

  int rc = event_loop();
  if (rc != kExitOk) return rc;

  // What is already in the ring buffer at the stop is shown, for up to 2 s
  // of handling (a flood of events is not followed forever).
  timespec drain_start{};
  clock_gettime(CLOCK_MONOTONIC, &drain_start);
  while (ringbuf_) {
    if (consume_events() >= 0) break;  // the buffer was emptied
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((now.tv_sec - drain_start.tv_sec) * 1000 + (now.tv_nsec - drain_start.tv_nsec) / 1000000 >= 2000) break;
  }
  detach_all();
  // What fired after exit() or the stop, while detaching, is not shown (as
  // in bpftrace): only END's output follows.
  if (ringbuf_) {
    ring_phase_ = RingPhase::Discard;
    ring_buffer__consume(ringbuf_);
    dispatcher_->take_output();
    ring_phase_ = RingPhase::End;
  }
  if (has_end) {
    for (size_t i = 0; i < n; ++i) {
      if (manifest_.probes[i].type != ProbeType::End) continue;
      if (!attach_one(i, error)) return fail(error);
    }
    memscript_end_trigger();
    detach_all();
    consume_events();
  }
  print_all_maps();
  if (cost_wanted()) print_cost("at exit");
  report_stack_errors();
  report_map_errors();
  if (int fd = lost_events_fd(); fd >= 0) std::fputs(format_lost_events(manifest_, read_lost_events(fd, num_cpus_)).c_str(), stderr);
  if (in_process_ && in_process_->dropped_events())
    std::fprintf(stderr, "memscript: %llu events of in-process probes were lost (the shared ring buffer was full)\n",
                 static_cast<unsigned long long>(in_process_->dropped_events()));
  if (dispatcher_->malformed_events())
    print_error("warning: " + std::to_string(dispatcher_->malformed_events()) + " malformed events were dropped");
  teardown();
  if (options_.timings) {
    if (auto kib = peak_rss_kib()) std::fprintf(stderr, "timings: peak RSS %ld KiB\n", *kib);
  }
  return kExitOk;
}

}  // namespace

int run(const std::vector<uint8_t>& elf, const manifest::Manifest& manifest, const RunOptions& options) {
  capture_libbpf_messages(options.verbose);
  if (auto missing = check_privileges()) {
    print_error(*missing);
    return kExitRuntime;
  }
  Session session(elf, manifest, options);
  return session.run();
}

}  // namespace ms::runtime
