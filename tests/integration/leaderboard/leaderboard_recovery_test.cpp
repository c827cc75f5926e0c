// Guarantees 2 and 3 of PRODUCT.md for the leaderboard, against the real Kafka and Redis: a SIGKILL
// in the middle of 100,000 events, a replay of the topics from offset 0, Redis wiped under the
// running service, and the rebuild command while votes keep coming; each time the test's own audit
// lines are exact, the boards and the audit hash unchanged where nothing new arrived, and
// expo-recount's recount of the log gives the audit's hash. Prints how fast the service applies.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <iomanip>
#include <iostream>
#include <random>

#include "expo/testing/fixtures.hpp"
#include "leaderboard_harness.hpp"

namespace lb_it {
namespace {

using Clock = std::chrono::steady_clock;
using LeaderboardRecovery = LeaderboardTest;

const std::string all(whole_event);

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A small mix over the test's ids (check-ins on two days, votes with a repeat, a void), with what
// the audit must show for it.
struct Mix {
  std::vector<Message> messages;
  BoothLines booths;
  InnovationLines innovations;
};

Mix small_mix(const TestIds& ids) {
  const auto& d23 = event_days[0];
  const auto& d24 = event_days[1];
  Mix mix;
  mix.messages = {
      checked_in(ids.visitor(1), ids.booth(1), d23, "10:00:00", ids.device(1)),
      checked_in(ids.visitor(2), ids.booth(1), d23, "10:01:00", ids.device(1)),
      checked_in(ids.visitor(1), ids.booth(1), d24, "10:00:00", ids.device(1)),
      vote_cast({.visitor = ids.visitor(1), .innovation = ids.innovation(1), .day = d23, .local_time = "10:10:00"}),
      vote_cast({.visitor = ids.visitor(1), .innovation = ids.innovation(1), .day = d24, .local_time = "10:10:00"}),
      vote_cast({.visitor = ids.visitor(2), .innovation = ids.innovation(1), .day = d24, .local_time = "10:00:00"}),
      vote_cast({.visitor = ids.visitor(3), .innovation = ids.innovation(2), .day = d24, .local_time = "10:00:00"}),
      visitor_void(ids.visitor(3), d24, "11:00:00"),
  };
  mix.booths = {{{ids.booth(1), d23}, {2, 2}}, {{ids.booth(1), d24}, {1, 1}}, {{ids.booth(1), all}, {3, 2}}};
  mix.innovations = {{{ids.innovation(1), d23}, {1, 0}},
                     {{ids.innovation(1), d24}, {1, 0}},
                     {{ids.innovation(1), all}, {2, 0}},
                     {{ids.innovation(2), d24}, {0, 1}},
                     {{ids.innovation(2), all}, {0, 1}}};
  return mix;
}

// Messages of [from, to) per partition that the audit covers.
std::int64_t covered_between(const Audit& a, const std::map<std::pair<std::string, std::int32_t>, std::int64_t>& from,
                             const std::map<std::pair<std::string, std::int32_t>, std::int64_t>& to) {
  const auto next = a.next_offsets();
  std::int64_t n = 0;
  for (const auto& [partition, end] : to) {
    const auto start = from.contains(partition) ? from.at(partition) : 0;
    const auto found = next.find(partition);
    const auto covered = found == next.end() ? 0 : found->second;
    n += std::clamp(covered - start, std::int64_t{0}, end - start);
  }
  return n;
}

TEST_F(LeaderboardRecovery, SigkillAmid100kEventsThenRestartWithTheSameGroupCountsEachEventExactlyOnce) {
  constexpr int checkins = 70000, votes = 30000;
  constexpr int visitors = 20000, booths = 10, innovations = 20, devices = 5;

  // The events go in before the service runs, as fast as the producer takes them: the service then
  // meets a backlog of 100,000. Check-ins repeat (visitor, booth, day) by chance; every 40th vote is
  // the previous one again (same vote_id), and visitors vote for the same innovation more than once.
  const auto start = log_ends(brokers_);
  std::mt19937_64 rng(20231123);
  Expected expected;
  const auto produce_started = Clock::now();
  for (int i = 0; i < checkins; ++i) {
    const auto visitor = ids_.visitor(static_cast<int>(rng() % visitors));
    const auto booth = ids_.booth(static_cast<int>(rng() % booths));
    const auto& day = event_days[rng() % 3];
    send(checked_in(visitor, booth, day, "10:00:00", ids_.device(static_cast<int>(rng() % devices))));
    expected.checked_in(visitor, booth, day);
  }
  Vote last;
  for (int i = 0; i < votes; ++i) {
    if (i % 40 != 39) {
      const auto device = static_cast<int>(rng() % (devices + 1));
      last = Vote{.vote_id = "vote-" + ids_.visitor(0) + "-" + std::to_string(i),
                  .visitor = ids_.visitor(static_cast<int>(rng() % visitors)),
                  .innovation = ids_.innovation(static_cast<int>(rng() % innovations)),
                  .day = event_days[rng() % 3],
                  .device = device == devices ? std::string() : ids_.device(device)};
    }
    send(vote_cast(last));
    expected.cast(last.vote_id, last.visitor, last.innovation, last.day);
  }
  ASSERT_TRUE(flushed());
  const double produce_seconds = seconds_since(produce_started);
  const auto end = log_ends(brokers_);
  std::int64_t total = 0;
  for (const auto& [partition, to] : end) total += to - (start.contains(partition) ? start.at(partition) : 0);
  ASSERT_GE(total, checkins + votes);

  ASSERT_NO_FATAL_FAILURE(start_service());
  const auto service_started = Clock::now();
  // SIGKILL once the audit shows a third or more of them applied, but not all.
  std::int64_t applied = 0;
  Clock::time_point first_seen{};
  for (;;) {
    const auto a = audit();
    if (a.status == 200) applied = covered_between(a, start, end);
    if (applied > 0 && first_seen == Clock::time_point{}) first_seen = Clock::now();
    if (applied * 3 >= total && applied < total) break;
    ASSERT_LT(applied, total) << "the service applied all " << total << " events before the test could kill it, in "
                              << seconds_since(service_started) << " s";
    ASSERT_TRUE(service().running()) << service().log_tail();
    ASSERT_LT(seconds_since(service_started), 120.0) << applied << " applied\n" << service().log_tail();
    std::this_thread::sleep_for(2ms);
  }
  const double before_kill = seconds_since(first_seen);
  ASSERT_EQ(stop_service(SIGKILL), -SIGKILL);

  // The same group: it resumes from its last committed offsets, which lag behind what it applied.
  const auto restarted = Clock::now();
  ASSERT_NO_FATAL_FAILURE(start_service(group()));
  std::int64_t resumed_at = -1;
  Clock::time_point progress_seen{};
  for (;;) {
    const auto a = audit();
    if (a.status == 200) {
      applied = covered_between(a, start, end);
      if (resumed_at < 0) resumed_at = applied;
      if (applied > resumed_at && progress_seen == Clock::time_point{}) progress_seen = Clock::now();
      if (applied == total) break;
    }
    ASSERT_TRUE(service().running()) << service().log_tail();
    ASSERT_LT(seconds_since(restarted), 180.0) << applied << " of " << total << " applied\n" << service().log_tail();
    std::this_thread::sleep_for(2ms);
  }
  const double after_restart = progress_seen == Clock::time_point{} ? 0.0 : seconds_since(progress_seen);
  const double restart_to_done = seconds_since(restarted);
  ASSERT_TRUE(caught_up(false));

  const auto a = audit();
  EXPECT_EQ(a.booths(ids_), expected.booths());
  EXPECT_EQ(a.innovations(ids_), expected.innovations());
  const auto r = recount(a);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("\nmatch\n"), std::string::npos) << r.output;

  // The audit shows the backlog's progress in steps (it reads the boards after each applied batch, and
  // partitions interleave), so the rate is taken over the restarted run, from its first progress on.
  const auto rate = after_restart > 0 ? static_cast<double>(total - resumed_at) / after_restart : 0.0;
  std::cout << std::fixed << std::setprecision(2) << "[ leaderboard ] " << total << " events produced in "
            << produce_seconds << " s; SIGKILL " << before_kill << " s after the first of them showed applied; "
            << "restarted with " << resumed_at << " applied, the other " << (total - resumed_at) << " in "
            << after_restart << " s (~" << static_cast<std::int64_t>(rate) << " events/s; restart to all applied "
            << restart_to_done << " s, start-up and group join included); 100,000 at that rate: "
            << (rate > 0 ? static_cast<double>(total) / rate : 0.0) << " s\n";
}

TEST_F(LeaderboardRecovery, ReplayingTheTopicsFromOffsetZeroWithANewGroupChangesNeitherAuditNorBoards) {
  ASSERT_NO_FATAL_FAILURE(start_service());
  ASSERT_TRUE(caught_up());
  const auto mix = small_mix(ids_);
  send(mix.messages);
  ASSERT_TRUE(flushed());
  ASSERT_TRUE(caught_up());
  const auto before = audit();
  ASSERT_EQ(before.status, 200);
  EXPECT_EQ(before.booths(ids_), mix.booths);
  EXPECT_EQ(before.innovations(ids_), mix.innovations);
  const auto boards_before = boards();
  EXPECT_EQ(stop_service(SIGTERM), 0) << service().log_tail();

  // A new group has no committed offsets: it reads every partition from offset 0 again.
  const auto old_group = group();
  ASSERT_NO_FATAL_FAILURE(start_service());
  ASSERT_NE(group(), old_group);
  const auto replay_started = Clock::now();
  // Not a moment of the replay may show another tally (of the same positions: see same_or_recounted).
  while (!caught_up(true, 100ms)) {
    const auto during = audit();
    if (during.status == 200 && during.next_offsets() == before.next_offsets()) {
      ASSERT_EQ(during.sha256(), before.sha256())
          << "after " << seconds_since(replay_started) << " s of the replay:\n" << audit_diff(before, during);
    }
    ASSERT_LT(seconds_since(replay_started), 120.0) << "the replay did not finish\n" << service().log_tail();
  }
  const double replay_seconds = seconds_since(replay_started);
  const auto after = audit();
  EXPECT_EQ(after.booths(ids_), mix.booths);
  EXPECT_EQ(after.innovations(ids_), mix.innovations);
  expect_same_or_recounted(before, boards_before, after);
  std::cout << "[ leaderboard ] replayed the whole log with a new group in " << replay_seconds << " s\n";
}

TEST_F(LeaderboardRecovery, RedisWipedUnderTheRunningServiceIsRebuiltByItselfIntoIdenticalBoards) {
  ASSERT_NO_FATAL_FAILURE(start_service());
  ASSERT_TRUE(caught_up());
  const auto mix = small_mix(ids_);
  send(mix.messages);
  ASSERT_TRUE(flushed());
  ASSERT_TRUE(caught_up());
  const auto before = audit();
  ASSERT_EQ(before.status, 200);
  const auto boards_before = boards();
  const auto progress_before = admin("GET", "/v1/admin/leaderboards/rebuild").body;

  // Every key of the boards, gone at once (one transaction), as when Redis is lost. UNLINK: the
  // memory of the large hashes is freed in the background, so Redis is blocked for less time.
  const auto keys = redis().keys("{lb}:*");
  ASSERT_FALSE(keys.empty());
  EXPECT_EQ(redis().command({"MULTI"}).str, "OK");
  constexpr std::size_t chunk = 10000;
  for (std::size_t i = 0; i < keys.size(); i += chunk) {
    std::vector<std::string> del{"UNLINK"};
    del.insert(del.end(), keys.begin() + static_cast<std::ptrdiff_t>(i),
               keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), i + chunk)));
    redis().command(std::move(del));
  }
  const auto exec = redis().command({"EXEC"});
  ASSERT_EQ(exec.elements.size(), (keys.size() + chunk - 1) / chunk) << "the transaction did not run";
  const auto wiped = Clock::now();

  // The service notices by itself (its boards' read every 250 ms finds no live generation).
  boost::json::object progress;
  for (;;) {
    const auto r = admin("GET", "/v1/admin/leaderboards/rebuild");
    if (r.body != progress_before) {
      progress = expo::testing::json_of(r);
      break;
    }
    ASSERT_LT(seconds_since(wiped), 5.0) << "no rebuild started after the wipe\n" << service().log_tail();
    std::this_thread::sleep_for(5ms);
  }
  const double noticed = seconds_since(wiped);
  EXPECT_EQ(progress.at("reason").as_string(), "no_boards");
  EXPECT_LT(noticed, 1.0) << "the watchdog reads every 250 ms";
  while (progress.at("state").as_string() == "running") {
    ASSERT_LT(seconds_since(wiped), 120.0) << "the rebuild did not finish\n" << service().log_tail();
    std::this_thread::sleep_for(50ms);
    progress = expo::testing::json_of(admin("GET", "/v1/admin/leaderboards/rebuild"));
  }
  EXPECT_EQ(progress.at("state").as_string(), "done") << progress;
  ASSERT_TRUE(caught_up());
  EXPECT_TRUE(only_the_live_generation_has_keys());

  const auto after = audit();
  EXPECT_EQ(after.booths(ids_), mix.booths);
  EXPECT_EQ(after.innovations(ids_), mix.innovations);
  expect_same_or_recounted(before, boards_before, after);
  std::cout << std::fixed << std::setprecision(3) << "[ leaderboard ] wiped " << keys.size()
            << " keys; the rebuild started after " << noticed << " s and recounted " << progress.at("events")
            << " events in " << progress.at("elapsed_ms") << " ms (" << progress.at("events_per_second")
            << " events/s)\n";
}

TEST_F(LeaderboardRecovery, ARebuildSweepsTheKeysOfKilledRebuildsAndSparesThoseOfARunningOne) {
  ASSERT_NO_FATAL_FAILURE(start_service());
  ASSERT_TRUE(caught_up());
  const auto live = std::stoll(redis().command({"GET", "{lb}:current"}).str);
  // As a rebuild killed with SIGKILL leaves its generation: some keys, and its lease lapsed.
  const auto orphan = "{lb}:g" + std::to_string(live + 1000) + ":";
  redis().command({"HSET", orphan + "counts", "votes|" + ids_.innovation(0) + "|all", "7"});
  redis().command({"SADD", orphan + "ck:3579:all", ids_.visitor(0)});
  // As a rebuild still running on another instance has it: keys under a lease.
  const auto running_number = std::to_string(live + 1001);
  const auto running = "{lb}:g" + running_number + ":";
  redis().command({"HSET", running + "counts", "votes|" + ids_.innovation(0) + "|all", "3"});
  redis().command({"SET", "{lb}:building:" + running_number, "1", "EX", "300"});

  const auto started = admin("POST", "/v1/admin/leaderboards/rebuild");
  ASSERT_EQ(started.status, 202) << started.body;
  const auto progress = rebuild_progress_when_ended();
  EXPECT_EQ(progress.at("state").as_string(), "done") << progress;

  EXPECT_TRUE(redis().keys(orphan + "*").empty()) << "the killed rebuild's keys are still there";
  EXPECT_EQ(redis().keys(running + "*").size(), 1u) << "a leased generation was swept";
  EXPECT_EQ(redis().command({"EXISTS", "{lb}:building:" + std::to_string(progress.at("generation").as_int64())}).integer,
            0)
      << "the finished rebuild kept its lease";
  redis().command({"DEL", running + "counts", "{lb}:building:" + running_number});
  EXPECT_TRUE(only_the_live_generation_has_keys());
}

TEST_F(LeaderboardRecovery, RebuildCommandWhileVotesFlowEndsWithExactCountsAndAMatchingRecount) {
  ASSERT_NO_FATAL_FAILURE(start_service());
  ASSERT_TRUE(caught_up());

  // Votes keep coming from another thread, before, during and after the rebuild: fresh visitors,
  // every 10th a second vote of the previous visitor for the same innovation (counts nowhere), every
  // 15th sent twice.
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  Expected expected;
  std::string producer_error;
  std::thread voter([&] {
    expo::testing::TopicProducer producer(brokers_);
    std::string previous_visitor = ids_.visitor(0);
    int n = 0;
    // About 250 votes a second: a steady flow, not a flood (they stay in the shared topics).
    while (!stop.load()) {
      for (int k = 0; k < 5; ++k, ++n) {
        const auto& day = event_days[static_cast<std::size_t>(n % 3)];
        const auto innovation = ids_.innovation(n % 4);
        const auto visitor = n % 10 == 9 ? previous_visitor : ids_.visitor(n + 1);
        const Vote vote{.vote_id = "vote-" + ids_.visitor(n), .visitor = visitor,
                        .innovation = n % 10 == 9 ? ids_.innovation((n - 1) % 4) : innovation, .day = day};
        const auto m = vote_cast(vote);
        producer.send(m.topic, m.key, m.value);
        if (n % 15 == 14) producer.send(m.topic, m.key, m.value);
        expected.cast(vote.vote_id, vote.visitor, vote.innovation, vote.day);
        previous_visitor = visitor;
      }
      sent = n;
      std::this_thread::sleep_for(20ms);
    }
    if (!producer.flush(60s)) producer_error = producer.first_error();
  });
  // However the test ends, the voter stops before its variables go.
  struct StopAndJoin {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~StopAndJoin() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } stop_voter{stop, voter};

  std::this_thread::sleep_for(500ms);
  const auto started = admin("POST", "/v1/admin/leaderboards/rebuild");
  ASSERT_EQ(started.status, 202) << started.body;
  EXPECT_EQ(expo::testing::json_of(started).at("reason").as_string(), "requested");
  const auto votes_at_start = sent.load();
  const auto progress = rebuild_progress_when_ended();
  const auto votes_during = sent.load() - votes_at_start;
  std::this_thread::sleep_for(500ms);
  stop = true;
  voter.join();
  ASSERT_TRUE(producer_error.empty()) << producer_error;
  EXPECT_EQ(progress.at("state").as_string(), "done") << progress;

  ASSERT_TRUE(caught_up());
  // The replaced generation is gone.
  EXPECT_TRUE(only_the_live_generation_has_keys());
  const auto a = audit();
  EXPECT_EQ(a.innovations(ids_), expected.innovations());
  const auto r = recount(a);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("\nmatch\n"), std::string::npos) << r.output;
  std::cout << "[ leaderboard ] rebuild while " << votes_during << " votes arrived: " << progress.at("events")
            << " events in " << progress.at("rounds") << " rounds, " << progress.at("elapsed_ms") << " ms, "
            << progress.at("events_per_second") << " events/s\n";
}

}  // namespace
}  // namespace lb_it
