// Tests for core/batching: the recipe's batch layout, exactly, and the validation split.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numeric>

#include "common.h"
#include "test_util.h"
#include "train/batching.h"

using namespace rnn;
using rnn::test::error_of;

namespace {

using Block = std::vector<std::vector<int32_t>>;  // batch_size rows of seq_length ids

Block block(const Batches& b, int32_t k, int32_t which) {
  Block out(static_cast<size_t>(b.batch_size));
  for (int32_t r = 0; r < b.batch_size; ++r)
    for (int32_t t = 0; t < b.seq_length; ++t) out[r].push_back(b.at(k, which, r, t));
  return out;
}

std::vector<int32_t> range(int32_t first, int32_t last) {  // inclusive
  std::vector<int32_t> v(static_cast<size_t>(last - first + 1));
  std::iota(v.begin(), v.end(), first);
  return v;
}


}  // namespace

TEST(Batching, RecipeExampleExactly) {
  // ids 1..20, batch_size 3, seq_length 2: 3 batches, ids 19 and 20 dropped.
  const Batches b = batches(range(1, 20), 3, 2);
  ASSERT_EQ(b.n_batches, 3);
  ASSERT_EQ(b.batch_size, 3);
  ASSERT_EQ(b.seq_length, 2);
  ASSERT_EQ(b.data.size(), 3u * 2 * 3 * 2);
  EXPECT_EQ(block(b, 0, 0), (Block{{1, 2}, {7, 8}, {13, 14}}));
  EXPECT_EQ(block(b, 0, 1), (Block{{2, 3}, {8, 9}, {14, 15}}));
  EXPECT_EQ(block(b, 1, 0), (Block{{3, 4}, {9, 10}, {15, 16}}));
  EXPECT_EQ(block(b, 1, 1), (Block{{4, 5}, {10, 11}, {16, 17}}));
  EXPECT_EQ(block(b, 2, 0), (Block{{5, 6}, {11, 12}, {17, 18}}));
  EXPECT_EQ(block(b, 2, 1), (Block{{6, 7}, {12, 13}, {18, 1}}));
  // The flat layout is (n_batches, 2, batch_size, seq_length), row-major.
  EXPECT_EQ(std::vector<int32_t>(b.data.begin(), b.data.begin() + 12),
            (std::vector<int32_t>{1, 2, 7, 8, 13, 14, 2, 3, 8, 9, 14, 15}));
  EXPECT_EQ(b.inputs(2)[0], 5);
  EXPECT_EQ(b.targets(2)[5], 1);
}

TEST(Batching, LongerTailIsDropped) {
  // ids 10..38 (29 tokens), batch_size 2, seq_length 4: 8 per batch, 3 batches, 24 kept,
  // tail 34..38 dropped. Rows: 10..21 and 22..33.
  const Batches b = batches(range(10, 38), 2, 4);
  ASSERT_EQ(b.n_batches, 3);
  EXPECT_EQ(block(b, 0, 0), (Block{{10, 11, 12, 13}, {22, 23, 24, 25}}));
  EXPECT_EQ(block(b, 0, 1), (Block{{11, 12, 13, 14}, {23, 24, 25, 26}}));
  EXPECT_EQ(block(b, 1, 0), (Block{{14, 15, 16, 17}, {26, 27, 28, 29}}));
  EXPECT_EQ(block(b, 1, 1), (Block{{15, 16, 17, 18}, {27, 28, 29, 30}}));
  EXPECT_EQ(block(b, 2, 0), (Block{{18, 19, 20, 21}, {30, 31, 32, 33}}));
  EXPECT_EQ(block(b, 2, 1), (Block{{19, 20, 21, 22}, {31, 32, 33, 10}}));
}

TEST(Batching, SingleRowAndExactFit) {
  // batch_size 1: one row; the last target wraps to the first token.
  const Batches b = batches(range(0, 6), 1, 3);  // 7 tokens, 2 batches, id 6 dropped
  ASSERT_EQ(b.n_batches, 2);
  EXPECT_EQ(block(b, 0, 0), (Block{{0, 1, 2}}));
  EXPECT_EQ(block(b, 0, 1), (Block{{1, 2, 3}}));
  EXPECT_EQ(block(b, 1, 0), (Block{{3, 4, 5}}));
  EXPECT_EQ(block(b, 1, 1), (Block{{4, 5, 0}}));
  // Exactly batch_size * seq_length tokens make one batch.
  const Batches one = batches(range(1, 6), 2, 3);
  ASSERT_EQ(one.n_batches, 1);
  EXPECT_EQ(block(one, 0, 0), (Block{{1, 2, 3}, {4, 5, 6}}));
  EXPECT_EQ(block(one, 0, 1), (Block{{2, 3, 4}, {5, 6, 1}}));
}

TEST(Batching, TooShortOrBadShapeThrows) {
  EXPECT_EQ(error_of([] { batches(range(1, 150), 32, 64); }),
            "corpus too short: 150 tokens, need at least 2048 for batch_size 32 x seq_length 64");
  EXPECT_EQ(error_of([] { batches(range(1, 2047), 32, 64); }),
            "corpus too short: 2047 tokens, need at least 2048 for batch_size 32 x seq_length 64");
  EXPECT_EQ(batches(range(1, 2048), 32, 64).n_batches, 1);
  EXPECT_EQ(error_of([] { batches({}, 1, 1); }), "corpus too short: 0 tokens, need at least 1 for batch_size 1 x seq_length 1");
  EXPECT_EQ(error_of([] { batches(range(1, 10), 0, 2); }), "batch_size must be >= 1 (got 0)");
  EXPECT_EQ(error_of([] { batches(range(1, 10), 2, -3); }), "seq_length must be >= 1 (got -3)");
}

TEST(Batching, SplitValidationTakesTheLastFraction) {
  const auto ids = range(0, 9);
  auto s = split_validation(ids, 0.2);
  EXPECT_EQ(s.train, range(0, 7));
  EXPECT_EQ(s.validation, range(8, 9));
  s = split_validation(ids, 0.0);
  EXPECT_EQ(s.train, ids);
  EXPECT_TRUE(s.validation.empty());
  s = split_validation(ids, 0.5);
  EXPECT_EQ(s.train, range(0, 4));
  EXPECT_EQ(s.validation, range(5, 9));
  s = split_validation(ids, 0.15);  // floor(1.5) = 1
  EXPECT_EQ(s.validation, (std::vector<int32_t>{9}));
  EXPECT_EQ(error_of([&] { split_validation(ids, 0.7); }), "validationFraction must be in [0, 0.5] (got 0.7)");
  EXPECT_EQ(error_of([&] { split_validation(ids, -0.1); }), "validationFraction must be in [0, 0.5] (got -0.1)");
  EXPECT_NE(error_of([&] { split_validation(ids, std::nan("")); }).find("validationFraction"), std::string::npos);
}
