// Early checks of uprobe targets, so a typo gets a clear message before any
// BPF is loaded. Not a symbolizer: it only answers "is FUNC a function in this
// ELF file".
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ms::runtime {

// Resolves a uprobe target as written to a file path: a path containing '/'
// is taken as is; a bare library name ("libc.so.6") is searched in
// LD_LIBRARY_PATH and the system library directories, and a short one
// ("libc") matches the first "libc.so*" there; any other bare name is searched
// in PATH. nullopt if nothing is found.
std::optional<std::string> resolve_binary(const std::string& target);

// The same with explicit search lists, for tests.
std::optional<std::string> resolve_binary_in(const std::string& target, const std::vector<std::string>& library_dirs,
                                             const std::vector<std::string>& program_dirs);

enum class SymbolCheck {
  Found,
  FileMissing,   // no such file (or not readable)
  NotElf,
  NoSuchFunction,  // ELF, but no FUNC/IFUNC symbol of that name in .symtab or .dynsym
  IndirectFunction,  // a GNU IFUNC: its symbol is the resolver, not the code that runs
};

// Looks `func` up in .symtab and .dynsym of `path`. Versioned names
// ("malloc@GLIBC_2.2.5", "malloc@@...") match their base name; `func` may
// itself carry a version.
SymbolCheck check_function(const std::string& path, const std::string& func, std::string* detail = nullptr);

}  // namespace ms::runtime
