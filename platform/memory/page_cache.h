// PageCache is a compute element's small local memory (LegoOS's ExCache is the model): an LRU
// cache of whole pages with write-back, plus the CE's cache of V2P entries.
//
// Internal to platform/.
//
// Dirty pages reach their ME only when flushed or evicted; Clear() (a CE crash) loses them.
// Lookups use hash maps, but every walk goes through the LRU list, so order is deterministic.
#ifndef DDC_PLATFORM_MEMORY_PAGE_CACHE_H_
#define DDC_PLATFORM_MEMORY_PAGE_CACHE_H_

#include <list>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "platform/memory/rack_mmu.h"
#include "platform/types.h"

namespace ddc::mem {

struct CachedPage {
  ProcessId process;
  uint64_t page;
  PhysicalPage physical;
  uint32_t epoch;  // the owner epoch the CE used when it filled or dirtied the page
  std::string bytes;
  bool dirty = false;
};

class PageCache {
 public:
  explicit PageCache(int64_t capacity_pages) : capacity_(capacity_pages) {}

  // Find returns the cached page and marks it most recently used, or null.
  CachedPage* Find(ProcessId p, uint64_t page);
  // Peek returns the cached page without touching the LRU order, or null.
  const CachedPage* Peek(ProcessId p, uint64_t page) const;
  // Insert adds a page (which must not be cached) as most recently used and returns the page it
  // evicted, if the cache was full.
  std::optional<CachedPage> Insert(CachedPage page);
  std::optional<CachedPage> Remove(ProcessId p, uint64_t page);
  // RemoveProcess drops every page of `p`, returning them most recently used first.
  std::vector<CachedPage> RemoveProcess(ProcessId p);
  // RemoveClean drops every clean page of `p`, keeping its dirty ones.
  void RemoveClean(ProcessId p);
  void Clear();

  // V2P cache.
  const PhysicalPage* FindMapping(ProcessId p, uint64_t page) const;
  void CacheMapping(ProcessId p, uint64_t page, PhysicalPage physical);
  void InvalidateMapping(ProcessId p, uint64_t page);

  int64_t size() const { return static_cast<int64_t>(lru_.size()); }
  int64_t capacity() const { return capacity_; }

 private:
  struct Key {
    ProcessId process;
    uint64_t page;
    bool operator==(const Key&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), Index(k.process), k.page);
    }
  };
  const int64_t capacity_;
  std::list<CachedPage> lru_;  // front = most recently used
  absl::flat_hash_map<Key, std::list<CachedPage>::iterator> index_;
  absl::flat_hash_map<Key, PhysicalPage> mappings_;
};

}  // namespace ddc::mem

#endif  // DDC_PLATFORM_MEMORY_PAGE_CACHE_H_
