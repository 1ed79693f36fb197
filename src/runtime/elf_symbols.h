// Early checks of uprobe targets, so a typo gets a clear message before any
// BPF is loaded. Not a symbolizer: it only answers "is FUNC a function in this
// ELF file".
#pragma once

#include <cstdint>
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

// With a target process: a bare library name ("libc", "c", "libc.so.6")
// names the library that process has mapped (from /proc/PID/maps), so the
// probe goes on the copy it actually runs (a container's, a private build's).
// Falls back to resolve_binary when the process maps no such library.
std::optional<std::string> resolve_binary_for_pid(const std::string& target, int pid);

// Whether mapped file `path` is the library a short `target` names:
// "libc", "c" and "libc.so.6" all name /usr/lib/x86_64-linux-gnu/libc.so.6.
bool library_matches(const std::string& target, const std::string& path);

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

// A function defined in an ELF file, with where uprobes put it.
struct FunctionSymbol {
  std::string name;  // without a symbol version
  uint64_t address = 0;
  uint64_t file_offset = 0;  // what the kernel's uprobe API takes
  bool indirect = false;     // GNU IFUNC resolver
  std::string demangled;     // C++: "ns::Class::method(int)"; empty for C names
  uint64_t size = 0;         // st_size: the function's length in bytes (0 if unknown)
};

// Whether `wanted` (as written in a probe, a glob allowed) names `f`: its
// symbol name, or for C++ its demangled name, with or without the parameter
// list ("ns::Class::method(int)" or "ns::Class::method").
bool function_matches(const std::string& wanted, const FunctionSymbol& f);
inline bool is_cplusplus_name(const std::string& s) {
  return s.find("::") != std::string::npos || s.find('(') != std::string::npos;
}

// Every function defined in .symtab and .dynsym of `path` (a stripped binary
// still has .dynsym), every alias included, sorted by name. Empty with `error`
// set if the file cannot be read.
std::vector<FunctionSymbol> list_functions(const std::string& path, std::string& error);

// One function per address: aliases (malloc, __libc_malloc, __malloc) share
// one, and a probe there must fire once, under the public name.
std::vector<FunctionSymbol> one_per_address(const std::vector<FunctionSymbol>& functions);

// The file offset of virtual address `addr` in `path` (through its PT_LOAD
// segments); nullopt if no segment maps it.
std::optional<uint64_t> address_to_file_offset(const std::string& path, uint64_t addr);

}  // namespace ms::runtime
