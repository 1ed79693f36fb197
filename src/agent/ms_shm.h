/* The shared memory between memscript and its in-process agent (--in-process).
 *
 * memscript creates one memfd holding every map the in-process probes touch,
 * lays it out (header below, then each map's region) and passes its fd number
 * to the traced command in MEMSCRIPT_SHM_FD; the agent maps it at start-up.
 * memscript keeps its own mapping, so the data outlives the target.
 *
 * C, no dependencies: included by the agent (C), memscript's runtime (C++) and
 * the unit tests. Every operation on a map lives here once.
 *
 * Hash maps are fixed-capacity open-addressing tables (linear probing,
 * capacity a power of two >= 2 x max_entries) with one spinlock per map: no
 * allocation ever, and a lock held only for a probe sequence. Slots are
 * { u64 state; key (8-aligned); value (8-aligned) }; deletion leaves a
 * tombstone that a later insert of any key reuses. Like a BPF hash map, a
 * lookup returns a pointer to the value in place.
 */
#ifndef MEMSCRIPT_MS_SHM_H
#define MEMSCRIPT_MS_SHM_H

#include <stdint.h>
#include <sched.h>
#include <string.h>

#define MS_SHM_MAGIC 0x316d68735f736dULL /* "ms_shm1" */
#define MS_SHM_MAX_MAPS 96
#define MS_SHM_NAME 48
#define MS_SHM_ENV_FD "MEMSCRIPT_SHM_FD"

enum ms_shm_map_type {
  MS_SHM_HASH = 1,    /* hash and per-CPU hash (one slot: see docs/in-process.md) */
  MS_SHM_ARRAY = 2,   /* array and per-CPU array (one slot), u32 key */
  MS_SHM_TASK = 3,    /* task storage: per thread in the agent, nothing shared */
  MS_SHM_SCRATCH = 4, /* per-CPU scratch (the stack store's record): per thread in the agent */
  MS_SHM_RING = 5,    /* ring buffer: records of events for memscript's dispatcher */
};

enum { MS_SLOT_EMPTY = 0, MS_SLOT_FULL = 1, MS_SLOT_DEAD = 2 };

struct ms_shm_map {
  uint32_t type, key_size, value_size, max_entries;
  uint64_t capacity;  /* hash: slots; array: entries; ring: data bytes (a power of two) */
  uint64_t offset;    /* of the region, from the start of the shared memory */
  uint64_t slot_size; /* hash: bytes per slot */
  uint32_t lock, pad;
  uint64_t count;     /* hash: live entries */
  uint64_t failed;    /* updates refused (full) */
  char name[MS_SHM_NAME];
};

/* A ring region: this header, then `capacity` bytes of data. Each record is
 * a u32 length, a u32 flag (1: committed), then the event, 8-aligned; a
 * record never wraps: a length with flag 2 means "skip to the start". */
struct ms_shm_ring {
  uint64_t head; /* producers' position (bytes written, monotonic) */
  uint64_t tail; /* memscript's position */
  uint32_t lock, pad;
  uint64_t dropped;
};

struct ms_shm_header {
  uint64_t magic;
  uint32_t map_count, pad;
  uint64_t total_size;
  struct ms_shm_map maps[MS_SHM_MAX_MAPS];
};

static inline uint64_t ms_align8(uint64_t n) { return (n + 7) & ~(uint64_t)7; }

/* Spins briefly, then yields: with more threads than CPUs the holder may be
 * preempted, and spinning out its time slice is what costs most. */
static inline void ms_spin_lock(uint32_t* l) {
  unsigned spins = 0;
  while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) {
    while (__atomic_load_n(l, __ATOMIC_RELAXED)) {
      if (++spins < 64) __builtin_ia32_pause();
      else sched_yield();
    }
  }
}
static inline void ms_spin_unlock(uint32_t* l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

/* FNV-1a then a finaliser: keys are often aligned addresses. */
static inline uint64_t ms_hash_key(const void* key, uint32_t size) {
  const unsigned char* p = (const unsigned char*)key;
  uint64_t h = 0xcbf29ce484222325ULL;
  for (uint32_t i = 0; i < size; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

static inline uint8_t* ms_map_region(void* base, const struct ms_shm_map* m) { return (uint8_t*)base + m->offset; }
static inline uint8_t* ms_slot(void* base, const struct ms_shm_map* m, uint64_t i) {
  return ms_map_region(base, m) + i * m->slot_size;
}
static inline uint8_t* ms_slot_key(uint8_t* slot) { return slot + 8; }
static inline uint8_t* ms_slot_value(const struct ms_shm_map* m, uint8_t* slot) {
  return slot + 8 + ms_align8(m->key_size);
}
static inline uint64_t ms_slot_state(uint8_t* slot) { return __atomic_load_n((uint64_t*)slot, __ATOMIC_ACQUIRE); }

/* Layout helpers used by memscript when it creates the memory. */
static inline uint64_t ms_hash_capacity(uint32_t max_entries) {
  uint64_t c = 16;
  while (c < 2 * (uint64_t)max_entries) c <<= 1;
  return c;
}
static inline uint64_t ms_region_size(const struct ms_shm_map* m) {
  switch (m->type) {
    case MS_SHM_HASH: return m->capacity * m->slot_size;
    case MS_SHM_ARRAY: return m->capacity * ms_align8(m->value_size);
    case MS_SHM_RING: return sizeof(struct ms_shm_ring) + m->capacity;
    default: return 0;
  }
}

/* Must hold the lock. The slot holding `key`, or NULL; `*free_slot` gets the
 * first reusable slot met on the way (or NULL). */
static inline uint8_t* ms_hash_find_locked(void* base, const struct ms_shm_map* m, const void* key,
                                           uint8_t** free_slot) {
  const uint64_t mask = m->capacity - 1;
  uint64_t i = ms_hash_key(key, m->key_size) & mask;
  if (free_slot) *free_slot = 0;
  for (uint64_t n = 0; n < m->capacity; ++n, i = (i + 1) & mask) {
    uint8_t* s = ms_slot(base, m, i);
    uint64_t st = *(uint64_t*)s;
    if (st == MS_SLOT_EMPTY) {
      if (free_slot && !*free_slot) *free_slot = s;
      return 0;
    }
    if (st == MS_SLOT_DEAD) {
      if (free_slot && !*free_slot) *free_slot = s;
      continue;
    }
    if (memcmp(ms_slot_key(s), key, m->key_size) == 0) return s;
  }
  return 0;
}

static inline void* ms_hash_lookup(void* base, struct ms_shm_map* m, const void* key) {
  ms_spin_lock(&m->lock);
  uint8_t* s = ms_hash_find_locked(base, m, key, 0);
  ms_spin_unlock(&m->lock);
  return s ? ms_slot_value(m, s) : 0;
}

/* BPF's flags: 0 any, 1 BPF_NOEXIST, 2 BPF_EXIST. Returns 0 or a -errno
 * (-17 EEXIST, -2 ENOENT, -7 E2BIG when full), like the kernel. */
static inline long ms_hash_update(void* base, struct ms_shm_map* m, const void* key, const void* value,
                                  uint64_t flags) {
  ms_spin_lock(&m->lock);
  uint8_t* free_slot = 0;
  uint8_t* s = ms_hash_find_locked(base, m, key, &free_slot);
  long rc = 0;
  if (s) {
    if (flags == 1) rc = -17;
    else memcpy(ms_slot_value(m, s), value, m->value_size);
  } else if (flags == 2) {
    rc = -2;
  } else if (m->count >= m->max_entries || !free_slot) {
    rc = -7;
    __atomic_add_fetch(&m->failed, 1, __ATOMIC_RELAXED);
  } else {
    memcpy(ms_slot_key(free_slot), key, m->key_size);
    memcpy(ms_slot_value(m, free_slot), value, m->value_size);
    __atomic_store_n((uint64_t*)free_slot, (uint64_t)MS_SLOT_FULL, __ATOMIC_RELEASE);
    m->count++;
  }
  ms_spin_unlock(&m->lock);
  return rc;
}

static inline long ms_hash_delete(void* base, struct ms_shm_map* m, const void* key) {
  ms_spin_lock(&m->lock);
  uint8_t* s = ms_hash_find_locked(base, m, key, 0);
  long rc = -2;
  if (s) {
    __atomic_store_n((uint64_t*)s, (uint64_t)MS_SLOT_DEAD, __ATOMIC_RELEASE);
    m->count--;
    rc = 0;
  }
  ms_spin_unlock(&m->lock);
  return rc;
}

static inline void* ms_array_lookup(void* base, struct ms_shm_map* m, const void* key) {
  uint32_t i;
  memcpy(&i, key, 4);
  if (i >= m->capacity) return 0;
  return ms_map_region(base, m) + (uint64_t)i * ms_align8(m->value_size);
}

static inline long ms_array_update(void* base, struct ms_shm_map* m, const void* key, const void* value,
                                   uint64_t flags) {
  if (flags == 1) return -17; /* array entries always exist */
  void* p = ms_array_lookup(base, m, key);
  if (!p) return -7;
  memcpy(p, value, m->value_size);
  return 0;
}

/* Ring: reserves `size` bytes (8-aligned) for one record; NULL if full.
 * Producers serialise on the ring's lock; memscript frees by moving tail. */
static inline void* ms_ring_reserve(void* base, struct ms_shm_map* m, uint64_t size) {
  struct ms_shm_ring* r = (struct ms_shm_ring*)ms_map_region(base, m);
  uint8_t* data = (uint8_t*)(r + 1);
  const uint64_t need = 8 + ms_align8(size);
  if (need > m->capacity / 2) return 0;
  ms_spin_lock(&r->lock);
  uint64_t head = r->head;
  const uint64_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
  uint64_t pos = head & (m->capacity - 1);
  uint64_t skip = 0;
  if (pos + need > m->capacity) skip = m->capacity - pos; /* never wrap a record */
  if (head + skip + need - tail > m->capacity) {
    r->dropped++;
    ms_spin_unlock(&r->lock);
    return 0;
  }
  if (skip) {
    uint32_t* h = (uint32_t*)(data + pos);
    h[0] = (uint32_t)skip;
    __atomic_store_n(&h[1], 2u, __ATOMIC_RELEASE);
    head += skip;
    pos = 0;
  }
  uint32_t* h = (uint32_t*)(data + pos);
  h[0] = (uint32_t)size;
  __atomic_store_n(&h[1], 0u, __ATOMIC_RELAXED);
  __atomic_store_n(&r->head, head + need, __ATOMIC_RELEASE);
  ms_spin_unlock(&r->lock);
  return h + 2;
}

static inline void ms_ring_submit(void* record) {
  uint32_t* h = (uint32_t*)record - 2;
  __atomic_store_n(&h[1], 1u, __ATOMIC_RELEASE);
}

/* memscript's side: calls `fn` on each committed record from tail on, stops at
 * the first uncommitted one. Returns the number consumed. */
typedef void (*ms_ring_fn)(void* ctx, const uint8_t* data, uint32_t size);
static inline uint64_t ms_ring_consume(void* base, struct ms_shm_map* m, ms_ring_fn fn, void* ctx) {
  struct ms_shm_ring* r = (struct ms_shm_ring*)ms_map_region(base, m);
  uint8_t* data = (uint8_t*)(r + 1);
  uint64_t tail = r->tail, n = 0;
  for (;;) {
    const uint64_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
    if (tail == head) break;
    uint32_t* h = (uint32_t*)(data + (tail & (m->capacity - 1)));
    const uint32_t flag = __atomic_load_n(&h[1], __ATOMIC_ACQUIRE);
    if (flag == 0) break; /* reserved, not yet submitted */
    if (flag == 2) {
      tail += h[0];
    } else {
      fn(ctx, (const uint8_t*)(h + 2), h[0]);
      tail += 8 + ms_align8(h[0]);
      ++n;
    }
    __atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
  }
  return n;
}


/* The functions the agent interposes (typed C-ABI wrappers in this slice):
 * an in-process uprobe/uretprobe may name only these. */
#define MS_INPROC_FUNCS(X)                                                                                    \
  X(malloc) X(free) X(calloc) X(realloc) X(posix_memalign) X(aligned_alloc) X(memalign) X(valloc) X(pvalloc) \
  X(reallocarray) X(mmap) X(munmap) X(mremap)

/* One in-process program, as the generated library lists it (the array
 * `ms_inproc_probes`, `ms_inproc_probe_count` entries). */
struct ms_inproc_probe {
  const char* func;   /* the interposed function */
  int64_t is_return;  /* 0: at entry (uprobe), 1: at return (uretprobe) */
  long (*prog)(void* regs); /* takes a struct pt_regs (x86-64 layout) */
};

#endif
