// Code for reading maps in expressions: an aggregation element is combined
// over every possible CPU (one bpf_map_lookup_percpu_elem each), len() walks
// the map with bpf_for_each_map_elem and a counting subprogram.
#include <regex>

#include "codegen_test_support.h"

namespace ms::test {
namespace {

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

TEST(CodegenMapQueries, AggregationReadVisitsEachPossibleCpu) {
  for (uint32_t cpus : {1u, 2u, 3u}) {
    auto c = compile_script("BEGIN { @n = count(); @m = max(2); printf(\"%d %d\\n\", @n, @m); }",
                            CompileOptions{.want_ir = true, .possible_cpus = cpus});
    ASSERT_TRUE(c.result) << c.errors();
    // Two reads, each one percpu lookup per CPU (LLVM unrolls loops this short fully).
    EXPECT_EQ(count_of(c.result->ir, "call ptr inttoptr (i64 195 to ptr)"), 2 * cpus) << cpus;
    EXPECT_TRUE(open_elf(c.result->elf));
  }
}

TEST(CodegenMapQueries, LenUsesOneCountingSubprogram) {
  auto c = compile_script("BEGIN { @x[1] = 1; @y = 2; printf(\"%d %d\\n\", len(@x), len(@y)); } END { $n = len(@x) }",
                          CompileOptions{.want_ir = true});
  ASSERT_TRUE(c.result) << c.errors();
  EXPECT_EQ(count_of(c.result->ir, "define internal noundef i64 @count_map_elem("), 1u);
  EXPECT_EQ(count_of(c.result->ir, "call i64 inttoptr (i64 164 to ptr)(ptr nonnull @m_x, ptr nonnull @count_map_elem"),
            2u);
  EXPECT_EQ(count_of(c.result->ir, "call i64 inttoptr (i64 164 to ptr)(ptr nonnull @m_y, ptr nonnull @count_map_elem"),
            1u);
  BpfObject obj = open_elf(c.result->elf);
  ASSERT_TRUE(obj);
  // The callback is a subprogram in .text, not a program of its own.
  size_t programs = 0;
  bpf_program* p = nullptr;
  while ((p = bpf_object__next_program(obj.get(), p))) ++programs;
  EXPECT_EQ(programs, c.result->manifest.probes.size());
  EXPECT_TRUE(elf_section(c.result->elf, ".text"));
}

TEST(CodegenMapQueries, HasKeyIsOneLookup) {
  auto c = compile_script("BEGIN { @x[\"k\"] = 1; if (has_key(@x, \"k\")) { exit() } }", CompileOptions{.want_ir = true});
  ASSERT_TRUE(c.result) << c.errors();
  EXPECT_EQ(count_of(c.result->ir, "call ptr inttoptr (i64 1 to ptr)(ptr nonnull @m_x"), 1u);
}

}  // namespace
}  // namespace ms::test
