#include "runtime/in_process.h"

#include <elf.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "agent/ms_shm.h"

extern char** environ;

namespace ms::runtime {

namespace {

uint32_t shm_type(manifest::InProcessMapKind k) {
  switch (k) {
    case manifest::InProcessMapKind::Hash: return MS_SHM_HASH;
    case manifest::InProcessMapKind::Array: return MS_SHM_ARRAY;
    case manifest::InProcessMapKind::TaskStorage: return MS_SHM_TASK;
    case manifest::InProcessMapKind::Scratch: return MS_SHM_SCRATCH;
    case manifest::InProcessMapKind::Ring: return MS_SHM_RING;
  }
  return 0;
}

bool write_file(const std::string& path, const std::vector<uint8_t>& data) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      close(fd);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return close(fd) == 0;
}

// Runs `argv` (no shell) and waits. "" on success, else what went wrong.
std::string run_program(const std::vector<std::string>& argv) {
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, cargv[0], nullptr, nullptr, cargv.data(), environ);
  if (rc != 0) return "cannot run " + argv[0] + ": " + std::strerror(rc);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return "waiting for " + argv[0] + ": " + std::strerror(errno);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  return argv[0] + " failed (status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) + ")";
}

}  // namespace

std::string check_preloadable(const std::string& program) {
  int fd = open(program.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";  // starting it will say what is wrong
  Elf64_Ehdr eh{};
  bool dynamic = false, elf = pread(fd, &eh, sizeof eh, 0) == static_cast<ssize_t>(sizeof eh) &&
                              std::memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64;
  for (uint16_t i = 0; elf && i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    if (pread(fd, &ph, sizeof ph, static_cast<off_t>(eh.e_phoff + i * sizeof ph)) != static_cast<ssize_t>(sizeof ph)) break;
    dynamic = dynamic || ph.p_type == PT_INTERP;
  }
  close(fd);
  if (!elf) return "";  // a script (#!): its interpreter is what runs, and is normally dynamic
  if (!dynamic)
    return program + " is statically linked: the in-process agent is preloaded by the dynamic linker, which it does "
                     "not use (run without --in-process to trace it with kernel uprobes)";
  return "";
}

std::string agent_library_path(const std::string& self_exe) {
  return self_exe.substr(0, self_exe.rfind('/') + 1) + "libmemscript-agent.so";
}

std::unique_ptr<InProcessRun> InProcessRun::prepare(const manifest::Manifest& manifest,
                                                    const std::vector<uint8_t>& native_object,
                                                    const std::string& self_exe, std::string& error) {
  std::unique_ptr<InProcessRun> run(new InProcessRun);
  run->agent_ = agent_library_path(self_exe);
  if (access(run->agent_.c_str(), R_OK) != 0) {
    error = "--in-process: the agent library " + run->agent_ + " is missing (" + std::strerror(errno) +
            "); it is built and installed next to memscript";
    return nullptr;
  }
  if (manifest.in_process_maps.size() > MS_SHM_MAX_MAPS) {
    error = "--in-process: the in-process probes use " + std::to_string(manifest.in_process_maps.size()) +
            " maps, more than the agent holds (" + std::to_string(MS_SHM_MAX_MAPS) + ")";
    return nullptr;
  }

  // Layout: the header, then each region on its own pages.
  ms_shm_header head{};
  head.magic = MS_SHM_MAGIC;
  head.map_count = static_cast<uint32_t>(manifest.in_process_maps.size());
  uint64_t at = (sizeof head + 4095) & ~uint64_t{4095};
  for (size_t i = 0; i < manifest.in_process_maps.size(); ++i) {
    const auto& ip = manifest.in_process_maps[i];
    ms_shm_map& m = head.maps[i];
    m.type = shm_type(ip.kind);
    m.key_size = ip.key_size;
    m.value_size = ip.value_size;
    m.max_entries = ip.max_entries;
    std::snprintf(m.name, sizeof m.name, "%s", ip.elf_name.c_str());
    switch (m.type) {
      case MS_SHM_HASH:
        m.capacity = ms_hash_capacity(ip.max_entries);
        m.slot_size = 8 + ms_align8(ip.key_size) + ms_align8(ip.value_size);
        break;
      case MS_SHM_ARRAY: m.capacity = ip.max_entries; break;
      case MS_SHM_RING: {
        uint64_t c = 4096;
        while (c < ip.max_entries) c <<= 1;
        m.capacity = c;
        break;
      }
      default: break;
    }
    m.offset = at;
    at += (ms_region_size(&m) + 4095) & ~uint64_t{4095};
    run->names_.push_back(ip.elf_name);
  }
  head.total_size = at;

  run->fd_ = static_cast<int>(syscall(SYS_memfd_create, "memscript-maps", 0));  // inherited by the command
  if (run->fd_ < 0) {
    error = std::string("--in-process: memfd_create: ") + std::strerror(errno);
    return nullptr;
  }
  if (ftruncate(run->fd_, static_cast<off_t>(at)) != 0) {
    error = std::string("--in-process: sizing the shared maps: ") + std::strerror(errno);
    return nullptr;
  }
  void* p = mmap(nullptr, at, PROT_READ | PROT_WRITE, MAP_SHARED, run->fd_, 0);
  if (p == MAP_FAILED) {
    error = std::string("--in-process: mapping the shared maps: ") + std::strerror(errno);
    return nullptr;
  }
  run->base_ = p;
  run->size_ = at;
  std::memcpy(p, &head, sizeof head);
  auto* shared = static_cast<ms_shm_header*>(p);
  for (uint32_t i = 0; i < shared->map_count; ++i)
    if (shared->maps[i].type == MS_SHM_RING) run->ring_ = &shared->maps[i];

  // The generated library, in a directory only we can enter.
  char tmpl[] = "/tmp/memscript-XXXXXX";
  if (!mkdtemp(tmpl)) {
    error = std::string("--in-process: mkdtemp: ") + std::strerror(errno);
    return nullptr;
  }
  run->dir_ = tmpl;
  const std::string obj = run->dir_ + "/probes.o";
  run->library_ = run->dir_ + "/libmemscript-probes.so";
  if (!write_file(obj, native_object)) {
    error = "--in-process: writing " + obj + ": " + std::strerror(errno);
    return nullptr;
  }
  std::string why = run_program({"ld", "-shared", "-z", "now", "-o", run->library_, obj});
  if (!why.empty()) {
    error = "--in-process: linking the in-process probes: " + why;
    return nullptr;
  }
  return run;
}

InProcessRun::~InProcessRun() {
  close_fd();
  if (base_) munmap(base_, size_);
  if (!dir_.empty()) {
    unlink((dir_ + "/probes.o").c_str());
    unlink(library_.c_str());
    rmdir(dir_.c_str());
  }
}

void InProcessRun::close_fd() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

MapSource InProcessRun::source(const std::string& elf_name) const {
  auto* head = static_cast<ms_shm_header*>(base_);
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == elf_name) {
      ms_shm_map* m = &head->maps[i];
      if (m->type == MS_SHM_HASH || m->type == MS_SHM_ARRAY) return MapSource(base_, m);
    }
  return MapSource();
}

std::vector<std::string> InProcessRun::command_env() const {
  std::string preload = agent_ + ":" + library_;
  if (const char* old = std::getenv("LD_PRELOAD"); old && *old) preload += std::string(":") + old;
  return {"LD_PRELOAD=" + preload, std::string(MS_SHM_ENV_FD) + "=" + std::to_string(fd_)};
}

size_t InProcessRun::consume_events(const std::function<void(const uint8_t*, size_t)>& fn) {
  if (!ring_) return 0;
  struct Ctx {
    const std::function<void(const uint8_t*, size_t)>* fn;
  } ctx{&fn};
  return ms_ring_consume(
      base_, ring_, [](void* c, const uint8_t* data, uint32_t size) { (*static_cast<Ctx*>(c)->fn)(data, size); }, &ctx);
}

uint64_t InProcessRun::dropped_events() const {
  if (!ring_) return 0;
  auto* r = reinterpret_cast<const ms_shm_ring*>(static_cast<const uint8_t*>(base_) + ring_->offset);
  return __atomic_load_n(&r->dropped, __ATOMIC_RELAXED);
}

}  // namespace ms::runtime
