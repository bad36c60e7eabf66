#include "common/durable/testing/workloads.h"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/durable/cell.h"
#include "common/durable/coding.h"
#include "common/durable/hash_table.h"
#include "common/durable/log.h"
#include "common/durable/page_reader.h"
#include "common/durable/page_writer.h"

namespace ddc::durable::testing {
namespace {

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Draw is a deterministic pseudo-random number for (seed, index, generation, salt).
uint64_t Draw(uint64_t seed, uint64_t index, uint64_t generation, uint64_t salt) {
  return Mix(seed ^ Mix(index ^ Mix(generation ^ Mix(salt))));
}

// Between returns a size in [lo, hi].
size_t Between(uint64_t draw, size_t lo, size_t hi) { return lo + draw % (hi - lo + 1); }

// A size band: chosen with probability weight / (sum of the weights), then a size in [lo, hi].
struct SizeBand {
  int weight;
  size_t lo;
  size_t hi;
};

size_t PickSize(uint64_t draw, std::initializer_list<SizeBand> bands) {
  int total = 0;
  for (const SizeBand& band : bands) total += band.weight;
  int pick = static_cast<int>(draw % static_cast<uint64_t>(total));
  for (const SizeBand& band : bands) {
    if (pick < band.weight) return Between(draw >> 16, band.lo, band.hi);
    pick -= band.weight;
  }
  return 0;
}

struct Tag {
  uint64_t index;
  int generation;
};

std::optional<Tag> ReadTag(absl::string_view bytes) {
  if (bytes.size() < kTagBytes) return std::nullopt;
  return Tag{DecodeFixed64(bytes.data()), static_cast<int>(DecodeFixed32(bytes.data() + 8))};
}

// A journal of a sequence of tagged payloads: who last attempted each index.
class SequenceJournal {
 public:
  void Attempt(uint64_t index, int generation) {
    if (writers_.size() <= index) writers_.resize(index + 1, -1);
    writers_[index] = generation;
  }
  // Matches reports whether `bytes` is exactly what the journal says was written at its index.
  bool Matches(uint64_t seed, absl::string_view bytes) const {
    const std::optional<Tag> tag = ReadTag(bytes);
    if (!tag || tag->index >= writers_.size() || writers_[tag->index] != tag->generation) {
      return false;
    }
    return bytes == TaggedBytes(seed, tag->index, tag->generation, bytes.size());
  }
  // Forget drops every attempt past `index`: they were lost in a crash and must not reappear.
  void Forget(uint64_t index) { writers_.resize(std::min<size_t>(writers_.size(), index + 1)); }

 private:
  std::vector<int> writers_;
};

std::string Describe(const std::optional<Tag>& tag) {
  return tag ? absl::StrFormat("#%d of generation %d", tag->index, tag->generation)
             : std::string("untagged bytes");
}

// ---------------------------------------------------------------------------------------------

class CellWorkload : public CrashWorkload {
 public:
  explicit CellWorkload(WorkloadOptions options) : options_(options) {}

  asio::awaitable<void> Run(Process& self, Memory& memory, int generation) override {
    (void)self;
    std::optional<VirtAddr> root;
    uint64_t next = 1;
    if (generation > 0) {
      absl::StatusOr<VirtAddr> found = co_await memory.Lookup("cell");
      if (found.ok()) root = *found;
    }
    if (!root) {
      if (acked_ > 0)
        Violation(absl::StrCat("cell: value #", acked_, " acked, root not published"));
      absl::StatusOr<Region> page = co_await memory.Allocate(DurableCell::kCellBytes);
      if (!page.ok()) co_return Violation(absl::StrCat("allocate: ", page.status().ToString()));
      root = page->base;
      if (absl::Status s = co_await memory.Publish("cell", *root); !s.ok()) {
        co_return Violation(absl::StrCat("publish: ", s.ToString()));
      }
      acked_ = attempted_ = 0;
    }
    absl::StatusOr<DurableCell> cell = co_await DurableCell::Open(memory, *root);
    if (!cell.ok()) co_return Violation(absl::StrCat("cell open: ", cell.status().ToString()));
    if (generation > 0) {
      const std::optional<std::string>& value = cell->value();
      const std::optional<Tag> tag = value ? ReadTag(*value) : std::nullopt;
      const uint64_t recovered = tag ? tag->index : 0;
      if (value && !journal_.Matches(options_.seed, *value)) {
        Violation(absl::StrCat("cell: recovered garbage ", Describe(tag)));
      } else if (recovered < acked_ || recovered > attempted_) {
        Violation(absl::StrFormat("cell: recovered value #%d, acked #%d, attempted #%d", recovered,
                                  acked_, attempted_));
      }
      Note(recovered > acked_ ? "cell: recovered the value in flight"
           : value            ? "cell: recovered the last acknowledged value"
                              : "cell: recovered an empty cell");
      next = recovered + 1;
      acked_ = attempted_ = recovered;
      journal_.Forget(recovered);
    }
    for (uint64_t i = next; i <= static_cast<uint64_t>(options_.operations); ++i) {
      const std::string value = Value(i, generation);
      journal_.Attempt(i, generation);
      attempted_ = i;
      if (absl::Status s = co_await cell->Write(value); !s.ok()) {
        co_return Violation(absl::StrCat("cell write #", i, ": ", s.ToString()));
      }
      acked_ = i;
    }
    absl::StatusOr<std::string> last = co_await cell->Read();
    const std::optional<Tag> last_tag = last.ok() ? ReadTag(*last) : std::nullopt;
    if (!last_tag || last_tag->index != static_cast<uint64_t>(options_.operations) ||
        !journal_.Matches(options_.seed, *last)) {
      Violation(absl::StrCat("cell: the final read is ",
                             last.ok() ? Describe(ReadTag(*last)) : last.status().ToString()));
    }
  }

 private:
  std::string Value(uint64_t i, int generation) const {
    const size_t size =
        PickSize(Draw(options_.seed, i, generation, 1),
                 {{1, kTagBytes, 64}, {1, 64, 1024}, {1, 1024, DurableCell::kMaxValueBytes}});
    return TaggedBytes(options_.seed, i, generation, size);
  }

  WorkloadOptions options_;
  SequenceJournal journal_;
  uint64_t acked_ = 0;
  uint64_t attempted_ = 0;
};

// ---------------------------------------------------------------------------------------------

class LogWorkload : public CrashWorkload {
 public:
  static constexpr int64_t kCapacity = 12 * 4096;

  explicit LogWorkload(WorkloadOptions options) : options_(options) {}

  asio::awaitable<void> Run(Process& self, Memory& memory, int generation) override {
    (void)self;
    std::optional<DurableLog> log;
    std::deque<Batch> live;  // batches in the log, oldest first, for truncation
    if (generation > 0) {
      absl::StatusOr<VirtAddr> root = co_await memory.Lookup("log");
      if (root.ok()) {
        absl::StatusOr<DurableLog> opened = co_await DurableLog::Open(memory, *root);
        if (!opened.ok())
          co_return Violation(absl::StrCat("log open: ", opened.status().ToString()));
        log = std::move(*opened);
        co_await Recover(*log, live);
      }
    }
    if (!log) {
      if (acked_end_ > 0) Violation(absl::StrCat("log: record #", acked_end_, " acked, no log"));
      absl::StatusOr<DurableLog> created = co_await DurableLog::Create(memory, kCapacity);
      if (!created.ok())
        co_return Violation(absl::StrCat("log create: ", created.status().ToString()));
      log = std::move(*created);
      if (absl::Status s = co_await memory.Publish("log", log->root()); !s.ok()) {
        co_return Violation(absl::StrCat("publish: ", s.ToString()));
      }
      acked_end_ = attempted_end_ = 0;
      head_ = pending_head_ = 1;
      journal_.Forget(0);
    }
    uint64_t i = acked_end_ + 1;
    while (i <= static_cast<uint64_t>(options_.operations)) {
      const uint64_t count = std::min<uint64_t>(1 + Draw(options_.seed, i, generation, 2) % 3,
                                                options_.operations - i + 1);
      std::vector<std::string> batch;
      for (uint64_t k = i; k < i + count; ++k) {
        batch.push_back(Record(k, generation));
        journal_.Attempt(k, generation);
      }
      attempted_end_ = i + count - 1;
      const uint64_t position = log->tail();
      absl::StatusOr<uint64_t> appended = co_await log->AppendBatch(batch);
      if (absl::IsResourceExhausted(appended.status()) && !live.empty()) {
        attempted_end_ = acked_end_;
        // Drop the older half of the log, then retry.
        const size_t drop = std::max<size_t>(1, live.size() / 2);
        const uint64_t to = drop < live.size() ? live[drop].position : log->tail();
        pending_head_ = drop < live.size() ? live[drop].first : acked_end_ + 1;
        if (absl::Status s = co_await log->Truncate(to); !s.ok()) {
          co_return Violation(absl::StrCat("log truncate: ", s.ToString()));
        }
        head_ = pending_head_;
        live.erase(live.begin(), live.begin() + static_cast<std::ptrdiff_t>(drop));
        continue;
      }
      if (!appended.ok()) {
        co_return Violation(absl::StrCat("log append #", i, ": ", appended.status().ToString()));
      }
      acked_end_ = attempted_end_;
      live.push_back(Batch{i, position});
      i += count;
    }
    // The final log: exactly [head, acked end].
    std::deque<Batch> ignored;
    co_await Check(*log, ignored, /*final=*/true);
  }

 private:
  struct Batch {
    uint64_t first;     // index of its first record
    uint64_t position;  // where it starts in the log
  };

  std::string Record(uint64_t i, int generation) const {
    // Up to three blocks: a batch of three always fits the 12-block ring when it is empty.
    const size_t size =
        PickSize(Draw(options_.seed, i, generation, 3),
                 {{3, kTagBytes, 200}, {2, 200, 2000}, {2, 3000, 6000}, {1, 8000, 11000}});
    return TaggedBytes(options_.seed, i, generation, size);
  }

  // Recover checks the recovered log against the journal and adopts it as the new base.
  asio::awaitable<void> Recover(DurableLog& log, std::deque<Batch>& live) {
    const std::optional<std::pair<uint64_t, uint64_t>> range = co_await Check(log, live, false);
    if (!range) {
      // Empty: everything acked was truncated; the next record follows the acked ones.
      if (acked_end_ >= pending_head_) {
        Violation(absl::StrFormat("log: recovered empty, acked #%d, head #%d or #%d", acked_end_,
                                  head_, pending_head_));
      }
      head_ = pending_head_ = acked_end_ + 1;
      Note("log: recovered an empty log");
    } else {
      const auto [first, last] = *range;
      if ((first != head_ && first != pending_head_) || last < acked_end_ ||
          last > attempted_end_) {
        Violation(absl::StrFormat(
            "log: recovered #%d..#%d; head #%d (or #%d in flight), acked to #%d, attempted to #%d",
            first, last, head_, pending_head_, acked_end_, attempted_end_));
      }
      if (last > acked_end_) Note("log: recovered records of the batch in flight");
      if (first != head_) Note("log: recovered the truncation in flight");
      if (last < attempted_end_) Note("log: lost unacknowledged records");
      head_ = pending_head_ = first;
      acked_end_ = attempted_end_ = last;
    }
    journal_.Forget(acked_end_);
  }

  // Check reads the whole log: consecutive records, each exactly as journaled. Returns the
  // first and last index (nullopt when empty) and fills `live` with one batch per record.
  asio::awaitable<std::optional<std::pair<uint64_t, uint64_t>>> Check(DurableLog& log,
                                                                      std::deque<Batch>& live,
                                                                      bool final) {
    LogReader reader = log.NewReader();
    std::optional<std::pair<uint64_t, uint64_t>> range;
    for (;;) {
      absl::StatusOr<std::optional<LogRecord>> record = co_await reader.Next();
      if (!record.ok()) {
        Violation(absl::StrCat("log read: ", record.status().ToString()));
        break;
      }
      if (!*record) break;
      const std::optional<Tag> tag = ReadTag((*record)->data);
      if (!journal_.Matches(options_.seed, (*record)->data)) {
        Violation(absl::StrCat("log: garbage record ", Describe(tag)));
        break;
      }
      if (range && tag->index != range->second + 1) {
        Violation(absl::StrFormat("log: #%d follows #%d", tag->index, range->second));
        break;
      }
      if (!range) range.emplace(tag->index, tag->index);
      range->second = tag->index;
      live.push_back(Batch{tag->index, (*record)->position});
    }
    if (final) {
      const bool expected =
          range ? range->first == head_ && range->second == acked_end_ : acked_end_ < head_;
      if (!expected)
        Violation(absl::StrFormat("log: final log is not #%d..#%d", head_, acked_end_));
    }
    co_return range;
  }

  WorkloadOptions options_;
  SequenceJournal journal_;
  uint64_t acked_end_ = 0;
  uint64_t attempted_end_ = 0;
  uint64_t head_ = 1;
  uint64_t pending_head_ = 1;
};

// ---------------------------------------------------------------------------------------------

class TableWorkload : public CrashWorkload {
 public:
  static constexpr int kKeys = 24;

  explicit TableWorkload(WorkloadOptions options) : options_(options) {}

  asio::awaitable<void> Run(Process& self, Memory& memory, int generation) override {
    (void)self;
    std::optional<PageHashTable> table;
    if (generation > 0) {
      absl::StatusOr<VirtAddr> root = co_await memory.Lookup("table");
      if (root.ok()) {
        absl::StatusOr<PageHashTable> opened = co_await PageHashTable::Open(memory, *root);
        if (!opened.ok())
          co_return Violation(absl::StrCat("table open: ", opened.status().ToString()));
        table = std::move(*opened);
        co_await Recover(*table);
      }
    }
    if (!table) {
      if (next_op_ > 0) Violation(absl::StrCat("table: op ", next_op_ - 1, " acked, no table"));
      PageHashTableOptions table_options;
      table_options.initial_buckets = 1;
      table_options.initial_pool_blocks = 2;
      absl::StatusOr<PageHashTable> created = co_await PageHashTable::Create(memory, table_options);
      if (!created.ok())
        co_return Violation(absl::StrCat("table create: ", created.status().ToString()));
      table = std::move(*created);
      if (absl::Status s = co_await memory.Publish("table", table->root()); !s.ok()) {
        co_return Violation(absl::StrCat("publish: ", s.ToString()));
      }
      state_.clear();
      next_op_ = 0;
    }
    for (uint64_t i = next_op_; i < static_cast<uint64_t>(options_.operations); ++i) {
      const uint64_t draw = Draw(options_.seed, i, generation, 4);
      const std::string key = Key(static_cast<int>(draw % kKeys));
      in_flight_ = InFlight{key, std::nullopt};
      absl::Status status;
      if ((draw >> 8) % 4 == 0) {
        status = co_await table->Delete(key);
        if (absl::IsNotFound(status) && !state_.contains(key)) status = absl::OkStatus();
        if (status.ok()) state_.erase(key);
      } else {
        in_flight_->value = Value(i, generation, draw >> 16);
        status = co_await table->Put(key, *in_flight_->value);
        if (status.ok()) state_[key] = *in_flight_->value;
      }
      if (!status.ok()) co_return Violation(absl::StrCat("table op ", i, ": ", status.ToString()));
      in_flight_.reset();
      next_op_ = i + 1;
      if (i % 5 == 0) {
        // An online check of one key.
        const std::string probe = Key(static_cast<int>((draw >> 24) % kKeys));
        absl::StatusOr<std::string> got = co_await table->Get(probe);
        const auto it = state_.find(probe);
        if (it == state_.end() ? !absl::IsNotFound(got.status())
                               : !got.ok() || *got != it->second) {
          Violation(absl::StrCat("table: Get(", probe, ") after op ", i, " is wrong"));
        }
      }
    }
    absl::StatusOr<std::vector<TableEntry>> scan = co_await table->Scan();
    if (!scan.ok() || ToMap(*scan) != state_) Violation("table: the final scan is wrong");
    absl::StatusOr<PageHashTableStats> stats = co_await table->Verify();
    if (!stats.ok()) Violation(absl::StrCat("table verify: ", stats.status().ToString()));
  }

 private:
  struct InFlight {
    std::string key;
    std::optional<std::string> value;  // nullopt: a Delete
  };
  using State = std::map<std::string, std::string>;

  std::string Key(int k) const {
    // Some keys are long, so buckets fill up (and split) sooner.
    const size_t length = k % 3 == 0 ? Between(Draw(options_.seed, k, 0, 5), 100, 300) : 6;
    std::string key = absl::StrFormat("k%02d-", k);
    key.resize(length, static_cast<char>('a' + k % 26));
    return key;
  }

  std::string Value(uint64_t i, int generation, uint64_t draw) const {
    // Empty, small and medium values inline; large ones out of line.
    const size_t size =
        PickSize(draw, {{1, 0, 0}, {4, kTagBytes, 100}, {3, 200, 900}, {2, 1100, 9000}});
    return TaggedBytes(options_.seed, i, generation, size);
  }

  static State ToMap(const std::vector<TableEntry>& entries) {
    State map;
    for (const TableEntry& e : entries) map[e.key] = e.value;
    return map;
  }

  asio::awaitable<void> Recover(PageHashTable& table) {
    absl::StatusOr<std::vector<TableEntry>> scan = co_await table.Scan();
    if (!scan.ok()) co_return Violation(absl::StrCat("table scan: ", scan.status().ToString()));
    const State recovered = ToMap(*scan);
    if (recovered.size() != scan->size()) Violation("table: a key appears twice in the scan");
    State applied = state_;
    if (in_flight_) {
      if (in_flight_->value) {
        applied[in_flight_->key] = *in_flight_->value;
      } else {
        applied.erase(in_flight_->key);
      }
    }
    if (recovered != state_ && recovered != applied) {
      Violation(absl::StrFormat(
          "table: recovered %d entries, neither the %d acknowledged nor with op %d applied",
          recovered.size(), state_.size(), next_op_));
    }
    // Every key reads as the scan says.
    for (int k = 0; k < kKeys; ++k) {
      const std::string key = Key(k);
      absl::StatusOr<std::string> got = co_await table.Get(key);
      const auto it = recovered.find(key);
      if (it == recovered.end() ? !absl::IsNotFound(got.status())
                                : !got.ok() || *got != it->second) {
        Violation(absl::StrCat("table: Get(", key, ") disagrees with the scan: ",
                               got.ok() ? "a value" : got.status().ToString()));
      }
    }
    if (in_flight_ && recovered != state_ && recovered == applied) {
      Note("table: the op in flight was applied");
      ++next_op_;
    } else if (in_flight_ && recovered != applied) {
      Note("table: the op in flight was lost");
    }
    state_ = recovered;
    in_flight_.reset();
    // The structure itself: every reachable block allocated, nothing reachable twice.
    absl::StatusOr<PageHashTableStats> stats = co_await table.Verify();
    if (!stats.ok()) co_return Violation(absl::StrCat("table verify: ", stats.status().ToString()));
    Note("table: stale entries left by an interrupted split", stats->stale_entries);
    Note("table: overflow blocks", stats->overflow_blocks);
    absl::StatusOr<int64_t> reclaimed = co_await table.ReclaimLeakedBlocks();
    if (!reclaimed.ok())
      co_return Violation(absl::StrCat("table reclaim: ", reclaimed.status().ToString()));
    Note("table: leaked blocks reclaimed", *reclaimed);
  }

  WorkloadOptions options_;
  State state_;  // after every acknowledged op
  std::optional<InFlight> in_flight_;
  uint64_t next_op_ = 0;
};

// ---------------------------------------------------------------------------------------------

class WriterWorkload : public CrashWorkload {
 public:
  explicit WriterWorkload(WorkloadOptions options) : options_(options) {}

  asio::awaitable<void> Run(Process& self, Memory& memory, int generation) override {
    (void)self;
    const PageWriterOptions writer_options{.initial_extent_pages = 1, .max_extent_pages = 4};
    std::optional<VirtAddr> root;
    if (generation > 0) {
      absl::StatusOr<VirtAddr> found = co_await memory.Lookup("writer/checkpoint");
      if (found.ok()) root = *found;
    }
    if (!root) {
      if (acked_records_ > 0) Violation("writer: a checkpoint was acked, none published");
      absl::StatusOr<Region> page = co_await memory.Allocate(DurableCell::kCellBytes);
      if (!page.ok()) co_return Violation(absl::StrCat("allocate: ", page.status().ToString()));
      root = page->base;
      if (absl::Status s = co_await memory.Publish("writer/checkpoint", *root); !s.ok()) {
        co_return Violation(absl::StrCat("publish: ", s.ToString()));
      }
    }
    absl::StatusOr<DurableCell> checkpoint = co_await DurableCell::Open(memory, *root);
    if (!checkpoint.ok())
      co_return Violation(absl::StrCat("cell: ", checkpoint.status().ToString()));
    std::optional<PageWriter> writer;
    if (checkpoint->value()) {
      absl::StatusOr<PageWriterProgress> progress =
          PageWriterProgress::Decode(*checkpoint->value());
      if (!progress.ok())
        co_return Violation(absl::StrCat("progress: ", progress.status().ToString()));
      const uint64_t records = static_cast<uint64_t>(progress->records);
      if (records != acked_records_ && records != pending_records_) {
        Violation(absl::StrFormat("writer: checkpoint of %d records; acked %d, in flight %d",
                                  records, acked_records_, pending_records_));
      }
      co_await Check(memory, *progress);
      Note(records > acked_records_ ? "writer: recovered the checkpoint in flight"
                                    : "writer: recovered the last acknowledged checkpoint");
      acked_records_ = pending_records_ = records;
      journal_.Forget(records);
      absl::StatusOr<PageWriter> resumed =
          co_await PageWriter::Resume(memory, *progress, writer_options);
      if (!resumed.ok()) co_return Violation(absl::StrCat("resume: ", resumed.status().ToString()));
      writer = std::move(*resumed);
    } else {
      if (acked_records_ > 0) Violation("writer: an acked checkpoint is gone");
      acked_records_ = pending_records_ = 0;
      absl::StatusOr<PageWriter> created = PageWriter::Create(memory, writer_options);
      if (!created.ok()) co_return Violation(absl::StrCat("create: ", created.status().ToString()));
      writer = std::move(*created);
    }
    const uint64_t total = static_cast<uint64_t>(options_.operations);
    uint64_t since_flush = 0;
    for (uint64_t i = acked_records_ + 1; i <= total; ++i) {
      journal_.Attempt(i, generation);
      if (absl::Status s = co_await writer->Append(Record(i, generation)); !s.ok()) {
        co_return Violation(absl::StrCat("append #", i, ": ", s.ToString()));
      }
      ++since_flush;
      if (i < total && since_flush < 1 + Draw(options_.seed, i, generation, 6) % 6) continue;
      since_flush = 0;
      pending_records_ = i;
      absl::StatusOr<PageWriterProgress> progress = co_await writer->Flush();
      if (!progress.ok())
        co_return Violation(absl::StrCat("flush: ", progress.status().ToString()));
      if (absl::Status s = co_await checkpoint->Write(progress->Encode()); !s.ok()) {
        co_return Violation(absl::StrCat("checkpoint: ", s.ToString()));
      }
      acked_records_ = i;
    }
    co_await Check(memory, writer->flushed());
  }

 private:
  std::string Record(uint64_t i, int generation) const {
    // Up to the largest record of a 4 KiB page, so pages fill up at odd points.
    const size_t size = PickSize(Draw(options_.seed, i, generation, 7),
                                 {{6, kTagBytes, 300}, {3, 300, 1500}, {1, 3000, 4096 - 28}});
    return TaggedBytes(options_.seed, i, generation, size);
  }

  // Check reads the progress's records back: #1..#records, each exactly as journaled.
  asio::awaitable<void> Check(Memory& memory, const PageWriterProgress& progress) {
    absl::StatusOr<PageReader> reader = PageReader::Create(memory, progress);
    if (!reader.ok()) co_return Violation(absl::StrCat("reader: ", reader.status().ToString()));
    for (uint64_t i = 1;; ++i) {
      absl::StatusOr<std::optional<std::string>> record = co_await reader->Next();
      if (!record.ok())
        co_return Violation(absl::StrCat("writer read: ", record.status().ToString()));
      if (!*record) {
        if (i != static_cast<uint64_t>(progress.records) + 1) Violation("writer: records missing");
        co_return;
      }
      const std::optional<Tag> tag = ReadTag(**record);
      if (!tag || tag->index != i || !journal_.Matches(options_.seed, **record)) {
        co_return Violation(absl::StrCat("writer: record ", i, " is ", Describe(tag)));
      }
    }
  }

  WorkloadOptions options_;
  SequenceJournal journal_;
  uint64_t acked_records_ = 0;    // records of the last acknowledged checkpoint
  uint64_t pending_records_ = 0;  // records of the checkpoint being written
};

}  // namespace

std::string TaggedBytes(uint64_t seed, uint64_t index, int generation, size_t size) {
  std::string out;
  PutFixed64(out, index);
  PutFixed32(out, static_cast<uint32_t>(generation));
  for (size_t k = 0; out.size() < size; ++k) {
    const uint64_t word = Draw(seed, index, generation, 100 + k);
    for (int b = 0; b < 8 && out.size() < size; ++b)
      out.push_back(static_cast<char>(word >> (8 * b)));
  }
  out.resize(size);
  return out;
}

std::vector<WorkloadFamily> AllWorkloadFamilies() {
  return {{"Cell", NewCellWorkload, 30},
          {"Log", NewLogWorkload, 40},
          {"Table", NewTableWorkload, 60},
          {"Writer", NewWriterWorkload, 60}};
}

std::unique_ptr<CrashWorkload> NewCellWorkload(WorkloadOptions options) {
  return std::make_unique<CellWorkload>(options);
}
std::unique_ptr<CrashWorkload> NewLogWorkload(WorkloadOptions options) {
  return std::make_unique<LogWorkload>(options);
}
std::unique_ptr<CrashWorkload> NewTableWorkload(WorkloadOptions options) {
  return std::make_unique<TableWorkload>(options);
}
std::unique_ptr<CrashWorkload> NewWriterWorkload(WorkloadOptions options) {
  return std::make_unique<WriterWorkload>(options);
}

}  // namespace ddc::durable::testing
