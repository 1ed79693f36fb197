// Reading USDT probes from ELF notes with bcc's USDT API (libbcc).
//
// libbcc links LLVM 14 and memscript links LLVM 19 statically (and exports
// its symbols for the BEGIN/END triggers), so libbcc is never linked: it is
// dlopen()ed with RTLD_DEEPBIND on the first USDT probe, so its LLVM resolves
// to its own libLLVM-14 and never meets ours, and scripts without USDT probes
// never load it. This interface carries no bcc or LLVM type.
#pragma once

#include <optional>
#include <string>

#include "common/usdt.h"

namespace ms::usdt {

// False in AddressSanitizer builds, which cannot load libbcc safely (see
// usdt_reader.cpp): read_probes then reports why.
bool available_in_this_build();

// The probes of ELF file `path` (locations and argument specs as bcc decodes
// them; UsdtLocation::file_offset is left 0 for the caller, which knows the
// file's segments). An empty list with no error: the file has no USDT notes.
UsdtLookup read_probes(const std::string& path);

// bcc's decoding of one argument (struct bcc_usdt_argument, field by field:
// `valid` is its BCC_USDT_ARGUMENT_* mask) as an UsdtArgument; nullopt with
// `error` set for what memscript cannot read (an unknown register, a size
// other than 1, 2, 4 or 8).
std::optional<UsdtArgument> argument_from_bcc(int size, int valid, long long constant, int deref_offset,
                                              const char* deref_ident, const char* base_register,
                                              const char* index_register, int scale, std::string& error);

}  // namespace ms::usdt
