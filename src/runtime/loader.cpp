#include "runtime/loader.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/libbpf_log.h"
#include "runtime/session.h"
#include "runtime/uprobe_sites.h"
#include "runtime/verifier_log.h"

namespace ms::runtime {

namespace {

// The kernel fails a load whose log does not fit (ENOSPC), so leave room for
// long logs. The buffer is only virtual memory until the kernel writes to it.
constexpr size_t kLogBufferSize = 32u << 20;

std::string with_libbpf_reason(std::string message) {
  std::string why = last_libbpf_warning();
  if (!why.empty()) message += " (libbpf: " + why + ")";
  return message;
}

}  // namespace

LoadedObject::~LoadedObject() { bpf_object__close(obj_); }

bpf_program* LoadedObject::program(const std::string& name) const {
  return bpf_object__find_program_by_name(obj_, name.c_str());
}

int LoadedObject::map_fd(const std::string& elf_name) const {
  bpf_map* m = bpf_object__find_map_by_name(obj_, elf_name.c_str());
  return m ? bpf_map__fd(m) : -1;
}

std::unique_ptr<LoadedObject> load_object(const std::vector<uint8_t>& elf, const manifest::Manifest& manifest,
                                          const LoadOptions& options, RunError& error) {
  LIBBPF_OPTS(bpf_object_open_opts, open_opts, .object_name = "memscript");
  bpf_object* raw = bpf_object__open_mem(elf.data(), elf.size(), &open_opts);
  if (!raw) {
    error = {kExitRuntime, with_libbpf_reason(std::string("opening the compiled BPF object: ") + std::strerror(errno))};
    return nullptr;
  }
  auto obj = std::make_unique<LoadedObject>(raw);

  // The manifest and the ELF come from the same compile; a mismatch is a bug.
  for (const auto& p : manifest.probes) {
    if (!obj->program(p.prog_name)) {
      error = {kExitRuntime, "internal error: the BPF object has no program '" + p.prog_name + "' for probe " + p.display};
      return nullptr;
    }
  }
  for (const auto& m : manifest.maps) {
    if (!bpf_object__find_map_by_name(raw, m.elf_name.c_str())) {
      error = {kExitRuntime, "internal error: the BPF object has no map '" + m.elf_name + "' for " + m.name};
      return nullptr;
    }
  }

  // Each program gets its own log: with -d verifier every log is shown, and
  // otherwise libbpf loads without a log and retries a failed program with
  // log level 1 into this buffer.
  struct ProgramLog {
    bpf_program* prog;
    const manifest::ProbeDesc* probe;
    std::unique_ptr<char[]> buf;
  };
  for (const auto& [name, entries] : options.map_sizes)
    if (bpf_map* m = bpf_object__find_map_by_name(raw, name.c_str())) bpf_map__set_max_entries(m, entries);
  std::vector<ProgramLog> logs;
  bpf_program* prog;
  bpf_object__for_each_program(prog, raw) {
    ProgramLog log{prog, nullptr, std::unique_ptr<char[]>(new char[kLogBufferSize])};
    log.buf[0] = '\0';
    for (const auto& p : manifest.probes)
      if (p.prog_name == bpf_program__name(prog)) log.probe = &p;
    bpf_program__set_log_buf(prog, log.buf.get(), kLogBufferSize);
    // Level 2 logs every instruction with its register state even when the
    // program is accepted; level 1 only does so for a rejected one.
    bpf_program__set_log_level(prog, options.verifier_log ? 2 : 0);
    for (const auto& name : options.uprobe_multi_programs)
      if (name == bpf_program__name(prog))
        bpf_program__set_expected_attach_type(prog, static_cast<bpf_attach_type>(kBpfTraceUprobeMulti));
    for (const auto& name : options.uprobe_session_programs)
      if (name == bpf_program__name(prog))
        bpf_program__set_expected_attach_type(prog, static_cast<bpf_attach_type>(kBpfTraceUprobeSession));
    logs.push_back(std::move(log));
  }

  int err = bpf_object__load(raw);

  if (options.verifier_log) {
    for (const auto& log : logs) {
      if (!log.buf[0]) continue;
      std::fprintf(stderr, "verifier log of %s (program %s):\n%s\n",
                   log.probe ? log.probe->display.c_str() : "an internal program", bpf_program__name(log.prog),
                   log.buf.get());
    }
  }
  if (err == 0) return obj;

  // Programs load in object order and loading stops at the first failure, so
  // the failed program is the last one with a log.
  const ProgramLog* failed = nullptr;
  for (const auto& log : logs)
    if (log.buf[0]) failed = &log;
  if (!failed) {
    error = {kExitRuntime, with_libbpf_reason(std::string("loading the BPF programs: ") + std::strerror(-err))};
    return nullptr;
  }
  VerifierDiagnosis d = diagnose_verifier_log(failed->buf.get());
  manifest::ProbeDesc unknown;
  unknown.display = bpf_program__name(failed->prog);
  const manifest::ProbeDesc& probe = failed->probe ? *failed->probe : unknown;
  error = {kExitScriptError,
           format_verifier_rejection(d, probe, manifest.source_file, options.source, options.verifier_log)};
  return nullptr;
}

}  // namespace ms::runtime
