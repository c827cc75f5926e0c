#include "expo/http/client.hpp"

#include <charconv>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace expo::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

// One exchange; owns everything it needs until `done` has run.
struct Exchange : std::enable_shared_from_this<Exchange> {
  Exchange(boost::asio::io_context& io, Endpoint e, std::string target, GetOptions o,
           std::function<void(Result<ClientResponse>)> d)
      : resolver(io), stream(io), endpoint(std::move(e)), options(o), done(std::move(d)) {
    request.method(bhttp::verb::get);
    request.target(target);
    request.version(11);
    request.set(bhttp::field::host, endpoint.host);
    request.set(bhttp::field::user_agent, "expo");
    request.set(bhttp::field::connection, "close");
    parser.body_limit(options.max_body);
  }

  void fail(const beast::error_code& ec) {
    if (ec == bhttp::error::body_limit) {
      return done(Error::permanent("upstream_too_large", "the answer is larger than allowed"));
    }
    done(Error::retryable_error("upstream_unavailable", "request to " + endpoint.host + ":" +
                                                            std::to_string(endpoint.port) + " failed: " + ec.message()));
  }

  void start() {
    // The deadline covers resolving too: the resolver is cancelled with the stream.
    stream.expires_after(options.timeout);
    resolver.async_resolve(endpoint.host, std::to_string(endpoint.port),
                           [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                             if (ec) return self->fail(ec);
                             self->connect(results);
                           });
  }

  void connect(const tcp::resolver::results_type& results) {
    stream.async_connect(results, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return self->fail(ec);
      bhttp::async_write(self->stream, self->request, [self](beast::error_code written, std::size_t) {
        if (written) return self->fail(written);
        bhttp::async_read(self->stream, self->buffer, self->parser, [self](beast::error_code read, std::size_t) {
          if (read) return self->fail(read);
          beast::error_code ignored;
          self->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
          auto message = self->parser.release();
          self->done(ClientResponse{static_cast<int>(message.result_int()), std::move(message.body())});
        });
      });
    });
  }

  tcp::resolver resolver;
  beast::tcp_stream stream;
  Endpoint endpoint;
  GetOptions options;
  std::function<void(Result<ClientResponse>)> done;
  bhttp::request<bhttp::empty_body> request;
  bhttp::response_parser<bhttp::string_body> parser;
  beast::flat_buffer buffer;
};

}  // namespace

Result<Endpoint> parse_http_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme)) return Error::permanent("invalid_url", "the URL must start with http://");
  url.remove_prefix(scheme.size());
  while (url.ends_with('/')) url.remove_suffix(1);
  if (url.find('/') != std::string_view::npos) return Error::permanent("invalid_url", "the URL must not have a path");
  Endpoint e;
  const auto colon = url.rfind(':');
  if (colon == std::string_view::npos) {
    e.host = std::string(url);
  } else {
    e.host = std::string(url.substr(0, colon));
    const auto port = url.substr(colon + 1);
    unsigned value = 0;
    const auto* end = port.data() + port.size();
    if (port.empty() || std::from_chars(port.data(), end, value).ptr != end || value == 0 || value > 65535) {
      return Error::permanent("invalid_url", "the URL's port must be a number from 1 to 65535");
    }
    e.port = static_cast<std::uint16_t>(value);
  }
  if (e.host.empty()) return Error::permanent("invalid_url", "the URL has no host");
  return e;
}

void get(boost::asio::io_context& io, const Endpoint& endpoint, std::string target, GetOptions options,
         std::function<void(Result<ClientResponse>)> done) {
  std::make_shared<Exchange>(io, endpoint, std::move(target), options, std::move(done))->start();
}

}  // namespace expo::http
