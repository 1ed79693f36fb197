// Loads compiled objects into the real kernel: the verifier is the judge of
// the generated code. Skips without privilege unless MEMSCRIPT_REQUIRE_BPF=1.
#include <bpf/bpf.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "parser/script_options.h"

#include "codegen_test_support.h"

namespace ms::test {
namespace {

std::string g_libbpf_log;

int capture_libbpf(enum libbpf_print_level level, const char* fmt, va_list ap) {
  char buf[4096];
  vsnprintf(buf, sizeof buf, fmt, ap);
  g_libbpf_log += buf;
  return 0;
}

bool bpf_required() {
  const char* v = std::getenv("MEMSCRIPT_REQUIRE_BPF");
  return v && std::string(v) == "1";
}

#define SKIP_UNLESS_BPF_ALLOWED()                                                               \
  do {                                                                                          \
    if (geteuid() != 0) {                                                                       \
      if (bpf_required()) FAIL() << "MEMSCRIPT_REQUIRE_BPF=1 but not running as root";          \
      GTEST_SKIP() << "loading BPF programs needs root (set MEMSCRIPT_REQUIRE_BPF=1 to insist)"; \
    }                                                                                           \
  } while (0)

void expect_loads(const std::string& script, const CompileOptions& opts = {}) {
  auto c = compile_script(script, opts);
  ASSERT_TRUE(c.result) << c.errors();
  BpfObject obj = open_elf(c.result->elf);
  ASSERT_TRUE(obj);
  g_libbpf_log.clear();
  libbpf_print_fn_t old = libbpf_set_print(capture_libbpf);
  int err = bpf_object__load(obj.get());
  libbpf_set_print(old);
  EXPECT_EQ(err, 0) << "script:\n" << script << "\nlibbpf/verifier log:\n" << g_libbpf_log;
}

TEST(CodegenLoad, CountAndPrintfUprobePassesTheVerifier) {
  SKIP_UNLESS_BPF_ALLOWED();
  expect_loads(
      "uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc /arg0 > 100/ {\n"
      "  @calls[comm] = count();\n"
      "  @bytes[pid, comm] = sum(arg0);\n"
      "  printf(\"%s %d %d\\n\", comm, pid, arg0);\n"
      "}\n");
}

// Every probe kind that can capture a stack: the straight-line hash and
// compare of the stack store, the entry-caller read and the error counters.
TEST(CodegenLoad, StacksPassTheVerifier) {
  SKIP_UNLESS_BPF_ALLOWED();
  expect_loads(
      "uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { @u[ustack] = count(); @p[ustack(perf, 3)] = count();"
      " @k[kstack] = count(); @s[usym(arg0)] = count(); printf(\"%s %s\\n\", ustack(1), ksym(arg0)); }\n"
      "uretprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { @r = ustack(2); }\n"
      "tracepoint:syscalls:sys_enter_getpid { @t[kstack(5), ustack(5)] = count(); }\n"
      "interval:ms:100 { @i[kstack(perf)] = count(); }\n");
}

// Aggregation reads (an unrolled loop over the possible CPUs), len() (a
// bpf_for_each_map_elem callback subprogram) and has_key(), several per probe.
TEST(CodegenLoad, MapQueriesPassTheVerifier) {
  SKIP_UNLESS_BPF_ALLOWED();
  expect_loads(
      "uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc /@n[comm] < 100 && has_key(@sizes, arg0)/ {\n"
      "  @n[comm] = count(); @s = sum(arg0); @mn = min(arg0); @mx = max((int64)arg0);\n"
      "  @sizes[arg0] = 1; @h = hist(arg0);\n"
      "  printf(\"%d %d %d %d %d %d\\n\", @n[comm], @s, @mn, @mx, len(@sizes), len(@n));\n"
      "}\n"
      "END { if (len(@sizes) > 2 && @s > 10) { printf(\"%d\\n\", has_key(@n, \"x\")); } }\n");
}

// On a machine with many possible CPUs the read loop does not unroll; the
// verifier walks it to the bound (512, kMaxCombinedCpus) for each read.
TEST(CodegenLoad, AggregationReadsOnManyCpusPassTheVerifier) {
  SKIP_UNLESS_BPF_ALLOWED();
  expect_loads(
      "uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc {\n"
      "  @n[comm] = count(); @s = sum(arg0); @mn = min(arg0);\n"
      "  if (@n[comm] > 3 && @s > 100) { printf(\"%d %d\\n\", @mn, @n[\"x\"]); }\n"
      "}\n",
      CompileOptions{.possible_cpus = 512});
}

// join() fills a 16 KiB ring-buffer record in place; strftime() is an integer in BPF.
TEST(CodegenLoad, JoinAndStrftimePassTheVerifier) {
  SKIP_UNLESS_BPF_ALLOWED();
  expect_loads(
      "uprobe:/bin/true:main { join(arg1); join(arg1, \", \"); @t[strftime(\"%H\", nsecs)] = strftime(\"%s\", nsecs);"
      " printf(\"%s\\n\", strftime(\"%H:%M:%S.%f\", nsecs)); }\n"
      "tracepoint:syscalls:sys_enter_getpid { join(0) }\n");
}

TEST(CodegenLoad, EveryConstructPassesTheVerifier) {
  SKIP_UNLESS_BPF_ALLOWED();
  expect_loads(
      "BEGIN { @n = count(); @s = sum(5); @mn = min(9); @mx = max(2); @a = avg(10); @k[1, 2] = 3;\n"
      "        @v[pid] = \"hello\"; printf(\"%s %d\\n\", @v[pid], @k[1, 2]); exit(); }\n"
      "uprobe:/bin/true:main, uretprobe:/bin/true:main {\n"
      "  $a = 0 - 7; $b = -2; $u = nsecs;\n"
      "  $name = comm;\n"
      "  @ops[1] = $a + $b * 3 - $a / $b + $a % $b + ($a << 2) + ($a >> 1) + ($u >> 1) + ($u / 7) + ($u % 5);\n"
      "  @ops[2] = ($a & 3) | ($a ^ 5) | ~$a;\n"
      "  @ops[3] = ($a < $b) + ($a <= $b) + ($a > $b) + ($a >= $b) + ($a == $b) + ($a != $b) + ($u < 10);\n"
      "  @ops[4] = ($a > 1 && $b < 0) || !$a;\n"
      "  @ops[5] = $a > 0 ? $a : -$a;\n"
      "  $s = $a > 0 ? \"pos\" : \"neg\";\n"
      "  if ($u == 7) { @names[$name, $s] = cpu; } else if ($a) { delete(@names[$name, $s]); }\n"
      "  if (pid != 1) { exit(); printf(\"unreachable\\n\"); }\n"
      "  @r = @ops[1] + @ops[2] + uid + gid + tid;\n"
      "  print(@r); clear(@ops);\n"
      "}\n"
      "uretprobe:/bin/true:main { @ret = max(retval); @lat = avg(retval); }\n"
      "tracepoint:syscalls:sys_enter_getppid { @t[comm] = count(); }\n"
      "interval:ms:100 { @ticks = count(); }\n"
      "END { print(@t); }\n");
}

TEST(CodegenLoad, TuplesPassTheVerifier) {
  SKIP_UNLESS_BPF_ALLOWED();
  expect_loads(
      "uprobe:/bin/true:main { @p[tid] = (arg0, \"x\", 1); }\n"
      "uretprobe:/bin/true:main { $c = @p[tid]; delete(@p[tid]);\n"
      "  @a[retval] = ($c.0, nsecs, ustack); $o = @a[$c.0];\n"
      "  @b[$o.2] = sum(-$o.0); @w = ($c.1, comm); @w = (\"longer string\", $c.1); print(@w); }\n"
      "END { print_leaks(@a, 5, 1000, \"count\", 1, 2, 0); print_leak_stacks(@b, @b); }\n");
}

// The bundled leak detector, in user mode (its kernel-mode probes need the
// tracepoint formats, which the runtime tests cover).
TEST(CodegenLoad, MemleakScriptPassesTheVerifier) {
  SKIP_UNLESS_BPF_ALLOWED();
  std::ifstream in(std::string(MS_SOURCE_DIR) + "/scripts/memleak.ms");
  std::stringstream text;
  text << in.rdbuf();
  for (std::vector<std::string> words : {std::vector<std::string>{"-p", "1"}, {"-p", "1", "--combined-only", "-t"}}) {
    Diagnostics diags("memleak.ms", text.str());
    auto program = parse(diags);
    ASSERT_TRUE(program) << diags.render();
    auto iface = script_interface(*program, diags, "memleak.ms");
    ASSERT_TRUE(iface) << diags.render();
    auto args = parse_script_args(*iface, words);
    ASSERT_EQ(args.error, "");
    SemanticInfo info;
    ASSERT_TRUE(check(*program, diags, info, args.args)) << diags.render();
    auto result = compile(*program, info, diags, {});
    ASSERT_TRUE(result) << diags.render();
    EXPECT_GE(result->manifest.probes.size(), 25u);
    BpfObject obj = open_elf(result->elf);
    ASSERT_TRUE(obj);
    g_libbpf_log.clear();
    libbpf_print_fn_t old = libbpf_set_print(capture_libbpf);
    int err = bpf_object__load(obj.get());
    libbpf_set_print(old);
    EXPECT_EQ(err, 0) << g_libbpf_log;
  }
}

// The runtime points verifier rejections at script lines through the BTF line
// info; the kernel's own log must quote the script.
TEST(CodegenLoad, VerifierLogQuotesScriptLines) {
  SKIP_UNLESS_BPF_ALLOWED();
  auto c = compile_script("uprobe:/bin/true:main {\n  @calls[comm] = count();\n}\n");
  ASSERT_TRUE(c.result) << c.errors();
  BpfObject obj = open_elf(c.result->elf);
  ASSERT_TRUE(obj);
  bpf_program* prog = bpf_object__find_program_by_name(obj.get(), "p0_main");
  ASSERT_NE(prog, nullptr);
  std::vector<char> log(1 << 20);
  ASSERT_EQ(bpf_program__set_log_buf(prog, log.data(), log.size()), 0);
  ASSERT_EQ(bpf_program__set_log_level(prog, 2), 0);
  ASSERT_EQ(bpf_object__load(obj.get()), 0);
  std::string text(log.data());
  EXPECT_NE(text.find("; @calls[comm] = count(); @ test.ms:2"), std::string::npos) << text.substr(0, 4000);
}

}  // namespace
}  // namespace ms::test
