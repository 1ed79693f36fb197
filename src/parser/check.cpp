// ms::check: the checking pipeline, in order, in one place.
#include "parser/parse.h"
#include "parser/passes/attach_points.h"
#include "parser/passes/fold_predicates.h"
#include "parser/passes/options.h"
#include "parser/passes/names.h"
#include "parser/passes/pass.h"
#include "parser/passes/types.h"

namespace ms {

namespace {

const passes::Pass kPipeline[] = {
    {"options", passes::substitute_options, true},  // the rest sees only literals
    {"fold-predicates", passes::fold_predicates, true},
    {"attach-points", passes::check_attach_points, false},  // independent of names: report both
    {"names", passes::resolve_names, true},
    {"types", passes::check_types, true},
};

bool run_pipeline(passes::PassContext& ctx) {
  if (ctx.program.probes.empty()) {
    // Nothing would ever stop it but Ctrl-C: bpftrace refuses this too.
    ctx.diags.error({1, 1, 1, 1}, "the program has no probes", "add one, e.g. BEGIN { printf(\"hello\\n\"); exit(); }");
    return false;
  }
  for (const auto& pass : kPipeline) {
    pass.run(ctx);
    if (pass.later_passes_need_it && ctx.diags.has_errors()) return false;
  }
  return !ctx.diags.has_errors();
}

}  // namespace

bool check(ast::Program& program, Diagnostics& diags, SemanticInfo& info, const ProbeInfoProvider* provider) {
  passes::PassContext ctx{program, diags, info};
  ctx.provider = provider;
  return run_pipeline(ctx);
}

bool check(ast::Program& program, Diagnostics& diags, SemanticInfo& info, const ScriptArgs& args,
           const ProbeInfoProvider* provider) {
  passes::PassContext ctx{program, diags, info};
  ctx.args = &args;
  ctx.provider = provider;
  return run_pipeline(ctx);
}

}  // namespace ms
