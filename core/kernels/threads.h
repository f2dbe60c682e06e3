// A small fixed thread pool for the kernels. The caller's thread always takes part, so
// count() == 1 means no extra threads at all (the default in a single-threaded wasm build).
//
// Determinism: parallel_for hands out *tasks* (blocks the caller chose, e.g. row blocks of a
// GEMM), and each task's arithmetic is the same whichever thread runs it. Results are
// therefore bitwise identical for any thread count; callers must not split a reduction.
#pragma once
#include <type_traits>

namespace rnn::threads {

// Most threads this process can use: hardware concurrency (capped at 16); 1 in a wasm build
// without threading support.
int max_threads();
// Threads the kernels use from now on, clamped to [1, max_threads()]. Waits for a job another
// thread is running; throws rnn::Error when called from inside a parallel_for.
void set_count(int n);
int count();

// Runs body(begin, end) over [0, tasks) split into count() contiguous ranges, one per thread,
// and returns when all are done. Runs inline when count() == 1, tasks <= 1, or when called from
// inside another parallel_for (no nesting).
// Failures: if body throws, the exception reaches the caller as thrown (the first one, when
// several parts throw), after every part has finished; the pool stays usable. If the pool's
// threads cannot be started, parallel_for throws rnn::Error and runs nothing.
// Takes any callable without wrapping it in std::function: a training step makes thousands of
// these calls and must not allocate.
template <class F>
void parallel_for(int tasks, F&& body);

// The type-erased entry point behind parallel_for.
void parallel_for_fn(int tasks, void (*fn)(void* ctx, int begin, int end), void* ctx);

template <class F>
void parallel_for(int tasks, F&& body) {
  using Body = std::remove_reference_t<F>;
  parallel_for_fn(
      tasks, [](void* ctx, int b, int e) { (*static_cast<Body*>(ctx))(b, e); },
      const_cast<void*>(static_cast<const void*>(&body)));
}

// Tests only: the next pool start throws when it creates worker k (k >= 1; 0 = never), once.
namespace testing {
void fail_thread_start_at(int k);
}

}  // namespace rnn::threads
