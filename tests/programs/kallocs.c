// Creates a known number of eventfds: each one is one kmalloc of the
// kernel's eventfd context, by comm, for kmem.ms.
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define EVENTFDS 40

int main(void) {
  int fds[EVENTFDS];
  for (int i = 0; i < EVENTFDS; ++i) fds[i] = eventfd(0, 0);
  for (int i = 0; i < EVENTFDS; ++i) close(fds[i]);
  printf("truth: eventfds=%d\n", EVENTFDS);
  return 0;
}
