#include "kernels/threads.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "common.h"

#ifdef __EMSCRIPTEN__
#include <emscripten/threading.h>
#ifndef RNN_WASM_POOL_SIZE
#define RNN_WASM_POOL_SIZE 3  // pthread workers the build pre-starts (CMake passes the real value)
#endif
#endif

namespace rnn::threads {
namespace {

// Workers spin this long after a job before sleeping: a training step calls parallel_for
// thousands of times with a few microseconds of serial work in between, and a futex wake-up
// costs more than that. Idle trainers still sleep.
constexpr auto kSpin = std::chrono::microseconds(300);

std::atomic<int> fail_start_at{0};  // tests: worker k's creation throws (0 = never)

bool& thread_in_pool() {
  thread_local bool in = false;
  return in;
}

struct Pool {
  std::vector<std::thread> workers;
  std::mutex m;
  std::condition_variable cv;
  std::atomic<unsigned> generation{0};
  std::atomic<int> pending{0};
  std::atomic<int> sleepers{0};
  bool stop = false;
  void (*fn)(void*, int, int) = nullptr;
  void* ctx = nullptr;
  int tasks = 0, parts = 1;
  // A failed part: the first one to fail stores its exception (before it counts itself done, so
  // the caller sees it once `pending` reaches 0); the others' are dropped.
  std::atomic<bool> failed{false};
  std::exception_ptr error;

  // Never throws: an exception leaving a worker's thread function would end the process, and one
  // leaving part 0 would return to the caller while the workers still use its frame.
  void run_part(int k) noexcept {
    const int b = (int)((long long)tasks * k / parts), e = (int)((long long)tasks * (k + 1) / parts);
    if (b >= e) return;
    try {
      fn(ctx, b, e);
    } catch (...) {
      if (!failed.exchange(true, std::memory_order_acq_rel)) error = std::current_exception();
    }
  }

  void worker(int k) {
    thread_in_pool() = true;
    unsigned seen = 0;
    for (;;) {
      auto t0 = std::chrono::steady_clock::now();
      for (int spins = 0; generation.load(std::memory_order_acquire) == seen; ++spins) {
        if ((spins & 255) == 255 && std::chrono::steady_clock::now() - t0 > kSpin) {
          std::unique_lock<std::mutex> lock(m);
          sleepers.fetch_add(1);
          cv.wait(lock, [&] { return generation.load() != seen || stop; });
          sleepers.fetch_sub(1);
          break;
        }
      }
      if (stop) return;
      seen = generation.load(std::memory_order_acquire);
      run_part(k);
      pending.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  // Starts the n − 1 workers. If creating one throws, the destructor (the caller owns the pool
  // through a unique_ptr) stops and joins those already started: never a pool short of workers,
  // whose jobs would wait forever for parts nobody runs.
  void start(int n) {
    parts = n;
    workers.reserve((size_t)n - 1);
    for (int k = 1; k < n; ++k) {
      if (fail_start_at.load() == k) {
        fail_start_at.store(0);
        throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                                "thread creation failed (test hook)");
      }
      workers.emplace_back([this, k] { worker(k); });
    }
  }

  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(m);
      stop = true;
      generation.fetch_add(1);
    }
    cv.notify_all();
    for (auto& t : workers) t.join();
  }

  // Waits for every part, also when one failed, then rethrows the first failure: the pool is idle
  // and usable again when this returns or throws.
  void run(int n_tasks, void (*f)(void*, int, int), void* c) {
    fn = f;
    ctx = c;
    tasks = n_tasks;
    pending.store(parts - 1, std::memory_order_relaxed);
    generation.fetch_add(1);  // seq_cst: pairs with the sleepers check below
    if (sleepers.load() > 0) {
      std::lock_guard<std::mutex> lock(m);
      cv.notify_all();
    }
    thread_in_pool() = true;
    run_part(0);
    thread_in_pool() = false;
    // Spin briefly, then yield: when another process holds the other core, yielding lets the
    // worker we wait for run sooner.
    for (int spins = 0; pending.load(std::memory_order_acquire) > 0; ++spins)
      if (spins > 2000) std::this_thread::yield();
    if (failed.load(std::memory_order_relaxed)) {
      std::exception_ptr e = std::move(error);
      error = nullptr;
      failed.store(false, std::memory_order_relaxed);
      std::rethrow_exception(e);
    }
  }
};

// Guards `pool` and its jobs: one parallel_for at a time when several user threads train at once,
// and set_count never replaces the pool under a running job.
std::mutex run_mutex;
std::unique_ptr<Pool> pool;
std::atomic<int> requested{0};  // 0 = not set yet: use max_threads()

}  // namespace

static int probe_max_threads() {
#ifdef __EMSCRIPTEN__
  if (!emscripten_has_threading_support()) return 1;
  // Each std::thread takes a worker from Emscripten's pre-started pool; asking for more than
  // the pool holds would wait forever for a worker to start, so never exceed it.
  return std::max(1, std::min(emscripten_num_logical_cores(), RNN_WASM_POOL_SIZE + 1));
#else
  return std::max(1, std::min<int>(std::thread::hardware_concurrency(), 16));
#endif
}

// Asked once: in Node, emscripten_num_logical_cores() is os.cpus(), which reads /proc/cpuinfo
// (about 0.1 ms), and count() runs on every parallel_for — it took half of a seq2seq step.
int max_threads() {
  static const int n = probe_max_threads();
  return n;
}

void set_count(int n) {
  // From inside a job the caller's thread already holds run_mutex (and a worker would wait for
  // its own job): refuse instead of deadlocking.
  if (thread_in_pool()) fail("threads::set_count was called from inside a parallel_for: change the thread count between jobs");
  n = std::max(1, std::min(n, max_threads()));
  std::lock_guard<std::mutex> lock(run_mutex);
  if (n == count()) return;
  requested.store(n);
  pool.reset();
}

int count() {
  const int r = requested.load(std::memory_order_relaxed);
  return r ? r : max_threads();
}

void parallel_for_fn(int tasks, void (*fn)(void*, int, int), void* ctx) {
  const int n = std::min(count(), tasks);
  if (n <= 1 || thread_in_pool()) {
    if (tasks > 0) fn(ctx, 0, tasks);
    return;
  }
  std::lock_guard<std::mutex> lock(run_mutex);
  const int want = count();  // under the lock: set_count may have changed it
  if (!pool || pool->parts != want) {
    pool.reset();
    auto p = std::make_unique<Pool>();
    try {
      p->start(want);
    } catch (const std::exception& e) {
      // p's destructor joins the workers that did start; the next job tries again.
      fail("could not start " + std::to_string(want - 1) + " kernel threads (" + e.what() +
           "); use fewer threads (setThreads / threads::set_count)");
    }
    pool = std::move(p);
  }
  pool->run(tasks, fn, ctx);
}

namespace testing {
void fail_thread_start_at(int k) { fail_start_at.store(k); }
}  // namespace testing

}  // namespace rnn::threads
