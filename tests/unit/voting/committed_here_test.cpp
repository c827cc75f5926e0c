// CommittedHere: the bounded memory of the votes this instance committed, which spares the projection
// of votes.v1 a Redis call per vote it already wrote.
#include "store/committed_here.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace expo::voting {
namespace {

TEST(CommittedHere, AnAddedIdIsTakenOnceAndAnUnknownOneNever) {
  CommittedHere committed(4);
  committed.add("v1");
  EXPECT_FALSE(committed.take("v2"));
  EXPECT_TRUE(committed.take("v1"));
  EXPECT_FALSE(committed.take("v1"));  // read once: a redelivery records it, which changes nothing
  EXPECT_EQ(committed.size(), 0u);
}

TEST(CommittedHere, HoldsOnlyTheNewestIdsUpToItsCapacity) {
  CommittedHere committed(3);
  for (const auto* id : {"v1", "v2", "v3", "v4", "v5"}) committed.add(id);
  EXPECT_EQ(committed.size(), 3u);
  EXPECT_FALSE(committed.take("v1"));
  EXPECT_FALSE(committed.take("v2"));
  EXPECT_TRUE(committed.take("v3"));
  EXPECT_TRUE(committed.take("v4"));
  EXPECT_TRUE(committed.take("v5"));
}

TEST(CommittedHere, TakenIdsStillLeaveTheQueueInTurnSoTheBoundHolds) {
  CommittedHere committed(2);
  committed.add("v1");
  EXPECT_TRUE(committed.take("v1"));
  committed.add("v2");
  committed.add("v3");  // pushes out v1's slot, already empty
  EXPECT_EQ(committed.size(), 2u);
  committed.add("v4");  // pushes out v2
  EXPECT_FALSE(committed.take("v2"));
  EXPECT_TRUE(committed.take("v3"));
  EXPECT_TRUE(committed.take("v4"));
}

TEST(CommittedHere, OneThreadAddsWhileAnotherTakes) {
  constexpr int count = 20000;
  CommittedHere committed(count);
  std::thread adder([&] {
    for (int i = 0; i < count; ++i) committed.add("v" + std::to_string(i));
  });
  int taken = 0;
  for (int i = 0; i < count; ++i) {
    const auto id = "v" + std::to_string(i);
    while (!committed.take(id)) std::this_thread::yield();  // each id arrives, in order
    ++taken;
  }
  adder.join();
  EXPECT_EQ(taken, count);
  EXPECT_EQ(committed.size(), 0u);
}

}  // namespace
}  // namespace expo::voting
