// Tracepoint records: the tracefs format parser, `args.field` typing through
// an injected ProbeInfoProvider, wildcard expansion, and their diagnostics.
#include <gtest/gtest.h>

#include <map>

#include "common/tracepoint_format.h"
#include "parser/parse.h"

namespace ms {
namespace {

// Trimmed copies of real formats from kernel 6.18.
const char* const kMmapFormat =
    "name: sys_enter_mmap\nID: 174\nformat:\n"
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
    "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
    "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
    "\tfield:unsigned long addr;\toffset:16;\tsize:8;\tsigned:0;\n"
    "\tfield:unsigned long len;\toffset:24;\tsize:8;\tsigned:0;\n\n"
    "print fmt: \"addr: 0x%08lx, len: 0x%08lx\", ((unsigned long)(REC->addr)), ((unsigned long)(REC->len))\n";
const char* const kMunmapFormat =
    "format:\n"
    "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
    "\tfield:unsigned long addr;\toffset:16;\tsize:8;\tsigned:0;\n"
    "\tfield:size_t len;\toffset:24;\tsize:8;\tsigned:0;\n";
const char* const kExecFormat =
    "format:\n"
    "\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
    "\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n";
const char* const kRenameFormat =
    "format:\n"
    "\tfield:pid_t pid;\toffset:8;\tsize:4;\tsigned:1;\n"
    "\tfield:char oldcomm[16];\toffset:12;\tsize:16;\tsigned:0;\n"
    "\tfield:const void * ptr;\toffset:32;\tsize:8;\tsigned:0;\n"
    "\tfield:short oom_score_adj;\toffset:40;\tsize:2;\tsigned:1;\n";
const char* const kOtherLenFormat =
    "format:\n"
    "\tfield:char len[8];\toffset:8;\tsize:8;\tsigned:0;\n";

class FakeProvider : public ProbeInfoProvider {
 public:
  FakeProvider() {
    formats_["syscalls:sys_enter_mmap"] = kMmapFormat;
    formats_["syscalls:sys_enter_munmap"] = kMunmapFormat;
    formats_["syscalls:sys_enter_brk"] = kMunmapFormat;
    formats_["sched:sched_process_exec"] = kExecFormat;
    formats_["task:task_rename"] = kRenameFormat;
    formats_["fake:other_len"] = kOtherLenFormat;
  }
  TracepointLookup tracepoint_format(const std::string& category, const std::string& name) const override {
    ++lookups;
    TracepointLookup r;
    auto it = formats_.find(category + ":" + name);
    if (it == formats_.end()) {
      r.missing = true;
      return r;
    }
    r.format = parse_tracepoint_format(category, name, it->second, r.error);
    return r;
  }
  std::vector<std::string> tracepoints(std::string&) const override {
    std::vector<std::string> out;
    for (const auto& kv : formats_) out.push_back(kv.first);
    return out;
  }
  mutable int lookups = 0;

 private:
  std::map<std::string, std::string> formats_;
};

struct Checked {
  std::unique_ptr<Diagnostics> diags;
  std::unique_ptr<ast::Program> program;
  SemanticInfo info;
  bool ok = false;
};

Checked run_check(const std::string& src, const ProbeInfoProvider* provider) {
  Checked c;
  c.diags = std::make_unique<Diagnostics>("-e", src);
  c.program = parse(*c.diags);
  if (c.program) c.ok = check(*c.program, *c.diags, c.info, provider);
  return c;
}

std::string errors_of(const std::string& src) {
  FakeProvider p;
  return run_check(src, &p).diags->render();
}

TEST(TracepointFormat, ParsesFieldsWithoutCommonHeader) {
  std::string error;
  auto f = parse_tracepoint_format("syscalls", "sys_enter_mmap", kMmapFormat, error);
  ASSERT_TRUE(f) << error;
  ASSERT_EQ(f->fields.size(), 3u);
  EXPECT_EQ(f->fields[0].name, "__syscall_nr");
  EXPECT_EQ(f->fields[0].size, 4u);
  EXPECT_TRUE(f->fields[0].is_signed);
  const TracepointField* len = f->find("len");
  ASSERT_TRUE(len);
  EXPECT_EQ(len->type, "unsigned long");
  EXPECT_EQ(len->offset, 24u);
  EXPECT_EQ(len->size, 8u);
  EXPECT_FALSE(len->is_signed);
  EXPECT_EQ(len->kind, TracepointFieldKind::Integer);
}

TEST(TracepointFormat, StringsPointersAndSmallIntegers) {
  std::string error;
  auto exec = parse_tracepoint_format("sched", "sched_process_exec", kExecFormat, error);
  ASSERT_TRUE(exec) << error;
  EXPECT_EQ(exec->find("filename")->kind, TracepointFieldKind::DataLocString);
  EXPECT_EQ(describe(*exec->find("filename")), "string");
  EXPECT_EQ(describe(*exec->find("pid")), "int32");
  auto rename = parse_tracepoint_format("task", "task_rename", kRenameFormat, error);
  ASSERT_TRUE(rename) << error;
  const TracepointField* comm = rename->find("oldcomm");
  EXPECT_EQ(comm->kind, TracepointFieldKind::CharArray);
  EXPECT_EQ(comm->type, "char[16]");
  EXPECT_EQ(describe(*comm), "string[16]");
  EXPECT_EQ(rename->find("ptr")->type, "const void *");
  EXPECT_EQ(describe(*rename->find("ptr")), "uint64");
  EXPECT_EQ(describe(*rename->find("oom_score_adj")), "int16");
}

TEST(TracepointFormat, RejectsTextWithoutFields) {
  std::string error;
  EXPECT_FALSE(parse_tracepoint_format("a", "b", "name: b\nID: 1\n", error));
  EXPECT_EQ(error, "no fields in the format of a:b");
  EXPECT_FALSE(parse_tracepoint_format("a", "b", "\tfield:int x\toffset:8;\n", error));
  EXPECT_EQ(error, "malformed field line 'field:int x\toffset:8;'");
}

TEST(TracepointFormat, Glob) {
  EXPECT_TRUE(glob_match("sys_enter_m*", "sys_enter_mmap"));
  EXPECT_FALSE(glob_match("sys_enter_m*", "sys_exit_mmap"));
  EXPECT_TRUE(glob_match("k?em", "kmem"));
  EXPECT_TRUE(has_wildcard("a[bc]"));
  EXPECT_FALSE(has_wildcard("kmalloc"));
}

TEST(TracepointArgs, TypesFromTheFormat) {
  FakeProvider p;
  Checked c = run_check(
      "tracepoint:task:task_rename { @a = args.pid; @b = args->oldcomm; @c = args.ptr; @d = args.oom_score_adj; }\n"
      "tracepoint:sched:sched_process_exec { @e = args.filename; }",
      &p);
  ASSERT_TRUE(c.ok) << c.diags->render();
  EXPECT_EQ(c.info.maps["@a"].value, Type::integer(true));
  EXPECT_EQ(c.info.maps["@b"].value, Type::string(16));
  EXPECT_EQ(c.info.maps["@c"].value, Type::integer(false));
  EXPECT_EQ(c.info.maps["@d"].value, Type::integer(true));
  EXPECT_EQ(c.info.maps["@e"].value, Type::string(kDefaultStringSize));
  EXPECT_EQ(c.info.tracepoint_formats.count("task:task_rename"), 1u);
}

TEST(TracepointArgs, WildcardExpandsInUserSpace) {
  FakeProvider p;
  Checked c = run_check("tracepoint:syscalls:sys_enter_m*map { @[args.len] = count(); }", &p);
  ASSERT_TRUE(c.ok) << c.diags->render();
  const auto& aps = c.program->probes[0]->attach_points;
  ASSERT_EQ(aps.size(), 2u);
  EXPECT_EQ(aps[0].raw, "tracepoint:syscalls:sys_enter_mmap");
  EXPECT_EQ(aps[1].raw, "tracepoint:syscalls:sys_enter_munmap");
  EXPECT_EQ(aps[1].parts, (std::vector<std::string>{"syscalls", "sys_enter_munmap"}));
  EXPECT_EQ(aps[1].loc.column, 1);
  EXPECT_EQ(c.info.maps["@"].key[0], Type::integer(false));
}

TEST(TracepointArgs, Diagnostics) {
  EXPECT_EQ(errors_of("tracepoint:syscalls:sys_enter_mmap { @[args.lenn] = count(); }"),
            "-e:1:40: error: tracepoint syscalls:sys_enter_mmap has no field 'lenn'\n"
            "tracepoint:syscalls:sys_enter_mmap { @[args.lenn] = count(); }\n"
            "                                       ^~~~~~~~~\n"
            "hint: did you mean 'len'?\n");
  EXPECT_EQ(errors_of("tracepoint:syscalls:sys_enter_mmap { @ = args.zzz; }"),
            "-e:1:42: error: tracepoint syscalls:sys_enter_mmap has no field 'zzz'\n"
            "tracepoint:syscalls:sys_enter_mmap { @ = args.zzz; }\n"
            "                                         ^~~~~~~~\n"
            "hint: its fields are: __syscall_nr addr len\n");
  EXPECT_EQ(errors_of("tracepoint:syscalls:sys_enter_mmapp { @ = count(); }"),
            "-e:1:1: error: tracepoint syscalls:sys_enter_mmapp does not exist\n"
            "tracepoint:syscalls:sys_enter_mmapp { @ = count(); }\n"
            "^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "hint: did you mean 'sys_enter_mmap'?\n");
  EXPECT_EQ(errors_of("tracepoint:kmem:* { @ = count(); }"),
            "-e:1:1: error: no tracepoint matches 'kmem:*'\n"
            "tracepoint:kmem:* { @ = count(); }\n"
            "^~~~~~~~~~~~~~~~~\n"
            "hint: list them with: memscript -l 'tracepoint:kmem:*'\n");
  EXPECT_EQ(errors_of("uprobe:/bin/sh:main { @ = args.len; }"),
            "-e:1:27: error: 'args' can only be used in tracepoint probes\n"
            "uprobe:/bin/sh:main { @ = args.len; }\n"
            "                          ^~~~\n"
            "hint: 'uprobe:/bin/sh:main' is a uprobe probe: use arg0, arg1, ...\n");
  EXPECT_EQ(errors_of("tracepoint:task:task_rename { @ = args; }"),
            "-e:1:35: error: 'args' is the tracepoint's record: use one of its fields\n"
            "tracepoint:task:task_rename { @ = args; }\n"
            "                                  ^~~~\n"
            "hint: e.g. args.len\n");
  EXPECT_EQ(errors_of("tracepoint:task:task_rename { @ = pid.x; }"),
            "-e:1:35: error: only tracepoint 'args' has fields\n"
            "tracepoint:task:task_rename { @ = pid.x; }\n"
            "                                  ^~~~~\n"
            "hint: e.g. args.len in a tracepoint probe; a tuple's elements are $t.0, $t.1, ...\n");
  EXPECT_EQ(errors_of("tracepoint:syscalls:sys_enter_mmap,tracepoint:fake:other_len { @ = args.len; }"),
            "-e:1:68: error: field 'len' is string[8] in fake:other_len but uint64 in syscalls:sys_enter_mmap\n"
            "tracepoint:syscalls:sys_enter_mmap,tracepoint:fake:other_len { @ = args.len; }\n"
            "                                                                   ^~~~~~~~\n"
            "hint: use them in separate probes\n");
}

TEST(TracepointArgs, WithoutProviderArgsCannotBeTyped) {
  Checked c = run_check("tracepoint:syscalls:sys_enter_mmap { @ = args.len; }", nullptr);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.diags->render(),
            "-e:1:42: error: the format of tracepoint syscalls:sys_enter_mmap is not available, so args.len cannot "
            "be typed\n"
            "tracepoint:syscalls:sys_enter_mmap { @ = args.len; }\n"
            "                                         ^~~~~~~~\n"
            "hint: memscript reads it from tracefs (/sys/kernel/tracing/events/syscalls/sys_enter_mmap/format), "
            "which needs root\n");
  Checked w = run_check("tracepoint:syscalls:* { @ = count(); }", nullptr);
  EXPECT_EQ(w.diags->render(),
            "-e:1:1: error: cannot expand 'tracepoint:syscalls:*': the list of tracepoints is not available here\n"
            "tracepoint:syscalls:* { @ = count(); }\n"
            "^~~~~~~~~~~~~~~~~~~~~\n");
}

}  // namespace
}  // namespace ms
