#include "store/generation_writer.hpp"

#include <algorithm>
#include <deque>
#include <future>
#include <string>
#include <utility>
#include <vector>

#include "expo/projection/guarded_apply.hpp"
#include "expo/redis/client.hpp"
#include "expo/vote_ledger/ledger.hpp"

namespace expo::leaderboard {
namespace {

using Command = std::vector<std::string>;

// Commands collected into round trips, each sent pipelined (command_all_sync) from a thread of its
// own while the next is built, two at most in flight: Redis works on one round while the next one is
// built and sent, instead of waiting for the writer between rounds. The bound keeps memory and the
// connection's pending commands small.
class Rounds {
 public:
  static constexpr std::size_t kInFlight = 2;

  Rounds(redis::Client& redis, const GenerationWriteOptions& options, GenerationWriteStats& stats)
      : redis_(redis), options_(options), stats_(stats) {}
  // Never leaves a round using the client behind (a future from std::async waits when destroyed).
  ~Rounds() = default;
  Rounds(const Rounds&) = delete;
  Rounds& operator=(const Rounds&) = delete;

  Result<void> add(Command command) {
    arguments_ += command.size();
    round_.push_back(std::move(command));
    if (round_.size() >= options_.round_commands || arguments_ >= options_.round_arguments) return send();
    return {};
  }

  // Sends what is collected and waits for every round sent.
  Result<void> finish() {
    auto sent = send();
    while (!in_flight_.empty()) {
      auto done = wait_oldest();
      if (sent && !done) sent = done;
    }
    return sent;
  }

 private:
  using Answers = std::vector<Result<redis::Reply>>;

  Result<void> send() {
    if (round_.empty()) return {};
    if (options_.cancelled && options_.cancelled()) return Error::permanent("cancelled", "the write was cancelled");
    if (in_flight_.size() >= kInFlight) {
      if (auto done = wait_oldest(); !done) return done;
    }
    stats_.commands += static_cast<std::int64_t>(round_.size());
    stats_.round_trips += 1;
    in_flight_.push_back(std::async(std::launch::async, [&redis = redis_, round = std::exchange(round_, {})]() mutable {
      return redis.command_all_sync(std::move(round));
    }));
    arguments_ = 0;
    return {};
  }

  Result<void> wait_oldest() {
    const auto answers = in_flight_.front().get();
    in_flight_.pop_front();
    for (const auto& answer : answers) {
      if (!answer) return answer.error();
    }
    return {};
  }

  redis::Client& redis_;
  const GenerationWriteOptions& options_;
  GenerationWriteStats& stats_;
  std::vector<Command> round_;
  std::size_t arguments_ = 0;
  std::deque<std::future<Answers>> in_flight_;
};

// One key's fields or members, `chunk` a command: `item` appends an element's arguments.
template <class Range, class Item>
Result<void> write_key(Rounds& rounds, GenerationWriteStats& stats, std::string_view verb, const std::string& key,
                       const Range& range, std::size_t chunk, const Item& item) {
  Command command;
  std::size_t in_command = 0;
  for (const auto& element : range) {
    if (command.empty()) {
      command.reserve(2 + 2 * std::min(chunk, static_cast<std::size_t>(std::size(range))));
      command.emplace_back(verb);
      command.push_back(key);
    }
    item(command, element);
    stats.entries += 1;
    if (++in_command == chunk) {
      if (auto added = rounds.add(std::move(command)); !added) return added;
      command = Command();
      in_command = 0;
    }
  }
  if (!command.empty()) return rounds.add(std::move(command));
  return {};
}

template <class Map, class Value>
Result<void> write_hash(Rounds& rounds, GenerationWriteStats& stats, const std::string& key, const Map& map,
                        std::size_t chunk, const Value& value) {
  return write_key(rounds, stats, "HSET", key, map, chunk, [&](Command& command, const auto& field) {
    command.push_back(field.first);
    command.push_back(value(field.second));
  });
}

template <class Members>
Result<void> write_set(Rounds& rounds, GenerationWriteStats& stats, const std::string& key, const Members& members,
                       std::size_t chunk) {
  return write_key(rounds, stats, "SADD", key, members, chunk,
                   [](Command& command, const std::string& member) { command.push_back(member); });
}

const auto number = [](std::int64_t value) { return std::to_string(value); };
const auto text = [](const std::string& value) -> const std::string& { return value; };

}  // namespace

GenerationWriter::GenerationWriter(redis::Client& redis, Generation generation, GenerationWriteOptions options)
    : redis_(redis), generation_(std::move(generation)), options_(std::move(options)) {}

Result<void> GenerationWriter::start_sync() {
  const auto refuse_live = [] {
    return Error::permanent("generation_live", "refusing to write a model into the live generation");
  };
  if (generation_.must_be_live) return refuse_live();
  const auto checks = redis_.command_all_sync({{"GET", keys::current()}, {"EXISTS", keys::applied(generation_)}});
  for (const auto& check : checks) {
    if (!check) return check.error();
  }
  if (!checks[0]->is_nil() && checks[0]->str == std::to_string(generation_.number)) return refuse_live();
  if (checks[1]->integer != 0) {
    return Error::permanent("generation_not_empty", "the generation has applied messages already");
  }
  started_ = true;
  return {};
}

template <class Write>
Result<void> GenerationWriter::in_rounds(const Write& write) {
  if (!started_) return Error::permanent("generation_unchecked", "start_sync() did not succeed");
  Rounds rounds(redis_, options_, stats_);
  auto written = write(rounds);
  // Whatever happened, every round sent is waited for: none may outlive the call.
  if (auto finished = rounds.finish(); written && !finished) written = finished;
  return written;
}

Result<void> GenerationWriter::write_vote_ledger_sync(const BoardModel& model) {
  const auto chunk = std::max<std::size_t>(1, options_.chunk);
  const auto prefix = generation_.prefix();
  return in_rounds([&](Rounds& rounds) -> Result<void> {
    if (auto r = write_hash(rounds, stats_, vote_ledger::keys::votes(prefix), model.votes(), chunk, text); !r) return r;
    if (auto r = write_hash(rounds, stats_, vote_ledger::keys::first(prefix), model.first(), chunk, text); !r) return r;
    const auto listed = [](const std::vector<std::string>& ids) {
      std::string out;
      for (const auto& id : ids) out.append(out.empty() ? "" : " ").append(id);
      return out;
    };
    if (auto r = write_hash(rounds, stats_, vote_ledger::keys::by_visitor(prefix), model.by_visitor(), chunk, listed);
        !r) {
      return r;
    }
    for (const auto& [device, ids] : model.by_device()) {
      if (auto r = write_set(rounds, stats_, vote_ledger::keys::by_device(prefix, device), ids, chunk); !r) return r;
    }
    return write_hash(rounds, stats_, vote_ledger::keys::voids(prefix), model.voids(), chunk,
                      [](const BoardModel::Void& v) { return v.value(); });
  });
}

Result<void> GenerationWriter::write_checkins_sync(const BoardModel& model) {
  const auto chunk = std::max<std::size_t>(1, options_.chunk);
  return in_rounds([&](Rounds& rounds) -> Result<void> {
    for (const auto& set : model.checkin_sets()) {
      const auto key = keys::visitors_of(generation_, set.booth, set.period);
      auto r = write_key(rounds, stats_, "SADD", key, set.visitors, chunk,
                         [&](Command& command, std::uint32_t visitor) { command.push_back(model.visitor(visitor)); });
      if (!r) return r;
    }
    return {};
  });
}

Result<void> GenerationWriter::finish_sync(const BoardModel& model) {
  const auto chunk = std::max<std::size_t>(1, options_.chunk);
  auto written = in_rounds([&](Rounds& rounds) -> Result<void> {
    if (auto r = write_hash(rounds, stats_, keys::counts(generation_), model.counts(), chunk, number); !r) return r;
    return write_hash(rounds, stats_, keys::activity(generation_), model.activity(), chunk, number);
  });
  if (!written || model.guard().empty()) return written;
  // Last, on its own, once everything else was acknowledged: only a generation written in full has a guard.
  if (options_.cancelled && options_.cancelled()) return Error::permanent("cancelled", "the write was cancelled");
  Command guard{"HSET", keys::applied(generation_)};
  for (const auto& [position, offset] : model.guard()) {
    guard.push_back(projection::guard_field(position.topic, position.partition));
    guard.push_back(std::to_string(offset));
  }
  stats_.entries += static_cast<std::int64_t>(model.guard().size());
  stats_.commands += 1;
  stats_.round_trips += 1;
  if (auto set = redis_.command_sync(std::move(guard)); !set) return set.error();
  return {};
}

Result<GenerationWriteStats> write_generation_sync(redis::Client& redis, const Generation& generation,
                                                   const BoardModel& model, const GenerationWriteOptions& options) {
  GenerationWriter writer(redis, generation, options);
  if (auto started = writer.start_sync(); !started) return started.error();
  for (const auto part : {&GenerationWriter::write_vote_ledger_sync, &GenerationWriter::write_checkins_sync,
                          &GenerationWriter::finish_sync}) {
    if (auto written = (writer.*part)(model); !written) return written.error();
  }
  return writer.stats();
}

}  // namespace expo::leaderboard
