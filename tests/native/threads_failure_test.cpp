// The thread pool under failure: an exception from any part reaches parallel_for's caller (after
// every part has finished), the pool keeps working afterwards, set_count is safe against running
// jobs, and a pool whose threads cannot all start fails cleanly instead of hanging.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common.h"
#include "kernels/threads.h"
#include "test_util.h"

using namespace rnn;
using test::ThreadCount;

namespace {

struct PartFailure {
  int begin;
};

// A job after a failure: every task once, the right sums, and (with two threads) on two threads,
// i.e. the caller is no longer marked as inside the pool.
void expect_pool_works(int threads_wanted) {
  const int tasks = 1000;
  std::vector<long long> out(tasks, -1);
  std::mutex m;
  std::set<std::thread::id> ids;
  for (int round = 0; round < 20; ++round) {
    threads::parallel_for(tasks, [&](int b, int e) {
      for (int i = b; i < e; ++i) out[i] = (long long)i * i + round;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      std::lock_guard<std::mutex> lock(m);
      ids.insert(std::this_thread::get_id());
    });
    for (int i = 0; i < tasks; ++i) ASSERT_EQ(out[i], (long long)i * i + round) << "task " << i;
  }
  EXPECT_EQ((int)ids.size(), threads_wanted) << "threads that ran parts of the jobs";
}

int two_or_skip() { return threads::max_threads() >= 2 ? 2 : 0; }

}  // namespace

TEST(ThreadsFailure, ThrowOnTheCallersPartReachesTheCallerAfterAllParts) {
  const int n = two_or_skip();
  if (!n) GTEST_SKIP() << "one core: no worker threads";
  ThreadCount tc(n);
  expect_pool_works(n);
  std::atomic<bool> other_done{false};
  try {
    threads::parallel_for(8, [&](int b, int) {
      if (b == 0) throw std::runtime_error("part 0 failed");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      other_done = true;
    });
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "part 0 failed");
    EXPECT_TRUE(other_done.load()) << "parallel_for returned while a worker still ran on the caller's frame";
  }
  expect_pool_works(n);
}

TEST(ThreadsFailure, ThrowOnAWorkersPartReachesTheCallerAsThrown) {
  const int n = two_or_skip();
  if (!n) GTEST_SKIP() << "one core: no worker threads";
  ThreadCount tc(n);
  for (int round = 0; round < 50; ++round) {
    try {
      threads::parallel_for(8, [&](int b, int) {
        if (b > 0) throw PartFailure{b};
      });
      FAIL() << "no exception";
    } catch (const PartFailure& f) {
      EXPECT_EQ(f.begin, 4);  // the second of two parts: tasks [4, 8)
    }
  }
  expect_pool_works(n);
}

TEST(ThreadsFailure, EveryPartThrowingGivesOneOfTheirExceptions) {
  const int n = two_or_skip();
  if (!n) GTEST_SKIP() << "one core: no worker threads";
  ThreadCount tc(n);
  for (int round = 0; round < 50; ++round) {
    try {
      threads::parallel_for(8, [&](int b, int) { throw PartFailure{b}; });
      FAIL() << "no exception";
    } catch (const PartFailure& f) {
      EXPECT_TRUE(f.begin == 0 || f.begin == 4) << f.begin;
    }
  }
  expect_pool_works(n);
}

TEST(ThreadsFailure, InlineRunsThrowToo) {
  ThreadCount tc(1);
  EXPECT_THROW(threads::parallel_for(8, [](int, int) { throw PartFailure{0}; }), PartFailure);
  expect_pool_works(1);
}

TEST(ThreadsFailure, SetCountBetweenJobs) {
  const int n = two_or_skip();
  if (!n) GTEST_SKIP() << "one core: no worker threads";
  ThreadCount tc(1);
  for (int round = 0; round < 5; ++round) {
    threads::set_count(round % 2 ? 1 : n);
    expect_pool_works(round % 2 ? 1 : n);
  }
}

TEST(ThreadsFailure, SetCountWhileAnotherThreadRunsJobs) {
  const int n = two_or_skip();
  if (!n) GTEST_SKIP() << "one core: no worker threads";
  ThreadCount tc(n);
  std::atomic<bool> stop{false};
  std::atomic<long> jobs{0}, wrong{0};
  std::thread user([&] {
    std::vector<int> out(64);
    while (!stop) {
      threads::parallel_for(64, [&](int b, int e) {
        for (int i = b; i < e; ++i) out[i] = i + 1;
      });
      for (int i = 0; i < 64; ++i) wrong += out[i] != i + 1, out[i] = 0;
      ++jobs;
    }
  });
  for (int i = 0; i < 400; ++i) {
    threads::set_count(i % 2 ? 1 : n);
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  stop = true;
  user.join();
  EXPECT_GT(jobs.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
}

TEST(ThreadsFailure, SetCountFromInsideAJobIsAnError) {
  const int n = two_or_skip();
  if (!n) GTEST_SKIP() << "one core: no worker threads";
  ThreadCount tc(n);
  try {
    threads::parallel_for(2, [&](int, int) { threads::set_count(1); });
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("inside a parallel_for"), std::string::npos) << e.what();
  }
  EXPECT_EQ(threads::count(), n);
  expect_pool_works(n);
}

TEST(ThreadsFailure, ThreadStartFailureIsAnErrorAndTheNextJobRetries) {
  const int n = two_or_skip();
  if (!n) GTEST_SKIP() << "one core: no worker threads";
  ThreadCount tc(1);  // drops the pool: the next job with n threads starts a new one
  threads::set_count(n);
  threads::testing::fail_thread_start_at(n - 1);  // the last worker: the others have started
  bool ran = false;
  try {
    threads::parallel_for(8, [&](int, int) { ran = true; });
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("could not start"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(ran);
  expect_pool_works(n);
}
