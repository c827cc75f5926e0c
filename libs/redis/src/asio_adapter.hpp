#pragma once
// Plugs a hiredis async context into Boost.Asio, in the shape of hiredis' own adapters/*.h (hiredis
// ships none for Asio): hiredis asks for read/write readiness through the ac->ev hooks, and a
// stream_descriptor on the context's fd waits for it with async_wait and calls redisAsyncHandleRead/
// redisAsyncHandleWrite. hiredis owns the fd: on cleanup the descriptor is released, never closed.
//
// Thread-safety: like the context itself, io thread only.

#include <memory>

struct redisAsyncContext;

namespace boost::asio {
class io_context;
}

namespace expo::redis::detail {

// Returns REDIS_OK, or REDIS_ERR when something is already attached or the fd cannot be registered
// with the io_context. `owner` (the object whose callbacks hiredis calls) is locked for the duration of
// every redisAsyncHandleRead/Write, so it cannot be destroyed while hiredis is inside its callbacks;
// once it has expired, readiness events are ignored.
int redis_asio_attach(redisAsyncContext* ac, boost::asio::io_context& io, std::weak_ptr<void> owner);

}  // namespace expo::redis::detail
