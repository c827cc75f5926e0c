#include "expo/metrics/registry.hpp"

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace expo::metrics {

Registry::Registry() : registry_(std::make_shared<prometheus::Registry>()) {}
Registry::~Registry() = default;

std::string Registry::scrape() const {
  const prometheus::TextSerializer serializer;
  return serializer.Serialize(registry_->Collect());
}

}  // namespace expo::metrics
