// ustack(dwarf) / ustack(auto) in the manifest and the ELF, and if-branches
// the options decide.
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "codegen_test_support.h"

namespace ms::test {
namespace {

TEST(CodegenStackSnapshots, SnapshotEventAndMaps) {
  CompileOptions opts;
  opts.stack_snapshot_bytes = 4096;
  auto c = compile_script("uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { @[ustack(dwarf, 5)] = count(); }", opts);
  ASSERT_TRUE(c.result) << c.errors();
  const auto& m = c.result->manifest;
  ASSERT_GE(m.stack_snapshot_event, 0);
  const auto& e = m.events[static_cast<size_t>(m.stack_snapshot_event)];
  EXPECT_EQ(e.kind, manifest::EventKind::StackSnapshot);
  EXPECT_EQ(e.size, manifest::kSnapshotStackOffset + 4096);
  EXPECT_EQ(m.stack_snapshot_bytes, 4096u);
  EXPECT_TRUE(m.stack_auto_elf_name.empty());
  BpfObject obj = open_elf(c.result->elf);
  ASSERT_TRUE(obj);
  bpf_map* seq = bpf_object__find_map_by_name(obj.get(), m.stack_snapshot_seq_elf_name.c_str());
  ASSERT_TRUE(seq);
  EXPECT_EQ(bpf_map__type(seq), BPF_MAP_TYPE_ARRAY);
  // The errors counter holds the dropped-snapshot reason.
  bpf_map* errors = bpf_object__find_map_by_name(obj.get(), m.stack_errors_elf_name.c_str());
  ASSERT_TRUE(errors);
  EXPECT_EQ(bpf_map__max_entries(errors), static_cast<uint32_t>(manifest::StackError::Count));
  const manifest::MapDesc* at = m.find_map("@");
  ASSERT_TRUE(at);
  ASSERT_EQ(at->key.size(), 1u);
  EXPECT_EQ(at->key[0].kind, manifest::FieldKind::UserStack);
  EXPECT_EQ(at->key[0].stack_limit, 5u);
}

TEST(CodegenStackSnapshots, AutoHasItsFlagAndBothCaptures) {
  auto c = compile_script("uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { @[ustack(auto)] = count(); }");
  ASSERT_TRUE(c.result) << c.errors();
  const auto& m = c.result->manifest;
  EXPECT_EQ(m.stack_auto_elf_name, "stack_auto");
  EXPECT_GE(m.stack_snapshot_event, 0);
  EXPECT_FALSE(m.stacks_elf_name.empty());
  BpfObject obj = open_elf(c.result->elf);
  ASSERT_TRUE(obj);
  bpf_map* flag = bpf_object__find_map_by_name(obj.get(), m.stack_auto_elf_name.c_str());
  ASSERT_TRUE(flag);
  EXPECT_EQ(bpf_map__type(flag), BPF_MAP_TYPE_ARRAY);
}

TEST(CodegenStackSnapshots, PlainUstackHasNoSnapshots) {
  auto c = compile_script("uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { @[ustack] = count(); }");
  ASSERT_TRUE(c.result) << c.errors();
  EXPECT_EQ(c.result->manifest.stack_snapshot_event, -1);
  EXPECT_TRUE(c.result->manifest.stack_auto_elf_name.empty());
}

TEST(CodegenStackSnapshots, ConstantIfCompilesOnlyTheBranchTaken) {
  // After folding, `if ("fp" == "dwarf")` is `if (0)`: no snapshot code.
  auto c = compile_script(
      "uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { if (\"fp\" == \"dwarf\") { $s = ustack(dwarf); } else { $s = "
      "ustack; } @[$s] = count(); }");
  ASSERT_TRUE(c.result) << c.errors();
  EXPECT_EQ(c.result->manifest.stack_snapshot_event, -1);
  EXPECT_FALSE(c.result->manifest.stacks_elf_name.empty());
}

}  // namespace
}  // namespace ms::test
