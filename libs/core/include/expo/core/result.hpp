#pragma once
// Expected failures are values, not exceptions (see docs/architecture.md, "Errors").
// An Error carries a stable machine code, a human message that never holds personal data, and
// whether retrying later may succeed; the HTTP edge maps retryable errors to 503 + Retry-After.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace expo {

struct Error {
  std::string code;     // stable, snake_case: "redis_unavailable", "timeout", ...
  std::string message;  // for operators; never contains names, phones or e-mails
  bool retryable = false;

  static Error retryable_error(std::string code, std::string message) {
    return Error{std::move(code), std::move(message), true};
  }
  static Error permanent(std::string code, std::string message) {
    return Error{std::move(code), std::move(message), false};
  }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}        // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}    // NOLINT: implicit by design

  bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(state_); }
  const T& value() const& { assert(ok()); return std::get<0>(state_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace expo
