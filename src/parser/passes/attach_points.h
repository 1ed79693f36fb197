// Validates attach points: known provider, right number of parts, sane
// interval. Providers this kernel lacks (kprobes, fentry) get a located error
// that suggests a tracepoint instead.
#pragma once

#include "parser/passes/pass.h"

namespace ms::passes {

void check_attach_points(PassContext& ctx);

}  // namespace ms::passes
