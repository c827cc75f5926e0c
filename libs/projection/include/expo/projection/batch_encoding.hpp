#pragma once
// How a batch of guarded effects travels in one EVALSHA: a pure function, so the layout is unit-tested
// without Redis. apply_batch_sync() (batch_apply.hpp) is its only production caller.
//
// Messages of a batch mostly repeat the same partition, the same keys (a counter, a board) and the
// same number of arguments: that combination, a "shape", travels once, and each message carries only
// its shape, its offset and its own arguments. Layout of one call (numbers are decimal text, indices
// 1-based as in Lua):
//   KEYS[1]           the guard hash
//   KEYS[2..]         the distinct effect keys of the call, in order of first use
//   ARGV[1]           F, the number of distinct partitions in the call
//   ARGV[2..F+1]      their guard fields, "<topic>:<partition>" (see guard_field())
//   ARGV[F+2]         S, the number of distinct shapes
//   then S shapes:    field#  A  K  key#1 .. key#K
//   then per message: shape#  offset  arg1 .. argA
// field# indexes the fields (1..F), key#i indexes KEYS (2..), shape# the shapes (1..S); A is the
// message's argument count and K its key count. A message costs 2 + A arguments, plus 3 + K for a new
// shape, one for a new field and one per new key.
//
// Thread-safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "expo/core/result.hpp"

namespace expo::projection {

// One message's share of a batched guarded script: where it is in its topic, and the KEYS and ARGV
// its effect sees. Views: the topic must outlive the call it is passed to.
struct Entry {
  std::string_view topic{};
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::vector<std::string> keys{};
  std::vector<std::string> args{};
};

// The KEYS and ARGV of one EVALSHA, covering `entries` consecutive entries.
struct EncodedCall {
  std::vector<std::string> keys{};
  std::vector<std::string> args{};
  std::size_t entries = 0;
};

// Above this many KEYS + ARGV a batch is split over several calls. Each call blocks Redis while it
// runs: at about 8,000 arguments a call applies some thousands of messages in a few milliseconds.
inline constexpr std::size_t kDefaultMaxBatchArguments = 8192;

// The part of a key Redis Cluster hashes: the content of the first "{...}" when it is not empty,
// otherwise the whole key.
std::string_view hash_slot_part(std::string_view key);

// Splits `entries`, in order, into calls of at most `max_arguments` KEYS + ARGV each (a call always
// holds at least one entry, however large). Every key must hash like the guard key (same hash tag),
// so each call stays in one Redis Cluster slot; otherwise a permanent "projection_hash_tag" error
// naming neither key (keys may embed ids).
Result<std::vector<EncodedCall>> encode_batch(const std::string& guard_key, std::span<const Entry> entries,
                                              std::size_t max_arguments = kDefaultMaxBatchArguments);

}  // namespace expo::projection
