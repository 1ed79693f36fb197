#include "parser/passes/usdt_points.h"

#include <set>

#include "parser/suggest.h"

namespace ms::passes {

namespace {

const char* const kUsdtForm = "usdt:PATH:PROVIDER:NAME or usdt:PATH:NAME";

bool is_libc(const std::string& target, const std::string& path) {
  std::string base = path.substr(path.rfind('/') + 1);
  return target == "libc" || target == "c" || base.rfind("libc.so", 0) == 0 || base.rfind("libc-", 0) == 0;
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
    if (is_libc(target, found.path))
      ctx.diags.error(ap.loc, "the installed libc (" + found.path + ") carries no USDT probes",
                      "its heap probes (libc:memory_*) exist only in a glibc built with SystemTap support "
                      "(Debian's is not); trace its functions instead, e.g. uprobe:libc:malloc");
    else
      ctx.diags.error(ap.loc, found.path + " has no USDT probes",
                      "it was built without <sys/sdt.h> probes (readelf -n shows no stapsdt notes)");
    return;
  }
  size_t before = out.size();
  std::set<std::string> seen;
  for (const auto& probe : found.probes) {
    if (!glob_match(provider, probe.provider) || !glob_match(name, probe.name)) continue;
    std::string raw = "usdt:" + probe.path + ":" + probe.provider + ":" + probe.name;
    if (!seen.insert(raw).second) continue;
    ast::AttachPoint e = ap;
    e.raw = raw;
    e.provider = "usdt";
    e.parts = {probe.path, probe.provider, probe.name};
    ctx.info.usdt_probes[raw] = probe;
    out.push_back(std::move(e));
  }
  if (out.size() > before) return;
  std::vector<std::string> names;
  for (const auto& probe : found.probes) names.push_back(ap.parts.size() == 3 ? probe.provider + ":" + probe.name : probe.name);
  std::string written = ap.parts.size() == 3 ? provider + ":" + name : name;
  std::string hint = did_you_mean(written, names);
  if (hint.empty()) hint = "list them with: memscript -l 'usdt:" + found.path + ":*'";
  ctx.diags.error(ap.loc, "no USDT probe matches '" + written + "' in " + found.path, hint);
}

}  // namespace ms::passes
