// Helpers shared by the optimizer, clipping and schedule: range checks that name the option, and
// element-wise loops over fixed chunks that threads split without changing any result.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>

#include "common.h"
#include "kernels/threads.h"

namespace rnn {

inline void check_finite_range(const char* field, float v, float lo, float hi, bool lo_open = false) {
  if (!std::isfinite(v) || v < lo || v > hi || (lo_open && v == lo))
    fail(std::string(field) + " must be " + (lo_open ? "> " : ">= ") + std::to_string(lo) + " and <= " +
         std::to_string(hi) + " (got " + std::to_string(v) + ")");
}

// Each element's arithmetic is the same whichever thread runs its chunk, so results do not depend
// on the thread count.
inline constexpr size_t kChunk = 1 << 14;

template <class F>
void for_chunks(size_t n, F&& f) {
  const int chunks = (int)((n + kChunk - 1) / kChunk);
  threads::parallel_for(chunks, [&](int c0, int c1) {
    for (int c = c0; c < c1; ++c) f((size_t)c * kChunk, std::min(n, (size_t)(c + 1) * kChunk));
  });
}

}  // namespace rnn
