#include "expo/projection/batch_encoding.hpp"

#include <algorithm>
#include <iterator>
#include <unordered_map>
#include <utility>

#include "expo/projection/guarded_apply.hpp"

namespace expo::projection {
namespace {

// What messages of one shape share: partition (field#), argument count, keys (key#s).
struct Shape {
  std::size_t field = 0;
  std::size_t arg_count = 0;
  std::vector<std::size_t> keys{};

  friend bool operator==(const Shape&, const Shape&) = default;
};

struct ShapeHash {
  std::size_t operator()(const Shape& s) const noexcept {
    std::size_t h = s.field * 1000003u ^ s.arg_count;
    for (const auto k : s.keys) h = h * 31u + k;
    return h;
  }
};

// One call being filled: its distinct fields, keys and shapes, and the per-message part of ARGV.
class CallBuilder {
 public:
  explicit CallBuilder(const std::string& guard_key) { keys_.push_back(guard_key); }

  bool empty() const { return entries_ == 0; }

  // KEYS + ARGV this call would have with `entry` added.
  std::size_t size_with(const Entry& entry) const {
    std::size_t added = 2 + entry.args.size();
    const std::size_t field = field_index(entry);
    if (field == 0) ++added;
    std::vector<std::string_view> fresh;
    Shape shape{.field = field, .arg_count = entry.args.size(), .keys = {}};
    for (const auto& key : entry.keys) {
      if (const auto found = key_index_.find(key); found != key_index_.end()) {
        shape.keys.push_back(found->second);
        continue;
      }
      shape.keys.push_back(0);  // new: the shape is new too
      if (std::find(fresh.begin(), fresh.end(), key) == fresh.end()) fresh.emplace_back(key);
    }
    const bool known_shape = field != 0 && fresh.empty() && shape_index_.contains(shape);
    if (!known_shape) added += 3 + entry.keys.size();
    return size() + added + fresh.size();
  }

  void add(const Entry& entry) {
    std::size_t field = field_index(entry);
    if (field == 0) {
      fields_.emplace_back(entry.topic, entry.partition);
      field = fields_.size();
    }
    Shape shape{.field = field, .arg_count = entry.args.size(), .keys = {}};
    shape.keys.reserve(entry.keys.size());
    for (const auto& key : entry.keys) {
      auto [at, inserted] = key_index_.try_emplace(key, keys_.size() + 1);
      if (inserted) keys_.push_back(key);
      shape.keys.push_back(at->second);
    }
    auto [at, inserted] = shape_index_.try_emplace(std::move(shape), shapes_.size() + 1);
    if (inserted) {
      shapes_.push_back(&at->first);
      shape_args_ += 3 + at->first.keys.size();
    }
    body_.push_back(std::to_string(at->second));
    body_.push_back(std::to_string(entry.offset));
    body_.insert(body_.end(), entry.args.begin(), entry.args.end());
    ++entries_;
  }

  EncodedCall finish() && {
    EncodedCall call;
    call.entries = entries_;
    call.keys = std::move(keys_);
    call.args.reserve(size());
    call.args.push_back(std::to_string(fields_.size()));
    for (const auto& [topic, partition] : fields_) call.args.push_back(guard_field(topic, partition));
    call.args.push_back(std::to_string(shapes_.size()));
    for (const Shape* shape : shapes_) {
      call.args.push_back(std::to_string(shape->field));
      call.args.push_back(std::to_string(shape->arg_count));
      call.args.push_back(std::to_string(shape->keys.size()));
      for (const auto k : shape->keys) call.args.push_back(std::to_string(k));
    }
    std::move(body_.begin(), body_.end(), std::back_inserter(call.args));
    return call;
  }

 private:
  std::size_t size() const { return keys_.size() + 2 + fields_.size() + shape_args_ + body_.size(); }

  // 1-based position of the entry's partition among the call's fields; 0 when new. A batch spans few
  // partitions, so a scan beats hashing a "<topic>:<partition>" string per message.
  std::size_t field_index(const Entry& entry) const {
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      if (fields_[i].second == entry.partition && fields_[i].first == entry.topic) return i + 1;
    }
    return 0;
  }

  std::vector<std::string> keys_;
  // Views into the entries' keys, which outlive the encoding.
  std::unordered_map<std::string_view, std::size_t> key_index_;
  std::vector<std::pair<std::string_view, std::int32_t>> fields_;
  // Node-based, so the pointers in shapes_ stay valid as it grows.
  std::unordered_map<Shape, std::size_t, ShapeHash> shape_index_;
  std::vector<const Shape*> shapes_;
  std::size_t shape_args_ = 0;  // ARGV the shapes take
  std::vector<std::string> body_;
  std::size_t entries_ = 0;
};

}  // namespace

std::string_view hash_slot_part(std::string_view key) {
  const auto open = key.find('{');
  if (open == std::string_view::npos) return key;
  const auto close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

Result<std::vector<EncodedCall>> encode_batch(const std::string& guard_key, std::span<const Entry> entries,
                                              std::size_t max_arguments) {
  const auto slot = hash_slot_part(guard_key);
  std::vector<EncodedCall> calls;
  CallBuilder call(guard_key);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& entry = entries[i];
    for (const auto& key : entry.keys) {
      if (hash_slot_part(key) != slot) {
        return Error::permanent("projection_hash_tag", "entry " + std::to_string(i) +
                                                           " has a key outside the guard key's hash tag");
      }
    }
    if (!call.empty() && call.size_with(entry) > max_arguments) {
      calls.push_back(std::move(call).finish());
      call = CallBuilder(guard_key);
    }
    call.add(entry);
  }
  if (!call.empty()) calls.push_back(std::move(call).finish());
  return calls;
}

}  // namespace expo::projection
