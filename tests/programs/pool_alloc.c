// Ground truth for a user's own allocator script (scripts/examples/pool_leak.ms):
// a pool allocator inside the executable, `void *pool_get(struct pool *, size_t)`
// and `void pool_put(struct pool *, void *)`, leaking known objects from two
// call sites (make_session, make_buffer) among get/put churn (churn_objects).
// Probe them as uprobe:<dir>/pool_alloc:pool_get (arg1 = size, retval = object)
// and uprobe:<dir>/pool_alloc:pool_put (arg1 = object). They are global,
// noinline functions: uprobes find them in .symtab (no -rdynamic needed; the
// test programs are not stripped). The pool never calls malloc: its memory is
// a static array, so a libc tracer sees none of it.
// Usage: pool_alloc [--wait|--wait-start] (modes: leak_common.h).
//
// Truth lines: leak_session_fn / _bytes / _count / _size, leak_buffer_fn / ...,
// total_leaked_bytes / total_leaked_count, churn_pairs (put back: not leaks),
// pool_get_calls and pool_put_calls (every call, for counting probes).
//
// Verified independently of memscript (2026-11-25): the pool's own count of
// objects out (struct pool: live_bytes/live_count) grows by exactly the totals
// over the work; the program checks it and exits 3 otherwise ("check:" line).
#include <stdint.h>

#include "leak_common.h"

struct pool {
  unsigned char *base;
  size_t cap, top;
  void *free_list[64];  // by size / 16 for objects up to 1008 bytes; larger ones are not reused
  size_t live_bytes, live_count;
};

struct obj_hdr {
  size_t size;
  size_t pad;
};

__attribute__((noinline)) void *pool_get(struct pool *pool, size_t size) {
  size_t rounded = (size + 15) & ~(size_t)15;
  size_t bin = rounded / 16;
  void *p;
  if (bin < 64 && pool->free_list[bin]) {
    p = pool->free_list[bin];
    pool->free_list[bin] = *(void **)p;
  } else {
    if (pool->top + sizeof(struct obj_hdr) + rounded > pool->cap) return NULL;
    p = pool->base + pool->top + sizeof(struct obj_hdr);
    pool->top += sizeof(struct obj_hdr) + rounded;
  }
  ((struct obj_hdr *)p)[-1].size = size;
  pool->live_bytes += size;
  pool->live_count += 1;
  return p;
}

__attribute__((noinline)) void pool_put(struct pool *pool, void *p) {
  if (!p) return;
  size_t size = ((struct obj_hdr *)p)[-1].size;
  size_t bin = ((size + 15) & ~(size_t)15) / 16;
  pool->live_bytes -= size;
  pool->live_count -= 1;
  if (bin < 64) {
    *(void **)p = pool->free_list[bin];
    pool->free_list[bin] = p;
  }
}

static _Alignas(16) unsigned char pool_memory[4 << 20];
static struct pool the_pool = {pool_memory, sizeof pool_memory, 0, {0}, 0, 0};

#define SESSION_N 9
#define SESSION_SIZE 200
#define BUFFER_N 4
#define BUFFER_SIZE 3000
#define CHURN 5000

static void *volatile sink;
static long get_calls, put_calls;

__attribute__((noinline)) static void *make_session(void) {
  ++get_calls;
  return pool_get(&the_pool, SESSION_SIZE);
}
__attribute__((noinline)) static void *make_buffer(void) {
  ++get_calls;
  return pool_get(&the_pool, BUFFER_SIZE);
}
__attribute__((noinline)) static void churn_objects(void) {
  for (int i = 0; i < CHURN; ++i) {
    void *p = pool_get(&the_pool, 24 + (size_t)(i * 13) % 900);
    pool_put(&the_pool, p);
    get_calls++, put_calls++;
  }
}

static void work(void) {
  size_t b0 = the_pool.live_bytes, c0 = the_pool.live_count;
  churn_objects();
  for (int i = 0; i < SESSION_N; ++i) sink = make_session();
  for (int i = 0; i < BUFFER_N; ++i) sink = make_buffer();
  churn_objects();
  size_t b = the_pool.live_bytes - b0, c = the_pool.live_count - c0;
  if (b != SESSION_N * SESSION_SIZE + BUFFER_N * BUFFER_SIZE || c != SESSION_N + BUFFER_N || !sink) {
    fprintf(stderr, "pool_alloc: the pool has %zu bytes in %zu objects out\n", b, c);
    exit(3);
  }
  printf("check: the pool has %zu bytes in %zu objects out, as the truth says (%ld get_calls, %ld put_calls)\n", b, c,
         get_calls, put_calls);
}

int main(int argc, char **argv) {
  enum run_mode mode = truth_init(&argc, argv);
  truth("leak_session_fn=make_session leak_session_bytes=%d leak_session_count=%d leak_session_size=%d",
        SESSION_N * SESSION_SIZE, SESSION_N, SESSION_SIZE);
  truth("leak_buffer_fn=make_buffer leak_buffer_bytes=%d leak_buffer_count=%d leak_buffer_size=%d",
        BUFFER_N * BUFFER_SIZE, BUFFER_N, BUFFER_SIZE);
  truth("total_leaked_bytes=%d total_leaked_count=%d churn_pairs=%d pool_get_calls=%d pool_put_calls=%d",
        SESSION_N * SESSION_SIZE + BUFFER_N * BUFFER_SIZE, SESSION_N + BUFFER_N, 2 * CHURN,
        2 * CHURN + SESSION_N + BUFFER_N, 2 * CHURN);
  run_with_mode(mode, work);
  return 0;
}
