// -c: resolving the command before fork, and describing how it ended.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "runtime/target_process.h"

namespace ms::runtime {
namespace {

class RuntimeFindProgram : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ms_runtime_path_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    write_file(dir_ + "/tool", 0755);
    write_file(dir_ + "/data.txt", 0644);
    mkdir((dir_ + "/subdir").c_str(), 0755);
  }
  void TearDown() override {
    unlink((dir_ + "/tool").c_str());
    unlink((dir_ + "/data.txt").c_str());
    rmdir((dir_ + "/subdir").c_str());
    rmdir(dir_.c_str());
  }
  void write_file(const std::string& path, mode_t mode) {
    std::ofstream(path) << "#!/bin/sh\n";
    chmod(path.c_str(), mode);
  }
  std::string dir_;
};

TEST_F(RuntimeFindProgram, FindsInPath) {
  std::string error;
  auto p = find_program("tool", "/nonexistent:" + dir_, error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(*p, dir_ + "/tool");
}

TEST_F(RuntimeFindProgram, NotFound) {
  std::string error;
  EXPECT_FALSE(find_program("no-such-tool-xyz", dir_, error));
  EXPECT_EQ(error, "command not found: no-such-tool-xyz");
}

TEST_F(RuntimeFindProgram, FoundButNotExecutable) {
  std::string error;
  EXPECT_FALSE(find_program("data.txt", dir_, error));
  // root passes access(X_OK) only if some x bit is set, so this holds for root too.
  EXPECT_EQ(error, "cannot execute " + dir_ + "/data.txt: Permission denied");
}

TEST_F(RuntimeFindProgram, PathsWithSlashAreNotSearched) {
  std::string error;
  auto p = find_program(dir_ + "/tool", "", error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(*p, dir_ + "/tool");
  EXPECT_FALSE(find_program(dir_ + "/missing", "/usr/bin", error));
  EXPECT_EQ(error, "cannot execute " + dir_ + "/missing: No such file or directory");
  EXPECT_FALSE(find_program(dir_ + "/subdir", "", error));
  EXPECT_EQ(error, "cannot execute " + dir_ + "/subdir: Is a directory");
  EXPECT_FALSE(find_program("", "", error));
  EXPECT_EQ(error, "empty command");
}

TEST(RuntimeTargetProcess, DescribesWaitStatus) {
  EXPECT_EQ(describe_wait_status("ls", 0), "");
  EXPECT_EQ(describe_wait_status("ls", 2 << 8), "command ls exited with status 2");
  EXPECT_EQ(describe_wait_status("ls", SIGKILL), "command ls was killed by signal 9 (Killed)");
}

TEST(RuntimeTargetProcess, MissingPid) {
  std::string error;
  // Above the kernel's pid_max limit (4194304), so never a live process.
  EXPECT_FALSE(open_existing_process(4194305 + 7, error));
  EXPECT_EQ(error, "process 4194312 does not exist");
  EXPECT_FALSE(open_existing_process(0, error));
  EXPECT_EQ(error, "invalid process id 0");
}

TEST(RuntimeTargetProcess, CommandWaitsUntilReleased) {
  std::string error;
  auto path = find_program("sh", "/usr/bin:/bin", error);
  ASSERT_TRUE(path) << error;
  sigset_t mask;
  sigemptyset(&mask);
  auto cmd = TracedCommand::start(*path, {"sh", "-c", "exit 3"}, mask, error);
  ASSERT_TRUE(cmd) << error;
  // Held: still running after a while.
  usleep(50 * 1000);
  int status;
  EXPECT_EQ(waitpid(cmd->pid(), &status, WNOHANG), 0);
  ASSERT_TRUE(cmd->release(error)) << error;
  EXPECT_EQ(cmd->reap(), "command sh exited with status 3");
}

TEST(RuntimeTargetProcess, UnreleasedCommandNeverRuns) {
  std::string error;
  char marker[] = "/tmp/ms_runtime_marker_XXXXXX";
  int fd = mkstemp(marker);
  ASSERT_GE(fd, 0);
  close(fd);
  unlink(marker);
  sigset_t mask;
  sigemptyset(&mask);
  {
    auto cmd = TracedCommand::start("/usr/bin/touch", {"touch", marker}, mask, error);
    ASSERT_TRUE(cmd) << error;
    usleep(20 * 1000);
    // Destroyed without release: killed and reaped.
  }
  EXPECT_NE(access(marker, F_OK), 0);
}

}  // namespace
}  // namespace ms::runtime
