// --in-process: what the runtime sets up for the agent (docs/in-process.md):
// the shared memory holding the native programs' maps, the generated library
// linked from codegen's native object, and the command's environment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "runtime/map_reader.h"

namespace ms::runtime {

class InProcessRun {
 public:
  // Creates the shared memory (a memfd the command inherits), links
  // `native_object` into a shared object in a private temporary directory
  // (mkdtemp, 0700; removed by the destructor) and finds the agent next to
  // `self_exe`. nullptr with `error` on failure.
  static std::unique_ptr<InProcessRun> prepare(const manifest::Manifest& manifest,
                                               const std::vector<uint8_t>& native_object, const std::string& self_exe,
                                               std::string& error);
  ~InProcessRun();
  InProcessRun(const InProcessRun&) = delete;
  InProcessRun& operator=(const InProcessRun&) = delete;

  // The map `elf_name` in the shared memory; an invalid source if it is not there.
  MapSource source(const std::string& elf_name) const;
  // NAME=VALUE entries the command's environment gets (LD_PRELOAD, the fd).
  std::vector<std::string> command_env() const;
  // After the command started: our copy of the fd is no longer needed (the
  // mapping stays, so the data outlives the command).
  void close_fd();
  bool has_ring() const { return ring_ != nullptr; }
  // Hands each event the in-process programs sent to `fn`; returns how many.
  size_t consume_events(const std::function<void(const uint8_t*, size_t)>& fn);
  // Events the shared ring had no room for.
  uint64_t dropped_events() const;
  const std::string& library_path() const { return library_; }
  const std::string& agent_path() const { return agent_; }

 private:
  InProcessRun() = default;
  void* base_ = nullptr;
  size_t size_ = 0;
  int fd_ = -1;
  std::string dir_, library_, agent_;
  std::vector<std::string> names_;  // handle order
  ms_shm_map* ring_ = nullptr;
};

// "" if `program` is a dynamically linked ELF (it has an interpreter, so
// LD_PRELOAD reaches it); otherwise why the agent cannot run in it.
std::string check_preloadable(const std::string& program);

// Where the agent library is expected: next to the memscript binary.
std::string agent_library_path(const std::string& self_exe);

}  // namespace ms::runtime
