#include "platform/memory/ce_cache.h"

namespace ddc::mem {

CachedLine* CeCache::Find(ProcessId p, uint64_t line) {
  auto it = index_.find(Key{p, line});
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &*it->second;
}

const CachedLine* CeCache::Peek(ProcessId p, uint64_t line) const {
  auto it = index_.find(Key{p, line});
  return it == index_.end() ? nullptr : &*it->second;
}

std::optional<CachedLine> CeCache::Insert(CachedLine line) {
  std::optional<CachedLine> evicted;
  if (static_cast<int64_t>(lru_.size()) >= capacity_) {
    evicted = std::move(lru_.back());
    index_.erase(Key{evicted->process, evicted->line});
    lru_.pop_back();
  }
  const Key key{line.process, line.line};
  lru_.push_front(std::move(line));
  index_[key] = lru_.begin();
  return evicted;
}

std::optional<CachedLine> CeCache::Remove(ProcessId p, uint64_t line) {
  auto it = index_.find(Key{p, line});
  if (it == index_.end()) return std::nullopt;
  CachedLine removed = std::move(*it->second);
  lru_.erase(it->second);
  index_.erase(it);
  return removed;
}

void CeCache::RemoveClean(ProcessId p) {
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (it->process != p || it->dirty) {
      ++it;
      continue;
    }
    index_.erase(Key{it->process, it->line});
    it = lru_.erase(it);
  }
}

void CeCache::Clear() {
  lru_.clear();
  index_.clear();
  mappings_.clear();
  lost_writes_.clear();
}

const PhysicalPage* CeCache::FindMapping(ProcessId p, uint64_t page) const {
  auto it = mappings_.find(Key{p, page});
  return it == mappings_.end() ? nullptr : &it->second;
}

void CeCache::CacheMapping(ProcessId p, uint64_t page, PhysicalPage physical) {
  mappings_[Key{p, page}] = physical;
}

void CeCache::InvalidateMapping(ProcessId p, uint64_t page) { mappings_.erase(Key{p, page}); }

void CeCache::InvalidateMappings(ProcessId p) {
  absl::erase_if(mappings_, [p](const auto& entry) { return entry.first.process == p; });
}

void CeCache::RecordLostWrite(ProcessId p, uint64_t line, absl::Status status) {
  lost_writes_.emplace(std::pair{p, line}, std::move(status));
}

std::optional<std::pair<uint64_t, absl::Status>> CeCache::TakeLostWrite(ProcessId p, uint64_t first,
                                                                        uint64_t count) {
  auto it = lost_writes_.lower_bound({p, first});
  if (it == lost_writes_.end() || it->first.first != p || it->first.second >= first + count) {
    return std::nullopt;
  }
  std::pair<uint64_t, absl::Status> taken{it->first.second, std::move(it->second)};
  lost_writes_.erase(it);
  return taken;
}

}  // namespace ddc::mem
