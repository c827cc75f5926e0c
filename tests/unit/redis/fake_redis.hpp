#pragma once
// A scripted stand-in for redis-server on the test's own io_context, so the client's wire behaviour
// (pipelining, timeouts, NOSCRIPT, lost connections) is tested with nothing running. It parses RESP
// command arrays and answers each with whatever the test's responder returns.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace expo::redis::testing {

using Command = std::vector<std::string>;
// Raw RESP to send back, or nullopt to never answer. Like a real server, a connection answers in order,
// so once one command goes unanswered the connection stays silent (wedged) from then on.
using Responder = std::function<std::optional<std::string>(const Command&)>;

inline std::string bulk(const std::string& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; }

// Takes one complete command off the front of `buffer`, if there is one.
inline std::optional<Command> take_command(std::string& buffer) {
  std::size_t pos = 0;
  auto line = [&](std::string& out) {
    const auto end = buffer.find("\r\n", pos);
    if (end == std::string::npos) return false;
    out = buffer.substr(pos, end - pos);
    pos = end + 2;
    return true;
  };
  std::string header;
  if (!line(header) || header.empty() || header[0] != '*') return std::nullopt;
  const auto count = std::stoul(header.substr(1));
  Command command;
  for (std::size_t i = 0; i < count; ++i) {
    std::string len_line;
    if (!line(len_line) || len_line.empty() || len_line[0] != '$') return std::nullopt;
    const auto len = std::stoul(len_line.substr(1));
    if (buffer.size() < pos + len + 2) return std::nullopt;
    command.push_back(buffer.substr(pos, len));
    pos += len + 2;
  }
  buffer.erase(0, pos);
  return command;
}

class FakeRedis {
 public:
  FakeRedis(boost::asio::io_context& io, Responder responder)
      : acceptor_(io, {boost::asio::ip::make_address("127.0.0.1"), 0}), state_(std::make_shared<State>()) {
    state_->responder = std::move(responder);
    accept();
  }
  ~FakeRedis() { stop(); }

  // Stops listening and closes every connection, so the io_context can run out of work.
  void stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    close_all();
  }

  int port() const { return acceptor_.local_endpoint().port(); }
  int accepted() const { return state_->accepted; }
  // Every command but a bare PING (the client's connection check), which is only counted.
  const std::vector<Command>& commands() const { return state_->commands; }
  int pings() const { return state_->pings; }
  void set_ping_responder(std::function<std::optional<std::string>()> r) { state_->ping_responder = std::move(r); }
  void set_close_on_accept(bool on) { state_->close_on_accept = on; }

  // Closes every connection accepted so far, as a server restart or CLIENT KILL would.
  void close_all() {
    for (auto& weak : state_->sessions) {
      if (auto s = weak.lock()) {
        boost::system::error_code ignored;
        s->socket.close(ignored);
      }
    }
    state_->sessions.clear();
  }

 private:
  struct Session;
  struct State {
    Responder responder;
    std::function<std::optional<std::string>()> ping_responder = [] { return std::string("+PONG\r\n"); };
    int accepted = 0;
    int pings = 0;
    bool close_on_accept = false;
    std::vector<Command> commands;
    std::vector<std::weak_ptr<Session>> sessions;
  };

  struct Session : std::enable_shared_from_this<Session> {
    Session(boost::asio::ip::tcp::socket s, std::shared_ptr<State> st) : socket(std::move(s)), state(std::move(st)) {}

    void read() {
      socket.async_read_some(boost::asio::buffer(chunk), [self = shared_from_this()](auto ec, std::size_t n) {
        if (ec) return;
        self->buffer.append(self->chunk.data(), n);
        std::string out;
        while (auto command = take_command(self->buffer)) {
          const bool ping = command->size() == 1 && (*command)[0] == "PING";
          if (ping) {
            ++self->state->pings;
          } else {
            self->state->commands.push_back(*command);
          }
          if (self->wedged) continue;
          if (auto answer = ping ? self->state->ping_responder() : self->state->responder(*command)) {
            out += *answer;
          } else {
            self->wedged = true;
          }
        }
        if (!out.empty()) {
          boost::system::error_code wec;  // small answers on loopback: a blocking write is fine here
          boost::asio::write(self->socket, boost::asio::buffer(out), wec);
        }
        self->read();
      });
    }

    boost::asio::ip::tcp::socket socket;
    std::shared_ptr<State> state;
    std::array<char, 4096> chunk{};
    std::string buffer;
    bool wedged = false;
  };

  void accept() {
    acceptor_.async_accept([this, state = state_](auto ec, boost::asio::ip::tcp::socket socket) {
      if (ec) return;
      ++state->accepted;
      if (state->close_on_accept) {
        socket.close(ec);
      } else {
        auto session = std::make_shared<Session>(std::move(socket), state);
        state->sessions.push_back(session);
        session->read();
      }
      accept();
    });
  }

  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<State> state_;
};

}  // namespace expo::redis::testing
