#include "runtime/symbolizer.h"
#include "common/printf_format.h"

#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ms::runtime {

std::string demangle(const std::string& name) {
  if (name.size() < 2 || name[0] != '_' || name[1] != 'Z') return name;
  int status = 0;
  char* out = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  if (status != 0 || !out) return name;
  std::string s(out);
  std::free(out);
  return s;
}

namespace {

std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

// Strips a symbol version ("malloc@@GLIBC_2.2.5" -> "malloc").
std::string base_name(const char* n) {
  std::string s(n);
  auto at = s.find('@');
  return at == std::string::npos ? s : s.substr(0, at);
}

bool file_exists(const std::string& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string dir_of(const std::string& p) {
  auto slash = p.rfind('/');
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

}  // namespace

std::unique_ptr<ElfSymbolTable> ElfSymbolTable::load(const std::string& path) {
  auto t = std::make_unique<ElfSymbolTable>();
  if (!t->read(path, false)) return nullptr;
  if (t->symbols_.empty() || t->symbols_.size() < 4) {
    // Stripped: look for separate debug information, by build-id first.
    std::vector<std::string> candidates;
    if (t->build_id_.size() > 2)
      candidates.push_back("/usr/lib/debug/.build-id/" + t->build_id_.substr(0, 2) + "/" + t->build_id_.substr(2) +
                           ".debug");
    if (!t->debuglink_.empty()) {
      std::string dir = dir_of(path);
      candidates.push_back(dir + "/" + t->debuglink_);
      candidates.push_back(dir + "/.debug/" + t->debuglink_);
      candidates.push_back("/usr/lib/debug" + dir + "/" + t->debuglink_);
    }
    for (const auto& c : candidates) {
      if (!file_exists(c)) continue;
      ElfSymbolTable dbg;
      if (dbg.read(c, true) && dbg.symbols_.size() > t->symbols_.size()) {
        t->symbols_ = std::move(dbg.symbols_);
        break;
      }
    }
  }
  return t;
}

bool ElfSymbolTable::read(const std::string& path, bool symbols_only) {
  path_ = path;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  elf_version(EV_CURRENT);
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  if (!elf || elf_kind(elf) != ELF_K_ELF) {
    if (elf) elf_end(elf);
    close(fd);
    return false;
  }
  GElf_Ehdr eh;
  if (!gelf_getehdr(elf, &eh)) {
    elf_end(elf);
    close(fd);
    return false;
  }
  if (!symbols_only) {
    dynamic_type_ = eh.e_type == ET_DYN;
    size_t n = 0;
    elf_getphdrnum(elf, &n);
    for (size_t i = 0; i < n; ++i) {
      GElf_Phdr ph;
      if (gelf_getphdr(elf, static_cast<int>(i), &ph) && ph.p_type == PT_LOAD)
        segments_.push_back({ph.p_offset, ph.p_vaddr, ph.p_filesz});
    }
  }
  size_t shstrndx = 0;
  elf_getshdrstrndx(elf, &shstrndx);
  std::vector<ElfSymbol> symtab, dynsym;
  Elf_Scn* text = nullptr;
  GElf_Shdr text_sh{};
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) continue;
    const char* name = elf_strptr(elf, shstrndx, sh.sh_name);
    if (!name) continue;
    if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) {
      Elf_Data* data = elf_getdata(scn, nullptr);
      if (!data || sh.sh_entsize == 0) continue;
      auto& out = sh.sh_type == SHT_SYMTAB ? symtab : dynsym;
      size_t count = sh.sh_size / sh.sh_entsize;
      for (size_t i = 0; i < count; ++i) {
        GElf_Sym sym;
        if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
        int type = GELF_ST_TYPE(sym.st_info);
        if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF || sym.st_value == 0) continue;
        const char* sn = elf_strptr(elf, sh.sh_link, sym.st_name);
        if (!sn || !*sn) continue;
        out.push_back({sym.st_value, sym.st_size, base_name(sn)});
      }
    } else if (!symbols_only && sh.sh_type == SHT_NOTE && std::strcmp(name, ".note.gnu.build-id") == 0) {
      Elf_Data* data = elf_getdata(scn, nullptr);
      if (data && data->d_size > 16) {
        const auto* p = static_cast<const uint8_t*>(data->d_buf);
        uint32_t namesz, descsz;
        std::memcpy(&namesz, p, 4);
        std::memcpy(&descsz, p + 4, 4);
        size_t off = 12 + ((namesz + 3) & ~3u);
        if (off + descsz <= data->d_size) build_id_ = hex(p + off, descsz);
      }
    } else if (!symbols_only && std::strcmp(name, ".gnu_debuglink") == 0) {
      Elf_Data* data = elf_getdata(scn, nullptr);
      if (data && data->d_size > 0) debuglink_ = std::string(static_cast<const char*>(data->d_buf), strnlen(static_cast<const char*>(data->d_buf), data->d_size));
    } else if (!symbols_only && std::strcmp(name, ".text") == 0 && sh.sh_type == SHT_PROGBITS) {
      text = scn;
      text_sh = sh;
    }
  }
  // .symtab when present (it is a superset), else .dynsym.
  symbols_ = symtab.empty() ? std::move(dynsym) : std::move(symtab);
  std::sort(symbols_.begin(), symbols_.end(), [](const ElfSymbol& a, const ElfSymbol& b) {
    if (a.addr != b.addr) return a.addr < b.addr;
    // Prefer a global-looking name among aliases: shorter, no leading underscores.
    return a.name.size() < b.name.size();
  });
  symbols_.erase(std::unique(symbols_.begin(), symbols_.end(),
                             [](const ElfSymbol& a, const ElfSymbol& b) { return a.addr == b.addr; }),
                 symbols_.end());
  for (auto& s : symbols_) s.name = demangle(s.name);

  // Frame-pointer heuristic: sample up to 64 functions in .text and look for
  // `push %rbp; mov %rsp,%rbp` (55 48 89 e5), possibly after endbr64.
  if (text && !symbols_.empty()) {
    Elf_Data* data = elf_getdata(text, nullptr);
    if (data && data->d_buf) {
      const auto* base = static_cast<const uint8_t*>(data->d_buf);
      size_t sampled = 0, with_fp = 0;
      size_t step = std::max<size_t>(1, symbols_.size() / 64);
      for (size_t i = 0; i < symbols_.size() && sampled < 64; i += step) {
        const auto& s = symbols_[i];
        if (s.addr < text_sh.sh_addr || s.addr + 8 > text_sh.sh_addr + data->d_size || s.size < 8) continue;
        const uint8_t* p = base + (s.addr - text_sh.sh_addr);
        if (p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e && p[3] == 0xfa) p += 4;  // endbr64
        ++sampled;
        if (p[0] == 0x55 && p[1] == 0x48 && p[2] == 0x89 && p[3] == 0xe5) ++with_fp;
      }
      if (sampled >= 4) frame_pointers_ = with_fp * 2 >= sampled;
    }
  }
  elf_end(elf);
  close(fd);
  return true;
}

ElfSymbolTable::~ElfSymbolTable() {
  // dwarf_getcfi_elf's result is the caller's to end, before its Elf.
  if (cfi_) dwarf_cfi_end(static_cast<Dwarf_CFI*>(cfi_));
  if (cfi_elf_) elf_end(static_cast<Elf*>(cfi_elf_));
  if (cfi_fd_ >= 0) close(cfi_fd_);
}

std::optional<int64_t> ElfSymbolTable::rsp_cfa_offset(uint64_t vaddr) {
  if (!cfi_tried_) {
    cfi_tried_ = true;
    cfi_fd_ = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (cfi_fd_ >= 0) {
      Elf* elf = elf_begin(cfi_fd_, ELF_C_READ_MMAP, nullptr);
      cfi_elf_ = elf;
      if (elf) cfi_ = dwarf_getcfi_elf(elf);
    }
  }
  if (!cfi_) return std::nullopt;
  Dwarf_Frame* frame = nullptr;
  if (dwarf_cfi_addrframe(static_cast<Dwarf_CFI*>(cfi_), vaddr, &frame) != 0 || !frame) return std::nullopt;
  Dwarf_Op* ops = nullptr;
  size_t nops = 0;
  std::optional<int64_t> out;
  if (dwarf_frame_cfa(frame, &ops, &nops) == 0 && nops == 1) {
    // x86-64 DWARF register 7 is rsp (6 is rbp: a frame pointer in use).
    const Dwarf_Op& op = ops[0];
    if (op.atom == DW_OP_bregx && op.number == 7) out = static_cast<int64_t>(op.number2);
    if (op.atom == DW_OP_breg7) out = static_cast<int64_t>(op.number);
  }
  std::free(frame);
  return out;
}

const ElfSymbol* ElfSymbolTable::find(uint64_t vaddr) const {
  auto it = std::upper_bound(symbols_.begin(), symbols_.end(), vaddr,
                             [](uint64_t a, const ElfSymbol& s) { return a < s.addr; });
  if (it == symbols_.begin()) return nullptr;
  --it;
  // Size 0 (hand-written assembly) is accepted up to the next symbol.
  if (it->size && vaddr >= it->addr + it->size) return nullptr;
  return &*it;
}

std::optional<uint64_t> ElfSymbolTable::file_offset_to_vaddr(uint64_t offset) const {
  for (const auto& s : segments_)
    if (offset >= s.offset && offset < s.offset + s.filesz) return offset - s.offset + s.vaddr;
  return std::nullopt;
}

std::vector<Mapping> parse_proc_maps(const std::string& text) {
  std::vector<Mapping> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    unsigned long long start, end, offset, inode;
    unsigned int maj, min;
    char perms[8];
    int path_pos = 0;
    if (std::sscanf(line.c_str(), "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &offset, &maj, &min, &inode,
                    &path_pos) < 7)
      continue;
    if (inode == 0 || path_pos <= 0 || static_cast<size_t>(path_pos) >= line.size()) continue;
    std::string path = line.substr(static_cast<size_t>(path_pos));
    if (path.empty() || path[0] != '/') continue;
    Mapping m;
    m.start = start;
    m.end = end;
    m.offset = offset;
    m.dev = makedev(maj, min);
    m.inode = static_cast<ino_t>(inode);
    m.path = path;
    out.push_back(std::move(m));
  }
  return out;
}

bool Symbolizer::remember_process(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/maps");
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  auto maps = parse_proc_maps(ss.str());
  if (maps.empty()) return false;  // a zombie has no mappings: keep what we had
  // Open each module now: after the process exits its files may be gone
  // (deleted, replaced), and path lookup by inode is only possible now.
  for (const auto& m : maps) table_for(m);
  processes_[pid] = std::move(maps);
  return true;
}

const std::vector<Mapping>* Symbolizer::mappings(pid_t pid, uint64_t covering) {
  auto covered = [&](const std::vector<Mapping>& maps) {
    if (!covering) return true;
    for (const auto& m : maps)
      if (covering >= m.start && covering < m.end) return true;
    return false;
  };
  auto it = processes_.find(pid);
  if (it != processes_.end() && covered(it->second)) return &it->second;
  if (remember_process(pid) || it != processes_.end()) return &processes_[pid];
  return nullptr;
}

void Symbolizer::set_mappings(pid_t pid, std::vector<Mapping> maps) { processes_[pid] = std::move(maps); }

ElfSymbolTable* Symbolizer::table_for(const Mapping& m) {
  std::unique_ptr<ElfSymbolTable>* slot;
  if (m.inode) {
    slot = &by_inode_[{m.dev, m.inode}];
  } else {
    slot = &by_path_[m.path];
  }
  if (!*slot) {
    // Through /proc/PID/map_files would survive a deleted file; the path is
    // what a report names anyway.
    *slot = ElfSymbolTable::load(m.path);
    if (!*slot) *slot = std::make_unique<ElfSymbolTable>();  // remember the failure
  }
  return slot->get();
}

const Mapping* Symbolizer::find_mapping(pid_t pid, uint64_t addr) {
  auto lookup = [&]() -> const Mapping* {
    auto it = processes_.find(pid);
    if (it == processes_.end()) return nullptr;
    for (const auto& m : it->second)
      if (addr >= m.start && addr < m.end) return &m;
    return nullptr;
  };
  if (const Mapping* m = lookup()) return m;
  // Unknown address: the process may have mapped more since (dlopen). Re-read
  // once per pid per report, if it still lives.
  if (reread_.insert(pid).second && remember_process(pid)) return lookup();
  return nullptr;
}

ResolvedFrame Symbolizer::resolve_user(pid_t pid, uint64_t addr) {
  ResolvedFrame r;
  const Mapping* m = find_mapping(pid, addr);
  if (!m) return r;
  // Names and paths come from the traced program's files: escaped like every
  // other string from it, so no terminal control sequence reaches the output.
  r.module = escape_terminal_controls(m->path);
  const ElfSymbolTable* t = table_for(*m);
  if (!t) return r;
  // Said once per module that appears in a stack, not for every mapped file.
  auto fp = t->has_frame_pointers();
  if (frame_pointer_warnings_ && fp && !*fp && warned_.insert(m->path).second) {
    auto slash = m->path.rfind('/');
    std::string base = slash == std::string::npos ? m->path : m->path.substr(slash + 1);
    warnings_.push_back(base + " has no frame pointers; stacks through it are truncated");
  }
  auto vaddr = t->file_offset_to_vaddr(addr - m->start + m->offset);
  if (!vaddr) return r;
  if (const ElfSymbol* s = t->find(*vaddr)) {
    r.symbol = escape_terminal_controls(s->name);
    r.offset = *vaddr - s->addr;
  }
  return r;
}

void Symbolizer::load_kallsyms() {
  kallsyms_loaded_ = true;
  std::ifstream f(kallsyms_path_);
  std::string line;
  while (std::getline(f, line)) {
    // "ffffffff81000000 T _stext [module]"
    char* end = nullptr;
    uint64_t a = std::strtoull(line.c_str(), &end, 16);
    if (!end || *end != ' ' || a == 0) continue;
    size_t p = static_cast<size_t>(end - line.c_str()) + 1;
    if (p + 2 > line.size()) continue;
    char type = line[p];
    if (type != 't' && type != 'T' && type != 'W' && type != 'w') continue;
    std::string name = line.substr(p + 2);
    auto tab = name.find_first_of("\t ");
    if (tab != std::string::npos) name.resize(tab);
    kallsyms_.emplace_back(a, std::move(name));
  }
  std::stable_sort(kallsyms_.begin(), kallsyms_.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
}

ResolvedFrame Symbolizer::resolve_kernel(uint64_t addr) {
  if (!kallsyms_loaded_) load_kallsyms();
  ResolvedFrame r;
  auto it = std::upper_bound(kallsyms_.begin(), kallsyms_.end(), addr,
                             [](uint64_t a, const auto& e) { return a < e.first; });
  if (it == kallsyms_.begin()) return r;
  --it;
  r.symbol = it->second;
  r.offset = addr - it->first;
  r.module = "kernel";
  return r;
}

namespace {
std::string hex_addr(uint64_t a) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(a));
  return buf;
}
}  // namespace

std::string Symbolizer::user_name(pid_t pid, uint64_t addr, bool show_offset) {
  ResolvedFrame f = resolve_user(pid, addr);
  if (f.symbol.empty()) return hex_addr(addr);
  return show_offset ? f.symbol + "+" + std::to_string(f.offset) : f.symbol;
}

std::string Symbolizer::kernel_name(uint64_t addr, bool show_offset) {
  ResolvedFrame f = resolve_kernel(addr);
  if (f.symbol.empty()) return hex_addr(addr);
  return show_offset ? f.symbol + "+" + std::to_string(f.offset) : f.symbol;
}

std::optional<uint64_t> Symbolizer::frameless_caller_return(pid_t pid, uint64_t ret,
                                                            const std::vector<uint64_t>& above) {
  const Mapping* m = find_mapping(pid, ret);
  if (!m) return std::nullopt;
  ElfSymbolTable* t = table_for(*m);
  if (!t) return std::nullopt;
  auto vaddr = t->file_offset_to_vaddr(ret - m->start + m->offset);
  if (!vaddr) return std::nullopt;
  // The state of the call instruction (ret - 1): rsp there is the probe's
  // sp + 8, and the caller's return address lies at CFA - 8 = sp + N, which
  // is above[(N - 8) / 8] since `above` starts at sp + 8.
  auto n = t->rsp_cfa_offset(*vaddr - 1);
  if (!n || *n < 8 || (*n % 8) != 0) return std::nullopt;
  size_t idx = static_cast<size_t>((*n - 8) / 8);
  if (idx >= above.size()) return std::nullopt;
  uint64_t candidate = above[idx];
  // Only a code address of this process is believed.
  if (!candidate || !find_mapping(pid, candidate)) return std::nullopt;
  return candidate;
}

std::vector<std::string> Symbolizer::take_warnings() {
  std::vector<std::string> out;
  out.swap(warnings_);
  return out;
}

}  // namespace ms::runtime
