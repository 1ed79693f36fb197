#include "runtime/elf_symbols.h"

#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

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
  return std::nullopt;
}

std::optional<std::string> resolve_binary(const std::string& target) {
  std::vector<std::string> libs = split_path_list(std::getenv("LD_LIBRARY_PATH"));
  for (const char* d : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib",
                        "/usr/lib", "/usr/local/lib"})
    libs.push_back(d);
  return resolve_binary_in(target, libs, split_path_list(std::getenv("PATH")));
}

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
  Elf_Scn* scn = nullptr;
  while (!found && (scn = elf_nextscn(elf, scn)) != nullptr) {
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
      if (type != STT_FUNC && type != STT_GNU_IFUNC) continue;
      if (sym.st_shndx == SHN_UNDEF) continue;  // an import, not a definition
      const char* name = elf_strptr(elf, shdr.sh_link, sym.st_name);
      if (!name) continue;
      if (wanted == base_name(name)) {
        found = true;
        indirect = type == STT_GNU_IFUNC;
        break;
      }
    }
  }
  elf_end(elf);
  close(fd);
  if (!found) return SymbolCheck::NoSuchFunction;
  return indirect ? SymbolCheck::IndirectFunction : SymbolCheck::Found;
}

}  // namespace ms::runtime
