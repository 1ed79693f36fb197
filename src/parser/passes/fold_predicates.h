// Constant-folds probe predicates once options are substituted. A predicate
// that is always false removes its probe before anything is loaded or
// attached; one that is always true is dropped. So one script can hold, say,
// user-space and kernel probes and attach only those its options select.
#pragma once

#include "parser/passes/pass.h"

namespace ms::passes {

void fold_predicates(PassContext& ctx);

}  // namespace ms::passes
