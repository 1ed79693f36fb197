#include "parser/passes/attach_points.h"

#include <string_view>

#include "parser/parse.h"
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

}  // namespace

std::optional<manifest::ProbeType> probe_type(const ast::AttachPoint& ap) {
  if (const ProviderDesc* p = find_provider(ap.provider)) return p->type;
  return std::nullopt;
}

uint64_t interval_period_ns(const ast::AttachPoint& ap) {
  uint64_t n = 0;
  std::string unit, count;
  if (ap.provider != "interval" || !interval_unit_and_count(ap, unit, count) || !parse_positive(count, n)) return 0;
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
  if (prov == "usdt" || prov == "profile" || prov == "software" || prov == "hardware" || prov == "watchpoint" ||
      prov == "rawtracepoint" || prov == "asyncwatchpoint") {
    diags.error(ap.loc, prov + " probes are not supported by memscript yet");
    return;
  }
  const ProviderDesc* desc = find_provider(prov);
  if (!desc) {
    std::vector<std::string> names;
    for (const auto& p : kProviders) names.emplace_back(p.name);
    names.insert(names.end(), {"kprobe", "kretprobe", "usdt", "profile"});
    std::string hint = did_you_mean(prov, names);
    if (hint.empty()) hint = "memscript knows BEGIN, END, uprobe (u), uretprobe (ur), tracepoint (t) and interval (i)";
    diags.error(ap.loc, "unknown probe type '" + prov + "'", hint);
    return;
  }
  bool interval_short_form = desc->type == ProbeType::Interval && ap.parts.size() == 1;
  if (ap.parts.size() != desc->parts && !interval_short_form) {
    diags.error(ap.loc, "malformed attach point '" + ap.raw + "'", "expected " + std::string(desc->form));
    return;
  }
  for (const auto& part : ap.parts) {
    if (part.empty()) {
      diags.error(ap.loc, "malformed attach point '" + ap.raw + "': empty part", "expected " + std::string(desc->form));
      return;
    }
    if (part.find_first_of("*?[") != std::string::npos) {
      diags.error(ap.loc, "wildcards in attach points are not supported yet", "name one function or tracepoint");
      return;
    }
  }
  if (desc->type == ProbeType::Interval) {
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

}  // namespace

void check_attach_points(PassContext& ctx) {
  for (const auto& probe : ctx.program.probes)
    for (const auto& ap : probe->attach_points) check_one(ap, ctx.diags);
}

}  // namespace passes
}  // namespace ms
