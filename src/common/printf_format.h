// bpftrace's printf, applied to the bytes of a ring-buffer event.
//
// The format string comes from the user, so it is never handed to snprintf as
// is: it is parsed once into literal text and conversion specs, each spec is
// checked against the supported subset, and only a spec rebuilt from the
// parsed parts reaches snprintf, with an argument of the C type it expects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/manifest.h"

namespace ms {

enum class FormatLength : uint8_t {
  Default,  // int / unsigned int
  Char,     // hh
  Short,    // h
  Long,     // l, ll, j, z, t: 64 bits
};

// One `%...` conversion.
struct FormatSpec {
  std::string flags;       // any of "-+ #0", as written
  int width = -1;          // -1: none
  int precision = -1;      // -1: none
  FormatLength length = FormatLength::Default;
  char conversion = 'd';   // d i u x X o c s p
  std::string text;        // the conversion as written, e.g. "%-5lu"

  bool takes_string() const { return conversion == 's'; }
  bool takes_buffer() const { return conversion == 'r'; }
};

// The format split into pieces: literal text (with "%%" already turned into
// "%") or a conversion.
struct FormatPiece {
  bool is_spec = false;
  std::string literal;
  FormatSpec spec;
};

struct ParsedFormat {
  std::vector<FormatPiece> pieces;
  size_t spec_count() const;
  std::vector<const FormatSpec*> specs() const;
};

// Parses `format`; on an unsupported or malformed conversion returns nullopt
// and sets `error` ("unsupported conversion '%f'").
std::optional<ParsedFormat> parse_printf_format(const std::string& format, std::string& error);

// Renders one spec with an integer or string argument. A string given to an
// integer conversion (or the reverse) is rendered as text with the spec's
// flags and width, so a mismatch can never reach snprintf.
std::string format_integer(const FormatSpec& spec, uint64_t bits, bool is_signed);
std::string format_string(const FormatSpec& spec, const std::string& text);
// %r: printable ASCII as is, every other byte as \xNN (bpftrace's buf() text).
std::string format_buffer(const FormatSpec& spec, const std::string& bytes);
// Reads a buffer field: its length (capped to the field), then the bytes.
bool read_buffer_field(const manifest::Field& field, const uint8_t* data, size_t size, std::string& out);

// Formats an event: `args` describe where each argument lies in `event`.
// Arguments that would lie outside the event are shown as "<bad arg>"; specs
// without an argument are left out.
// Fields that are neither integers nor strings (stacks, symbols) are turned
// into text by `render_other` when given, else shown as their raw number.
using RenderField = std::function<std::string(const manifest::Field&, const uint8_t* event, size_t size)>;
std::string format_event(const ParsedFormat& format, const std::vector<manifest::Field>& args, const uint8_t* event,
                         size_t size, const RenderField* render_other = nullptr);

// Reads an integer field (1, 2, 4 or 8 bytes, little-endian), sign-extending
// signed fields. Returns false if it lies outside `size`.
bool read_integer_field(const manifest::Field& field, const uint8_t* data, size_t size, uint64_t& out);
// Reads a NUL-padded string field, up to its first NUL. The text comes from
// the traced program, so terminal control characters in it are escaped (see
// escape_terminal_controls) before it can reach the operator's terminal.
bool read_string_field(const manifest::Field& field, const uint8_t* data, size_t size, std::string& out);

// Replaces C0 control characters other than tab and newline, and DEL, by
// "\xNN": an ESC, CR or BEL in a traced program's string must not move the
// cursor, rewrite lines or retitle the operator's terminal.
std::string escape_terminal_controls(std::string_view text);

}  // namespace ms
