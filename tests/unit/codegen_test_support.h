// Shared by the codegen tests: compile a script through the real front end,
// open the ELF with libbpf without loading it, and read ELF sections.
#pragma once

#include <bpf/libbpf.h>
#include <elf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codegen/codegen.h"
#include "parser/parse.h"

namespace ms::test {

struct Compiled {
  std::unique_ptr<ast::Program> program;
  SemanticInfo info;
  std::unique_ptr<Diagnostics> diags;
  std::optional<CompileResult> result;
  std::string errors() const { return diags->render(); }
};

inline Compiled compile_script(const std::string& text, const CompileOptions& opts = {}) {
  Compiled c;
  c.diags = std::make_unique<Diagnostics>("test.ms", text);
  c.program = parse(*c.diags);
  if (!c.program) return c;
  if (!check(*c.program, *c.diags, c.info)) return c;
  c.result = compile(*c.program, c.info, *c.diags, opts);
  return c;
}

struct BpfObjectDeleter {
  void operator()(bpf_object* o) const { bpf_object__close(o); }
};
using BpfObject = std::unique_ptr<bpf_object, BpfObjectDeleter>;

inline BpfObject open_elf(const std::vector<uint8_t>& elf) {
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "memscript");
  return BpfObject(bpf_object__open_mem(elf.data(), elf.size(), &opts));
}

// The bytes of a named section of a 64-bit little-endian ELF, or nullopt.
inline std::optional<std::string> elf_section(const std::vector<uint8_t>& elf, const std::string& name) {
  if (elf.size() < sizeof(Elf64_Ehdr)) return std::nullopt;
  Elf64_Ehdr eh;
  std::memcpy(&eh, elf.data(), sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_shoff == 0) return std::nullopt;
  auto shdr = [&](size_t i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, elf.data() + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof sh);
    return sh;
  };
  if (eh.e_shoff + eh.e_shnum * sizeof(Elf64_Shdr) > elf.size()) return std::nullopt;
  Elf64_Shdr strtab = shdr(eh.e_shstrndx);
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh = shdr(i);
    const char* sname = reinterpret_cast<const char*>(elf.data() + strtab.sh_offset + sh.sh_name);
    if (name == sname) {
      if (sh.sh_type == SHT_NOBITS || sh.sh_offset + sh.sh_size > elf.size()) return std::string();
      return std::string(reinterpret_cast<const char*>(elf.data() + sh.sh_offset), sh.sh_size);
    }
  }
  return std::nullopt;
}

}  // namespace ms::test
