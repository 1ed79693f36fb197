#include "common/script_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ms {
namespace {

std::string octal_mode(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

bool writable_by_anyone(const struct stat& st) { return (st.st_mode & S_IWOTH) != 0; }

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// As root: the file and the directory holding it (after symlinks) must be
// changeable only by their owner (a sticky directory counts: others cannot
// replace files they do not own in it).
bool safe_for_root(const std::string& shown, const struct stat& st, std::string& error) {
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    error = "refusing to run '" + shown + "' as root: it is writable by " +
            std::string((st.st_mode & S_IWOTH) ? "anyone" : "its group") + " (mode " + octal_mode(st.st_mode) +
            "); make it writable only by its owner (chmod go-w " + shown + ")";
    return false;
  }
  char real[PATH_MAX];
  if (!::realpath(shown.c_str(), real)) {
    error = "cannot resolve '" + shown + "': " + std::strerror(errno);
    return false;
  }
  std::string dir = parent_of(real);
  struct stat dst;
  if (::stat(dir.c_str(), &dst) != 0) {
    error = "cannot check the directory of '" + shown + "': " + std::strerror(errno);
    return false;
  }
  if (writable_by_anyone(dst) && !(dst.st_mode & S_ISVTX)) {
    error = "refusing to run '" + shown + "' as root: it is in " + dir +
            ", a directory anyone can write to (mode " + octal_mode(dst.st_mode) +
            "), so anyone could have replaced it; move it somewhere only root can change";
    return false;
  }
  return true;
}

std::optional<ScriptFile> read_checked(const std::string& path, const ScriptLookup& lookup, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    error = "cannot read script '" + path + "': " + std::strerror(errno);
    return std::nullopt;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    error = "cannot read script '" + path + "': " + std::strerror(errno);
    ::close(fd);
    return std::nullopt;
  }
  // The checks look at what was opened, not at a name that could be swapped since.
  if (!S_ISREG(st.st_mode)) {
    error = "cannot read script '" + path + "': " + (S_ISDIR(st.st_mode) ? "it is a directory" : "it is not a regular file");
    ::close(fd);
    return std::nullopt;
  }
  if (lookup.as_root && !safe_for_root(path, st, error)) {
    ::close(fd);
    return std::nullopt;
  }
  ScriptFile f;
  f.path = path;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = "cannot read script '" + path + "': " + std::strerror(errno);
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    f.text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return f;
}

}  // namespace

std::optional<ScriptFile> load_script(const std::string& name, const ScriptLookup& lookup, std::string& error) {
  if (name.find('/') != std::string::npos) return read_checked(name, lookup, error);

  std::vector<std::string> names = {name};
  if (name.size() < 3 || name.compare(name.size() - 3, 3, ".ms") != 0) names.push_back(name + ".ms");

  // The current directory first, like bpftrace, but never one anyone may
  // write to (/tmp): a bare name must not pick up a file someone planted.
  struct stat cwd;
  bool cwd_open = ::stat(".", &cwd) == 0 && writable_by_anyone(cwd);
  for (const auto& n : names) {
    if (!exists(n)) continue;
    if (cwd_open) {
      error = "not looking up '" + name + "' in the current directory: anyone can write to it; give a path (./" + n +
              ") to run that file";
      return std::nullopt;
    }
    return read_checked(n, lookup, error);
  }
  std::string looked = cwd_open ? "" : "the current directory";
  for (const auto& dir : lookup.script_dirs) {
    struct stat dst;
    if (dir.empty() || ::stat(dir.c_str(), &dst) != 0 || !S_ISDIR(dst.st_mode)) continue;
    if (writable_by_anyone(dst)) continue;  // never a source of scripts, even sticky
    looked += (looked.empty() ? "" : ", ") + dir;
    for (const auto& n : names) {
      std::string path = dir + "/" + n;
      if (exists(path)) return read_checked(path, lookup, error);
    }
  }
  error = "cannot find script '" + name + "' (looked in " + (looked.empty() ? "no directory" : looked) + ")";
  return std::nullopt;
}

}  // namespace ms
