#include "runtime/elf_symbols.h"

#include "common/tracepoint_format.h"

#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cxxabi.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace ms::runtime {

namespace {

std::vector<std::string> split_path_list(const char* value) {
  std::vector<std::string> out;
  if (!value) return out;
  std::string s = value;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(':', start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool looks_like_library(const std::string& name) {
  return name.find(".so") != std::string::npos;
}

// "libc" -> "libc.so.6" in `dir`: the shortest versioned name, since the bare
// "libc.so" is often a linker script for the toolchain; the bare name only
// when there is no versioned one.
std::optional<std::string> find_short_library(const std::string& dir, const std::string& name) {
  DIR* d = opendir(dir.c_str());
  if (!d) return std::nullopt;
  std::string prefix = name + ".so", best;
  bool bare = false;
  while (dirent* e = readdir(d)) {
    std::string entry = e->d_name;
    if (entry.rfind(prefix, 0) != 0) continue;
    if (entry == prefix) {
      bare = is_regular_file(dir + "/" + entry);
      continue;
    }
    if (entry[prefix.size()] != '.' || !is_regular_file(dir + "/" + entry)) continue;
    if (best.empty() || entry.size() < best.size() || (entry.size() == best.size() && entry < best)) best = entry;
  }
  closedir(d);
  if (!best.empty()) return dir + "/" + best;
  if (bare) return dir + "/" + prefix;
  return std::nullopt;
}

// "malloc@@GLIBC_2.2.5" -> "malloc"
std::string base_name(const char* sym) {
  const char* at = std::strchr(sym, '@');
  return at ? std::string(sym, at - sym) : std::string(sym);
}

}  // namespace

std::optional<std::string> resolve_binary_in(const std::string& target, const std::vector<std::string>& library_dirs,
                                             const std::vector<std::string>& program_dirs) {
  if (target.empty()) return std::nullopt;
  if (target.find('/') != std::string::npos) return target;
  const auto& dirs = looks_like_library(target) ? library_dirs : program_dirs;
  for (const auto& dir : dirs) {
    std::string candidate = dir + "/" + target;
    if (is_regular_file(candidate)) return candidate;
  }
  if (target.rfind("lib", 0) == 0 && !looks_like_library(target)) {
    for (const auto& dir : library_dirs)
      if (auto found = find_short_library(dir, target)) return found;
  }
  // "c" for libc, as bpftrace accepts, once no program of that name exists.
  if (target.rfind("lib", 0) != 0 && !looks_like_library(target)) {
    for (const auto& dir : library_dirs)
      if (auto found = find_short_library(dir, "lib" + target)) return found;
  }
  return std::nullopt;
}

bool library_matches(const std::string& target, const std::string& path) {
  std::string base = path.substr(path.rfind('/') + 1);
  if (base == target) return true;
  if (looks_like_library(target)) return false;
  std::string lib = target.rfind("lib", 0) == 0 ? target : "lib" + target;
  // libc.so.6, libc.so, and the older libc-2.31.so naming.
  return base.rfind(lib + ".so", 0) == 0 || base.rfind(lib + "-", 0) == 0;
}

std::optional<std::string> resolve_binary_for_pid(const std::string& target, int pid) {
  if (pid > 0 && target.find('/') == std::string::npos) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    std::string line;
    while (std::getline(maps, line)) {
      size_t slash = line.find('/');
      if (slash == std::string::npos) continue;
      std::string path = line.substr(slash);
      if (path.size() > 10 && path.compare(path.size() - 10, 10, " (deleted)") == 0) continue;
      // Through the process's root, so a library inside a container is found.
      if (library_matches(target, path)) return "/proc/" + std::to_string(pid) + "/root" + path;
    }
  }
  return resolve_binary(target);
}

std::optional<std::string> resolve_binary(const std::string& target) {
  std::vector<std::string> libs = split_path_list(std::getenv("LD_LIBRARY_PATH"));
  for (const char* d : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib",
                        "/usr/lib", "/usr/local/lib"})
    libs.push_back(d);
  return resolve_binary_in(target, libs, split_path_list(std::getenv("PATH")));
}

namespace {

// Calls `fn(sym, name)` for every function (STT_FUNC or GNU IFUNC) that
// .symtab and .dynsym define (imports are skipped), until `fn` returns false.
template <typename Fn>
void for_each_defined_function(Elf* elf, Fn fn) {
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(elf, scn)) != nullptr) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr)) continue;
    if (shdr.sh_type != SHT_SYMTAB && shdr.sh_type != SHT_DYNSYM) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data || shdr.sh_entsize == 0) continue;
    size_t count = shdr.sh_size / shdr.sh_entsize;
    for (size_t i = 0; i < count; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
      int type = GELF_ST_TYPE(sym.st_info);
      if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF) continue;
      const char* name = elf_strptr(elf, shdr.sh_link, sym.st_name);
      if (!name) continue;
      if (!fn(sym, name)) return;
    }
  }
}

}  // namespace

SymbolCheck check_function(const std::string& path, const std::string& func, std::string* detail) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (detail) *detail = std::strerror(errno);
    return SymbolCheck::FileMissing;
  }
  elf_version(EV_CURRENT);
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  if (!elf || elf_kind(elf) != ELF_K_ELF) {
    if (elf) elf_end(elf);
    close(fd);
    return SymbolCheck::NotElf;
  }
  // .dynsym names carry no version (that lives in .gnu.version), so compare base names.
  const std::string wanted = base_name(func.c_str());
  bool found = false, indirect = false;
  for_each_defined_function(elf, [&](const GElf_Sym& sym, const char* name) {
    if (wanted != base_name(name)) return true;
    found = true;
    indirect = GELF_ST_TYPE(sym.st_info) == STT_GNU_IFUNC;
    return false;
  });
  elf_end(elf);
  close(fd);
  if (!found) return SymbolCheck::NoSuchFunction;
  return indirect ? SymbolCheck::IndirectFunction : SymbolCheck::Found;
}

namespace {

// An open ELF file, closed on scope exit.
struct ElfFile {
  explicit ElfFile(const std::string& path) {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = "cannot open " + path + ": " + std::strerror(errno);
      return;
    }
    elf_version(EV_CURRENT);
    elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
    if (!elf || elf_kind(elf) != ELF_K_ELF) error = path + " is not an ELF file";
  }
  ~ElfFile() {
    if (elf) elf_end(elf);
    if (fd >= 0) close(fd);
  }
  bool ok() const { return error.empty(); }
  int fd = -1;
  Elf* elf = nullptr;
  std::string error;
};

std::string demangle(const std::string& name) {
  if (name.rfind("_Z", 0) != 0) return {};
  int status = 0;
  char* d = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  std::string out = status == 0 && d ? d : "";
  std::free(d);
  return out;
}

std::optional<uint64_t> file_offset_of(Elf* elf, uint64_t addr) {
  size_t n = 0;
  if (elf_getphdrnum(elf, &n) != 0) return std::nullopt;
  for (size_t i = 0; i < n; ++i) {
    GElf_Phdr ph;
    if (!gelf_getphdr(elf, static_cast<int>(i), &ph) || ph.p_type != PT_LOAD) continue;
    if (addr >= ph.p_vaddr && addr < ph.p_vaddr + ph.p_memsz) return addr - ph.p_vaddr + ph.p_offset;
  }
  return std::nullopt;
}

}  // namespace

std::vector<FunctionSymbol> list_functions(const std::string& path, std::string& error) {
  std::vector<FunctionSymbol> out;
  ElfFile f(path);
  if (!f.ok()) {
    error = f.error;
    return out;
  }
  std::set<std::pair<std::string, uint64_t>> seen;
  for_each_defined_function(f.elf, [&](const GElf_Sym& sym, const char* name) {
    if (sym.st_value == 0 || !*name) return true;
    std::string base = base_name(name);
    if (!seen.insert({base, sym.st_value}).second) return true;
    auto off = file_offset_of(f.elf, sym.st_value);
    if (!off) return true;
    out.push_back({base, sym.st_value, *off, GELF_ST_TYPE(sym.st_info) == STT_GNU_IFUNC, demangle(base), sym.st_size});
    return true;
  });
  std::sort(out.begin(), out.end(), [](const FunctionSymbol& a, const FunctionSymbol& b) { return a.name < b.name; });
  return out;
}

std::vector<FunctionSymbol> one_per_address(const std::vector<FunctionSymbol>& functions) {
  // The public name of an alias set (malloc, not __libc_malloc or __malloc):
  // fewest leading underscores, then shortest, then first by name.
  auto rank = [](const std::string& n) {
    size_t u = n.find_first_not_of('_');
    return std::make_pair(u == std::string::npos ? n.size() : u, n.size());
  };
  std::map<uint64_t, const FunctionSymbol*> best;
  for (const auto& f : functions) {
    auto [it, inserted] = best.emplace(f.address, &f);
    if (!inserted && rank(f.name) < rank(it->second->name)) it->second = &f;
  }
  std::vector<FunctionSymbol> out;
  for (const auto& kv : best) out.push_back(*kv.second);
  std::sort(out.begin(), out.end(), [](const FunctionSymbol& a, const FunctionSymbol& b) { return a.name < b.name; });
  return out;
}

bool function_matches(const std::string& wanted, const FunctionSymbol& f) {
  auto match = [&](const std::string& name) {
    return has_wildcard(wanted) ? glob_match(wanted, name) : wanted == name;
  };
  if (match(f.name)) return true;
  if (f.demangled.empty()) return false;
  if (match(f.demangled)) return true;
  // Without a parameter list, "ns::Class::method" names every overload.
  size_t paren = f.demangled.find('(');
  return wanted.find('(') == std::string::npos && paren != std::string::npos && match(f.demangled.substr(0, paren));
}

std::optional<uint64_t> address_to_file_offset(const std::string& path, uint64_t addr) {
  ElfFile f(path);
  if (!f.ok()) return std::nullopt;
  return file_offset_of(f.elf, addr);
}

}  // namespace ms::runtime
