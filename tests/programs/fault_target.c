// Ground truth for a traced process that goes away mid-trace (runtime tests
// fault_target_*): it leaks from leak_before(), then, by MODE:
//   exit   returns from main (exit 0);
//   kill   SIGKILLs itself;
//   fork   forks a child that leaks from child_leak() and exits (the parent
//          waits for it, then exits);
//   exec   execs itself as `fault_target after_exec`, which leaks from
//          leak_after_exec() and exits (the first image's blocks go with it).
// Usage: fault_target MODE [--wait-start] (modes of waiting: leak_common.h).
// Truth: before_fn/before_count/before_bytes (the parent's leaks), and per mode
// child_fn/child_count/child_bytes (fork) or after_fn/after_count/after_bytes
// (exec, printed by the new image).
#include <sys/wait.h>

#include "leak_common.h"

#define BEFORE_SIZE 5000
#define BEFORE_COUNT 4
#define CHILD_SIZE 7000
#define CHILD_COUNT 3
#define AFTER_SIZE 9000
#define AFTER_COUNT 2

static void *volatile sink;
static const char *mode_name;
static char *self_path;

__attribute__((noinline)) static void leak_before(void) {
  for (int i = 0; i < BEFORE_COUNT; ++i) {
    sink = malloc(BEFORE_SIZE);
    if (!sink) exit(3);
  }
}

__attribute__((noinline)) static void child_leak(void) {
  for (int i = 0; i < CHILD_COUNT; ++i) {
    sink = malloc(CHILD_SIZE);
    if (!sink) _exit(3);
  }
}

__attribute__((noinline)) static void leak_after_exec(void) {
  for (int i = 0; i < AFTER_COUNT; ++i) {
    sink = malloc(AFTER_SIZE);
    if (!sink) exit(3);
  }
}

static void work(void) {
  leak_before();
  if (strcmp(mode_name, "kill") == 0) {
    printf("done: killing myself\n");
    fflush(stdout);
    raise(SIGKILL);
  } else if (strcmp(mode_name, "fork") == 0) {
    pid_t child = fork();
    if (child == 0) {
      child_leak();
      _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
  } else if (strcmp(mode_name, "exec") == 0) {
    printf("done: exec\n");
    fflush(stdout);
    execl(self_path, self_path, "after_exec", (char *)NULL);
    perror("execl");
    exit(4);
  }
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "after_exec") == 0) {
    setvbuf(stdout, truth_stdout_buffer, _IOLBF, sizeof truth_stdout_buffer);
    leak_after_exec();
    truth("after_pid=%d", (int)getpid());
    return 0;
  }
  enum run_mode mode = truth_init(&argc, argv);
  if (argc != 2 || (strcmp(argv[1], "exit") && strcmp(argv[1], "kill") && strcmp(argv[1], "fork") &&
                    strcmp(argv[1], "exec"))) {
    fprintf(stderr, "usage: fault_target exit|kill|fork|exec [--wait-start]\n");
    return 2;
  }
  mode_name = argv[1];
  self_path = realpath("/proc/self/exe", NULL);
  truth("before_fn=leak_before before_count=%d before_bytes=%d", BEFORE_COUNT, BEFORE_COUNT * BEFORE_SIZE);
  if (strcmp(mode_name, "fork") == 0)
    truth("child_fn=child_leak child_count=%d child_bytes=%d", CHILD_COUNT, CHILD_COUNT * CHILD_SIZE);
  if (strcmp(mode_name, "exec") == 0)
    truth("after_fn=leak_after_exec after_count=%d after_bytes=%d", AFTER_COUNT, AFTER_COUNT * AFTER_SIZE);
  if (mode == RUN_WAIT_START) wait_for_release("start");
  work();
  printf("done: work finished\n");
  return 0;
}
