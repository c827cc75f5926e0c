#include "expo/testing/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace expo::testing {

std::string HttpResult::header(const std::string& lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

struct HttpClient::Impl {
  std::string host;
  std::uint16_t port;
  boost::asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  HttpResult attempt(const std::string& method, const std::string& target, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     std::chrono::milliseconds timeout) {
    HttpResult result;
    beast::error_code ec;
    if (!stream) {
      stream.emplace(io);
      stream->expires_after(timeout);
      stream->connect(tcp::endpoint(boost::asio::ip::make_address(host), port), ec);
      if (ec) {
        stream.reset();
        result.error = "connect: " + ec.message();
        return result;
      }
    }
    bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
    req.set(bhttp::field::host, host);
    req.keep_alive(true);
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    if (!body.empty() || method == "POST" || method == "PUT") req.prepare_payload();
    stream->expires_after(timeout);
    bhttp::write(*stream, req, ec);
    if (ec) {
      stream.reset();
      result.error = "write: " + ec.message();
      return result;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (method == "HEAD") parser.skip(true);
    bhttp::read(*stream, buffer, parser, ec);
    if (ec) {
      stream.reset();
      buffer.clear();
      result.error = "read: " + ec.message();
      return result;
    }
    auto response = parser.release();
    result.status = static_cast<int>(response.result_int());
    result.body = std::move(response.body());
    for (const auto& field : response) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      result.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    if (!response.keep_alive()) stream.reset();
    return result;
  }
};

HttpClient::HttpClient(std::uint16_t port, std::string host) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

HttpClient::~HttpClient() = default;

HttpResult HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               std::chrono::milliseconds timeout) {
  const bool reused = impl_->stream.has_value();
  auto result = impl_->attempt(method, target, body, headers, timeout);
  // A kept-alive connection the server has since closed fails on first use: retry once, fresh.
  if (result.status == 0 && reused) result = impl_->attempt(method, target, body, headers, timeout);
  return result;
}

}  // namespace expo::testing
