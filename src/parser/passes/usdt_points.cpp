#include "parser/passes/usdt_points.h"

#include "parser/suggest.h"

namespace ms::passes {

namespace {

const char* const kUsdtForm = "usdt:PATH:PROVIDER:NAME or usdt:PATH:NAME";

bool is_libc(const std::string& target, const std::string& path) {
  std::string base = path.substr(path.rfind('/') + 1);
  return target == "libc" || target == "c" || base.rfind("libc.so", 0) == 0 || base.rfind("libc-", 0) == 0;
}

// Appends one attach point per probe of `found` matching the globs; returns
// how many.
size_t add_matches(const ast::AttachPoint& ap, const UsdtLookup& found, const std::string& provider,
                   const std::string& name, PassContext& ctx, std::vector<ast::AttachPoint>& out) {
  size_t added = 0;
  for (const auto& probe : found.probes) {
    if (!glob_match(provider, probe.provider) || !glob_match(name, probe.name)) continue;
    std::string raw = "usdt:" + probe.path + ":" + probe.provider + ":" + probe.name;
    ast::AttachPoint e = ap;
    e.raw = raw;
    e.provider = "usdt";
    e.parts = {probe.path, probe.provider, probe.name};
    ctx.info.usdt_probes[raw] = probe;
    out.push_back(std::move(e));
    ++added;
  }
  return added;
}

// usdt:*:PROVIDER:NAME: the probes of every file the traced process maps.
void expand_usdt_in_process(const ast::AttachPoint& ap, const std::string& provider, const std::string& name,
                            PassContext& ctx, std::vector<ast::AttachPoint>& out) {
  std::string error;
  std::vector<std::string> objects = ctx.provider->usdt_objects(error);
  if (objects.empty()) {
    ctx.diags.error(ap.loc, "cannot expand '" + ap.raw + "': " + error);
    return;
  }
  size_t added = 0;
  for (const auto& object : objects) {
    // Files that cannot be read or have no probes are simply not matches.
    UsdtLookup found = ctx.provider->usdt_probes(object);
    if (found.error.empty()) added += add_matches(ap, found, provider, name, ctx, out);
  }
  if (!added)
    ctx.diags.error(ap.loc, "no USDT probe matches '" + (ap.parts.size() == 3 ? provider + ":" : "") + name +
                                "' in the files the traced process maps");
}

}  // namespace

bool is_usdt(const ast::AttachPoint& ap) { return ap.provider == "usdt" || ap.provider == "U"; }

void expand_usdt(const ast::AttachPoint& ap, PassContext& ctx, std::vector<ast::AttachPoint>& out) {
  if (ap.parts.size() != 2 && ap.parts.size() != 3) {
    ctx.diags.error(ap.loc, "malformed attach point '" + ap.raw + "'", std::string("expected ") + kUsdtForm);
    return;
  }
  for (const auto& part : ap.parts) {
    if (part.empty()) {
      ctx.diags.error(ap.loc, "malformed attach point '" + ap.raw + "': empty part", std::string("expected ") + kUsdtForm);
      return;
    }
  }
  const std::string& target = ap.parts[0];
  const std::string provider = ap.parts.size() == 3 ? ap.parts[1] : "*";
  const std::string& name = ap.parts.back();
  if (!ctx.provider) {
    ctx.diags.error(ap.loc, "cannot read the USDT probes of '" + target + "' here");
    return;
  }
  if (target == "*") {
    expand_usdt_in_process(ap, provider, name, ctx, out);
    return;
  }
  UsdtLookup found = ctx.provider->usdt_probes(target);
  if (found.file_missing) {
    ctx.diags.error(ap.loc, "cannot find '" + target + "' to attach " + ap.raw,
                    "give the path of a program or library, e.g. usdt:/usr/bin/python3:function__entry");
    return;
  }
  if (!found.error.empty()) {
    ctx.diags.error(ap.loc, "cannot read the USDT probes of " + (found.path.empty() ? target : found.path) + ": " +
                                found.error);
    return;
  }
  if (found.probes.empty()) {
    // Said once per file: a script with ten probes on one object (heapevents.ms)
    // gets one error, at the first of them, not ten.
    const std::string libc_message = "the installed libc (" + found.path + ") carries no USDT probes";
    const std::string other_message = found.path + " has no USDT probes";
    for (const auto& d : ctx.diags.all())
      if (d.severity == Severity::Error && (d.message == libc_message || d.message == other_message)) return;
    if (is_libc(target, found.path))
      ctx.diags.error(ap.loc, libc_message,
                      "its heap probes (libc:memory_*) exist only in a glibc built with SystemTap support "
                      "(Debian's is not); trace its functions instead, e.g. uprobe:libc:malloc");
    else
      ctx.diags.error(ap.loc, other_message,
                      "it was built without <sys/sdt.h> probes (readelf -n shows no stapsdt notes)");
    return;
  }
  if (add_matches(ap, found, provider, name, ctx, out)) return;
  std::vector<std::string> names;
  for (const auto& probe : found.probes) names.push_back(ap.parts.size() == 3 ? probe.provider + ":" + probe.name : probe.name);
  std::string written = ap.parts.size() == 3 ? provider + ":" + name : name;
  std::string hint = did_you_mean(written, names);
  if (hint.empty()) hint = "list them with: memscript -l 'usdt:" + found.path + ":*'";
  ctx.diags.error(ap.loc, "no USDT probe matches '" + written + "' in " + found.path, hint);
}

}  // namespace ms::passes
