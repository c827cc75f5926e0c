#pragma once
// The process's Prometheus registry, served as text at /metrics on the service's own port.
// Families are built once at start and their metrics kept by reference (prometheus-cpp's guidance);
// no label ever takes an unbounded value such as a visitor id or a name.
// Thread-safety: prometheus-cpp metrics are safe to update from any thread; scrape() is too.

#include <memory>
#include <string>

namespace prometheus {
class Registry;
}

namespace expo::metrics {

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  prometheus::Registry& prometheus() { return *registry_; }
  // The text exposition format (version 0.0.4).
  std::string scrape() const;

  static constexpr const char* content_type = "text/plain; version=0.0.4; charset=utf-8";

 private:
  std::shared_ptr<prometheus::Registry> registry_;
};

}  // namespace expo::metrics
