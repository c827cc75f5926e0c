#pragma once
// A Lua script identified by the SHA1 of its source, so the hot path sends EVALSHA and never the source.
// Immutable after construction; copies share one body, so a Script is cheap to copy and safe to read
// from any thread.

#include <memory>
#include <string>

namespace expo::redis {

class Script {
 public:
  // Computes the SHA1 (lowercase hex, exactly what SCRIPT LOAD answers) locally.
  explicit Script(std::string source);

  const std::string& source() const noexcept { return body_->source; }
  const std::string& sha() const noexcept { return body_->sha; }

 private:
  struct Body {
    std::string source;
    std::string sha;
  };
  std::shared_ptr<const Body> body_;
};

}  // namespace expo::redis
