// What every fuzz target shares. A target feeds arbitrary bytes to one of the core's loaders or
// parsers: rnn::Error is the expected answer to bad input (a message naming the problem); any
// other exception, a crash, a sanitizer report, a hang or an allocation beyond libFuzzer's
// -rss_limit_mb is a finding. FUZZ_CHECK states what must hold when the input was accepted.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common.h"

#define FUZZ_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

// Inputs the target accepted (no rnn::Error): the replay reports it, so a seed corpus that the
// loader refuses outright — testing only its first check — is seen.
inline long fuzz_accepted = 0;

// Runs f(bytes as a string); rnn::Error is a refusal, not a finding.
template <class F>
int fuzz_guarded(const uint8_t* data, size_t size, F&& f) {
  try {
    f(std::string(reinterpret_cast<const char*>(data), size));
    ++fuzz_accepted;
  } catch (const rnn::Error&) {
  }
  return 0;
}
