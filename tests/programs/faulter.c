// Touches a known number of fresh anonymous pages in a region aligned to
// 1 MiB, so pagefaults.ms can count the faults of that region exactly
// (transparent huge pages are turned off for it: one fault per page).
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096
#define PAGES 150
#define ALIGN (1UL << 20)

static void touch_pages(volatile char *p, int n) {
  for (int i = 0; i < n; ++i) p[(size_t)i * PAGE] = 1;
}

int main(void) {
  // Over-map and use the first 1 MiB boundary inside, so the region is
  // exactly one 1M bucket of pagefaults.ms --region-size 1M.
  char *raw = mmap(NULL, 2 * ALIGN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) {
    perror("faulter: mmap");
    return 1;
  }
  char *region = (char *)(((uintptr_t)raw + ALIGN - 1) & ~(ALIGN - 1));
  madvise(region, ALIGN, MADV_NOHUGEPAGE);
  touch_pages(region, PAGES);
  printf("truth: faults=%d region=%lu region_hex=0x%lx pid=%d\n", PAGES, (unsigned long)region,
         (unsigned long)region, (int)getpid());
  return 0;
}
