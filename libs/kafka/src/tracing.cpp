#include "expo/kafka/tracing.hpp"

#include "expo/core/log.hpp"

namespace expo::kafka {

std::vector<Header> request_id_headers(std::string_view request_id) {
  if (request_id.empty()) return {};
  return {Header{std::string(request_id_header), std::string(request_id)}};
}

std::string_view request_id_of(const std::vector<Header>& headers) {
  for (const auto& h : headers) {
    if (h.key == request_id_header) return h.value;
  }
  return {};
}

void log_skipped(const Message& message, std::string_view reason) {
  const auto partition = std::to_string(message.partition);
  const auto offset = std::to_string(message.offset);
  log::warn("skipping a malformed message", {{"topic", message.topic},
                                             {"partition", partition},
                                             {"offset", offset},
                                             {"request_id", request_id_of(message.headers)},
                                             {"error", reason}});
}

}  // namespace expo::kafka
