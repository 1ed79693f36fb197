// ms::check: the checking pipeline, in order, in one place.
#include "parser/parse.h"
#include "parser/passes/attach_points.h"
#include "parser/passes/names.h"
#include "parser/passes/pass.h"
#include "parser/passes/types.h"

namespace ms {

namespace {

const passes::Pass kPipeline[] = {
    {"attach-points", passes::check_attach_points, false},  // independent of names: report both
    {"names", passes::resolve_names, true},
    {"types", passes::check_types, true},
};

}  // namespace

bool check(ast::Program& program, Diagnostics& diags, SemanticInfo& info, const ProbeInfoProvider* provider) {
  passes::PassContext ctx{program, diags, info, provider};
  for (const auto& pass : kPipeline) {
    pass.run(ctx);
    if (pass.later_passes_need_it && diags.has_errors()) return false;
  }
  return !diags.has_errors();
}

}  // namespace ms
