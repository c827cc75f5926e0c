#pragma once
// Token buckets per key (a device, a visitor): `rate` tokens a second up to `burst`. Time is passed
// in, so the rules are tested without waiting. Keys unseen for a minute are forgotten, so the map
// stays as small as the set of active keys. Not thread-safe: one owner thread (the io thread).

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <unordered_map>

namespace expo {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double rate_per_second, double burst) : rate_(rate_per_second), burst_(burst) {}

  // True when `key` may act now (and takes a token); false when it must wait.
  bool allow(std::string_view key, Clock::time_point now) {
    forget_idle(now);
    auto [it, fresh] = buckets_.try_emplace(std::string(key), Bucket{burst_, now});
    auto& bucket = it->second;
    if (!fresh) {
      const std::chrono::duration<double> elapsed = now - bucket.updated;
      bucket.tokens = std::min(burst_, bucket.tokens + elapsed.count() * rate_);
      bucket.updated = now;
    }
    if (bucket.tokens < 1.0) return false;
    bucket.tokens -= 1.0;
    return true;
  }

  std::size_t tracked() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };

  void forget_idle(Clock::time_point now) {
    if (now - last_sweep_ < std::chrono::minutes(1)) return;
    last_sweep_ = now;
    std::erase_if(buckets_, [&](const auto& entry) { return now - entry.second.updated > std::chrono::minutes(1); });
  }

  double rate_;
  double burst_;
  std::unordered_map<std::string, Bucket> buckets_;
  Clock::time_point last_sweep_{};
};

}  // namespace expo
