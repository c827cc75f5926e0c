#include "asio_adapter.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <utility>

namespace expo::redis::detail {
namespace {

namespace asio = boost::asio;

// Per-context event state. hiredis holds a raw pointer to it in ac->ev.data; the object keeps itself
// alive (self_) until hiredis calls cleanup, and every pending wait holds a reference too, so a wait
// that completes after cleanup still finds valid memory and sees closed_.
class AsioEvents : public std::enable_shared_from_this<AsioEvents> {
 public:
  enum Dir : int { read = 0, write = 1 };

  AsioEvents(redisAsyncContext* ac, asio::io_context& io, std::weak_ptr<void> owner)
      : ac_(ac), descriptor_(io), owner_(std::move(owner)) {}

  bool assign(int fd) {
    boost::system::error_code ec;
    descriptor_.assign(fd, ec);
    return !ec;
  }

  void keep_alive() { self_ = shared_from_this(); }

  // hiredis calls these "when the library expects to start/stop reading/writing" and expects them to
  // be idempotent: they only record the wish and make sure one wait per direction is outstanding.
  static void add_read(void* p) { static_cast<AsioEvents*>(p)->want(read, true); }
  static void del_read(void* p) { static_cast<AsioEvents*>(p)->want(read, false); }
  static void add_write(void* p) { static_cast<AsioEvents*>(p)->want(write, true); }
  static void del_write(void* p) { static_cast<AsioEvents*>(p)->want(write, false); }
  static void cleanup(void* p) { static_cast<AsioEvents*>(p)->close(); }

 private:
  void want(Dir dir, bool on) {
    wanted_[dir] = on;
    if (on) arm(dir);
  }

  void arm(Dir dir) {
    if (closed_ || waiting_[dir]) return;
    waiting_[dir] = true;
    descriptor_.async_wait(
        dir == read ? asio::posix::stream_descriptor::wait_read : asio::posix::stream_descriptor::wait_write,
        [self = shared_from_this(), dir](const boost::system::error_code& ec) { self->on_ready(dir, ec); });
  }

  void on_ready(Dir dir, const boost::system::error_code& ec) {
    waiting_[dir] = false;
    if (closed_ || ec == asio::error::operation_aborted || !wanted_[dir]) return;
    const auto owner = owner_.lock();
    if (!owner) return;
    // Other errors fall through: hiredis' own read/write then sees the socket error and disconnects.
    // Either call may free the context, which runs cleanup() and sets closed_.
    if (dir == read) {
      redisAsyncHandleRead(ac_);
    } else {
      redisAsyncHandleWrite(ac_);
    }
    // Level-triggered like hiredis' libev/libuv adapters: keep waiting while hiredis still wants it.
    if (!closed_ && wanted_[dir]) arm(dir);
  }

  void close() {
    // Whatever hiredis version calls us, nothing may reach this object through the context again.
    ac_->ev.data = nullptr;
    ac_->ev.addRead = nullptr;
    ac_->ev.delRead = nullptr;
    ac_->ev.addWrite = nullptr;
    ac_->ev.delWrite = nullptr;
    ac_->ev.cleanup = nullptr;
    ac_ = nullptr;
    closed_ = true;
    wanted_ = {false, false};
    // hiredis closes the fd itself right after cleanup; release() only deregisters it from the reactor
    // and aborts the outstanding waits (their handlers hold references and will see closed_).
    static_cast<void>(descriptor_.release());
    // Last statement: this may destroy *this when no wait is outstanding.
    const auto self = std::move(self_);
  }

  redisAsyncContext* ac_;
  asio::posix::stream_descriptor descriptor_;
  std::weak_ptr<void> owner_;
  std::shared_ptr<AsioEvents> self_;
  std::array<bool, 2> wanted_{false, false};
  std::array<bool, 2> waiting_{false, false};
  bool closed_ = false;
};

}  // namespace

int redis_asio_attach(redisAsyncContext* ac, asio::io_context& io, std::weak_ptr<void> owner) {
  // Nothing should be attached when something is already attached (same rule as hiredis' adapters).
  if (ac->ev.data != nullptr) return REDIS_ERR;

  auto events = std::make_shared<AsioEvents>(ac, io, std::move(owner));
  if (!events->assign(ac->c.fd)) return REDIS_ERR;
  events->keep_alive();

  ac->ev.addRead = &AsioEvents::add_read;
  ac->ev.delRead = &AsioEvents::del_read;
  ac->ev.addWrite = &AsioEvents::add_write;
  ac->ev.delWrite = &AsioEvents::del_write;
  ac->ev.cleanup = &AsioEvents::cleanup;
  ac->ev.data = events.get();

  // A non-blocking connect completes when the socket becomes writable; hiredis finishes the connect
  // (and calls onConnect) on that first write event, even before any command is queued.
  AsioEvents::add_write(events.get());
  return REDIS_OK;
}

}  // namespace expo::redis::detail
