// Deterministic random numbers, identical on every platform (std:: distributions are not:
// libstdc++ and libc++ give different normals for the same engine). PCG32 (O'Neill 2014).
#pragma once
#include <cmath>
#include <cstdint>

namespace rnn {

struct Rng {
  uint64_t state = 0x853c49e6748fea9bULL;
  uint64_t inc = 0xda3e39cb94b95bdbULL;

  Rng() = default;
  explicit Rng(uint64_t seed, uint64_t stream = 54) { seed_with(seed, stream); }
  void seed_with(uint64_t seed, uint64_t stream = 54) {
    state = 0;
    inc = (stream << 1u) | 1u;
    next_u32();
    state += seed;
    next_u32();
  }
  uint32_t next_u32() {
    uint64_t old = state;
    state = old * 6364136223846793005ULL + inc;
    uint32_t xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = static_cast<uint32_t>(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32 - rot) & 31));
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() {
    uint64_t hi = next_u32() >> 5, lo = next_u32() >> 6;
    return (static_cast<double>(hi) * 67108864.0 + static_cast<double>(lo)) * (1.0 / 9007199254740992.0);
  }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  // Standard normal by Box-Muller (no cached second value, so the state is just two words).
  double normal() {
    double u1 = uniform(), u2 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // Normal truncated to two standard deviations (TensorFlow's truncated_normal).
  double truncated_normal(double stddev) {
    for (;;) {
      double z = normal();
      if (z > -2.0 && z < 2.0) return z * stddev;
    }
  }
  // Uniform integer in [0, n).
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(uniform() * n) % n; }
};

}  // namespace rnn
