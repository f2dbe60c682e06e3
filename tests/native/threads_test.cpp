// The speed machinery must not change results: the packed GEMM against the scalar reference
// (including several K slices and the pre-packed right-hand side), 1 vs 2 threads bitwise, the
// whole optimised training path against the unoptimised reference path, and no heap allocation
// in a training step once the first step has sized every buffer.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/threads.h"
#include "tasks/lm_task.h"
#include "test_util.h"
#include "train/trainer.h"

// Counts heap allocations while `g_count_allocs` is set (for the no-allocation test).
static std::atomic<bool> g_count_allocs{false};
static std::atomic<long> g_allocs{0};
void* operator new(std::size_t n) {
  if (g_count_allocs.load(std::memory_order_relaxed)) g_allocs.fetch_add(1);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// Every form that frees with operator delete(void*) must allocate with malloc too: without the
// nothrow ones, std::stable_sort's buffer (new(nothrow)) came from the runtime's allocator and went
// back through free() — AddressSanitizer's alloc-dealloc-mismatch.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (g_count_allocs.load(std::memory_order_relaxed)) g_allocs.fetch_add(1);
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

using namespace rnn;
namespace k = rnn::kernels;

namespace {

using test::ThreadCount;

void expect_near_ref(const std::vector<float>& got, const std::vector<float>& want, int K, const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-6 * (K + 4) * (1.0 + std::fabs(want[i]))) << what << " at " << i;
}

// dst[cols×rows] = src[rows×cols]ᵀ: the other layouts of the same operands.
void transpose(int rows, int cols, const float* src, float* dst) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) dst[(size_t)c * rows + r] = src[(size_t)r * cols + c];
}

std::vector<int32_t> corpus_ids(int n, int vocab) {
  Rng rng(11);
  std::vector<int32_t> ids(n);
  for (int i = 0; i < n; ++i) ids[i] = (int32_t)((i * 7 + (int)rng.uniform(0, 3)) % vocab);
  return ids;
}

test::LmConfig lstm_config() {
  test::LmConfig tc;
  tc.model.cell = CellType::Lstm;
  tc.model.vocab_size = 23;
  tc.model.embedding_size = 20;
  tc.model.hidden_size = 72;  // several register tiles and a partial one
  tc.model.layers = 2;
  tc.batch_size = 9;
  tc.seq_length = 13;
  tc.optimizer.learning_rate = 0.005f;
  tc.clip.norm = 5.0f;
  return tc;
}

}  // namespace

TEST(Threads, ParallelForRunsEveryTaskOnce) {
  for (int n : {1, 2}) {
    ThreadCount tc(n);
    for (int tasks : {0, 1, 2, 3, 17, 1000}) {
      std::vector<std::atomic<int>> hits(tasks);
      threads::parallel_for(tasks, [&](int b, int e) {
        for (int i = b; i < e; ++i) hits[i].fetch_add(1);
      });
      for (int i = 0; i < tasks; ++i) ASSERT_EQ(hits[i].load(), 1) << "task " << i << " of " << tasks;
    }
  }
  EXPECT_GE(threads::max_threads(), 1);
  ThreadCount clamp(1 << 20);
  EXPECT_EQ(threads::count(), threads::max_threads());
}

TEST(Kernels, GemmSeveralKSlicesAndPackedMatchReference) {
  Rng rng(5);
  for (int M : {1, 4, 33, 70})
    for (int N : {5, 65, 130})
      for (int K : {255, 257, 600}) {
        const std::string shape = " M=" + std::to_string(M) + " N=" + std::to_string(N) + " K=" + std::to_string(K);
        auto A = test::random_vector((size_t)M * K, rng), B = test::random_vector((size_t)K * N, rng);
        auto C0 = test::random_vector((size_t)M * N, rng);
        auto want = C0, got = C0;
        k::ref::matmul_nn(M, N, K, A.data(), B.data(), want.data(), true);
        k::matmul_nn(M, N, K, A.data(), B.data(), got.data(), true);
        expect_near_ref(got, want, K, "nn" + shape);
        got = C0;
        k::PackedMatrix P;
        k::pack_nn(K, N, B.data(), P);
        k::matmul_packed(M, A.data(), P, got.data(), true);
        expect_near_ref(got, want, K, "packed nn" + shape);

        // The same B read as Bᵀ (N × K) for A·Bᵀ.
        std::vector<float> Bt((size_t)N * K);
        transpose(K, N, B.data(), Bt.data());
        got = C0;
        k::matmul_nt(M, N, K, A.data(), Bt.data(), got.data(), true);
        expect_near_ref(got, want, K, "nt" + shape);
        got = C0;
        k::pack_nt(N, K, Bt.data(), P);
        k::matmul_packed(M, A.data(), P, got.data(), true);
        expect_near_ref(got, want, K, "packed nt" + shape);

        // And A given as Aᵀ (K × M) for Aᵀ·B, without accumulation.
        std::vector<float> At((size_t)K * M), want0((size_t)M * N), got0((size_t)M * N, NAN);
        transpose(M, K, A.data(), At.data());
        k::ref::matmul_nn(M, N, K, A.data(), B.data(), want0.data(), false);
        k::matmul_tn(M, N, K, At.data(), B.data(), got0.data(), false);
        expect_near_ref(got0, want0, K, "tn" + shape);
      }
}

TEST(Threads, GemmIsBitwiseIdenticalForOneAndTwoThreads) {
  if (threads::max_threads() < 2) GTEST_SKIP() << "one core: nothing to compare";
  Rng rng(9);
  struct Shape { int M, N, K; };
  // The workload's shapes (scaled down in T·B), plus awkward ones.
  for (Shape s : {Shape{32, 1024, 256}, Shape{512, 1024, 64}, Shape{512, 65, 256}, Shape{256, 256, 1024},
                  Shape{1, 1024, 256}, Shape{3, 130, 17}, Shape{130, 3, 600}}) {
    auto A = test::random_vector((size_t)s.M * s.K, rng), B = test::random_vector((size_t)s.K * s.N, rng);
    auto C0 = test::random_vector((size_t)s.M * s.N, rng);
    using Mm = void (*)(int, int, int, const float*, const float*, float*, bool);
    for (Mm mm : {Mm(k::matmul_nn), Mm(k::matmul_nt), Mm(k::matmul_tn)}) {
      std::vector<float> one = C0, two = C0;
      {
        ThreadCount t(1);
        mm(s.M, s.N, s.K, A.data(), B.data(), one.data(), true);
      }
      {
        ThreadCount t(2);
        mm(s.M, s.N, s.K, A.data(), B.data(), two.data(), true);
      }
      ASSERT_EQ(0, std::memcmp(one.data(), two.data(), sizeof(float) * one.size()))
          << "M=" << s.M << " N=" << s.N << " K=" << s.K;
    }
  }
}

TEST(Threads, TrainingIsBitwiseIdenticalForOneAndTwoThreads) {
  if (threads::max_threads() < 2) GTEST_SKIP() << "one core: nothing to compare";
  for (CellType cell : {CellType::Lstm, CellType::Gru, CellType::Rnn}) {
    test::LmConfig tc = lstm_config();
    tc.model.cell = cell;
    tc.model.dropout = 0.1f;
    auto run = [&](int n) {
      ThreadCount t(n);
      LanguageModelTask tr(tc.model, tc, corpus_ids(3000, tc.model.vocab_size));
      std::vector<double> losses;
      for (int i = 0; i < 6; ++i) losses.push_back(tr.step().loss);
      return std::make_pair(losses, tr.model.params.value);
    };
    const auto one = run(1), two = run(2);
    EXPECT_EQ(one.first, two.first) << cell_name(cell);
    ASSERT_EQ(one.second.size(), two.second.size());
    EXPECT_EQ(0, std::memcmp(one.second.data(), two.second.data(), sizeof(float) * one.second.size()))
        << cell_name(cell);
  }
}

// The optimised path (packed GEMM, fused SIMD gates, fast activations, threads) against the
// plain scalar loops with exact std::exp/std::tanh, over a whole training run.
TEST(ReferencePath, LossCurveMatchesTheUnoptimisedPath) {
  for (CellType cell : {CellType::Lstm, CellType::Gru, CellType::Rnn}) {
    test::LmConfig tc = lstm_config();
    tc.model.cell = cell;
    auto run = [&](bool reference) {
      k::set_reference_mode(reference);
      LanguageModelTask tr(tc.model, tc, corpus_ids(3000, tc.model.vocab_size));
      std::vector<double> losses;
      for (int i = 0; i < 30; ++i) losses.push_back(tr.step().loss);
      k::set_reference_mode(false);
      return std::make_pair(losses, tr.model.params.value);
    };
    const auto fast = run(false), ref = run(true);
    double worst = 0;
    for (size_t i = 0; i < fast.first.size(); ++i)
      worst = std::max(worst, std::fabs(fast.first[i] - ref.first[i]) / ref.first[i]);
    double wdiff = 0;
    for (size_t i = 0; i < fast.second.size(); ++i)
      wdiff = std::max(wdiff, (double)std::fabs(fast.second[i] - ref.second[i]));
    std::cout << "[reference] " << cell_name(cell) << ": loss " << ref.first.front() << " -> " << ref.first.back()
              << ", worst relative loss difference " << worst << ", largest weight difference " << wdiff << "\n";
    EXPECT_LT(ref.first.back(), ref.first.front() - 0.3) << "the run must learn for the comparison to mean anything";
    EXPECT_LT(worst, 1e-4) << cell_name(cell);
    EXPECT_LT(wdiff, 1e-3) << cell_name(cell);
  }
}

TEST(Trainer, StepsAllocateNothingAfterTheFirst) {
  for (int n : {1, 2}) {
    ThreadCount t(n);
    const test::LmConfig tc = lstm_config();
    LanguageModelTask tr(tc.model, tc, corpus_ids(3000, 23));
    tr.step();
    tr.step();
    g_allocs = 0;
    g_count_allocs = true;
    for (int i = 0; i < 5; ++i) tr.step();
    g_count_allocs = false;
    EXPECT_EQ(g_allocs.load(), 0) << "threads " << n;
  }
}
