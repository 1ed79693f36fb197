// Three mappings of known kinds and sizes (private anonymous, shared
// anonymous, a shared file mapping), one mremap that grows the first, one
// failing mmap, and the unmaps, so mmapsnoop.ms can be checked call by call.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

int main(void) {
  // Page multiples no loader or libc startup mapping uses.
  const size_t anon_len = 11 * PAGE, shared_len = 17 * PAGE, file_len = 5 * PAGE, grown_len = 23 * PAGE;
  char path[] = "/tmp/ms_mapping_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0 || ftruncate(fd, (off_t)file_len) != 0) {
    perror("mapping: temp file");
    return 1;
  }
  unlink(path);
  void *anon = mmap(NULL, anon_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  void *shared = mmap(NULL, shared_len, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  void *file = mmap(NULL, file_len, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED, fd, 0);
  // A length of 0 is always EINVAL: the failed call to report.
  void *bad = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int bad_errno = bad == MAP_FAILED ? errno : 0;
  void *grown = mremap(anon, anon_len, grown_len, MREMAP_MAYMOVE);
  if (anon == MAP_FAILED || shared == MAP_FAILED || file == MAP_FAILED || grown == MAP_FAILED) {
    perror("mapping: mmap");
    return 1;
  }
  munmap(grown, grown_len);
  munmap(shared, shared_len);
  munmap(file, file_len);
  close(fd);
  printf("truth: anon_len=%zu anon_addr=0x%lx shared_len=%zu shared_addr=0x%lx file_len=%zu file_addr=0x%lx "
         "file_fd=%d grown_len=%zu grown_addr=0x%lx bad_errno=%d maps=3 munmaps=3 mremaps=1 pid=%d\n",
         anon_len, (unsigned long)anon, shared_len, (unsigned long)shared, file_len, (unsigned long)file, fd,
         grown_len, (unsigned long)grown, bad_errno, (int)getpid());
  return 0;
}
