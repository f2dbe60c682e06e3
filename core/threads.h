// A small fixed thread pool for the kernels. The caller's thread always takes part, so
// count() == 1 means no extra threads at all (the default in a single-threaded wasm build).
//
// Determinism: parallel_for hands out *tasks* (blocks the caller chose, e.g. 64-column strips
// of a GEMM), and each task's arithmetic is the same whichever thread runs it. Results are
// therefore bitwise identical for any thread count; callers must not split a reduction.
#pragma once
#include <functional>

namespace rnn::threads {

// Most threads this process can use: hardware concurrency (capped at 16); 1 in a wasm build
// without threading support.
int max_threads();
// Threads the kernels use from now on, clamped to [1, max_threads()]. Not thread-safe: call it
// between training steps, never from inside a parallel_for.
void set_count(int n);
int count();

// Runs body(begin, end) over [0, tasks) split into count() contiguous ranges, one per thread,
// and returns when all are done. Runs inline when count() == 1, tasks <= 1, or when called from
// inside another parallel_for (no nesting).
void parallel_for(int tasks, const std::function<void(int begin, int end)>& body);

}  // namespace rnn::threads
