#pragma once
// The Lua around an effect chunk, for the one-message and the batched guarded scripts. Both define the
// effect the same way, as `local function effect(KEYS, ARGV)`, so one chunk works in either.

#include <string>
#include <string_view>

namespace expo::projection::detail {

// KEYS[1] guard hash, ARGV[1] field, ARGV[2] offset; the rest belongs to the effect.
std::string guarded_single_lua(std::string_view effect);

// KEYS/ARGV as encoded by encode_batch() (batch_encoding.hpp). `finish` runs once after the messages
// (also before an effect's error is returned); it and the effect share the Lua table `batch`.
std::string guarded_batch_lua(std::string_view effect, std::string_view finish);

}  // namespace expo::projection::detail
