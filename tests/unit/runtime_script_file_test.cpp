// Script lookup and the checks made before running a script as root
// (src/common/script_file.h). as_root is a parameter, so these run unprivileged too.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/script_file.h"

namespace ms {
namespace {

namespace fs = std::filesystem;

class ScriptFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ms_script_file_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    ::chmod(root_.c_str(), 0755);
    old_cwd_ = fs::current_path();
  }
  void TearDown() override {
    fs::current_path(old_cwd_);
    fs::remove_all(root_);
  }
  std::string dir(const std::string& name, mode_t mode) {
    std::string d = root_ + "/" + name;
    fs::create_directories(d);
    ::chmod(d.c_str(), mode);
    return d;
  }
  std::string file(const std::string& path, mode_t mode, const std::string& text = "BEGIN { exit(); }\n") {
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }
  std::string root_;
  fs::path old_cwd_;
};

TEST_F(ScriptFileTest, PathIsReadAsGiven) {
  std::string p = file(dir("a", 0755) + "/x.ms", 0644, "BEGIN { @x = 1; }\n");
  std::string err;
  auto f = load_script(p, {}, err);
  ASSERT_TRUE(f) << err;
  EXPECT_EQ(f->path, p);
  EXPECT_EQ(f->text, "BEGIN { @x = 1; }\n");
}

TEST_F(ScriptFileTest, BareNameInCurrentDirectoryThenScriptDirs) {
  std::string cwd = dir("cwd", 0755);
  std::string installed = dir("installed", 0755);
  file(installed + "/leak.ms", 0644, "installed\n");
  fs::current_path(cwd);
  ScriptLookup lookup;
  lookup.script_dirs = {installed};
  std::string err;
  auto f = load_script("leak", lookup, err);  // .ms is optional
  ASSERT_TRUE(f) << err;
  EXPECT_EQ(f->path, installed + "/leak.ms");
  EXPECT_EQ(f->text, "installed\n");
  file(cwd + "/leak.ms", 0644, "local\n");  // the current directory wins
  f = load_script("leak.ms", lookup, err);
  ASSERT_TRUE(f) << err;
  EXPECT_EQ(f->path, "leak.ms");
  EXPECT_EQ(f->text, "local\n");
}

TEST_F(ScriptFileTest, MissingNameSaysWhereItLooked) {
  std::string cwd = dir("cwd", 0755);
  std::string installed = dir("installed", 0755);
  std::string open_dir = dir("open", 0777);
  fs::current_path(cwd);
  ScriptLookup lookup;
  lookup.script_dirs = {installed, open_dir, root_ + "/absent"};
  std::string err;
  EXPECT_FALSE(load_script("nope.ms", lookup, err));
  // The world-writable directory is never searched, even with the file there.
  EXPECT_EQ(err, "cannot find script 'nope.ms' (looked in the current directory, " + installed + ")");
  file(open_dir + "/nope.ms", 0644);
  EXPECT_FALSE(load_script("nope.ms", lookup, err));
}

TEST_F(ScriptFileTest, NoBareNameFromAWorldWritableCurrentDirectory) {
  std::string cwd = dir("tmp", 01777);
  file(cwd + "/leak.ms", 0644);
  fs::current_path(cwd);
  std::string err;
  EXPECT_FALSE(load_script("leak.ms", {}, err));
  EXPECT_EQ(err, "not looking up 'leak.ms' in the current directory: anyone can write to it; give a path (./leak.ms) "
                 "to run that file");
  EXPECT_TRUE(load_script("./leak.ms", {}, err)) << err;  // an explicit path is the operator's choice
}

TEST_F(ScriptFileTest, AsRootAFileOthersCanWriteIsRefused) {
  std::string d = dir("a", 0755);
  std::string p = file(d + "/x.ms", 0666);
  ScriptLookup root;
  root.as_root = true;
  std::string err;
  EXPECT_FALSE(load_script(p, root, err));
  EXPECT_EQ(err, "refusing to run '" + p + "' as root: it is writable by anyone (mode 0666); make it writable only by "
                 "its owner (chmod go-w " + p + ")");
  ::chmod(p.c_str(), 0664);
  EXPECT_FALSE(load_script(p, root, err));
  EXPECT_EQ(err, "refusing to run '" + p + "' as root: it is writable by its group (mode 0664); make it writable only "
                 "by its owner (chmod go-w " + p + ")");
  EXPECT_TRUE(load_script(p, {}, err)) << err;  // not as root: the user's own business
  ::chmod(p.c_str(), 0644);
  EXPECT_TRUE(load_script(p, root, err)) << err;
}

TEST_F(ScriptFileTest, AsRootAFileInAnOpenDirectoryIsRefusedUnlessSticky) {
  std::string open_dir = dir("open", 0777);
  std::string p = file(open_dir + "/x.ms", 0644);
  ScriptLookup root;
  root.as_root = true;
  std::string err;
  EXPECT_FALSE(load_script(p, root, err));
  EXPECT_EQ(err, "refusing to run '" + p + "' as root: it is in " + open_dir +
                     ", a directory anyone can write to (mode 0777), so anyone could have replaced it; move it "
                     "somewhere only root can change");
  // Through a symlink from a safe directory: the real directory counts.
  std::string link = dir("safe", 0755) + "/link.ms";
  fs::create_symlink(p, link);
  EXPECT_FALSE(load_script(link, root, err));
  ::chmod(open_dir.c_str(), 01777);  // sticky, like /tmp: only the owner may replace it
  EXPECT_TRUE(load_script(p, root, err)) << err;
}

TEST_F(ScriptFileTest, DirectoriesAndMissingFilesAreNamed) {
  std::string d = dir("a", 0755);
  std::string err;
  EXPECT_FALSE(load_script(d, {}, err));
  EXPECT_EQ(err, "cannot read script '" + d + "': it is a directory");
  EXPECT_FALSE(load_script(d + "/none.ms", {}, err));
  EXPECT_EQ(err, "cannot read script '" + d + "/none.ms': No such file or directory");
  EXPECT_FALSE(load_script("/dev/null", {}, err));
  EXPECT_EQ(err, "cannot read script '/dev/null': it is not a regular file");
}

}  // namespace
}  // namespace ms
