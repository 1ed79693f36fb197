#include "parser/passes/attach_points.h"

#include <string_view>

#include "common/tracepoint_format.h"

#include "parser/parse.h"
#include "parser/passes/usdt_points.h"
#include "suggest.h"

namespace ms {

namespace {

using manifest::ProbeType;

struct ProviderDesc {
  std::string_view name;
  ProbeType type;
  std::string_view form;  // what a correct attach point looks like
  size_t parts;
};

const ProviderDesc kProviders[] = {
    {"BEGIN", ProbeType::Begin, "BEGIN", 0},
    {"END", ProbeType::End, "END", 0},
    {"uprobe", ProbeType::Uprobe, "uprobe:PATH:FUNCTION", 2},
    {"uretprobe", ProbeType::Uretprobe, "uretprobe:PATH:FUNCTION", 2},
    {"tracepoint", ProbeType::Tracepoint, "tracepoint:CATEGORY:NAME", 2},
    {"interval", ProbeType::Interval, "interval:UNIT:N with UNIT s, ms, us or hz", 2},
    {"profile", ProbeType::Profile, "profile:UNIT:N with UNIT hz, s, ms or us", 2},
    {"software", ProbeType::Software, "software:EVENT:COUNT, e.g. software:page-faults:100", 2},
    {"rawtracepoint", ProbeType::RawTracepoint, "rawtracepoint:NAME, e.g. rawtracepoint:sched_switch", 1},
    // Expanded first (usdt_points.cpp): what check_one sees has PATH, PROVIDER and NAME.
    {"usdt", ProbeType::Usdt, "usdt:PATH:PROVIDER:NAME", 3},
};

const ProviderDesc* find_provider(std::string_view name) {
  for (const auto& p : kProviders)
    if (p.name == name) return &p;
  return nullptr;
}

// Interval units in nanoseconds per unit; hz is handled apart (a frequency).
struct IntervalUnit {
  std::string_view name;
  uint64_t ns;
};
const IntervalUnit kIntervalUnits[] = {{"s", 1'000'000'000}, {"ms", 1'000'000}, {"us", 1'000}, {"hz", 0}};

bool parse_positive(const std::string& s, uint64_t& out) {
  if (s.empty() || s.size() > 12) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return out > 0;
}

// interval:UNIT:N, or the newer bpftrace form interval:N<UNIT> (interval:100ms).
bool interval_unit_and_count(const ast::AttachPoint& ap, std::string& unit, std::string& count) {
  if (ap.parts.size() == 2) {
    unit = ap.parts[0];
    count = ap.parts[1];
    return true;
  }
  if (ap.parts.size() == 1) {
    const std::string& p = ap.parts[0];
    size_t i = 0;
    while (i < p.size() && p[i] >= '0' && p[i] <= '9') ++i;
    count = p.substr(0, i);
    unit = p.substr(i);
    return true;
  }
  return false;
}

// Software perf events by bpftrace's names, with its default counts.
struct SoftwareEvent {
  std::string_view name, alias;
  uint64_t default_count;
};
const SoftwareEvent kSoftwareEvents[] = {
    {"cpu-clock", "cpu", 1000000},       {"task-clock", "", 1000000},     {"page-faults", "faults", 100},
    {"context-switches", "cs", 1000},    {"cpu-migrations", "", 1},       {"minor-faults", "", 100},
    {"major-faults", "", 1},             {"alignment-faults", "", 1},     {"emulation-faults", "", 1},
};

}  // namespace

std::optional<manifest::ProbeType> probe_type(const ast::AttachPoint& ap) {
  if (const ProviderDesc* p = find_provider(ap.provider)) return p->type;
  return std::nullopt;
}

uint64_t software_event_default(const std::string& name) {
  for (const auto& e : kSoftwareEvents)
    if (e.name == name || e.alias == name) return e.default_count;
  return 0;
}

uint64_t interval_period_ns(const ast::AttachPoint& ap) {
  uint64_t n = 0;
  std::string unit, count;
  if ((ap.provider != "interval" && ap.provider != "profile") || !interval_unit_and_count(ap, unit, count) || !parse_positive(count, n)) return 0;
  for (const auto& u : kIntervalUnits) {
    if (u.name != unit) continue;
    return u.ns ? u.ns * n : 1'000'000'000 / n;
  }
  return 0;
}

namespace passes {

namespace {

const char* const kKernelTracepointHint =
    "trace a tracepoint instead (e.g. tracepoint:kmem:kmalloc), or a uprobe on the user-space function";

void check_one(const ast::AttachPoint& ap, Diagnostics& diags) {
  const std::string& prov = ap.provider;
  // The scanner reads an attach point up to whitespace, so "BEGIN/pid/" is one word.
  size_t last_colon = ap.raw.rfind(':');
  size_t slash = ap.raw.find('/', last_colon == std::string::npos ? 0 : last_colon);
  if (slash != std::string::npos && ap.raw.back() == '/' && (last_colon == std::string::npos || slash > last_colon)) {
    diags.error(ap.loc, "attach point '" + ap.raw + "' runs into a predicate",
                "put whitespace before the predicate: " + ap.raw.substr(0, slash) + " " + ap.raw.substr(slash));
    return;
  }
  if (prov == "kprobe" || prov == "kretprobe") {
    diags.error(ap.loc, prov + " probes are not available on this kernel (it is built without CONFIG_KPROBES)",
                kKernelTracepointHint);
    return;
  }
  if (prov == "kfunc" || prov == "kretfunc" || prov == "fentry" || prov == "fexit") {
    diags.error(ap.loc, prov + " probes are not available on this kernel (it refuses fentry/fexit BPF trampolines)",
                kKernelTracepointHint);
    return;
  }
  if (prov == "hardware" || prov == "watchpoint" || prov == "asyncwatchpoint") {
    diags.error(ap.loc, prov + " probes are not supported by memscript yet");
    return;
  }
  const ProviderDesc* desc = find_provider(prov);
  if (!desc) {
    std::vector<std::string> names;
    for (const auto& p : kProviders) names.emplace_back(p.name);
    names.insert(names.end(), {"kprobe", "kretprobe", "profile"});
    std::string hint = did_you_mean(prov, names);
    if (hint.empty())
      hint = "memscript knows BEGIN, END, uprobe (u), uretprobe (ur), tracepoint (t), rawtracepoint (rt), interval (i), "
             "profile (p), software (s) and usdt (U)";
    diags.error(ap.loc, "unknown probe type '" + prov + "'", hint);
    return;
  }
  bool interval_short_form =
      (desc->type == ProbeType::Interval || desc->type == ProbeType::Profile || desc->type == ProbeType::Software) &&
      ap.parts.size() == 1;
  if (ap.parts.size() != desc->parts && !interval_short_form) {
    diags.error(ap.loc, "malformed attach point '" + ap.raw + "'", "expected " + std::string(desc->form));
    return;
  }
  for (size_t i = 0; i < ap.parts.size(); ++i) {
    const std::string& part = ap.parts[i];
    if (part.empty()) {
      diags.error(ap.loc, "malformed attach point '" + ap.raw + "': empty part", "expected " + std::string(desc->form));
      return;
    }
    // uprobe:BINARY:PATTERN expands in the runtime, against the binary's symbols.
    bool uprobe_function = (desc->type == ProbeType::Uprobe || desc->type == ProbeType::Uretprobe) && i == 1;
    if (part.find_first_of("*?[") != std::string::npos && !uprobe_function) {
      diags.error(ap.loc, "wildcards in " + prov + " attach points are not supported yet", "name one function");
      return;
    }
  }
  if (desc->type == ProbeType::Software) {
    uint64_t count = 0;
    if (!software_event_default(ap.parts[0])) {
      std::vector<std::string> names;
      for (const auto& e : kSoftwareEvents) names.emplace_back(e.name);
      std::string hint = did_you_mean(ap.parts[0], names);
      if (hint.empty()) hint = "e.g. page-faults, minor-faults, major-faults, context-switches, cpu-clock";
      diags.error(ap.loc, "unknown software event '" + ap.parts[0] + "'", hint);
      return;
    }
    if (ap.parts.size() == 2 && !parse_positive(ap.parts[1], count))
      diags.error(ap.loc, "the count of a software event must be a positive integer, not '" + ap.parts[1] + "'",
                  "e.g. software:page-faults:100 (one run of the probe every 100 faults)");
    return;
  }
  if (desc->type == ProbeType::Interval || desc->type == ProbeType::Profile) {
    std::string unit, count;
    interval_unit_and_count(ap, unit, count);
    bool unit_ok = false;
    for (const auto& u : kIntervalUnits) unit_ok |= u.name == unit;
    if (!unit_ok) {
      diags.error(ap.loc, "unknown interval unit '" + unit + "'", "use s, ms, us or hz, e.g. interval:s:1");
      return;
    }
    uint64_t n = 0;
    if (!parse_positive(count, n)) {
      diags.error(ap.loc, "interval must be a positive integer, not '" + count + "'", "e.g. interval:ms:100");
      return;
    }
    if (unit == "hz" && n > 1'000'000'000) {
      diags.error(ap.loc, "interval frequency is too high", "at most 1000000000 hz");
    }
  }
}

bool is_tracepoint_wildcard(const ast::AttachPoint& ap) {
  return ap.provider == "tracepoint" && ap.parts.size() == 2 && (has_wildcard(ap.parts[0]) || has_wildcard(ap.parts[1]));
}

// tracepoint:kmem:* -> one attach point per matching tracepoint, each at the
// location of the wildcard, like bpftrace (which expands in user space too).
void expand_tracepoint_wildcard(const ast::AttachPoint& ap, PassContext& ctx, std::vector<ast::AttachPoint>& out) {
  if (!ctx.provider) {
    ctx.diags.error(ap.loc, "cannot expand '" + ap.raw + "': the list of tracepoints is not available here");
    return;
  }
  std::string error;
  std::vector<std::string> all = ctx.provider->tracepoints(error);
  if (all.empty()) {
    ctx.diags.error(ap.loc, "cannot expand '" + ap.raw + "': " + (error.empty() ? "no tracepoints" : error));
    return;
  }
  size_t before = out.size();
  for (const auto& tp : all) {
    size_t colon = tp.find(':');
    std::string cat = tp.substr(0, colon), name = tp.substr(colon + 1);
    if (!glob_match(ap.parts[0], cat) || !glob_match(ap.parts[1], name)) continue;
    ast::AttachPoint e = ap;
    e.raw = "tracepoint:" + tp;
    e.parts = {cat, name};
    out.push_back(std::move(e));
  }
  if (out.size() == before)
    ctx.diags.error(ap.loc, "no tracepoint matches '" + ap.parts[0] + ":" + ap.parts[1] + "'",
                    "list them with: memscript -l 'tracepoint:" + ap.parts[0] + ":*'");
}

// Fetches the format of a checked tracepoint attach point into the semantic
// info; a tracepoint that does not exist is an error here, where it can be
// located. If the format cannot be read, `args` reports that where it is used.
void load_tracepoint_format(const ast::AttachPoint& ap, PassContext& ctx) {
  if (!ctx.provider || ap.provider != "tracepoint" || ap.parts.size() != 2) return;
  std::string key = ap.parts[0] + ":" + ap.parts[1];
  if (ctx.info.tracepoint_formats.count(key)) return;
  TracepointLookup r = ctx.provider->tracepoint_format(ap.parts[0], ap.parts[1]);
  if (r.format) {
    ctx.info.tracepoint_formats.emplace(key, std::move(*r.format));
    return;
  }
  if (!r.missing) return;
  std::string hint;
  std::string error;
  std::vector<std::string> same_category;
  for (const auto& tp : ctx.provider->tracepoints(error))
    if (tp.compare(0, ap.parts[0].size() + 1, ap.parts[0] + ":") == 0) same_category.push_back(tp.substr(ap.parts[0].size() + 1));
  hint = did_you_mean(ap.parts[1], same_category);
  if (hint.empty()) hint = "list tracepoints with: memscript -l 'tracepoint:" + ap.parts[0] + ":*'";
  ctx.diags.error(ap.loc, "tracepoint " + key + " does not exist", hint);
}

}  // namespace

void check_attach_points(PassContext& ctx) {
  for (const auto& probe : ctx.program.probes) {
    std::vector<ast::AttachPoint> expanded;
    for (auto& ap : probe->attach_points) {
      if (is_tracepoint_wildcard(ap))
        expand_tracepoint_wildcard(ap, ctx, expanded);
      else if (is_usdt(ap))
        expand_usdt(ap, ctx, expanded);
      else
        expanded.push_back(std::move(ap));
    }
    probe->attach_points = std::move(expanded);
    for (const auto& ap : probe->attach_points) {
      size_t errors = ctx.diags.all().size();
      check_one(ap, ctx.diags);
      if (ctx.diags.all().size() == errors) load_tracepoint_format(ap, ctx);
    }
  }
}

}  // namespace passes
}  // namespace ms
