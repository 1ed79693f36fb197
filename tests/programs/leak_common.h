// Shared by the leak_* ground-truth programs (memleak.ms tests): truth lines,
// and the ways a program stays alive for a tracer.
//
// Run modes (same flags in every leak_* program; other arguments are positional):
//   (default)     print the truth, do the work once, exit 0. For `-c` tests: the
//                 tracer holds the child before execve until its probes are
//                 attached, so every allocation of the work is seen.
//   --wait        do the work, then block until released (see below) and exit 0,
//                 so interval reports can be read while the leaks are alive.
//   --wait-start  block until released, do the work, block until released
//                 again, exit 0. For `-p` tests: a tracer attached by pid only
//                 sees allocations made after it attached, so the test attaches,
//                 releases the program (SIGUSR1) and reads the report.
//   --ack         with --wait-start: once the work is done, send SIGUSR2 to the
//                 process whose SIGUSR1 started it, so it knows when to read the
//                 report without sleeping (tests/runtime/trace_released.sh).
// Released by: SIGUSR1, or a line / end of file on stdin when stdin is a pipe or
// a socket (never when it is /dev/null or a terminal, so a program started with
// stdin from /dev/null does not return at once). SIGUSR1 is blocked from the
// very start, so a signal sent early is kept pending, never lost or fatal.
// Before blocking, a program prints `waiting: ...`; the truth lines are all
// printed before the first `waiting:` line (a harness can read up to it).
#pragma once
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

enum run_mode { RUN_ONCE, RUN_WAIT, RUN_WAIT_START };
static int ack_start;  // --ack

// stdio takes its buffer from malloc on the first printf; that block would be an
// outstanding allocation that is in no truth line. A static buffer avoids it.
static char truth_stdout_buffer[1 << 16];

// Call first thing in main (before any thread): sets stdout up, blocks SIGUSR1
// (threads inherit the mask), strips the mode flags from argv and prints the pid.
static enum run_mode truth_init(int *argc, char **argv) {
  setvbuf(stdout, truth_stdout_buffer, _IOLBF, sizeof truth_stdout_buffer);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  enum run_mode mode = RUN_ONCE;
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    if (strcmp(argv[i], "--wait") == 0)
      mode = RUN_WAIT;
    else if (strcmp(argv[i], "--wait-start") == 0)
      mode = RUN_WAIT_START;
    else if (strcmp(argv[i], "--ack") == 0)
      ack_start = 1;
    else
      argv[out++] = argv[i];
  }
  argv[out] = NULL;
  *argc = out;
  printf("truth: pid=%d\n", (int)getpid());
  return mode;
}

__attribute__((format(printf, 1, 2))) static void truth(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("truth: ", stdout);
  vprintf(fmt, ap);
  va_end(ap);
  fputc('\n', stdout);
  fflush(stdout);
}

static int stdin_can_release(void) {
  struct stat st;
  return fstat(0, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

// Blocks until SIGUSR1 or stdin (pipe/socket only) has a line or hits EOF.
// Returns the pid that sent the signal, 0 when stdin released it.
static pid_t wait_for_release(const char *what) {
  pid_t sender = 0;
  printf("waiting: %s (SIGUSR1%s continues)\n", what, stdin_can_release() ? " or a line on stdin" : "");
  fflush(stdout);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0) {
    perror("signalfd");
    exit(2);
  }
  struct pollfd fds[2] = {{sfd, POLLIN, 0}, {0, POLLIN, 0}};
  int nfds = stdin_can_release() ? 2 : 1;
  for (;;) {
    int n = poll(fds, nfds, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      perror("poll");
      exit(2);
    }
    if (fds[0].revents) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) == sizeof si) sender = (pid_t)si.ssi_pid;
      break;
    }
    if (nfds > 1 && fds[1].revents) {
      // Consume one line (or EOF); read() byte by byte keeps stdio out of it.
      char c;
      while (read(0, &c, 1) == 1 && c != '\n') {
      }
      break;
    }
  }
  close(sfd);
  return sender;
}

// The work of a program, wrapped in the waits its mode asks for.
static void run_with_mode(enum run_mode mode, void (*work)(void)) {
  pid_t starter = mode == RUN_WAIT_START ? wait_for_release("start") : 0;
  work();
  printf("done: work finished\n");
  fflush(stdout);
  if (ack_start && starter > 0) kill(starter, SIGUSR2);
  if (mode != RUN_ONCE) wait_for_release("exit");
}
