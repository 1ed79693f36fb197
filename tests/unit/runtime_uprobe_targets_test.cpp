// uprobe target forms: FUNC+OFFSET and raw addresses, library short names,
// function lists with aliases, address -> file offset.
#include <gtest/gtest.h>

#include <unistd.h>

#include <climits>

#include "runtime/elf_symbols.h"
#include "runtime/probe_checks.h"

namespace ms::runtime {
namespace {

extern "C" __attribute__((noinline, used)) int ms_uprobe_targets_test_fn(int x) { return x + 1; }

std::string self_exe() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, n) : std::string();
}

TEST(UprobeFunctionSpec, Forms) {
  auto plain = parse_uprobe_function("malloc");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->name, "malloc");
  EXPECT_EQ(plain->offset, 0u);
  EXPECT_FALSE(plain->is_address);
  auto off = parse_uprobe_function("malloc+0x10");
  ASSERT_TRUE(off);
  EXPECT_EQ(off->name, "malloc");
  EXPECT_EQ(off->offset, 16u);
  auto dec = parse_uprobe_function("f+12");
  ASSERT_TRUE(dec);
  EXPECT_EQ(dec->offset, 12u);
  auto addr = parse_uprobe_function("0x1159");
  ASSERT_TRUE(addr);
  EXPECT_TRUE(addr->is_address);
  EXPECT_EQ(addr->offset, 0x1159u);
  EXPECT_FALSE(parse_uprobe_function("malloc+zz"));
  EXPECT_FALSE(parse_uprobe_function("+4"));
  EXPECT_FALSE(parse_uprobe_function("0xzz"));
  EXPECT_FALSE(parse_uprobe_function(""));
}

TEST(UprobeLibraries, ShortNamesMatchMappedFiles) {
  EXPECT_TRUE(library_matches("libc", "/usr/lib/x86_64-linux-gnu/libc.so.6"));
  EXPECT_TRUE(library_matches("c", "/usr/lib/x86_64-linux-gnu/libc.so.6"));
  EXPECT_TRUE(library_matches("libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6"));
  EXPECT_TRUE(library_matches("c", "/lib/libc-2.31.so"));
  EXPECT_FALSE(library_matches("c", "/usr/lib/x86_64-linux-gnu/libcrypt.so.1"));
  EXPECT_FALSE(library_matches("libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so"));
  EXPECT_FALSE(library_matches("m", "/usr/lib/x86_64-linux-gnu/libc.so.6"));
}

TEST(UprobeLibraries, ProcessMapsWinOverSearchPath) {
  auto own = resolve_binary_for_pid("c", getpid());
  ASSERT_TRUE(own);
  EXPECT_EQ(own->rfind("/proc/" + std::to_string(getpid()) + "/root/", 0), 0u) << *own;
  EXPECT_NE(own->find("libc.so"), std::string::npos) << *own;
  auto by_search = resolve_binary_for_pid("c", 0);
  ASSERT_TRUE(by_search);
  EXPECT_NE(by_search->find("libc.so"), std::string::npos) << *by_search;
}

TEST(UprobeFunctions, ListsAliasesAndKeepsOnePerAddress) {
  auto libc = resolve_binary("libc");
  ASSERT_TRUE(libc);
  std::string error;
  auto all = list_functions(*libc, error);
  ASSERT_TRUE(error.empty()) << error;
  const FunctionSymbol* malloc_sym = nullptr;
  const FunctionSymbol* libc_malloc = nullptr;
  for (const auto& f : all) {
    if (f.name == "malloc") malloc_sym = &f;
    if (f.name == "__libc_malloc") libc_malloc = &f;
  }
  ASSERT_TRUE(malloc_sym && libc_malloc);
  EXPECT_EQ(malloc_sym->address, libc_malloc->address);
  auto unique = one_per_address({*libc_malloc, *malloc_sym});
  ASSERT_EQ(unique.size(), 1u);
  EXPECT_EQ(unique[0].name, "malloc");
}

TEST(UprobeFunctions, FileOffsetOfOwnFunction) {
  std::string error;
  auto fns = list_functions(self_exe(), error);
  ASSERT_TRUE(error.empty()) << error;
  const FunctionSymbol* fn = nullptr;
  for (const auto& f : fns)
    if (f.name == "ms_uprobe_targets_test_fn") fn = &f;
  ASSERT_TRUE(fn);
  auto off = address_to_file_offset(self_exe(), fn->address);
  ASSERT_TRUE(off);
  EXPECT_EQ(*off, fn->file_offset);
  EXPECT_FALSE(address_to_file_offset(self_exe(), 0xffffffffff00ull));
  EXPECT_EQ(ms_uprobe_targets_test_fn(1), 2);
}

}  // namespace
}  // namespace ms::runtime
