#include "runtime/target_process.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace ms::runtime {

namespace {

bool is_executable_file(const std::string& path, int& err) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    err = errno;
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    err = EISDIR;
    return false;
  }
  if (!S_ISREG(st.st_mode) || access(path.c_str(), X_OK) != 0) {
    err = EACCES;
    return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> find_program(const std::string& name, const std::string& path_env, std::string& error) {
  if (name.empty()) {
    error = "empty command";
    return std::nullopt;
  }
  int err = 0;
  if (name.find('/') != std::string::npos) {
    if (is_executable_file(name, err)) return name;
    error = "cannot execute " + name + ": " + std::strerror(err);
    return std::nullopt;
  }
  std::string dirs = path_env.empty() ? "/usr/local/bin:/usr/bin:/bin" : path_env;
  int first_error = 0;
  std::string first_path;
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = end > start ? dirs.substr(start, end - start) : ".";  // empty entry: cwd, as execvp
    std::string candidate = dir + "/" + name;
    if (is_executable_file(candidate, err)) return candidate;
    if (err != ENOENT && err != ENOTDIR && first_error == 0) {
      first_error = err;
      first_path = candidate;
    }
    start = end + 1;
  }
  if (first_error) {
    error = "cannot execute " + first_path + ": " + std::strerror(first_error);
  } else {
    error = "command not found: " + name;
  }
  return std::nullopt;
}

int open_pidfd(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

std::optional<int> open_existing_process(pid_t pid, std::string& error) {
  if (pid <= 0) {
    error = "invalid process id " + std::to_string(pid);
    return std::nullopt;
  }
  int fd = open_pidfd(pid);
  if (fd < 0) {
    if (errno == ESRCH)
      error = "process " + std::to_string(pid) + " does not exist";
    else
      error = "cannot watch process " + std::to_string(pid) + ": " + std::strerror(errno);
    return std::nullopt;
  }
  return fd;
}

std::optional<CommandUser> lookup_user(const std::string& user, std::string& error) {
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found);
  if (!found && !user.empty() && user.find_first_not_of("0123456789") == std::string::npos)
    getpwuid_r(static_cast<uid_t>(std::strtoul(user.c_str(), nullptr, 10)), &pw, buf.data(), buf.size(), &found);
  if (!found) {
    error = "unknown user '" + user + "'";
    return std::nullopt;
  }
  CommandUser u;
  u.uid = found->pw_uid;
  u.gid = found->pw_gid;
  int n = 64;
  u.groups.resize(n);
  if (getgrouplist(found->pw_name, found->pw_gid, u.groups.data(), &n) < 0) {
    u.groups.resize(n);
    getgrouplist(found->pw_name, found->pw_gid, u.groups.data(), &n);
  }
  u.groups.resize(std::max(n, 0));
  return u;
}

std::optional<TracedCommand> TracedCommand::start(const std::string& path, const std::vector<std::string>& argv,
                                                  const sigset_t& child_mask, std::string& error,
                                                  const CommandUser* user, const std::vector<std::string>& env) {
  if (argv.empty()) {
    error = "empty command";
    return std::nullopt;
  }
  // Built before fork: the child only calls async-signal-safe functions.
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  // The environment: ours, with `env` (NAME=VALUE) replacing same-named entries.
  std::vector<char*> cenv;
  for (char** e = environ; *e; ++e) {
    bool replaced = false;
    for (const auto& kv : env) {
      const size_t eq = kv.find('=');
      if (std::strncmp(*e, kv.c_str(), eq + 1) == 0) replaced = true;
    }
    if (!replaced) cenv.push_back(*e);
  }
  for (const auto& kv : env) cenv.push_back(const_cast<char*>(kv.c_str()));
  cenv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    error = std::string("creating a pipe for the command: ") + std::strerror(errno);
    return std::nullopt;
  }
  pid_t pid = fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return std::nullopt;
  }
  if (pid == 0) {
    close(fds[1]);
    char go = 0;
    ssize_t n;
    do {
      n = read(fds[0], &go, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) _exit(127);  // memscript went away before releasing us
    close(fds[0]);
    if (user && (setgroups(user->groups.size(), user->groups.data()) != 0 || setgid(user->gid) != 0 ||
                 setuid(user->uid) != 0)) {
      const char* msg = "memscript: cannot switch the command to the user given with -u\n";
      (void)!write(2, msg, strlen(msg));
      _exit(127);
    }
    sigprocmask(SIG_SETMASK, &child_mask, nullptr);
    execve(path.c_str(), cargv.data(), cenv.data());
    const char* msg = "memscript: execve failed: ";
    (void)!write(2, msg, strlen(msg));
    const char* why = strerror(errno);
    (void)!write(2, why, strlen(why));
    (void)!write(2, "\n", 1);
    _exit(127);
  }
  close(fds[0]);
  TracedCommand cmd;
  cmd.pid_ = pid;
  cmd.release_fd_ = fds[1];
  cmd.name_ = argv[0];
  cmd.pidfd_ = open_pidfd(pid);
  if (cmd.pidfd_ < 0) {
    error = std::string("pidfd_open: ") + std::strerror(errno);
    return std::nullopt;  // the destructor kills and reaps the child
  }
  return cmd;
}

TracedCommand::TracedCommand(TracedCommand&& o) noexcept
    : pid_(o.pid_), pidfd_(o.pidfd_), release_fd_(o.release_fd_), reaped_(o.reaped_), name_(std::move(o.name_)) {
  o.pid_ = -1;
  o.pidfd_ = -1;
  o.release_fd_ = -1;
  o.reaped_ = true;
}

TracedCommand::~TracedCommand() {
  if (pid_ > 0 && !reaped_) kill_and_reap();
  if (pidfd_ >= 0) close(pidfd_);
  if (release_fd_ >= 0) close(release_fd_);
}

bool TracedCommand::release(std::string& error) {
  char go = 1;
  ssize_t n;
  do {
    n = write(release_fd_, &go, 1);
  } while (n < 0 && errno == EINTR);
  close(release_fd_);
  release_fd_ = -1;
  if (n != 1) {
    error = "starting command " + name_ + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

void TracedCommand::kill_and_reap() {
  if (pid_ <= 0 || reaped_) return;
  kill(pid_, SIGKILL);
  int status;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

std::string TracedCommand::reap() {
  if (pid_ <= 0 || reaped_) return {};
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  reaped_ = true;
  if (r < 0) return {};
  return describe_wait_status(name_, status);
}

bool TracedCommand::stop_at_exit() {
  if (pid_ <= 0 || reaped_) return false;
  // SEIZE does not stop the child; EXITKILL: if memscript dies, so does it.
  // TRACEEXEC: an exec by the thread group leader (the thread traced here).
  traced_ = ptrace(PTRACE_SEIZE, pid_, nullptr, PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL) == 0;
  return traced_;
}

bool TracedCommand::next_stop(int& status_event) {
  if (!traced_ || reaped_) return false;
  siginfo_t si{};
  // WSTOPPED without WEXITED: reports ptrace stops, never reaps the exit.
  if (waitid(P_PID, static_cast<id_t>(pid_), &si, WSTOPPED | WNOHANG) != 0 || si.si_pid != pid_) return false;
  if (si.si_code != CLD_TRAPPED && si.si_code != CLD_STOPPED) return false;
  const int st = si.si_status;
  if ((st >> 8) == PTRACE_EVENT_EXIT) {
    status_event = kExitEvent;
  } else if ((st >> 8) == PTRACE_EVENT_EXEC) {
    status_event = kExecEvent;
  } else if ((st >> 8) != 0) {
    status_event = 0;  // another ptrace event (group stop): nothing to deliver
  } else {
    status_event = st & 0x7f;  // a signal the command should still receive
  }
  return true;
}

void TracedCommand::resume(int status_event) {
  ptrace(PTRACE_CONT, pid_, nullptr, reinterpret_cast<void*>(static_cast<intptr_t>(status_event > 0 ? status_event : 0)));
}

std::string describe_wait_status(const std::string& name, int status) {
  if (WIFEXITED(status)) {
    if (WEXITSTATUS(status) == 0) return {};
    return "command " + name + " exited with status " + std::to_string(WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* desc = strsignal(sig);
    return "command " + name + " was killed by signal " + std::to_string(sig) + (desc ? std::string(" (") + desc + ")" : "");
  }
  return {};
}

}  // namespace ms::runtime
