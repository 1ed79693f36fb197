// `let @x = hash(N);` / `lruhash(N)`: parsing and exact diagnostics.
#include "parser_test_support.h"

namespace ms::test {
namespace {

TEST(MapDecls, ParsedBeforeTheProbes) {
  auto c = check_ok("let @a = hash(16);\nlet @b = lruhash(1000);\nBEGIN { @a[1] = 1; @b[2] = 2; }");
  const auto& decls = c.program->map_decls;
  ASSERT_EQ(decls.size(), 2u);
  EXPECT_EQ(decls[0].map, "@a");
  EXPECT_EQ(decls[0].entries, 16u);
  EXPECT_FALSE(decls[0].lru);
  EXPECT_EQ(decls[1].map, "@b");
  EXPECT_EQ(decls[1].entries, 1000u);
  EXPECT_TRUE(decls[1].lru);
  EXPECT_EQ(c.program->probes.size(), 1u);
  auto t = check_ok("let @p = taskstorage;\nBEGIN { @p[tid] = 1; }");
  ASSERT_EQ(t.program->map_decls.size(), 1u);
  EXPECT_TRUE(t.program->map_decls[0].task_storage);
}

TEST(MapDecls, Diagnostics) {
  EXPECT_EQ(errors_of("let @a = hush(3); BEGIN { @a[1] = 1; }"),
            "-e:1:10: error: unknown map kind 'hush'\n"
            "let @a = hush(3); BEGIN { @a[1] = 1; }\n"
            "         ^~~~\n"
            "hint: a map is declared as hash(ENTRIES), lruhash(ENTRIES) or taskstorage (aggregations are per-CPU by themselves)\n");
  EXPECT_EQ(errors_of("let @a = hash; BEGIN { @a[1] = 1; }"),
            "-e:1:10: error: a hash map needs its size\n"
            "let @a = hash; BEGIN { @a[1] = 1; }\n"
            "         ^~~~\n"
            "hint: declare hash(ENTRIES), lruhash(ENTRIES) or taskstorage\n");
  EXPECT_EQ(errors_of("let @a = hash(0); BEGIN { @a[1] = 1; }"),
            "-e:1:15: error: a map holds from 1 to 67108864 entries, not 0\n"
            "let @a = hash(0); BEGIN { @a[1] = 1; }\n"
            "              ^\n");
  EXPECT_EQ(errors_of("let @a = hash(2); let @a = hash(3); BEGIN { @a[1] = 1; }"),
            "-e:1:23: error: map @a is declared twice\n"
            "let @a = hash(2); let @a = hash(3); BEGIN { @a[1] = 1; }\n"
            "                      ^~\n");
  EXPECT_EQ(errors_of("BEGIN { @a[1] = 1; }\nlet @a = hash(2);"),
            "-e:2:1: error: map declarations must come before the probes\n"
            "let @a = hash(2);\n"
            "^~~\n"
            "hint: move it to the top of the script\n");
}

}  // namespace
}  // namespace ms::test
