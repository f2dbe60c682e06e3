#include "decode/translate.h"

#include <algorithm>
#include <cmath>

#include "common.h"

namespace rnn {

void TranslateOptions::validate() const {
  if (beam < 1 || beam > 64) fail("option 'beam' must be between 1 and 64 (got " + std::to_string(beam) + ")");
  if (n_best < 1 || n_best > beam)
    fail("option 'nBest' must be between 1 and the beam width " + std::to_string(beam) + " (got " +
         std::to_string(n_best) + ")");
  if (!(alpha >= 0 && alpha <= 10)) fail("option 'alpha' must be between 0 and 10");
  if (max_length < 0 || max_length > 100000) fail("option 'maxLength' must be between 0 and 100000");
  rnn::validate(sampling);
}

namespace {

// log softmax of one row of logits, in double.
void log_softmax(const float* z, int n, std::vector<double>& out) {
  out.resize(n);
  const float top = *std::max_element(z, z + n);
  double sum = 0;
  for (int k = 0; k < n; ++k) sum += std::exp((double)z[k] - top);
  const double log_sum = std::log(sum) + top;
  for (int k = 0; k < n; ++k) out[k] = z[k] - log_sum;
}

double length_penalty(size_t length, float alpha) { return std::pow((5.0 + (double)length) / 6.0, alpha); }

struct Beam {
  Translation t;
  bool ended = false;
};

}  // namespace

std::vector<Translation> translate(Seq2Seq& model, const std::vector<int32_t>& source, int32_t start, int32_t end,
                                   const TranslateOptions& o) {
  o.validate();
  if (source.empty()) fail("the source has no tokens");
  const int S = (int)source.size(), V = model.config.target_vocab_size;
  const int max_length = o.max_length > 0 ? o.max_length : 2 * S + 10;
  const int32_t length = S;
  Seq2Seq::Decoding d = model.start(1, S, source.data(), &length);
  std::vector<float> logits;
  std::vector<double> logp;
  auto take_attention = [&](int row, Translation& t) {
    if (!d.attention.empty()) t.attention.insert(t.attention.end(), d.attention.begin() + (size_t)row * S,
                                                 d.attention.begin() + (size_t)(row + 1) * S);
  };

  if (o.beam == 1) {  // greedy or sampled: one row
    Rng rng(o.seed, 5);
    Translation t;
    int32_t token = start;
    for (int step = 0; step < max_length; ++step) {
      logits.resize(V);
      model.step(d, &token, logits.data());
      log_softmax(logits.data(), V, logp);
      token = o.sample ? sample_token(logits.data(), V, o.sampling, rng)
                       : (int32_t)(std::max_element(logits.begin(), logits.end()) - logits.begin());
      t.log_prob += logp[token];
      take_attention(0, t);
      if (token == end) break;
      t.tokens.push_back(token);
    }
    t.score = t.log_prob;
    return {t};
  }

  std::vector<Beam> beams(1), ended;
  std::vector<int32_t> tokens = {start};
  for (int step = 0; step < max_length && !beams.empty(); ++step) {
    const int rows = (int)beams.size();
    logits.resize((size_t)rows * V);
    model.step(d, tokens.data(), logits.data());
    // Every continuation of every live beam, best first.
    struct Candidate {
      double log_prob;
      int row;
      int32_t token;
    };
    std::vector<Candidate> candidates;
    candidates.reserve((size_t)rows * V);
    for (int r = 0; r < rows; ++r) {
      log_softmax(logits.data() + (size_t)r * V, V, logp);
      for (int k = 0; k < V; ++k) candidates.push_back({beams[r].t.log_prob + logp[k], r, k});
    }
    const size_t keep = std::min(candidates.size(), (size_t)2 * o.beam);
    std::partial_sort(candidates.begin(), candidates.begin() + keep, candidates.end(),
                      [](const Candidate& a, const Candidate& b) {
                        return a.log_prob != b.log_prob ? a.log_prob > b.log_prob
                                                        : (a.row != b.row ? a.row < b.row : a.token < b.token);
                      });
    std::vector<Beam> next;
    std::vector<int32_t> parents;
    tokens.clear();
    for (size_t c = 0; c < keep && (int)next.size() < o.beam; ++c) {
      Beam b = beams[candidates[c].row];
      b.t.log_prob = candidates[c].log_prob;
      take_attention(candidates[c].row, b.t);
      if (candidates[c].token == end) {
        b.t.score = b.t.log_prob / length_penalty(b.t.tokens.size() + 1, o.alpha);
        ended.push_back(std::move(b));
        continue;
      }
      b.t.tokens.push_back(candidates[c].token);
      next.push_back(std::move(b));
      parents.push_back(candidates[c].row);
      tokens.push_back(candidates[c].token);
    }
    beams.swap(next);
    if ((int)ended.size() >= o.beam) {
      beams.clear();  // enough have ended: stop, as OpenNMT does by default
      break;
    }
    if (!beams.empty()) model.select_rows(d, parents);
  }
  for (Beam& b : beams) {  // still open at the maximum length
    b.t.score = b.t.log_prob / length_penalty(b.t.tokens.size(), o.alpha);
    ended.push_back(std::move(b));
  }
  std::stable_sort(ended.begin(), ended.end(), [](const Beam& a, const Beam& b) { return a.t.score > b.t.score; });
  std::vector<Translation> out;
  for (size_t k = 0; k < ended.size() && (int)k < o.n_best; ++k) out.push_back(std::move(ended[k].t));
  return out;
}

}  // namespace rnn
