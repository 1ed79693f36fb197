// Finding and reading the script file named on the command line.
//
// memscript usually runs as root and runs whatever the script says, so the
// file is as sensitive as a root-owned program: it is looked up only where
// the operator put it, and a file that someone else could have changed is
// refused instead of run.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ms {

struct ScriptFile {
  std::string path;  // as found, for messages (`memleak.ms`, `/usr/share/.../memleak.ms`)
  std::string text;
};

struct ScriptLookup {
  // Where a bare name (no '/') is looked up after the current directory: the
  // installed scripts directory, then the source tree's scripts/ of a build
  // that is not installed.
  std::vector<std::string> script_dirs;
  // Running as root: refuse files writable by group or others, and files in a
  // directory anyone may write to without the sticky bit.
  bool as_root = false;
};

// NAME with a '/' is a path, read as is. A bare NAME resolves in the current
// directory (unless anyone may write to it) and then in `script_dirs`, also
// as NAME.ms. On failure returns nullopt and a one-line reason in `error`.
std::optional<ScriptFile> load_script(const std::string& name, const ScriptLookup& lookup, std::string& error);

}  // namespace ms
