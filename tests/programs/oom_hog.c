// Runs a child in a fresh memory cgroup limited to 32 MiB without swap and
// lets it touch memory until the kernel's OOM killer kills it, so oomkill.ms
// and reclaim.ms have real events to report. The parent reports how the child
// ended and always removes the cgroup. cgroup v2 (memory.max) or v1
// (memory.limit_in_bytes), whichever this machine mounts.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIMIT (32L << 20)

static int write_file(const char *dir, const char *name, const char *value) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  int ok = fputs(value, f) >= 0;
  return (fclose(f) == 0 && ok) ? 0 : -1;
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

int main(void) {
  char dir[256];
  int v2 = exists("/sys/fs/cgroup/cgroup.controllers");
  snprintf(dir, sizeof dir, "%s/ms_oom_hog_%d", v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory", (int)getpid());
  if (mkdir(dir, 0755) != 0) {
    fprintf(stderr, "oom_hog: mkdir %s: %s\n", dir, strerror(errno));
    return 1;
  }
  char limit[32];
  snprintf(limit, sizeof limit, "%ld", LIMIT);
  int rc = v2 ? write_file(dir, "memory.max", limit) : write_file(dir, "memory.limit_in_bytes", limit);
  if (rc == 0) {
    // No swap to escape to (absent knobs are fine: no swap configured).
    if (v2) write_file(dir, "memory.swap.max", "0");
    else write_file(dir, "memory.memsw.limit_in_bytes", limit);
  }
  if (rc != 0) {
    fprintf(stderr, "oom_hog: cannot limit %s: %s\n", dir, strerror(errno));
    rmdir(dir);
    return 1;
  }
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    char me[32];
    snprintf(me, sizeof me, "%d", (int)getpid());
    if (write_file(dir, "cgroup.procs", me) != 0) _exit(3);
    // Four times the limit, touched page by page: the kernel must kill us.
    size_t len = 4 * LIMIT;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) _exit(4);
    for (size_t off = 0; off < len; off += 4096) p[off] = 1;
    _exit(5);  // not killed: the limit did not hold
  }
  int status = 0;
  waitpid(child, &status, 0);
  // The killed child's memory is uncharged by now; an empty cgroup can go.
  for (int i = 0; i < 50 && rmdir(dir) != 0; ++i) usleep(100000);
  int killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  printf("truth: victim_pid=%d victim_comm=oom_hog killed=%d limit=%ld cgroup_removed=%d\n", (int)child, killed,
         LIMIT, !exists(dir));
  return killed ? 0 : 1;
}
