// CeCache is a compute element's small local memory (LegoOS's ExCache is the model): an LRU cache
// of lines with write-back, the CE's cache of V2P entries, and the write-backs that failed.
//
// Internal to platform/.
//
// Lines and pages are different units: a line (memory.cache_line_bytes, 4 KiB by default) is
// what the CE fetches, dirties and writes back; a page (memory.page_size) is what the Rack MMU
// maps, grants and steals. A page holds page_size / line_size lines. Dirty lines reach their ME
// only when flushed or evicted; Clear() (a CE crash) loses them. Lookups use hash maps, but every
// walk goes through the LRU list or an ordered map, so order is deterministic.
#ifndef DDC_PLATFORM_MEMORY_CE_CACHE_H_
#define DDC_PLATFORM_MEMORY_CE_CACHE_H_

#include <list>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "platform/memory/rack_mmu.h"
#include "platform/types.h"

namespace ddc::mem {

struct CachedLine {
  ProcessId process;
  uint64_t line;          // virtual line number: address / line size
  PhysicalPage physical;  // the frame of the page that holds the line
  uint32_t epoch;         // the owner epoch the CE used when it filled or dirtied the line
  std::string bytes;      // one line
  bool dirty = false;
};

class CeCache {
 public:
  CeCache(int64_t capacity_lines, int64_t line_size)
      : capacity_(capacity_lines), line_size_(line_size) {}

  int64_t line_size() const { return line_size_; }
  int64_t size() const { return static_cast<int64_t>(lru_.size()); }
  int64_t capacity() const { return capacity_; }

  // Find returns the cached line and marks it most recently used, or null.
  CachedLine* Find(ProcessId p, uint64_t line);
  // Peek returns the cached line without touching the LRU order, or null.
  const CachedLine* Peek(ProcessId p, uint64_t line) const;
  // Insert adds a line (which must not be cached) as most recently used and returns the line it
  // evicted, if the cache was full.
  std::optional<CachedLine> Insert(CachedLine line);
  std::optional<CachedLine> Remove(ProcessId p, uint64_t line);
  // RemoveClean drops every clean line of `p`, keeping its dirty ones.
  void RemoveClean(ProcessId p);
  // Clear loses everything: lines (dirty ones included), V2P entries and lost-write records.
  void Clear();

  // V2P cache, by virtual page.
  const PhysicalPage* FindMapping(ProcessId p, uint64_t page) const;
  void CacheMapping(ProcessId p, uint64_t page, PhysicalPage physical);
  void InvalidateMapping(ProcessId p, uint64_t page);
  // InvalidateMappings drops every V2P entry of `p` (the shoot-down a steal performs).
  void InvalidateMappings(ProcessId p);

  // RecordLostWrite remembers that a dirty line of `p` was evicted but its ME refused it; the next
  // flush or evict covering the line reports `status` (TakeLostWrite).
  void RecordLostWrite(ProcessId p, uint64_t line, absl::Status status);
  // TakeLostWrite returns (and forgets) the first lost write of `p` in lines [first, first+count),
  // as (line, status), or nullopt.
  std::optional<std::pair<uint64_t, absl::Status>> TakeLostWrite(ProcessId p, uint64_t first,
                                                                 uint64_t count);

 private:
  struct Key {
    ProcessId process;
    uint64_t number;  // a line or a page, by map
    bool operator==(const Key&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), Index(k.process), k.number);
    }
  };
  const int64_t capacity_;
  const int64_t line_size_;
  std::list<CachedLine> lru_;  // front = most recently used
  absl::flat_hash_map<Key, std::list<CachedLine>::iterator> index_;
  absl::flat_hash_map<Key, PhysicalPage> mappings_;
  std::map<std::pair<ProcessId, uint64_t>, absl::Status> lost_writes_;
};

}  // namespace ddc::mem

#endif  // DDC_PLATFORM_MEMORY_CE_CACHE_H_
