// Replaces option references by their values, before anything is checked:
// `opt.NAME` and `$N`/`$#` in expressions become literals, `${NAME}` and `$N`
// in attach points become text (the attach point is split again), so the
// attach point checks and the type checker see the final program.
#pragma once

#include "parser/passes/pass.h"

namespace ms::passes {

void substitute_options(PassContext& ctx);

}  // namespace ms::passes
