// Opens the in-memory BPF object and loads it into the kernel, turning a
// verifier rejection into a located script error.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "runtime/run_error.h"

struct bpf_object;
struct bpf_program;
struct bpf_map;

namespace ms::runtime {

struct LoadOptions {
  bool verifier_log = false;  // print every program's verifier log on stderr
  std::string source;         // script text, for the rejected line
  // Programs to load with expected_attach_type BPF_TRACE_UPROBE_MULTI (their
  // wildcard uprobes attach through one uprobe_multi link).
  std::vector<std::string> uprobe_multi_programs;
  std::vector<std::string> uprobe_session_programs;  // loaded with BPF_TRACE_UPROBE_SESSION
  // Maps whose size is only known at run time: ELF name -> max_entries.
  std::vector<std::pair<std::string, uint32_t>> map_sizes;
};

// Owns the bpf_object; closing it releases every program and map fd.
class LoadedObject {
 public:
  explicit LoadedObject(bpf_object* obj) : obj_(obj) {}
  ~LoadedObject();
  LoadedObject(const LoadedObject&) = delete;
  LoadedObject& operator=(const LoadedObject&) = delete;

  bpf_object* get() const { return obj_; }
  bpf_program* program(const std::string& name) const;
  // The fd of a map by its ELF name; -1 if there is none.
  int map_fd(const std::string& elf_name) const;

 private:
  bpf_object* obj_;
};

// Opens and loads. On failure returns nullptr and fills `error`: a verifier
// rejection is a script error (kExitScriptError) pointing at the script line,
// anything else a runtime error.
std::unique_ptr<LoadedObject> load_object(const std::vector<uint8_t>& elf, const manifest::Manifest& manifest,
                                          const LoadOptions& options, RunError& error);

}  // namespace ms::runtime
