// The shared-memory tables of --in-process (agent/ms_shm.h), as the agent and
// the runtime's MapSource backend use them: no kernel, no privilege.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "agent/ms_shm.h"
#include "runtime/map_reader.h"

namespace {

struct Table {
  explicit Table(uint32_t max_entries, uint32_t key_size = 8, uint32_t value_size = 16) {
    map.type = MS_SHM_HASH;
    map.key_size = key_size;
    map.value_size = value_size;
    map.max_entries = max_entries;
    map.capacity = ms_hash_capacity(max_entries);
    map.slot_size = 8 + ms_align8(key_size) + ms_align8(value_size);
    map.offset = 0;
    memory.assign(ms_region_size(&map), 0);
  }
  void* base() { return memory.data(); }
  ms_shm_map map{};
  std::vector<uint8_t> memory;
};

TEST(InProcessShm, InsertLookupUpdateDelete) {
  Table t(100);
  uint64_t key = 0x7f0000001000, value[2] = {12345, 1};
  EXPECT_EQ(ms_hash_lookup(t.base(), &t.map, &key), nullptr);
  EXPECT_EQ(ms_hash_update(t.base(), &t.map, &key, value, 0), 0);
  auto* got = static_cast<uint64_t*>(ms_hash_lookup(t.base(), &t.map, &key));
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got[0], 12345u);
  EXPECT_EQ(ms_hash_update(t.base(), &t.map, &key, value, 1), -17);  // BPF_NOEXIST
  value[0] = 777;
  EXPECT_EQ(ms_hash_update(t.base(), &t.map, &key, value, 2), 0);  // BPF_EXIST
  EXPECT_EQ(got[0], 777u);  // in place, like a BPF map value
  EXPECT_EQ(t.map.count, 1u);
  EXPECT_EQ(ms_hash_delete(t.base(), &t.map, &key), 0);
  EXPECT_EQ(ms_hash_lookup(t.base(), &t.map, &key), nullptr);
  EXPECT_EQ(ms_hash_delete(t.base(), &t.map, &key), -2);
  uint64_t other = 5;
  EXPECT_EQ(ms_hash_update(t.base(), &t.map, &other, value, 2), -2);  // BPF_EXIST on a missing key
  EXPECT_EQ(t.map.count, 0u);
}

TEST(InProcessShm, FullAtMaxEntriesAndTombstonesAreReused) {
  Table t(8);
  uint64_t value[2] = {1, 2};
  for (uint64_t k = 1; k <= 8; ++k) EXPECT_EQ(ms_hash_update(t.base(), &t.map, &k, value, 0), 0);
  uint64_t ninth = 9;
  EXPECT_EQ(ms_hash_update(t.base(), &t.map, &ninth, value, 0), -7);  // E2BIG, as the kernel says when full
  EXPECT_EQ(t.map.failed, 1u);
  // Churn far beyond the capacity: deleted slots are reused, nothing is lost.
  for (uint64_t round = 0; round < 10000; ++round) {
    uint64_t k = 1 + round % 8;
    ASSERT_EQ(ms_hash_delete(t.base(), &t.map, &k), 0);
    uint64_t fresh = 1000 + round;
    ASSERT_EQ(ms_hash_update(t.base(), &t.map, &fresh, value, 0), 0) << round;
    ASSERT_EQ(ms_hash_delete(t.base(), &t.map, &fresh), 0);
    ASSERT_EQ(ms_hash_update(t.base(), &t.map, &k, value, 0), 0);
  }
  EXPECT_EQ(t.map.count, 8u);
}

TEST(InProcessShm, ConcurrentThreadsKeepEveryKey) {
  constexpr int kThreads = 4, kPerThread = 20000;
  Table t(kThreads * kPerThread);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th)
    threads.emplace_back([&, th] {
      for (uint64_t i = 0; i < kPerThread; ++i) {
        uint64_t key = (static_cast<uint64_t>(th) << 32) | i, value[2] = {key, key * 3};
        if (ms_hash_update(t.base(), &t.map, &key, value, 0) != 0) ++failures;
        // Half of them go again, as freed blocks do.
        if (i % 2 && ms_hash_delete(t.base(), &t.map, &key) != 0) ++failures;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(t.map.count, static_cast<uint64_t>(kThreads * kPerThread / 2));

  // The runtime's backend sees exactly the survivors, with their values.
  ms::manifest::MapDesc desc;
  desc.name = "@allocs";
  desc.key_size = 8;
  desc.value_size = 16;
  ms::runtime::FlatMapEntries flat;
  std::string error;
  ASSERT_TRUE(ms::runtime::read_map_flat(ms::runtime::MapSource(t.base(), &t.map), desc, 1, flat, error)) << error;
  ASSERT_EQ(flat.count, static_cast<size_t>(kThreads * kPerThread / 2));
  std::set<uint64_t> keys;
  for (size_t i = 0; i < flat.count; ++i) {
    uint64_t k, v[2];
    std::memcpy(&k, flat.key(i), 8);
    std::memcpy(v, flat.value(i), 16);
    EXPECT_EQ(k % 2, 0u);  // the odd ones were deleted
    EXPECT_EQ(v[0], k);
    EXPECT_EQ(v[1], k * 3);
    keys.insert(k);
  }
  EXPECT_EQ(keys.size(), flat.count);
  ASSERT_TRUE(ms::runtime::clear_map(ms::runtime::MapSource(t.base(), &t.map), desc, error));
  ASSERT_TRUE(ms::runtime::read_map_flat(ms::runtime::MapSource(t.base(), &t.map), desc, 1, flat, error));
  EXPECT_EQ(flat.count, 0u);
}

TEST(InProcessShm, RingRecordsArriveInOrderAndAFullRingDrops) {
  ms_shm_map m{};
  m.type = MS_SHM_RING;
  m.capacity = 4096;
  std::vector<uint8_t> memory(ms_region_size(&m), 0);
  int sent = 0;
  for (;; ++sent) {
    void* p = ms_ring_reserve(memory.data(), &m, 100);
    if (!p) break;
    std::memset(p, sent & 0xff, 100);
    ms_ring_submit(p);
  }
  EXPECT_GT(sent, 10);
  auto* ring = reinterpret_cast<ms_shm_ring*>(memory.data());
  EXPECT_EQ(ring->dropped, 1u);
  std::vector<int> got;
  ms_ring_consume(
      memory.data(), &m,
      [](void* ctx, const uint8_t* data, uint32_t size) {
        EXPECT_EQ(size, 100u);
        static_cast<std::vector<int>*>(ctx)->push_back(data[0]);
      },
      &got);
  ASSERT_EQ(static_cast<int>(got.size()), sent);
  for (int i = 0; i < sent; ++i) EXPECT_EQ(got[i], i & 0xff);
  // Space is free again, across the wrap.
  for (int i = 0; i < 3 * sent; ++i) {
    void* p = ms_ring_reserve(memory.data(), &m, 100);
    ASSERT_NE(p, nullptr) << i;
    ms_ring_submit(p);
    ms_ring_consume(memory.data(), &m, [](void*, const uint8_t*, uint32_t) {}, nullptr);
  }
}

}  // namespace
