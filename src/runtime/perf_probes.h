// profile:… and software:… probes: one perf event per online CPU, each with
// the program attached.
#pragma once

#include <string>
#include <vector>

#include "manifest/manifest.h"

struct bpf_link;
struct bpf_program;

namespace ms::runtime {

// Opens the probe's perf event on every online CPU (all processes, like
// bpftrace) and attaches `prog` to each. On failure returns false with
// `error` set; links made so far stay in `links` for the caller to destroy.
bool attach_perf_probe(bpf_program* prog, const manifest::ProbeDesc& probe, std::vector<bpf_link*>& links,
                       std::string& error);

}  // namespace ms::runtime
