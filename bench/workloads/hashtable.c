// A realistic pattern: build a chained hash table of N entries (a node and a
// key string per entry), look everything up, then tear it down -- except the
// entries whose id is a multiple of LEAK_EVERY, which the buggy teardown forgets.
#include <stdint.h>
#include <string.h>

#include "common.h"

#define LEAK_EVERY 1000

struct entry {
  char *key;
  long id;
  struct entry *next;
};

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ull;
  return h;
}

int main(int argc, char **argv) {
  long n = bench_arg(argc, argv, 1, 50000);
  size_t buckets = 1 << 16;
  struct entry **table = calloc(buckets, sizeof *table);
  char buf[64];
  double t0 = bench_now_ns();
  for (long i = 0; i < n; ++i) {
    struct entry *e = malloc(sizeof *e);
    int len = snprintf(buf, sizeof buf, "key-%ld", i);
    e->key = malloc(len + 1);
    memcpy(e->key, buf, len + 1);
    e->id = i;
    uint64_t b = hash(e->key) & (buckets - 1);
    e->next = table[b];
    table[b] = e;
  }
  long found = 0;
  for (long i = 0; i < n; ++i) {
    snprintf(buf, sizeof buf, "key-%ld", i);
    for (struct entry *e = table[hash(buf) & (buckets - 1)]; e; e = e->next)
      if (strcmp(e->key, buf) == 0) {
        ++found;
        break;
      }
  }
  long leaks = 0, leaked_bytes = 0;
  for (size_t b = 0; b < buckets; ++b) {
    struct entry *e = table[b];
    while (e) {
      struct entry *next = e->next;
      if (e->id % LEAK_EVERY == 0) {
        leaks += 2;
        leaked_bytes += (long)sizeof *e + (long)strlen(e->key) + 1;
      } else {
        free(e->key);
        free(e);
      }
      e = next;
    }
  }
  free(table);
  double t1 = bench_now_ns();
  // ops: malloc+free pairs (two per entry); the lookups are part of the work.
  bench_report("hashtable", 2 * n, t1 - t0, leaks, leaked_bytes);
  return found == n ? 0 : 1;
}
