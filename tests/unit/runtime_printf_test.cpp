// printf of ring-buffer events, pinned against what bpftrace 0.17 prints for
// the same format and arguments (checked by running bpftrace by hand).
#include <gtest/gtest.h>

// GCC 12 reports false -Warray-bounds/-Wrestrict/-Wstringop-overread inside libstdc++'s vector and
// string code when these byte builders are inlined (GCC PR 105651 family).
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wrestrict"
#pragma GCC diagnostic ignored "-Wstringop-overread"

#include <cstring>

#include "common/printf_format.h"

namespace ms::runtime {
namespace {

using manifest::Field;
using manifest::FieldKind;

// Builds an event: 8-byte id, then each argument 8-byte aligned.
struct EventBuilder {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(8, 0);
  std::vector<Field> fields;

  EventBuilder& integer(int64_t v, bool is_signed = true) {
    Field f{FieldKind::Integer, static_cast<uint32_t>(bytes.size()), 8, is_signed};
    bytes.resize(bytes.size() + 8);
    std::memcpy(bytes.data() + f.offset, &v, 8);
    fields.push_back(f);
    return *this;
  }
  EventBuilder& string(const std::string& s, uint32_t size = 16) {
    Field f{FieldKind::String, static_cast<uint32_t>(bytes.size()), size, false};
    bytes.resize(bytes.size() + (size + 7) / 8 * 8, 0);
    for (size_t i = 0; i < s.size() && i < size; ++i) bytes[f.offset + i] = static_cast<uint8_t>(s[i]);
    fields.push_back(f);
    return *this;
  }
};

std::string render(const std::string& format, const EventBuilder& e) {
  std::string error;
  auto parsed = parse_printf_format(format, error);
  EXPECT_TRUE(parsed.has_value()) << error;
  if (!parsed) return "<parse error>";
  return format_event(*parsed, e.fields, e.bytes.data(), e.bytes.size());
}

std::string parse_error(const std::string& format) {
  std::string error;
  auto parsed = parse_printf_format(format, error);
  EXPECT_FALSE(parsed.has_value()) << format;
  return error;
}

TEST(RuntimePrintf, IntegerConversionsTruncateLikeC) {
  // bpftrace: printf("[%d]", -5) -> [-5]; "[%u]", -7 -> [4294967289]
  EXPECT_EQ(render("[%d]", EventBuilder().integer(-5)), "[-5]");
  EXPECT_EQ(render("[%i]", EventBuilder().integer(-6)), "[-6]");
  EXPECT_EQ(render("[%u]", EventBuilder().integer(-7)), "[4294967289]");
  EXPECT_EQ(render("[%ld] [%lu] [%lld] [%llu]",
                   EventBuilder().integer(-8).integer(-9).integer(-10).integer(-11)),
            "[-8] [18446744073709551607] [-10] [18446744073709551605]");
  EXPECT_EQ(render("[%x] [%lx] [%llx] [%X]", EventBuilder().integer(255).integer(-1).integer(4096).integer(255)),
            "[ff] [ffffffffffffffff] [1000] [FF]");
  EXPECT_EQ(render("[%o]", EventBuilder().integer(8)), "[10]");
  EXPECT_EQ(render("[%hd] [%hhd]", EventBuilder().integer(70000).integer(300)), "[4464] [44]");
  EXPECT_EQ(render("[%d]", EventBuilder().integer(0x100000005LL)), "[5]");
  EXPECT_EQ(render("[%ld]", EventBuilder().integer(0x100000005LL)), "[4294967301]");
}

TEST(RuntimePrintf, CharPointerAndString) {
  EXPECT_EQ(render("[%s] [%c]", EventBuilder().string("str").integer(65)), "[str] [A]");
  EXPECT_EQ(render("[%p]", EventBuilder().integer(4096)), "[0x1000]");
  EXPECT_EQ(render("[%-8p]", EventBuilder().integer(16)), "[0x10    ]");
  EXPECT_EQ(render("[%5c]", EventBuilder().integer(66)), "[    B]");
}

TEST(RuntimePrintf, FlagsWidthPrecision) {
  EXPECT_EQ(render("[%-5s] [%5s] [%05d] [%-5d]", EventBuilder().string("ab").string("cd").integer(42).integer(42)),
            "[ab   ] [   cd] [00042] [42   ]");
  EXPECT_EQ(render("[%.2s] [%5.1s]", EventBuilder().string("xyz").string("xyz")), "[xy] [    x]");
  EXPECT_EQ(render("[%.3d]", EventBuilder().integer(7)), "[007]");
  EXPECT_EQ(render("[%+d] [% d] [%#x]", EventBuilder().integer(5).integer(5).integer(255)), "[+5] [ 5] [0xff]");
}

TEST(RuntimePrintf, PercentPercentIsOnePercent) {
  // bpftrace 0.17 prints "%%" literally; C and the lead's tests want one '%'.
  EXPECT_EQ(render("100%% [%d%%]", EventBuilder().integer(3)), "100% [3%]");
}

TEST(RuntimePrintf, PercentInsideAStringArgumentIsLiteral) {
  EXPECT_EQ(render("%s|\n", EventBuilder().string("a%sb%d%n", 16)), "a%sb%d%n|\n");
}

TEST(RuntimePrintf, StringsStopAtNulAndRespectTheirSize) {
  // A field completely filled, without NUL, must not run past its size.
  EventBuilder e;
  e.string("abcdefgh", 8).integer(7);
  EXPECT_EQ(render("%s %d", e), "abcdefgh 7");
}

TEST(RuntimePrintf, MismatchedArgumentsAreRenderedAsText) {
  EXPECT_EQ(render("[%5s]", EventBuilder().integer(-12)), "[  -12]");
  EXPECT_EQ(render("[%-4d]", EventBuilder().string("ab")), "[ab  ]");
}

TEST(RuntimePrintf, ArgumentsOutsideTheEventAreNotRead) {
  EventBuilder e;
  e.integer(1);
  e.fields.push_back({FieldKind::Integer, 64, 8, true});
  EXPECT_EQ(render("%d %d", e), "1 <bad arg>");
}

TEST(RuntimePrintf, MissingArgumentsPrintNothing) {
  EXPECT_EQ(render("a%db%sc", EventBuilder()), "abc");
}

TEST(RuntimePrintf, RejectsUnsupportedSpecs) {
  EXPECT_EQ(parse_error("%n"), "unsupported conversion '%n'");
  EXPECT_EQ(parse_error("x %f"), "unsupported conversion '%f'");
  EXPECT_EQ(parse_error("%*d"), "'*' width is not supported in '%*'");
  EXPECT_EQ(parse_error("abc %"), "incomplete conversion '%' at the end of the format");
  EXPECT_EQ(parse_error("%ls"), "length modifier not allowed in '%ls'");
  EXPECT_EQ(parse_error("%99999d"), "width or precision larger than 4096 in '%99999'");
}

TEST(RuntimePrintf, CountsSpecs) {
  std::string error;
  auto parsed = parse_printf_format("%d %% %s %-5lx", error);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->spec_count(), 3u);
}

TEST(RuntimePrintf, ReadsNarrowSignedFields) {
  uint8_t bytes[8] = {0xfe, 0xff, 0, 0, 0, 0, 0, 0};
  uint64_t v = 0;
  ASSERT_TRUE(read_integer_field({FieldKind::Integer, 0, 2, true}, bytes, sizeof bytes, v));
  EXPECT_EQ(static_cast<int64_t>(v), -2);
  ASSERT_TRUE(read_integer_field({FieldKind::Integer, 0, 2, false}, bytes, sizeof bytes, v));
  EXPECT_EQ(v, 0xfffeu);
  EXPECT_FALSE(read_integer_field({FieldKind::Integer, 4, 8, true}, bytes, sizeof bytes, v));
}

}  // namespace
}  // namespace ms::runtime

namespace {

TEST(RuntimeStrings, TerminalControlsFromTracedProgramsAreEscaped) {
  EXPECT_EQ(ms::escape_terminal_controls("plain text\twith tab\nand newline"), "plain text\twith tab\nand newline");
  EXPECT_EQ(ms::escape_terminal_controls("a\x1b[2Jb\rc\x07\x7f"), "a\\x1b[2Jb\\x0dc\\x07\\x7f");
  EXPECT_EQ(ms::escape_terminal_controls("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 is not a control
  // What every string field read from an event or a map goes through.
  ms::manifest::Field f;
  f.kind = ms::manifest::FieldKind::String;
  f.offset = 0;
  f.size = 8;
  const uint8_t data[8] = {'x', 0x1b, ']', '0', ';', 0, 0, 0};
  std::string out;
  ASSERT_TRUE(ms::read_string_field(f, data, sizeof data, out));
  EXPECT_EQ(out, "x\\x1b]0;");
}

}  // namespace
