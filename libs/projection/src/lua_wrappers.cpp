#include "lua_wrappers.hpp"

namespace expo::projection::detail {
namespace {

// The effect sees its own KEYS and ARGV (the guard's are not among them); its return value is ignored.
std::string effect_function(std::string_view effect) {
  std::string lua = "local function effect(KEYS, ARGV)\n";
  lua += effect;
  lua += "\nend\n";
  return lua;
}

}  // namespace

std::string guarded_single_lua(std::string_view effect) {
  std::string lua = R"lua(
local applied = redis.call('HGET', KEYS[1], ARGV[1])
if applied and tonumber(applied) >= tonumber(ARGV[2]) then
  return 0
end
)lua";
  lua += effect_function(effect);
  lua += R"lua(local effect_keys = {}
for i = 2, #KEYS do effect_keys[i - 1] = KEYS[i] end
local effect_args = {}
for i = 3, #ARGV do effect_args[i - 2] = ARGV[i] end
effect(effect_keys, effect_args)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
)lua";
  return lua;
}

std::string guarded_batch_lua(std::string_view effect, std::string_view finish) {
  // The effect and finish functions come first, so the only wrapper local they can see is `batch`: a
  // typo'd global in an effect cannot silently overwrite the wrapper's state.
  std::string lua = "local batch = {}\n";
  lua += effect_function(effect);
  lua += "local function finish()\n";
  lua += finish;
  lua += "\nend\n";
  // Offsets are compared as Lua numbers (exact up to 2^53) but recorded as the caller's text, so the
  // guard never holds a float rendering such as "1e+15". Shapes are looked up by their ARGV text, and
  // their KEYS tables and one ARGV table are shared by the messages: no table a message to collect.
  // Effects run under pcall so that when one fails, finish() and the guard still cover every message
  // applied before it (Redis keeps a script's writes up to an error): retrying the batch skips them.
  lua += R"lua(local tonumber, pcall, call = tonumber, pcall, redis.call
local argv, all_keys = ARGV, KEYS
local guard = all_keys[1]
local field_count = tonumber(argv[1])
local applied, advanced = {}, {}
for f = 1, field_count do
  local recorded = call('HGET', guard, argv[1 + f])
  applied[f] = recorded and tonumber(recorded) or -1
end
local i = field_count + 2
local shape_count = tonumber(argv[i])
i = i + 1
local shapes = {}
for s = 1, shape_count do
  local key_count = tonumber(argv[i + 2])
  local keys = {}
  for k = 1, key_count do keys[k] = all_keys[tonumber(argv[i + 2 + k])] end
  shapes[tostring(s)] = {field = tonumber(argv[i]), arg_count = tonumber(argv[i + 1]), keys = keys}
  i = i + 3 + key_count
end
local function conclude()
  finish()
  for f = 1, field_count do
    if advanced[f] then call('HSET', guard, argv[1 + f], advanced[f]) end
  end
end
local outcomes, n = {}, 0
local args, args_held = {}, 0
local last = #argv
while i <= last do
  local shape = shapes[argv[i]]
  local offset_text = argv[i + 1]
  local arg_count = shape.arg_count
  for a = 1, arg_count do args[a] = argv[i + 1 + a] end
  for a = arg_count + 1, args_held do args[a] = nil end
  args_held = arg_count
  i = i + 2 + arg_count
  n = n + 1
  local f = shape.field
  local offset = tonumber(offset_text)
  if offset <= applied[f] then
    outcomes[n] = '0'
  else
    local ok, err = pcall(effect, shape.keys, args)
    if not ok then
      conclude()
      if type(err) == 'table' then err = err.err end
      return redis.error_reply('EFFECT at ' .. argv[1 + f] .. '@' .. offset_text .. ': ' .. tostring(err))
    end
    applied[f] = offset
    advanced[f] = offset_text
    outcomes[n] = '1'
  end
end
conclude()
return table.concat(outcomes)
)lua";
  return lua;
}

}  // namespace expo::projection::detail
