// The traced process: a command memscript starts (-c) or an existing one (-p).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace ms::runtime {

// Resolves a command name as execvp would: a name with '/' is used as is,
// otherwise the first executable regular file of that name in `path_env`
// (colon-separated; empty means "/usr/local/bin:/usr/bin:/bin"). On failure
// returns nullopt and sets `error` to one line, e.g.
// "command not found: frobnicate" or "cannot execute ./x.txt: Permission denied".
std::optional<std::string> find_program(const std::string& name, const std::string& path_env, std::string& error);

// A pidfd (pidfd_open), or -1 with errno set.
int open_pidfd(pid_t pid);

// An existing process (-p). nullopt and `error` ("process 123 does not exist")
// if there is none.
std::optional<int> open_existing_process(pid_t pid, std::string& error);

// A command started by memscript and held before execve until release():
// the child blocks reading a pipe, so probes are attached before the command
// runs its first instruction. If memscript dies first, the child reads EOF and
// exits with 127 without running the command.
// Who a command runs as (-u USER): resolved before fork, since the child
// may only call async-signal-safe functions.
struct CommandUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups
};

// USER as a name or a numeric uid. nullopt with `error` set if unknown.
std::optional<CommandUser> lookup_user(const std::string& user, std::string& error);

class TracedCommand {
 public:
  // `path` is the resolved program (find_program), `argv[0]` as the user wrote it.
  // `child_mask` is the signal mask the command should start with.
  // With `user`, the child drops to that user's groups, gid and uid (in that
  // order, so it cannot regain root) before execve; failing that, it exits
  // with 127 without running the command. `env` (NAME=VALUE) is added to the
  // command's environment, replacing entries of the same name.
  static std::optional<TracedCommand> start(const std::string& path, const std::vector<std::string>& argv,
                                            const sigset_t& child_mask, std::string& error,
                                            const CommandUser* user = nullptr,
                                            const std::vector<std::string>& env = {});

  TracedCommand(TracedCommand&& other) noexcept;
  TracedCommand& operator=(TracedCommand&&) = delete;
  TracedCommand(const TracedCommand&) = delete;
  ~TracedCommand();  // kills and reaps a child that was never released or reaped

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_; }
  const std::string& name() const { return name_; }

  // Lets the child execve the command.
  bool release(std::string& error);
  // Asks the kernel to stop the command just before it exits, while its
  // memory mappings still exist, and right after each execve, before the new
  // image runs (ptrace PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC; nothing else
  // is traced). Then SIGCHLD arrives and service_stops() runs `at_exit` or
  // `at_exec`. Used to read /proc/PID/maps for symbols, and to handle what
  // the script did at the exec first. False if ptrace is not allowed.
  bool stop_at_exit();
  // Handles every pending ptrace stop of the command without reaping it:
  // the exit stop calls `at_exit(pid)`, an exec stop `at_exec(pid)`; other
  // stops resume with their signal.
  template <typename F, typename G>
  void service_stops(F&& at_exit, G&& at_exec) {
    int status_event = 0;
    while (next_stop(status_event)) {
      if (status_event == kExitEvent) at_exit(pid_);
      if (status_event == kExecEvent) at_exec(pid_);
      resume(status_event);
    }
  }
  // SIGKILL and reap (attach failed, or memscript stops before the command ends).
  void kill_and_reap();
  // Reaps the child once it has exited. Returns "" for a zero exit status,
  // otherwise one line, e.g. "command ls exited with status 2" or
  // "command ls was killed by signal 9 (Killed)".
  std::string reap();

 private:
  TracedCommand() = default;
  static constexpr int kExitEvent = -1;
  static constexpr int kExecEvent = -2;
  bool next_stop(int& status_event);  // status_event: kExitEvent or the signal to deliver
  void resume(int status_event);
  bool traced_ = false;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  int release_fd_ = -1;  // write end of the pipe the child waits on
  bool reaped_ = false;
  std::string name_;
};

// Describes a wait status as reap() does; "" for exit status 0.
std::string describe_wait_status(const std::string& name, int status);

}  // namespace ms::runtime
