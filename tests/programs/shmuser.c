// System V shared memory (get, attach, detach, remove) with a known key and
// size, and a memfd with a known name, for shmsnoop.ms.
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#define KEY 0x5eed
#define SIZE (9 * 4096)

int main(void) {
  int key = KEY + (getpid() & 0xfff) * 0x10000;  // unique per run: tests may run in parallel
  int id = shmget(key, SIZE, IPC_CREAT | IPC_EXCL | 0600);
  if (id < 0) {
    perror("shmuser: shmget");
    return 1;
  }
  void *at = shmat(id, NULL, 0);
  shmdt(at);
  shmctl(id, IPC_RMID, NULL);
  // The name on the stack: a BPF probe cannot fault in a .rodata page that
  // was never touched, and would read an empty string there.
  char name[] = "ms_memfd_test";
  int mfd = memfd_create(name, MFD_CLOEXEC);
  printf("truth: key=0x%x size=%d shmid=%d shm_addr=0x%lx memfd=%d memfd_name=ms_memfd_test\n", key, SIZE, id,
         (unsigned long)at, mfd);
  return 0;
}
