// Turns user and kernel addresses into "function+offset" and module names.
//
// Our own, on libelf: symbol tables (.symtab, else .dynsym; a separate debug
// file found by build-id under /usr/lib/debug/.build-id/xx/yyyy.debug or by
// .gnu_debuglink when the binary is stripped), C++ names demangled, kernel
// symbols from /proc/kallsyms. Symbol tables are loaded on first use and
// cached per file (device and inode), so 10,000 stacks cost one load per
// module. A process's mappings are remembered once read (remember_process),
// so addresses still resolve after the process has exited, which is the
// normal case for `-c`: the maps are printed after the command ends.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ms::runtime {

struct ElfSymbol {
  uint64_t addr = 0;  // link-time virtual address
  uint64_t size = 0;
  std::string name;   // demangled
};

// The symbols and load segments of one ELF file.
class ElfSymbolTable {
 public:
  // nullopt if the file cannot be read as ELF.
  static std::unique_ptr<ElfSymbolTable> load(const std::string& path);

  // The function containing link-time address `vaddr`, or null.
  const ElfSymbol* find(uint64_t vaddr) const;
  // Converts a file offset (from a mapping) to a link-time virtual address.
  std::optional<uint64_t> file_offset_to_vaddr(uint64_t offset) const;

  const std::string& path() const { return path_; }
  const std::string& build_id() const { return build_id_; }  // hex, "" if none
  size_t symbol_count() const { return symbols_.size(); }
  bool is_pie_or_shared() const { return dynamic_type_; }
  // Heuristic: do most sampled functions start with `push %rbp; mov %rsp,%rbp`
  // (optionally after endbr64)? nullopt when there is nothing to sample.
  std::optional<bool> has_frame_pointers() const { return frame_pointers_; }
  // From the unwind table (.eh_frame): at link-time address `vaddr`, is the
  // canonical frame address rsp + N (no frame pointer in use)? Returns N, or
  // nullopt if the CFA is rbp-based or unknown.
  std::optional<int64_t> rsp_cfa_offset(uint64_t vaddr);

  ElfSymbolTable() = default;
  ~ElfSymbolTable();
  ElfSymbolTable(const ElfSymbolTable&) = delete;
  ElfSymbolTable& operator=(const ElfSymbolTable&) = delete;

 private:
  struct Segment {
    uint64_t offset, vaddr, filesz;
  };
  bool read(const std::string& path, bool symbols_only);
  std::string path_;
  std::string build_id_;
  std::string debuglink_;
  bool dynamic_type_ = false;
  std::vector<Segment> segments_;
  std::vector<ElfSymbol> symbols_;  // sorted by addr
  std::optional<bool> frame_pointers_;
  // Opened on first rsp_cfa_offset().
  bool cfi_tried_ = false;
  int cfi_fd_ = -1;
  void* cfi_elf_ = nullptr;  // Elf*
  void* cfi_ = nullptr;      // Dwarf_CFI*
};

// One line of /proc/PID/maps with a file behind it.
struct Mapping {
  uint64_t start = 0, end = 0, offset = 0;
  dev_t dev = 0;
  ino_t inode = 0;
  std::string path;
};

// Parses /proc/PID/maps text; only file-backed mappings are kept.
std::vector<Mapping> parse_proc_maps(const std::string& text);

struct ResolvedFrame {
  std::string symbol;  // "" if unknown
  uint64_t offset = 0; // from the symbol's start
  std::string module;  // file path, "" if no mapping covers the address
};

class Symbolizer {
 public:
  // Reads /proc/PID/maps now (while the process lives) and keeps it. Returns
  // false if it could not be read (e.g. the process is gone).
  bool remember_process(pid_t pid);
  // A new report begins: an address outside the known mappings may re-read
  // a live process's maps again (once per pid per report), e.g. after dlopen.
  void new_report() { reread_.clear(); }
  // The remembered mappings of a pid, read now if not yet known (nullptr if
  // they cannot be read). `covering`: an address that should be mapped; if
  // it is not, a live process's maps are read again (dlopen).
  const std::vector<Mapping>* mappings(pid_t pid, uint64_t covering = 0);
  // Adds mappings for a pid by hand (tests).
  void set_mappings(pid_t pid, std::vector<Mapping> maps);

  ResolvedFrame resolve_user(pid_t pid, uint64_t addr);
  ResolvedFrame resolve_kernel(uint64_t addr);

  // "malloc+4" / "0x7f..." as bpftrace prints a frame (offset shown or not).
  std::string user_name(pid_t pid, uint64_t addr, bool show_offset);
  std::string kernel_name(uint64_t addr, bool show_offset);

  // At an entry probe, `ret` is the probed function's return address into
  // its caller and `above` the stack words right above it. If that caller
  // runs without a frame pointer there, the frame-pointer walk skipped the
  // caller's own return address: find it with the caller's unwind table.
  // nullopt if the caller keeps a frame pointer or nothing valid is found.
  std::optional<uint64_t> frameless_caller_return(pid_t pid, uint64_t ret, const std::vector<uint64_t>& above);

  // Off while resolving frames unwound with CFI (ustack(dwarf)): a module
  // without frame pointers does not truncate those.
  void set_frame_pointer_warnings(bool on) { frame_pointer_warnings_ = on; }

  // Messages to show once each on stderr ("libfoo.so has no frame pointers;
  // ..."); drained by the caller.
  std::vector<std::string> take_warnings();

  // Overrides for tests: where kallsyms and debug files live.
  void set_kallsyms_path(std::string p) { kallsyms_path_ = std::move(p); }

 private:
  ElfSymbolTable* table_for(const Mapping& m);
  const Mapping* find_mapping(pid_t pid, uint64_t addr);
  void load_kallsyms();

  std::map<pid_t, std::vector<Mapping>> processes_;
  std::set<pid_t> reread_;  // pids whose maps were re-read for an unknown address
  std::map<std::pair<dev_t, ino_t>, std::unique_ptr<ElfSymbolTable>> by_inode_;
  std::map<std::string, std::unique_ptr<ElfSymbolTable>> by_path_;
  bool kallsyms_loaded_ = false;
  std::string kallsyms_path_ = "/proc/kallsyms";
  std::vector<std::pair<uint64_t, std::string>> kallsyms_;  // sorted
  std::set<std::string> warned_;
  bool frame_pointer_warnings_ = true;
  std::vector<std::string> warnings_;
};

// Demangles an Itanium C++ name; returns it unchanged if it is not one.
std::string demangle(const std::string& name);

}  // namespace ms::runtime
