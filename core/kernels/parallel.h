// When the elementwise and cell kernels split across rnn::threads: only from a work size on
// (thresholds in arch.h), and only into tasks whose results don't depend on which thread runs
// them. Internal to core/kernels.
#pragma once
#include <cstddef>

#include "kernels/arch.h"
#include "kernels/threads.h"

namespace rnn::kernels {

// body(begin, end) over [0, tasks): across threads when `work` reaches `threshold`, else inline.
template <class Fn>
inline void parallel_if(int tasks, size_t work, size_t threshold, Fn&& body) {
  if (work >= threshold && tasks > 1 && threads::count() > 1)
    threads::parallel_for(tasks, body);
  else if (tasks > 0)
    body(0, tasks);
}

// row(b) for each of a fused cell step's `rows` batch rows, across threads from
// kStepParallelWork floats of `work`. Rows are independent: results don't change.
template <class Fn>
inline void for_rows(int rows, size_t work, Fn&& row) {
  parallel_if(rows, work, kStepParallelWork, [&](int b0, int b1) {
    for (int b = b0; b < b1; ++b) row(b);
  });
}

}  // namespace rnn::kernels
