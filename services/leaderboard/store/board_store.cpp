#include "store/board_store.hpp"

#include <cstdint>
#include <set>
#include <utility>

#include "expo/projection/batch_apply.hpp"
#include "expo/redis/client.hpp"
#include "store/board_entries.hpp"
#include "store/generation_writer.hpp"

namespace expo::leaderboard {

std::string Generation::prefix() const { return std::string(keys::tag_prefix) + "g" + std::to_string(number) + ":"; }

namespace keys {
std::string current() { return std::string(tag_prefix) + "current"; }
std::string counts(const Generation& g) { return g.prefix() + "counts"; }
std::string activity(const Generation& g) { return g.prefix() + "activity"; }
std::string applied(const Generation& g) { return g.prefix() + "applied"; }
std::string visitors_of(const Generation& g, std::string_view booth, std::string_view period) {
  return g.prefix() + "ck:" + std::string(booth) + ":" + std::string(period);
}
}  // namespace keys

namespace {

const std::string generations_key = std::string(keys::tag_prefix) + "generations";
const std::string lease_prefix = std::string(keys::tag_prefix) + "building:";
const std::string display_key = std::string(keys::tag_prefix) + "display";
const std::string frozen_counts_key = std::string(keys::tag_prefix) + "frozen:counts";
const std::string frozen_applied_key = std::string(keys::tag_prefix) + "frozen:applied";

Generation live(std::int64_t number) { return Generation{.number = number, .must_be_live = true}; }

Error lease_lost() {
  return Error::permanent("rebuild_lease_lost", "the rebuild's lease on its generation lapsed; its keys may be gone");
}

// "{lb}:g<N>:..." -> N; nullopt for any other key.
std::optional<std::int64_t> generation_of(std::string_view key) {
  const auto head = std::string(keys::tag_prefix) + "g";
  if (!key.starts_with(head)) return std::nullopt;
  key.remove_prefix(head.size());
  const auto colon = key.find(':');
  if (colon == 0 || colon == std::string_view::npos) return std::nullopt;
  std::int64_t number = 0;
  for (const char c : key.substr(0, colon)) {
    if (c < '0' || c > '9' || number > (INT64_MAX - 9) / 10) return std::nullopt;
    number = number * 10 + (c - '0');
  }
  return number;
}

// The generation's keys are named inside these scripts from the number they read ({lb}:g<N>:...):
// they share the slot of the declared keys, as the tag makes sure.
//
// KEYS: current, display, frozen counts, frozen applied. Returns {generation or '', display fields,
// counts fields, applied fields}, the frozen copy while frozen.
const redis::Script& read_boards_script() {
  static const redis::Script script(R"lua(
local gen = redis.call('GET', KEYS[1])
local display = redis.call('HGETALL', KEYS[2])
if redis.call('HGET', KEYS[2], 'frozen') == '1' then
  return {gen or '', display, redis.call('HGETALL', KEYS[3]), redis.call('HGETALL', KEYS[4])}
end
if not gen then return {'', display, {}, {}} end
local prefix = '{lb}:g' .. gen .. ':'
return {gen, display, redis.call('HGETALL', prefix .. 'counts'), redis.call('HGETALL', prefix .. 'applied')}
)lua");
  return script;
}

// KEYS: current. Returns the live generation's activity fields ({} without one).
const redis::Script& read_activity_script() {
  static const redis::Script script(R"lua(
local gen = redis.call('GET', KEYS[1])
if not gen then return {} end
return redis.call('HGETALL', '{lb}:g' .. gen .. ':activity')
)lua");
  return script;
}

// KEYS: current, display, frozen counts, frozen applied. ARGV: '1' (freeze) | '0', at.
// Returns the display fields, or the error "no_boards" when there is nothing live to freeze.
const redis::Script& freeze_script() {
  static const redis::Script script(R"lua(
if ARGV[1] == '1' then
  local gen = redis.call('GET', KEYS[1])
  if not gen then return redis.error_reply('no_boards') end
  local prefix = '{lb}:g' .. gen .. ':'
  redis.call('DEL', KEYS[3], KEYS[4])  -- COPY of a missing (empty) hash would leave an older copy
  redis.call('COPY', prefix .. 'counts', KEYS[3], 'REPLACE')
  redis.call('COPY', prefix .. 'applied', KEYS[4], 'REPLACE')
  redis.call('HSET', KEYS[2], 'frozen', '1', 'frozen_at', ARGV[2])
else
  redis.call('DEL', KEYS[3], KEYS[4])
  redis.call('HSET', KEYS[2], 'frozen', '0', 'frozen_at', '')
end
return redis.call('HGETALL', KEYS[2])
)lua");
  return script;
}

// KEYS: current, the fresh generation's guard, the live generation's guard ('' name when none).
// ARGV: the fresh number, the live number ('' when none), then field/offset pairs it must cover.
// KEYS: generations, the lease prefix (named here with the number: the same slot). ARGV: seconds.
const redis::Script& new_generation_script() {
  static const redis::Script script(R"lua(
local n = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2] .. n, '1', 'EX', ARGV[1])
return n
)lua");
  return script;
}

// KEYS: current, the fresh guard, the live guard, the fresh generation's lease.
const redis::Script& swap_script() {
  static const redis::Script script(R"lua(
if redis.call('EXISTS', KEYS[4]) == 0 then return 'lease_lost' end
local live = redis.call('GET', KEYS[1]) or ''
if live ~= ARGV[2] then return 'superseded' end
local function covers(field, offset)
  local mine = redis.call('HGET', KEYS[2], field)
  return mine and tonumber(mine) >= tonumber(offset)
end
if live ~= '' then
  local theirs = redis.call('HGETALL', KEYS[3])
  for i = 1, #theirs, 2 do
    if not covers(theirs[i], theirs[i + 1]) then return 'behind' end
  end
end
for i = 3, #ARGV, 2 do
  if not covers(ARGV[i], ARGV[i + 1]) then return 'behind' end
end
redis.call('SET', KEYS[1], ARGV[1])
return 'swapped'
)lua");
  return script;
}

Fields to_fields(const redis::Reply& reply) {
  Fields out;
  const auto& e = reply.elements;
  for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
    std::int64_t value = 0;
    try {
      value = std::stoll(e[i + 1].str);
    } catch (const std::exception&) {
      continue;  // not a counter: nothing a board can show
    }
    out.emplace(e[i].str, value);
  }
  return out;
}

DisplayState to_display(const redis::Reply& reply) {
  DisplayState d;
  const auto& e = reply.elements;
  for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
    if (e[i].str == "frozen") d.frozen = e[i + 1].str == "1";
    if (e[i].str == "frozen_at") d.frozen_at = e[i + 1].str;
    if (e[i].str == "counts") d.counts_hidden = e[i + 1].str == "hidden";
  }
  return d;
}

Error unexpected() { return Error::permanent("redis_unexpected_reply", "unexpected reply from a boards script"); }

}  // namespace

BoardStore::BoardStore(std::shared_ptr<redis::Client> redis, std::shared_ptr<redis::Client> sync_redis)
    : redis_(std::move(redis)), sync_redis_(std::move(sync_redis)) {}

Result<std::optional<std::int64_t>> BoardStore::live_generation_sync() {
  auto reply = sync_redis_->command_sync({"GET", keys::current()});
  if (!reply) return reply.error();
  if (reply->is_nil()) return std::optional<std::int64_t>();
  try {
    return std::optional<std::int64_t>(std::stoll(reply->str));
  } catch (const std::exception&) {
    return unexpected();
  }
}

Result<void> BoardStore::apply_sync(const Generation& generation, std::span<const projection::Entry> entries) {
  if (entries.empty()) return {};
  auto applied = projection::apply_batch_sync(*sync_redis_, board_script(), keys::applied(generation), entries);
  if (!applied) {
    if (applied.error().message.find("generation_changed") != std::string::npos) {
      return Error::retryable_error("generation_changed", "the boards' live generation changed during the write");
    }
    return applied.error();
  }
  return {};
}

Result<GenerationWriteStats> BoardStore::write_generation_sync(const Generation& generation, const BoardModel& model,
                                                              const GenerationWriteOptions& options) {
  return leaderboard::write_generation_sync(*sync_redis_, generation, model, options);
}

GenerationWriter BoardStore::generation_writer(const Generation& generation, const GenerationWriteOptions& options) {
  return GenerationWriter(*sync_redis_, generation, options);
}

Result<std::int64_t> BoardStore::new_generation_sync(std::chrono::seconds lease) {
  auto reply = sync_redis_->eval_sync(new_generation_script(), {generations_key, lease_prefix},
                                      {std::to_string(lease.count())});
  if (!reply) return reply.error();
  return static_cast<std::int64_t>(reply->integer);
}

Result<void> BoardStore::renew_lease_sync(std::int64_t generation, std::chrono::seconds lease) {
  // XX: a lapsed lease is not taken again, since a sweep may already have dropped keys under it.
  auto reply = sync_redis_->command_sync(
      {"SET", lease_prefix + std::to_string(generation), "1", "XX", "EX", std::to_string(lease.count())});
  if (!reply) return reply.error();
  if (reply->str != "OK") return lease_lost();
  return {};
}

Result<void> BoardStore::release_lease_sync(std::int64_t generation) {
  auto reply = sync_redis_->command_sync({"DEL", lease_prefix + std::to_string(generation)});
  if (!reply) return reply.error();
  return {};
}

Result<std::vector<std::int64_t>> BoardStore::drop_orphan_generations_sync() {
  // The generations that have keys, from their names: {lb}:g<N>:...
  std::set<std::int64_t> present;
  const auto pattern = std::string(keys::tag_prefix) + "g*";
  std::string cursor = "0";
  do {
    auto page = sync_redis_->command_sync({"SCAN", cursor, "MATCH", pattern, "COUNT", "10000"});
    if (!page) return page.error();
    if (page->elements.size() != 2) return unexpected();
    cursor = page->elements[0].str;
    for (const auto& key : page->elements[1].elements) {
      if (auto number = generation_of(key.str)) present.insert(*number);
    }
  } while (cursor != "0");
  auto current = live_generation_sync();
  if (!current) return current.error();
  std::vector<std::int64_t> dropped;
  for (const auto number : present) {
    if (number == *current) continue;
    auto leased = sync_redis_->command_sync({"EXISTS", lease_prefix + std::to_string(number)});
    if (!leased) return leased.error();
    if (leased->integer != 0) continue;  // a rebuild is writing it
    if (auto gone = drop_generation_sync(number); !gone) return gone.error();
    dropped.push_back(number);
  }
  return dropped;
}

Result<SwapOutcome> BoardStore::swap_sync(std::int64_t fresh, std::optional<std::int64_t> live_number,
                                          const Fields& covered) {
  std::vector<std::string> args{std::to_string(fresh), live_number ? std::to_string(*live_number) : std::string()};
  for (const auto& [field, offset] : covered) {
    args.push_back(field);
    args.push_back(std::to_string(offset));
  }
  // Without a live generation the third key is only a placeholder in the slot.
  const auto live_guard = live_number ? keys::applied(live(*live_number)) : std::string(keys::tag_prefix) + "none";
  auto reply = sync_redis_->eval_sync(
      swap_script(), {keys::current(), keys::applied(live(fresh)), live_guard, lease_prefix + std::to_string(fresh)},
      std::move(args));
  if (!reply) return reply.error();
  if (reply->str == "lease_lost") return lease_lost();
  if (reply->str == "swapped") return SwapOutcome::swapped;
  if (reply->str == "behind") return SwapOutcome::behind;
  if (reply->str == "superseded") return SwapOutcome::superseded;
  return unexpected();
}

Result<Fields> BoardStore::applied_sync(std::int64_t generation) {
  auto reply = sync_redis_->command_sync({"HGETALL", keys::applied(live(generation))});
  if (!reply) return reply.error();
  return to_fields(*reply);
}

Result<std::int64_t> BoardStore::drop_generation_sync(std::int64_t generation) {
  auto current = live_generation_sync();
  if (!current) return current.error();
  if (*current == generation) {
    return Error::permanent("generation_live", "refusing to drop the live generation of the boards");
  }
  const auto pattern = live(generation).prefix() + "*";
  std::string cursor = "0";
  std::int64_t dropped = 0;
  // A page's UNLINK travels with the next page's SCAN (deleting keys a scan has returned is safe):
  // one round trip a page. Pages of 10,000 keys looked at keep each command to some milliseconds.
  std::vector<std::string> unlink{"UNLINK"};
  const auto count = [&](const Result<redis::Reply>& unlinked) -> Result<void> {
    if (!unlinked) return unlinked.error();
    dropped += unlinked->integer;
    return {};
  };
  do {
    std::vector<std::vector<std::string>> commands{{"SCAN", cursor, "MATCH", pattern, "COUNT", "10000"}};
    if (unlink.size() > 1) commands.push_back(std::exchange(unlink, {"UNLINK"}));
    const auto answers = sync_redis_->command_all_sync(std::move(commands));
    if (answers.size() > 1) {
      if (auto counted = count(answers[1]); !counted) return counted.error();
    }
    const auto& page = answers[0];
    if (!page) return page.error();
    if (page->elements.size() != 2) return unexpected();
    cursor = page->elements[0].str;
    for (const auto& key : page->elements[1].elements) unlink.push_back(key.str);
  } while (cursor != "0");
  if (unlink.size() > 1) {
    if (auto counted = count(sync_redis_->command_sync(std::move(unlink))); !counted) return counted.error();
  }
  return dropped;
}

void BoardStore::read_boards(std::function<void(Result<BoardsState>)> done) {
  redis_->eval(read_boards_script(), {keys::current(), display_key, frozen_counts_key, frozen_applied_key}, {},
               [done = std::move(done)](Result<redis::Reply> reply) {
                 if (!reply) return done(reply.error());
                 if (reply->elements.size() != 4) return done(unexpected());
                 BoardsState state;
                 const auto& e = reply->elements;
                 if (!e[0].str.empty()) {
                   try {
                     state.generation = std::stoll(e[0].str);
                   } catch (const std::exception&) {
                     return done(unexpected());
                   }
                 }
                 state.display = to_display(e[1]);
                 state.counts = to_fields(e[2]);
                 state.applied = to_fields(e[3]);
                 done(std::move(state));
               });
}

void BoardStore::read_activity(std::function<void(Result<Fields>)> done) {
  redis_->eval(read_activity_script(), {keys::current()}, {}, [done = std::move(done)](Result<redis::Reply> reply) {
    if (!reply) return done(reply.error());
    done(to_fields(*reply));
  });
}

void BoardStore::set_frozen(bool frozen, std::string at, std::function<void(Result<DisplayState>)> done) {
  redis_->eval(freeze_script(), {keys::current(), display_key, frozen_counts_key, frozen_applied_key},
               {frozen ? "1" : "0", std::move(at)}, [done = std::move(done)](Result<redis::Reply> reply) {
                 if (!reply) {
                   if (reply.error().message.find("no_boards") != std::string::npos) {
                     return done(Error::retryable_error("boards_unavailable", "there are no boards to freeze yet"));
                   }
                   return done(reply.error());
                 }
                 done(to_display(*reply));
               });
}

void BoardStore::set_counts_hidden(bool hidden, std::function<void(Result<DisplayState>)> done) {
  // The answer is the whole display state as it is after the change.
  redis_->command({"HSET", display_key, "counts", hidden ? "hidden" : "shown"},
                  [redis = redis_, done = std::move(done)](Result<redis::Reply> set) {
                    if (!set) return done(set.error());
                    redis->command({"HGETALL", display_key}, [done](Result<redis::Reply> reply) {
                      if (!reply) return done(reply.error());
                      done(to_display(*reply));
                    });
                  });
}

}  // namespace expo::leaderboard
