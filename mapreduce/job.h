// Job: a typed MapReduce job, compiled into the byte-level JobPlan the engine runs.
//
//   Job<uint64_t, std::string, std::string, uint64_t, std::string, uint64_t> job;
//   job.name = "wordcount";
//   job.input = dataset;                 // input.h
//   job.map_tasks = 16;
//   job.reduce_tasks = 16;
//   job.input_format = TextInput();
//   job.mapper = [] { return std::make_unique<WordMapper>(); };
//   job.combiner = [] { return std::make_unique<SumReducer>(); };     // optional
//   job.reducer = [] { return std::make_unique<SumReducer>(); };
//   JobPlan plan = job.Compile();       // then Launch (launch.h) or RunReference (reference.h)
//
// Keys and values cross the engine as their Serde encodings (serde.h); the output is stored as
// encoded pairs and read back typed with DecodeOutput.
#ifndef DDC_MAPREDUCE_JOB_H_
#define DDC_MAPREDUCE_JOB_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "mapreduce/api.h"
#include "mapreduce/plan.h"
#include "mapreduce/serde.h"
#include "platform/status_macros.h"

namespace ddc::mapreduce {

namespace internal {

// EncodingEmitter encodes typed pairs into a KvSink.
template <typename K, typename V>
class EncodingEmitter final : public Emitter<K, V> {
 public:
  explicit EncodingEmitter(KvSink& sink) : sink_(sink) {}
  absl::Status Emit(const K& key, const V& value) override {
    key_.clear();
    value_.clear();
    Serde<K>::Encode(key, &key_);
    Serde<V>::Encode(value, &value_);
    return sink_.Emit(key_, value_);
  }

 private:
  KvSink& sink_;
  std::string key_;
  std::string value_;
};

template <typename V>
class DecodingValues final : public Values<V> {
 public:
  explicit DecodingValues(ValueCursor& cursor) : cursor_(cursor) {}
  std::optional<V> Next() override {
    absl::string_view bytes;
    if (!status_.ok() || !cursor_.Next(&bytes)) return std::nullopt;
    absl::StatusOr<V> value = Serde<V>::Decode(bytes);
    if (!value.ok()) {
      status_ = value.status();
      return std::nullopt;
    }
    return *std::move(value);
  }
  const absl::Status& status() const { return status_; }

 private:
  ValueCursor& cursor_;
  absl::Status status_;
};

template <typename KIn, typename VIn, typename K, typename V>
class TypedMap final : public MapFunction {
 public:
  TypedMap(InputFormat<KIn, VIn> format, std::unique_ptr<Mapper<KIn, VIn, K, V>> mapper)
      : format_(std::move(format)), mapper_(std::move(mapper)) {}
  absl::Status Map(int64_t offset, absl::string_view record, KvSink& out,
                   TaskContext& context) override {
    KIn key{};
    VIn value{};
    DDC_RETURN_IF_ERROR(format_.parse(offset, record, &key, &value));
    EncodingEmitter<K, V> emitter(out);
    return mapper_->Map(key, value, emitter, context);
  }

 private:
  InputFormat<KIn, VIn> format_;
  std::unique_ptr<Mapper<KIn, VIn, K, V>> mapper_;
};

template <typename K, typename V, typename KOut, typename VOut>
class TypedReduce final : public ReduceFunction {
 public:
  explicit TypedReduce(std::unique_ptr<Reducer<K, V, KOut, VOut>> reducer)
      : reducer_(std::move(reducer)) {}
  absl::Status Reduce(absl::string_view key_bytes, ValueCursor& cursor, KvSink& out,
                      TaskContext& context) override {
    DDC_ASSIGN_OR_RETURN(K key, Serde<K>::Decode(key_bytes));
    DecodingValues<V> values(cursor);
    EncodingEmitter<KOut, VOut> emitter(out);
    DDC_RETURN_IF_ERROR(reducer_->Reduce(key, values, emitter, context));
    return values.status();
  }

 private:
  std::unique_ptr<Reducer<K, V, KOut, VOut>> reducer_;
};

}  // namespace internal

template <typename KIn, typename VIn, typename K, typename V, typename KOut, typename VOut>
struct Job {
  std::string name;
  std::shared_ptr<const Dataset> input;
  int map_tasks = 4;
  int reduce_tasks = 4;
  InputFormat<KIn, VIn> input_format;
  std::function<std::unique_ptr<Mapper<KIn, VIn, K, V>>()> mapper;
  std::function<std::unique_ptr<Reducer<K, V, K, V>>()> combiner;  // optional
  std::function<std::unique_ptr<Reducer<K, V, KOut, VOut>>()> reducer;
  PartitionerPlan partitioner;
  TaskCosts costs;

  // Compile builds the plan; ValidatePlan (run by RunJob) reports what is missing.
  JobPlan Compile() const {
    JobPlan plan;
    plan.name = name;
    plan.input = input;
    plan.map_tasks = map_tasks;
    plan.reduce_tasks = reduce_tasks;
    plan.record_format = input_format.records;
    if (mapper) {
      plan.new_mapper = [format = input_format, mapper = mapper]() -> std::unique_ptr<MapFunction> {
        return std::make_unique<internal::TypedMap<KIn, VIn, K, V>>(format, mapper());
      };
    }
    if (combiner) {
      plan.new_combiner = [combiner = combiner]() -> std::unique_ptr<ReduceFunction> {
        return std::make_unique<internal::TypedReduce<K, V, K, V>>(combiner());
      };
    }
    if (reducer) {
      plan.new_reducer = [reducer = reducer]() -> std::unique_ptr<ReduceFunction> {
        return std::make_unique<internal::TypedReduce<K, V, KOut, VOut>>(reducer());
      };
    }
    plan.partitioner = partitioner;
    plan.costs = costs;
    return plan;
  }
};

// DecodeOutput decodes one output pair of a job whose output types are KOut and VOut.
template <typename KOut, typename VOut>
absl::StatusOr<std::pair<KOut, VOut>> DecodeOutput(absl::string_view key, absl::string_view value) {
  DDC_ASSIGN_OR_RETURN(KOut k, Serde<KOut>::Decode(key));
  DDC_ASSIGN_OR_RETURN(VOut v, Serde<VOut>::Decode(value));
  return std::pair<KOut, VOut>(std::move(k), std::move(v));
}

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_JOB_H_
