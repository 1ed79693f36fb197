// Tuples and the leak-report builtins: types and exact diagnostics.
#include "parser_test_support.h"

namespace ms::test {
namespace {

TEST(Tuples, TypesAndLayout) {
  auto c = check_ok(R"(BEGIN { @t[1] = (5, "ab", ustack); $x = @t[1]; @n = $x.0; @s = $x.1; })");
  const Type& t = c.info.maps["@t"].value;
  ASSERT_EQ(t.kind, TypeKind::Tuple);
  EXPECT_EQ(to_string(t), "(int64, string[3], ustack)");
  EXPECT_EQ(t.element_offset(0), 0u);
  EXPECT_EQ(t.element_offset(1), 8u);
  EXPECT_EQ(t.element_offset(2), 16u);
  EXPECT_EQ(t.size, 24u);
  EXPECT_EQ(to_string(c.info.maps["@n"].value), "int64");
  EXPECT_EQ(to_string(c.info.maps["@s"].value), "string[3]");
}

TEST(Tuples, StringElementsWidenAcrossAssignments) {
  auto c = check_ok(R"(BEGIN { @t = (1, "ab"); @t = (-2, "abcdefghijklmnop"); })");
  const Type& t = c.info.maps["@t"].value;
  EXPECT_EQ(to_string(t), "(int64, string[17])");
  EXPECT_EQ(t.size, 32u);
}

TEST(Tuples, Errors) {
  EXPECT_EQ(errors_of("BEGIN { $a = (1, 2); $b = $a.2; }"),
            "-e:1:27: error: tuple (int64, int64) has no element 2\n"
            "BEGIN { $a = (1, 2); $b = $a.2; }\n"
            "                          ^~~~\n"
            "hint: its elements are .0 to .1\n");
  EXPECT_EQ(errors_of("BEGIN { $a = 1; $b = $a.0; }"),
            "-e:1:22: error: .0 selects a tuple element, but this is int64\n"
            "BEGIN { $a = 1; $b = $a.0; }\n"
            "                     ^~~~\n");
  EXPECT_EQ(errors_of("BEGIN { @k[(1, 2)] = 1; }"),
            "-e:1:12: error: a map key must be an integer, a string, a stack or a symbol, not (int64, int64)\n"
            "BEGIN { @k[(1, 2)] = 1; }\n"
            "           ^~~~~~\n");
  EXPECT_EQ(errors_of("BEGIN { @t = (1, (2, 3)); }"),
            "-e:1:18: error: a tuple element must be an integer, a string, a stack or a symbol, not (int64, int64)\n"
            "BEGIN { @t = (1, (2, 3)); }\n"
            "                 ^~~~~~\n");
  EXPECT_EQ(errors_of("BEGIN { $a = (1, 2); $a = (1, \"x\"); }"),
            "-e:1:22: error: type mismatch for $a: assigning (int64, string[2]), but it holds (int64, int64)\n"
            "BEGIN { $a = (1, 2); $a = (1, \"x\"); }\n"
            "                     ^~\n"
            "hint: $a was first assigned at -e:1:9\n");
}

TEST(LeakReportBuiltins, AcceptTheirMapShapesAndConstants) {
  check_ok("uretprobe:libc:malloc { @a[retval] = (1, nsecs, ustack); }\n"
           "END { print_leaks(@a); print_leaks(@a, 5, 1000, \"count\", 1, 4, 0); }");
  check_ok("uretprobe:libc:malloc { @b[ustack] = sum(retval); @n[ustack] = count(); }\n"
           "END { print_leak_stacks(@b, @n, 3, \"size\", 1, 1); }");
}

TEST(LeakReportBuiltins, Errors) {
  EXPECT_EQ(errors_of("uretprobe:libc:malloc { @a[retval] = (1, ustack); } END { print_leaks(@a); }"),
            "-e:1:71: error: print_leaks() needs a map from an address to (size, time, stack), but @a maps "
            "[uint64] to (int64, ustack)\n"
            "uretprobe:libc:malloc { @a[retval] = (1, ustack); } END { print_leaks(@a); }\n"
            "                                                                      ^~\n"
            "hint: e.g. @allocs[retval] = (size, nsecs, ustack)\n");
  EXPECT_EQ(errors_of("uretprobe:libc:malloc { @a[retval] = (1, nsecs, ustack); } END { print_leaks(@a, 3, 0, \"age\"); }"),
            "-e:1:88: error: print_leaks() sort must be \"size\" or \"count\"\n"
            "uretprobe:libc:malloc { @a[retval] = (1, nsecs, ustack); } END { print_leaks(@a, 3, 0, \"age\"); }\n"
            "                                                                                       ^~~~~\n");
  EXPECT_EQ(errors_of("uretprobe:libc:malloc { @a[retval] = (1, nsecs, ustack); } END { print_leaks(@a, pid); }"),
            "-e:1:82: error: print_leaks() top must be a non-negative integer constant\n"
            "uretprobe:libc:malloc { @a[retval] = (1, nsecs, ustack); } END { print_leaks(@a, pid); }\n"
            "                                                                                 ^~~\n"
            "hint: a literal or a script option (opt.NAME)\n");
  EXPECT_EQ(errors_of("uretprobe:libc:malloc { @b[retval] = sum(1); @n[ustack] = count(); } END { print_leak_stacks(@b, @n); }"),
            "-e:1:94: error: print_leak_stacks() needs maps from a stack to sum() or count(), but @b maps [uint64] to sum\n"
            "uretprobe:libc:malloc { @b[retval] = sum(1); @n[ustack] = count(); } END { print_leak_stacks(@b, @n); }\n"
            "                                                                                             ^~\n"
            "hint: e.g. @bytes[ustack] = sum(size)\n");
}

}  // namespace
}  // namespace ms::test
