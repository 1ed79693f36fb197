// Early checks of probe targets: ELF symbols, binary resolution, privileges.
#include <gtest/gtest.h>

#include <unistd.h>

#include <climits>

#include "runtime/elf_symbols.h"
#include "runtime/privileges.h"
#include "runtime/probe_checks.h"

extern "C" __attribute__((noinline, used)) int ms_runtime_test_probe_target(int x) { return x + 1; }

namespace ms::runtime {
namespace {

std::string self_exe() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

TEST(RuntimeElfSymbols, FindsFunctionsInSymtab) {
  EXPECT_EQ(check_function(self_exe(), "ms_runtime_test_probe_target"), SymbolCheck::Found);
  EXPECT_EQ(check_function(self_exe(), "ms_runtime_no_such_function"), SymbolCheck::NoSuchFunction);
}

TEST(RuntimeElfSymbols, FindsVersionedDynamicSymbols) {
  auto libc = resolve_binary("libc.so.6");
  ASSERT_TRUE(libc);
  EXPECT_EQ(check_function(*libc, "malloc"), SymbolCheck::Found);
  EXPECT_EQ(check_function(*libc, "malloc@GLIBC_2.2.5"), SymbolCheck::Found);
  // The symbol of an IFUNC is its resolver: refused with its own reason.
  EXPECT_EQ(check_function(*libc, "strlen"), SymbolCheck::IndirectFunction);
  // A data object is not a function.
  EXPECT_EQ(check_function(*libc, "environ"), SymbolCheck::NoSuchFunction);
}

TEST(RuntimeElfSymbols, MissingAndNotElf) {
  std::string detail;
  EXPECT_EQ(check_function("/no/such/binary", "main", &detail), SymbolCheck::FileMissing);
  EXPECT_EQ(detail, "No such file or directory");
  EXPECT_EQ(check_function("/etc/passwd", "main"), SymbolCheck::NotElf);
}

TEST(RuntimeElfSymbols, ResolvesBareNames) {
  std::vector<std::string> libs = {"/nonexistent", "/lib/x86_64-linux-gnu"};
  std::vector<std::string> bins = {"/nonexistent", "/bin"};
  EXPECT_EQ(resolve_binary_in("libc.so.6", libs, bins), std::optional<std::string>("/lib/x86_64-linux-gnu/libc.so.6"));
  EXPECT_EQ(resolve_binary_in("sh", libs, bins), std::optional<std::string>("/bin/sh"));
  // bpftrace-style short library names.
  EXPECT_EQ(resolve_binary_in("libc", libs, bins), std::optional<std::string>("/lib/x86_64-linux-gnu/libc.so.6"));
  EXPECT_EQ(resolve_binary_in("libm", libs, bins), std::optional<std::string>("/lib/x86_64-linux-gnu/libm.so.6"));
  EXPECT_FALSE(resolve_binary_in("libnosuchthing", libs, bins));
  EXPECT_EQ(resolve_binary_in("/any/path", libs, bins), std::optional<std::string>("/any/path"));
  EXPECT_FALSE(resolve_binary_in("libnothere.so.1", libs, bins));
  EXPECT_FALSE(resolve_binary_in("", libs, bins));
}

TEST(RuntimeProbeChecks, ReportsEachBadProbeWithItsLocation) {
  manifest::Manifest m;
  m.source_file = "-e";
  manifest::ProbeDesc missing;
  missing.type = manifest::ProbeType::Uprobe;
  missing.target = "/no/such/binary";
  missing.func = "malloc";
  missing.display = "uprobe:/no/such/binary:malloc";
  missing.line = 1;
  missing.column = 1;
  manifest::ProbeDesc nofunc = missing;
  nofunc.target = self_exe();
  nofunc.func = "ms_runtime_nope";
  nofunc.display = "uprobe:x:ms_runtime_nope";
  nofunc.line = 2;
  nofunc.column = 3;
  manifest::ProbeDesc good = nofunc;
  good.func = "ms_runtime_test_probe_target";
  manifest::ProbeDesc notelf = missing;
  notelf.target = "/etc/passwd";
  notelf.type = manifest::ProbeType::Uretprobe;
  m.probes = {missing, nofunc, good, notelf};
  std::string source = "uprobe:/no/such/binary:malloc { }\n  uprobe:x:ms_runtime_nope { }";
  std::vector<std::string> resolved;
  auto problems = check_probes(m, source, resolved);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].message,
            "-e:1:1: error: cannot open /no/such/binary: No such file or directory\n"
            "uprobe:/no/such/binary:malloc { }\n"
            "^~~~~~~~~~~~~~~~~~~~~~~~~~~~~");
  EXPECT_EQ(problems[1].message, "-e:2:3: error: function 'ms_runtime_nope' not found in " + self_exe() +
                                     "\n  uprobe:x:ms_runtime_nope { }\n  ^~~~~~~~~~~~~~~~~~~~~~~~");
  EXPECT_EQ(problems[2].message,
            "-e:1:1: error: /etc/passwd is not an ELF file\n"
            "uprobe:/no/such/binary:malloc { }\n"
            "^~~~~~~~~~~~~~~~~~~~~~~~~~~~~");
  EXPECT_TRUE(problems[0].is_script_error);
  ASSERT_EQ(resolved.size(), 4u);
  EXPECT_EQ(resolved[2], self_exe());
  EXPECT_EQ(resolved[0], "");
}

TEST(RuntimePrivileges, NeedsBpfAndPerfmonOrSysAdmin) {
  constexpr uint32_t kSysAdmin = 1u << 21;
  constexpr uint32_t kPerfmon = 1u << (38 - 32);
  constexpr uint32_t kBpf = 1u << (39 - 32);
  EXPECT_FALSE(check_capability_bits(kSysAdmin, 0));
  EXPECT_FALSE(check_capability_bits(0, kBpf | kPerfmon));
  EXPECT_EQ(check_capability_bits(0, kBpf).value_or(""),
            "memscript needs CAP_PERFMON (or CAP_SYS_ADMIN) to load and attach BPF programs; run it as root");
  EXPECT_EQ(check_capability_bits(0, kPerfmon).value_or(""),
            "memscript needs CAP_BPF (or CAP_SYS_ADMIN) to load and attach BPF programs; run it as root");
  EXPECT_EQ(check_capability_bits(0, 0).value_or(""),
            "memscript needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) to load and attach BPF programs; run it as "
            "root");
}

}  // namespace
}  // namespace ms::runtime
