/* libmemscript-agent.so: runs a script's uprobe/uretprobe programs inside a
 * command memscript launched with --in-process (docs/in-process.md).
 *
 * memscript compiles the in-process programs to native code in a second
 * library (LD_PRELOAD=agent:generated) that lists them in
 * `ms_inproc_probes`. This library interposes the allocator functions, builds
 * a fake struct pt_regs around each call and runs the programs before and
 * after the real function; the programs' BPF helper calls land in the
 * ms_rt_helper_* functions below, and their maps live in the shared memory
 * memscript created (ms_shm.h).
 *
 * Rules: no malloc from a hook (only the hooks' own static state, thread-local
 * storage and the shared memory); a per-thread guard sends calls made while a
 * program runs straight to the real function; errno is preserved.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>

#include "ms_shm.h"

#define MS_EXPORT __attribute__((visibility("default")))
#define MS_TLS __attribute__((tls_model("initial-exec"))) __thread

/* struct pt_regs, x86-64 (the offsets the BPF programs read). */
struct ms_regs {
  uint64_t r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

/* ---------------------------------------------------------------- state */

extern const struct ms_inproc_probe ms_inproc_probes[] __attribute__((weak));
extern const int64_t ms_inproc_probe_count __attribute__((weak));

enum { MS_UNINIT = 0, MS_INITING = 1, MS_READY = 2 };
static int g_state;
static struct ms_shm_header* g_shm;
static pid_t g_pid;

#define MS_TASK_AREA 4096
#define MS_SCRATCH_AREA 4096
static uint32_t g_area_offset[MS_SHM_MAX_MAPS]; /* task storage / scratch: offset in the thread's area */
static uint8_t g_area_ok[MS_SHM_MAX_MAPS];

static MS_TLS int t_in_hook;
static MS_TLS pid_t t_tid;
static MS_TLS uint64_t t_rand;
static MS_TLS char t_comm[16];
static MS_TLS uint64_t t_task_area[MS_TASK_AREA / 8];
static MS_TLS uint64_t t_scratch_area[MS_SCRATCH_AREA / 8];
#define MS_PAGE_CACHE 16
static MS_TLS uint64_t t_pages[MS_PAGE_CACHE]; /* pages of this thread's stack known readable */
static MS_TLS unsigned t_page_next;

#define MS_MAX_PROGS 8
#define MS_FUNC_ENUM(name) MS_F_##name,
enum { MS_INPROC_FUNCS(MS_FUNC_ENUM) MS_F_COUNT };
#define MS_FUNC_NAME(name) #name,
static const char* const g_func_names[] = {MS_INPROC_FUNCS(MS_FUNC_NAME)};
struct ms_hook {
  int entries, returns;
  long (*entry[MS_MAX_PROGS])(void*);
  long (*ret[MS_MAX_PROGS])(void*);
};
static struct ms_hook g_hooks[MS_F_COUNT];

/* The real functions. */
static void* (*real_malloc)(size_t);
static void (*real_free)(void*);
static void* (*real_calloc)(size_t, size_t);
static void* (*real_realloc)(void*, size_t);
static int (*real_posix_memalign)(void**, size_t, size_t);
static void* (*real_aligned_alloc)(size_t, size_t);
static void* (*real_memalign)(size_t, size_t);
static void* (*real_valloc)(size_t);
static void* (*real_pvalloc)(size_t);
static void* (*real_reallocarray)(void*, size_t, size_t);
static void* (*real_mmap)(void*, size_t, int, int, int, off_t);
static int (*real_munmap)(void*, size_t);
static void* (*real_mremap)(void*, size_t, size_t, int, void*);

/* dlsym may allocate (dlerror state) before the real allocator is known:
 * those requests are served from here and never freed. */
static char g_boot[65536] __attribute__((aligned(64)));
static size_t g_boot_used;
static int is_boot(const void* p) { return (const char*)p >= g_boot && (const char*)p < g_boot + sizeof g_boot; }
static void* boot_alloc(size_t n) {
  size_t at = __atomic_fetch_add(&g_boot_used, (n + 63) & ~(size_t)63, __ATOMIC_RELAXED);
  if (at + n > sizeof g_boot) return 0;
  return g_boot + at;
}

static void ms_fatal(const char* what) {
  static const char prefix[] = "memscript agent: ";
  ssize_t rc = write(2, prefix, sizeof prefix - 1);
  rc = write(2, what, strlen(what));
  rc = write(2, "\n", 1);
  (void)rc;
}

static void load_shm(void) {
  const char* fd_text = getenv(MS_SHM_ENV_FD);
  if (!fd_text) return;
  int fd = atoi(fd_text);
  struct ms_shm_header head;
  if (pread(fd, &head, sizeof head, 0) != (ssize_t)sizeof head || head.magic != MS_SHM_MAGIC) {
    ms_fatal("cannot read the shared maps; in-process probes are off");
    return;
  }
  void* p = real_mmap ? real_mmap(0, head.total_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
                      : mmap(0, head.total_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    ms_fatal("cannot map the shared maps; in-process probes are off");
    return;
  }
  close(fd); /* the mapping stays; the command's own fds are as they were */
  unsetenv(MS_SHM_ENV_FD);
  g_shm = (struct ms_shm_header*)p;
  uint32_t task = 0, scratch = 0;
  for (uint32_t i = 0; i < g_shm->map_count; ++i) {
    const struct ms_shm_map* m = &g_shm->maps[i];
    uint32_t* used = m->type == MS_SHM_TASK ? &task : m->type == MS_SHM_SCRATCH ? &scratch : 0;
    if (!used) continue;
    uint32_t limit = m->type == MS_SHM_TASK ? MS_TASK_AREA : MS_SCRATCH_AREA;
    uint32_t size = (uint32_t)ms_align8(m->value_size);
    if (*used + size > limit) continue; /* stays unusable: lookups return NULL */
    g_area_offset[i] = *used;
    g_area_ok[i] = 1;
    *used += size;
  }
}

static void add_programs(void) {
  if (!&ms_inproc_probe_count || !ms_inproc_probes) return;
  for (int64_t i = 0; i < ms_inproc_probe_count; ++i) {
    const struct ms_inproc_probe* p = &ms_inproc_probes[i];
    for (int f = 0; f < MS_F_COUNT; ++f) {
      if (strcmp(p->func, g_func_names[f]) != 0) continue;
      struct ms_hook* h = &g_hooks[f];
      if (p->is_return && h->returns < MS_MAX_PROGS) h->ret[h->returns++] = p->prog;
      if (!p->is_return && h->entries < MS_MAX_PROGS) h->entry[h->entries++] = p->prog;
    }
  }
}

static void ms_init(void) {
  if (__atomic_load_n(&g_state, __ATOMIC_ACQUIRE) != MS_UNINIT) return;
  int expected = MS_UNINIT;
  if (!__atomic_compare_exchange_n(&g_state, &expected, MS_INITING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return;
  int saved = errno;
  t_in_hook = 1;
  *(void**)&real_malloc = dlsym(RTLD_NEXT, "malloc");
  *(void**)&real_free = dlsym(RTLD_NEXT, "free");
  *(void**)&real_calloc = dlsym(RTLD_NEXT, "calloc");
  *(void**)&real_realloc = dlsym(RTLD_NEXT, "realloc");
  *(void**)&real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
  *(void**)&real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
  *(void**)&real_memalign = dlsym(RTLD_NEXT, "memalign");
  *(void**)&real_valloc = dlsym(RTLD_NEXT, "valloc");
  *(void**)&real_pvalloc = dlsym(RTLD_NEXT, "pvalloc");
  *(void**)&real_reallocarray = dlsym(RTLD_NEXT, "reallocarray");
  *(void**)&real_mmap = dlsym(RTLD_NEXT, "mmap");
  *(void**)&real_munmap = dlsym(RTLD_NEXT, "munmap");
  *(void**)&real_mremap = dlsym(RTLD_NEXT, "mremap");
  g_pid = (pid_t)syscall(SYS_getpid);
  load_shm();
  if (g_shm) add_programs();
  t_in_hook = 0;
  errno = saved;
  __atomic_store_n(&g_state, MS_READY, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void ms_agent_start(void) { ms_init(); }

/* A forked child is not the traced process (the kernel mode's uprobes are
 * limited to the command's pid too): its hooks go straight through. */
enum { MS_OFF = 3 };
static void after_fork_child(void) {
  g_pid = (pid_t)syscall(SYS_getpid);
  t_tid = 0;
  __atomic_store_n(&g_state, MS_OFF, __ATOMIC_RELEASE);
}
__attribute__((constructor)) static void ms_agent_atfork(void) { pthread_atfork(0, 0, after_fork_child); }

/* ---------------------------------------------------------------- memory reads */

/* Reads that cannot fault: a page is first checked with process_vm_readv on
 * ourselves (which fails instead of faulting) and then remembered, if it is
 * near the thread's stack pointer (stack pages stay mapped while the thread
 * lives); anything else is read through process_vm_readv. */
static int page_known(uint64_t page) {
  for (unsigned i = 0; i < MS_PAGE_CACHE; ++i)
    if (t_pages[i] == page) return 1;
  return 0;
}

static int read_via_kernel(void* dst, const void* src, size_t n) {
  struct iovec local = {dst, n}, remote = {(void*)src, n};
  int saved = errno;
  ssize_t rc = syscall(SYS_process_vm_readv, g_pid, &local, 1UL, &remote, 1UL, 0UL);
  errno = saved;
  return rc == (ssize_t)n ? 0 : -14; /* -EFAULT */
}

static long safe_read(void* dst, const void* src, uint64_t n, uint64_t near_sp) {
  const uint64_t a = (uint64_t)src, first = a & ~4095ULL, last = (a + n - 1) & ~4095ULL;
  if (n == 0) return 0;
  if (a + n < a) return -14;
  if (page_known(first) && page_known(last)) {
    memcpy(dst, src, n);
    return 0;
  }
  /* Like the kernel's non-faulting user reads (copy_from_user_nofault), a
   * page that is not resident is not read: process_vm_readv would fault it
   * in, so garbage frame pointers would reach memory the kernel mode stops at. */
  for (uint64_t pg = first; pg <= last; pg += 4096) {
    unsigned char vec = 0;
    if (page_known(pg)) continue;
    int saved = errno;
    long rc = syscall(SYS_mincore, (void*)pg, 4096UL, &vec);
    errno = saved;
    if (rc != 0 || !(vec & 1)) return -14;
  }
  if (read_via_kernel(dst, src, n) != 0) return -14;
  /* Remember the stack's pages (8 MiB above the stack pointer). */
  if (near_sp && first >= (near_sp & ~4095ULL) && last < near_sp + (8ULL << 20)) {
    for (uint64_t pg = first; pg <= last; pg += 4096) {
      if (page_known(pg)) continue;
      t_pages[t_page_next++ % MS_PAGE_CACHE] = pg;
    }
  }
  return 0;
}

static uint64_t current_sp(void) { return (uint64_t)__builtin_frame_address(0); }

/* ---------------------------------------------------------------- helpers */

static struct ms_shm_map* map_of(void* handle) {
  if (!g_shm) return 0;
  uint64_t i = *(const uint64_t*)handle;
  return i < g_shm->map_count ? &g_shm->maps[i] : 0;
}

MS_EXPORT void* ms_rt_helper_map_lookup_elem(void* map, void* key) {
  struct ms_shm_map* m = map_of(map);
  if (!m) return 0;
  switch (m->type) {
    case MS_SHM_HASH: return ms_hash_lookup(g_shm, m, key);
    case MS_SHM_ARRAY: return ms_array_lookup(g_shm, m, key);
    case MS_SHM_SCRATCH: {
      uint32_t k;
      memcpy(&k, key, 4);
      uint32_t i = (uint32_t)(m - g_shm->maps);
      return k == 0 && g_area_ok[i] ? (uint8_t*)t_scratch_area + g_area_offset[i] : 0;
    }
    default: return 0;
  }
}

MS_EXPORT void* ms_rt_helper_map_lookup_percpu_elem(void* map, void* key, uint64_t cpu) {
  return cpu == 0 ? ms_rt_helper_map_lookup_elem(map, key) : 0;
}

MS_EXPORT long ms_rt_helper_map_update_elem(void* map, void* key, void* value, uint64_t flags) {
  struct ms_shm_map* m = map_of(map);
  if (!m) return -22;
  if (m->type == MS_SHM_HASH) return ms_hash_update(g_shm, m, key, value, flags);
  if (m->type == MS_SHM_ARRAY) return ms_array_update(g_shm, m, key, value, flags);
  return -22;
}

MS_EXPORT long ms_rt_helper_map_delete_elem(void* map, void* key) {
  struct ms_shm_map* m = map_of(map);
  if (!m || m->type != MS_SHM_HASH) return -22;
  return ms_hash_delete(g_shm, m, key);
}

static uint64_t t_task_dummy;
MS_EXPORT void* ms_rt_helper_get_current_task_btf(void) { return &t_task_dummy; }
MS_EXPORT uint64_t ms_rt_helper_get_current_task(void) { return (uint64_t)&t_task_dummy; }

/* A thread's value always exists (zeroed at thread start): reading a missing
 * value and reading zero are the same to the programs, and delete zeroes. */
MS_EXPORT void* ms_rt_helper_task_storage_get(void* map, void* task, void* init, uint64_t flags) {
  (void)task, (void)init, (void)flags;
  struct ms_shm_map* m = map_of(map);
  if (!m || m->type != MS_SHM_TASK) return 0;
  uint32_t i = (uint32_t)(m - g_shm->maps);
  return g_area_ok[i] ? (uint8_t*)t_task_area + g_area_offset[i] : 0;
}

MS_EXPORT uint64_t ms_rt_helper_ktime_get_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

MS_EXPORT uint64_t ms_rt_helper_get_current_pid_tgid(void) {
  if (!t_tid) t_tid = (pid_t)syscall(SYS_gettid);
  return ((uint64_t)(uint32_t)g_pid << 32) | (uint32_t)t_tid;
}

MS_EXPORT uint64_t ms_rt_helper_get_current_uid_gid(void) {
  return ((uint64_t)getgid() << 32) | (uint32_t)getuid();
}

MS_EXPORT uint64_t ms_rt_helper_get_smp_processor_id(void) { return 0; }

MS_EXPORT uint64_t ms_rt_helper_get_prandom_u32(void) {
  if (!t_rand) t_rand = ms_rt_helper_ktime_get_ns() ^ ((uint64_t)ms_rt_helper_get_current_pid_tgid() << 17) ^ 1;
  t_rand ^= t_rand << 13;
  t_rand ^= t_rand >> 7;
  t_rand ^= t_rand << 17;
  return (uint32_t)t_rand;
}

MS_EXPORT long ms_rt_helper_get_current_comm(char* buf, uint32_t size) {
  if (!t_comm[0]) prctl(PR_GET_NAME, t_comm, 0, 0, 0);
  if (size == 0) return -22;
  size_t n = strnlen(t_comm, sizeof t_comm);
  if (n >= size) n = size - 1;
  memset(buf, 0, size);
  memcpy(buf, t_comm, n);
  return 0;
}

MS_EXPORT long ms_rt_helper_probe_read_user(void* dst, uint32_t size, const void* src) {
  long rc = safe_read(dst, src, size, current_sp());
  if (rc) memset(dst, 0, size);
  return rc;
}

MS_EXPORT long ms_rt_helper_probe_read_user_str(char* dst, uint32_t size, const char* src) {
  if (size == 0) return -22;
  /* Page by page, so a string that ends before an unmapped page is read. */
  uint32_t n = 0;
  while (n < size - 1) {
    uint64_t a = (uint64_t)(src + n);
    uint32_t chunk = (uint32_t)(4096 - (a & 4095));
    if (chunk > size - 1 - n) chunk = size - 1 - n;
    if (safe_read(dst + n, src + n, chunk, current_sp()) != 0) break;
    const char* z = memchr(dst + n, 0, chunk);
    if (z) return (long)(z - dst) + 1;
    n += chunk;
  }
  if (n == 0) {
    dst[0] = 0;
    return -14;
  }
  dst[n] = 0;
  return (long)n + 1;
}

/* bpf_get_stack(ctx, buf, size, BPF_F_USER_STACK | skip): the instruction
 * pointer, then the return addresses along the frame-pointer chain, as the
 * kernel's user stack walk does. */
MS_EXPORT long ms_rt_helper_get_stack(void* ctx, uint64_t* buf, uint32_t size, uint64_t flags) {
  const struct ms_regs* regs = (const struct ms_regs*)ctx;
  if (!(flags & (1ULL << 8))) return -22; /* kernel stacks do not exist here */
  uint32_t skip = (uint32_t)(flags & 0xff), max = size / 8, n = 0, seen = 0;
  uint64_t fp = regs->bp, sp = regs->sp;
  if (seen++ >= skip && n < max) buf[n++] = regs->ip;
  while (n < max && fp >= sp && fp - sp < (8ULL << 20) && !(fp & 7)) {
    uint64_t frame[2];
    if (safe_read(frame, (const void*)fp, sizeof frame, sp) != 0) break;
    if (!frame[1]) break;
    if (seen++ >= skip) buf[n++] = frame[1];
    if (frame[0] <= fp) break;
    fp = frame[0];
  }
  /* As the kernel's bpf_get_stack: the rest of the buffer is zeroed (the
   * stack record is compared and hashed whole). */
  memset((uint8_t*)buf + (size_t)n * 8, 0, size - (size_t)n * 8);
  return (long)n * 8;
}

MS_EXPORT void* ms_rt_helper_ringbuf_reserve(void* map, uint64_t size, uint64_t flags) {
  (void)flags;
  struct ms_shm_map* m = map_of(map);
  if (!m || m->type != MS_SHM_RING) return 0;
  return ms_ring_reserve(g_shm, m, size);
}

MS_EXPORT void ms_rt_helper_ringbuf_submit(void* data, uint64_t flags) {
  (void)flags;
  ms_ring_submit(data);
}

MS_EXPORT long ms_rt_helper_ringbuf_output(void* map, void* data, uint64_t size, uint64_t flags) {
  void* p = ms_rt_helper_ringbuf_reserve(map, size, flags);
  if (!p) return -11; /* -EAGAIN: counted as a lost event by the program */
  memcpy(p, data, size);
  ms_ring_submit(p);
  return 0;
}

MS_EXPORT long ms_rt_helper_send_signal(uint32_t sig) {
  return syscall(SYS_kill, g_pid, sig) == 0 ? 0 : -errno;
}

/* ---------------------------------------------------------------- hooks */

#define RUN_ENTRY(F, regs)                                                              \
  do {                                                                                  \
    for (int i_ = 0; i_ < g_hooks[F].entries; ++i_) g_hooks[F].entry[i_](&(regs));    \
  } while (0)
#define RUN_RETURN(F, regs)                                                             \
  do {                                                                                  \
    for (int i_ = 0; i_ < g_hooks[F].returns; ++i_) g_hooks[F].ret[i_](&(regs));      \
  } while (0)

/* A hook with programs, not inside another program on this thread. */
static inline int want(int f) {
  if (__builtin_expect(g_state != MS_READY, 0)) return 0;
  const struct ms_hook* h = &g_hooks[f];
  return (h->entries || h->returns) && !t_in_hook;
}

/* The registers a uprobe at the function's first instruction would see:
 * sp points at the return address, bp is still the caller's. The hooks are
 * compiled with frame pointers, so the frame address locates both. */
#define ENTRY_REGS(regs, real)                                                     \
  struct ms_regs regs;                                                             \
  memset(&regs, 0, sizeof regs);                                                   \
  do {                                                                             \
    uint64_t* frame_ = (uint64_t*)__builtin_frame_address(0);                      \
    regs.sp = (uint64_t)(frame_ + 1);                                              \
    regs.bp = frame_[0];                                                           \
    regs.ip = (uint64_t)(real);                                                    \
  } while (0)
/* At the return: ip is the return address in the caller, sp just above it. */
#define RETURN_REGS(regs, value)                                                   \
  do {                                                                             \
    uint64_t* frame_ = (uint64_t*)__builtin_frame_address(0);                      \
    regs.ip = frame_[1];                                                           \
    regs.sp = (uint64_t)(frame_ + 2);                                              \
    regs.bp = frame_[0];                                                           \
    regs.ax = (uint64_t)(value);                                                   \
  } while (0)

#define BEGIN_HOOK(F, real, regs) ENTRY_REGS(regs, real)
/* After the argument registers are set. */
#define RUN_ENTRIES(F, regs)        \
  do {                              \
    int saved_errno_ = errno;       \
    t_in_hook = 1;                  \
    RUN_ENTRY(F, regs);             \
    t_in_hook = 0;                  \
    errno = saved_errno_;           \
  } while (0)
#define END_HOOK(F, regs, value)    \
  do {                              \
    int saved_errno_ = errno;       \
    t_in_hook = 1;                  \
    RETURN_REGS(regs, value);       \
    RUN_RETURN(F, regs);            \
    t_in_hook = 0;                  \
    errno = saved_errno_;           \
  } while (0)

MS_EXPORT __attribute__((noinline)) void* malloc(size_t n) {
  if (__builtin_expect(!real_malloc, 0)) {
    ms_init();
    if (!real_malloc) return boot_alloc(n);
  }
  if (!want(MS_F_malloc)) return real_malloc(n);
  BEGIN_HOOK(MS_F_malloc, real_malloc, regs);
  regs.di = n;
  RUN_ENTRIES(MS_F_malloc, regs);
  void* r = real_malloc(n);
  END_HOOK(MS_F_malloc, regs, r);
  return r;
}

MS_EXPORT __attribute__((noinline)) void free(void* p) {
  if (is_boot(p)) return;
  if (__builtin_expect(!real_free, 0)) {
    ms_init();
    if (!real_free) return;
  }
  if (!want(MS_F_free)) {
    real_free(p);
    return;
  }
  ENTRY_REGS(regs, real_free);
  regs.di = (uint64_t)p;
  int saved_errno = errno;
  t_in_hook = 1;
  RUN_ENTRY(MS_F_free, regs);
  t_in_hook = 0;
  errno = saved_errno;
  real_free(p);
  END_HOOK(MS_F_free, regs, 0);
}

MS_EXPORT __attribute__((noinline)) void* calloc(size_t a, size_t b) {
  if (__builtin_expect(!real_calloc, 0)) {
    ms_init();
    if (!real_calloc) {
      void* p = boot_alloc(a * b);
      return p; /* static memory is zero */
    }
  }
  if (!want(MS_F_calloc)) return real_calloc(a, b);
  BEGIN_HOOK(MS_F_calloc, real_calloc, regs);
  regs.di = a;
  regs.si = b;
  RUN_ENTRIES(MS_F_calloc, regs);
  void* r = real_calloc(a, b);
  END_HOOK(MS_F_calloc, regs, r);
  return r;
}

MS_EXPORT __attribute__((noinline)) void* realloc(void* p, size_t n) {
  if (__builtin_expect(is_boot(p), 0)) {
    void* q = malloc(n);
    if (q) memcpy(q, p, n < (size_t)(g_boot + sizeof g_boot - (char*)p) ? n : (size_t)(g_boot + sizeof g_boot - (char*)p));
    return q;
  }
  if (__builtin_expect(!real_realloc, 0)) {
    ms_init();
    if (!real_realloc) return 0;
  }
  if (!want(MS_F_realloc)) return real_realloc(p, n);
  BEGIN_HOOK(MS_F_realloc, real_realloc, regs);
  regs.di = (uint64_t)p;
  regs.si = n;
  RUN_ENTRIES(MS_F_realloc, regs);
  void* r = real_realloc(p, n);
  END_HOOK(MS_F_realloc, regs, r);
  return r;
}

MS_EXPORT __attribute__((noinline)) void* reallocarray(void* p, size_t a, size_t b) {
  if (__builtin_expect(!real_reallocarray, 0)) ms_init();
  if (!want(MS_F_reallocarray)) return real_reallocarray(p, a, b);
  BEGIN_HOOK(MS_F_reallocarray, real_reallocarray, regs);
  regs.di = (uint64_t)p;
  regs.si = a;
  regs.dx = b;
  RUN_ENTRIES(MS_F_reallocarray, regs);
  void* r = real_reallocarray(p, a, b);
  END_HOOK(MS_F_reallocarray, regs, r);
  return r;
}

MS_EXPORT __attribute__((noinline)) int posix_memalign(void** out, size_t align, size_t n) {
  if (__builtin_expect(!real_posix_memalign, 0)) ms_init();
  if (!want(MS_F_posix_memalign)) return real_posix_memalign(out, align, n);
  BEGIN_HOOK(MS_F_posix_memalign, real_posix_memalign, regs);
  regs.di = (uint64_t)out;
  regs.si = align;
  regs.dx = n;
  RUN_ENTRIES(MS_F_posix_memalign, regs);
  int r = real_posix_memalign(out, align, n);
  END_HOOK(MS_F_posix_memalign, regs, (int64_t)r);
  return r;
}

#define ALIGNED_HOOK(name)                                                  \
  MS_EXPORT __attribute__((noinline)) void* name(size_t align, size_t n) {  \
    if (__builtin_expect(!real_##name, 0)) ms_init();                       \
    if (!want(MS_F_##name)) return real_##name(align, n);                   \
    BEGIN_HOOK(MS_F_##name, real_##name, regs);                             \
    regs.di = align;                                                        \
    regs.si = n;                                                            \
    RUN_ENTRIES(MS_F_##name, regs);                                        \
    void* r = real_##name(align, n);                                        \
    END_HOOK(MS_F_##name, regs, r);                                         \
    return r;                                                               \
  }
ALIGNED_HOOK(aligned_alloc)
ALIGNED_HOOK(memalign)

#define PAGE_HOOK(name)                                              \
  MS_EXPORT __attribute__((noinline)) void* name(size_t n) {         \
    if (__builtin_expect(!real_##name, 0)) ms_init();                \
    if (!want(MS_F_##name)) return real_##name(n);                   \
    BEGIN_HOOK(MS_F_##name, real_##name, regs);                      \
    regs.di = n;                                                     \
    RUN_ENTRIES(MS_F_##name, regs);                                 \
    void* r = real_##name(n);                                        \
    END_HOOK(MS_F_##name, regs, r);                                  \
    return r;                                                        \
  }
PAGE_HOOK(valloc)
PAGE_HOOK(pvalloc)

MS_EXPORT __attribute__((noinline)) void* mmap(void* addr, size_t len, int prot, int flags, int fd, off_t off) {
  if (__builtin_expect(!real_mmap, 0)) {
    /* Before the agent knows the real mmap (the dynamic loader's own calls do
     * not come here): the system call itself. */
    ms_init();
    if (!real_mmap) return (void*)syscall(SYS_mmap, addr, len, prot, flags, fd, off); /* -1/errno on failure */
    return real_mmap(addr, len, prot, flags, fd, off);
  }
  if (!want(MS_F_mmap)) return real_mmap(addr, len, prot, flags, fd, off);
  BEGIN_HOOK(MS_F_mmap, real_mmap, regs);
  regs.di = (uint64_t)addr;
  regs.si = len;
  regs.dx = (uint64_t)(int64_t)prot;
  regs.cx = (uint64_t)(int64_t)flags; /* the C ABI's 4th argument (the kernel's r10) */
  regs.r10 = regs.cx;
  regs.r8 = (uint64_t)(int64_t)fd;
  regs.r9 = (uint64_t)off;
  RUN_ENTRIES(MS_F_mmap, regs);
  void* r = real_mmap(addr, len, prot, flags, fd, off);
  END_HOOK(MS_F_mmap, regs, r);
  return r;
}

MS_EXPORT __attribute__((noinline)) int munmap(void* addr, size_t len) {
  if (__builtin_expect(!real_munmap, 0)) {
    ms_init();
    if (!real_munmap) return (int)syscall(SYS_munmap, addr, len);
    return real_munmap(addr, len);
  }
  if (!want(MS_F_munmap)) return real_munmap(addr, len);
  BEGIN_HOOK(MS_F_munmap, real_munmap, regs);
  regs.di = (uint64_t)addr;
  regs.si = len;
  RUN_ENTRIES(MS_F_munmap, regs);
  int r = real_munmap(addr, len);
  END_HOOK(MS_F_munmap, regs, (int64_t)r);
  return r;
}

MS_EXPORT __attribute__((noinline)) void* mremap(void* old, size_t old_len, size_t new_len, int flags, ...) {
  void* new_addr = 0;
  if (flags & MREMAP_FIXED) {
    va_list ap;
    va_start(ap, flags);
    new_addr = va_arg(ap, void*);
    va_end(ap);
  }
  if (__builtin_expect(!real_mremap, 0)) {
    ms_init();
    if (!real_mremap) return (void*)syscall(SYS_mremap, old, old_len, new_len, flags, new_addr);
    return real_mremap(old, old_len, new_len, flags, new_addr);
  }
  if (!want(MS_F_mremap)) return real_mremap(old, old_len, new_len, flags, new_addr);
  BEGIN_HOOK(MS_F_mremap, real_mremap, regs);
  regs.di = (uint64_t)old;
  regs.si = old_len;
  regs.dx = new_len;
  regs.cx = (uint64_t)(int64_t)flags;
  regs.r8 = (uint64_t)new_addr;
  RUN_ENTRIES(MS_F_mremap, regs);
  void* r = real_mremap(old, old_len, new_len, flags, new_addr);
  END_HOOK(MS_F_mremap, regs, r);
  return r;
}
