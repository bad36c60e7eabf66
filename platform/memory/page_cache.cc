#include "platform/memory/page_cache.h"

namespace ddc::mem {

CachedPage* PageCache::Find(ProcessId p, uint64_t page) {
  auto it = index_.find(Key{p, page});
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &*it->second;
}

const CachedPage* PageCache::Peek(ProcessId p, uint64_t page) const {
  auto it = index_.find(Key{p, page});
  return it == index_.end() ? nullptr : &*it->second;
}

std::optional<CachedPage> PageCache::Insert(CachedPage page) {
  std::optional<CachedPage> evicted;
  if (static_cast<int64_t>(lru_.size()) >= capacity_) {
    evicted = std::move(lru_.back());
    index_.erase(Key{evicted->process, evicted->page});
    lru_.pop_back();
  }
  const Key key{page.process, page.page};
  lru_.push_front(std::move(page));
  index_[key] = lru_.begin();
  return evicted;
}

std::optional<CachedPage> PageCache::Remove(ProcessId p, uint64_t page) {
  auto it = index_.find(Key{p, page});
  if (it == index_.end()) return std::nullopt;
  CachedPage removed = std::move(*it->second);
  lru_.erase(it->second);
  index_.erase(it);
  return removed;
}

std::vector<CachedPage> PageCache::RemoveProcess(ProcessId p) {
  std::vector<CachedPage> removed;
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (it->process != p) {
      ++it;
      continue;
    }
    index_.erase(Key{it->process, it->page});
    removed.push_back(std::move(*it));
    it = lru_.erase(it);
  }
  absl::erase_if(mappings_, [p](const auto& entry) { return entry.first.process == p; });
  return removed;
}

void PageCache::RemoveClean(ProcessId p) {
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (it->process != p || it->dirty) {
      ++it;
      continue;
    }
    index_.erase(Key{it->process, it->page});
    it = lru_.erase(it);
  }
}

void PageCache::Clear() {
  lru_.clear();
  index_.clear();
  mappings_.clear();
}

const PhysicalPage* PageCache::FindMapping(ProcessId p, uint64_t page) const {
  auto it = mappings_.find(Key{p, page});
  return it == mappings_.end() ? nullptr : &it->second;
}

void PageCache::CacheMapping(ProcessId p, uint64_t page, PhysicalPage physical) {
  mappings_[Key{p, page}] = physical;
}

void PageCache::InvalidateMapping(ProcessId p, uint64_t page) { mappings_.erase(Key{p, page}); }

}  // namespace ddc::mem
