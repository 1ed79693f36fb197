// Tracepoint formats: the fields of a kernel tracepoint's record, as the
// kernel describes them in tracefs (events/CATEGORY/NAME/format).
//
// The front end types `args.field` from these at check time, but it must not
// read files itself: the checker asks a ProbeInfoProvider, which the runtime
// implements over tracefs and tests implement over fixtures.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/usdt.h"

namespace ms {

enum class TracepointFieldKind : uint8_t {
  Integer,        // an integer or a pointer (read as an unsigned integer)
  CharArray,      // char name[N]: a NUL-padded string of N bytes in the record
  DataLocString,  // __data_loc char[] name: a u32 (length << 16 | offset) locating a string in the record
};

struct TracepointField {
  std::string name;
  std::string type;  // as the kernel writes it: "unsigned long", "const char *", "char[16]"
  TracepointFieldKind kind = TracepointFieldKind::Integer;
  uint32_t offset = 0;
  uint32_t size = 0;  // Integer: 1, 2, 4 or 8; CharArray: N; DataLocString: 4
  bool is_signed = false;
};

struct TracepointFormat {
  std::string category;
  std::string name;
  std::vector<TracepointField> fields;  // without the common_* header fields

  const TracepointField* find(const std::string& field) const;
};

// Parses the text of a tracefs `format` file. nullopt with `error` set if the
// text has no field lines or a malformed one.
std::optional<TracepointFormat> parse_tracepoint_format(const std::string& category, const std::string& name,
                                                        const std::string& text, std::string& error);

// "int64", "uint32", "string[16]", "string (__data_loc)": for `-lv` listings.
std::string describe(const TracepointField& f);

// The answer to "what is the format of CATEGORY:NAME": a format, or the
// tracepoint definitely does not exist, or it could not be found out (no
// tracefs, no permission: `error` says why).
struct TracepointLookup {
  std::optional<TracepointFormat> format;
  bool missing = false;
  std::string error;
};

// What the checker may ask about the system it compiles for.
class ProbeInfoProvider {
 public:
  virtual ~ProbeInfoProvider() = default;
  virtual TracepointLookup tracepoint_format(const std::string& category, const std::string& name) const = 0;
  // Every tracepoint as "CATEGORY:NAME", sorted (for wildcard expansion);
  // empty with `error` set if they cannot be listed.
  virtual std::vector<std::string> tracepoints(std::string& error) const = 0;
  // The USDT probes of the file that `target` (a usdt: attach point's PATH)
  // names: a path, or a library or program name resolved like uprobe targets
  // (through the traced process's mappings when there is one).
  virtual UsdtLookup usdt_probes(const std::string& target) const {
    UsdtLookup r;
    r.error = "USDT probes cannot be read here";
    return r;
  }
  // For usdt:*:PROVIDER:NAME: the files the traced process maps (its program
  // and libraries), each once; empty with `error` set when there is no
  // target process.
  virtual std::vector<std::string> usdt_objects(std::string& error) const {
    error = "the objects of a process cannot be listed here";
    return {};
  }
};

// Shell-style glob matching with '*', '?' and '[...]', as bpftrace's wildcards.
bool glob_match(const std::string& pattern, const std::string& text);
bool has_wildcard(const std::string& s);

}  // namespace ms
