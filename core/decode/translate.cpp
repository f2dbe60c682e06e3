#include "decode/translate.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common.h"

namespace rnn {

void TranslateOptions::validate() const {
  if (beam < 1 || beam > 64) fail("option 'beam' must be between 1 and 64 (got " + std::to_string(beam) + ")");
  if (n_best < 1 || n_best > beam)
    fail("option 'nBest' must be between 1 and the beam width " + std::to_string(beam) + " (got " +
         std::to_string(n_best) + ")");
  if (!(alpha >= 0 && alpha <= 10)) fail("option 'alpha' must be between 0 and 10");
  if (max_length < 0 || max_length > 100000) fail("option 'maxLength' must be between 0 and 100000");
  if (batch < 1 || batch > 4096) fail("option 'batch' must be between 1 and 4096 (got " + std::to_string(batch) + ")");
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
};

// One source's search: its live beams are rows [first, first + beams.size()) of the Decoding.
struct Search {
  int index = 0;        // into the caller's sources
  int length = 0;       // source steps
  int max_length = 0;
  int first = 0;        // its first row this step
  std::vector<Beam> beams, ended;
  Rng rng;
  bool done() const { return beams.empty(); }
};

// Sources [begin, end) of `order` in one Decoding.
void decode_group(Seq2Seq& model, const std::vector<std::vector<int32_t>>& sources, const std::vector<int>& order,
                  size_t begin, size_t end_index, int32_t start, int32_t end, const TranslateOptions& o,
                  std::vector<std::vector<Translation>>& out) {
  const int G = (int)(end_index - begin), V = model.config.target_vocab_size;
  int S = 0;
  for (size_t i = begin; i < end_index; ++i) S = std::max(S, (int)sources[order[i]].size());
  std::vector<int32_t> padded((size_t)G * S, 0), lengths(G);
  std::vector<Search> searches(G);
  for (int g = 0; g < G; ++g) {
    const std::vector<int32_t>& src = sources[order[begin + g]];
    std::copy(src.begin(), src.end(), padded.begin() + (size_t)g * S);
    lengths[g] = (int32_t)src.size();
    Search& s = searches[g];
    s.index = order[begin + g];
    s.length = lengths[g];
    s.max_length = o.max_length > 0 ? o.max_length : 2 * s.length + 10;
    s.rng = Rng(o.seed, 5);
    s.beams.resize(1);
  }
  Seq2Seq::Decoding d = model.start(G, S, padded.data(), lengths.data());
  std::vector<int32_t> tokens(G, start);
  std::vector<float> logits;
  std::vector<double> logp;
  auto take_attention = [&](int row, const Search& s, Translation& t) {
    if (!d.attention.empty())
      t.attention.insert(t.attention.end(), d.attention.begin() + (size_t)row * d.S,
                         d.attention.begin() + (size_t)row * d.S + s.length);
  };
  struct Candidate {
    double log_prob;
    int row;  // within the source's beams
    int32_t token;
  };
  std::vector<Candidate> candidates;
  for (int step = 0; d.B > 0; ++step) {
    logits.resize((size_t)d.B * V);
    model.step(d, tokens.data(), logits.data());
    std::vector<int32_t> parents, next_tokens;
    int row = 0;
    for (Search& s : searches) {
      if (s.done()) continue;
      s.first = row;
      const int rows = (int)s.beams.size();
      row += rows;
      if (o.beam == 1) {  // greedy or sampled: one row
        const float* z = logits.data() + (size_t)s.first * V;
        log_softmax(z, V, logp);
        const int32_t token = o.sample ? sample_token(z, V, o.sampling, s.rng)
                                       : (int32_t)(std::max_element(z, z + V) - z);
        Translation& t = s.beams[0].t;
        t.log_prob += logp[token];
        take_attention(s.first, s, t);
        if (token == end || step + 1 >= s.max_length) {
          if (token != end) t.tokens.push_back(token);
          t.score = t.log_prob;
          s.ended.push_back(std::move(s.beams[0]));
          s.beams.clear();
          continue;
        }
        t.tokens.push_back(token);
        parents.push_back(s.first);
        next_tokens.push_back(token);
        continue;
      }
      // Beam search: every continuation of every live beam, best first.
      candidates.clear();
      for (int r = 0; r < rows; ++r) {
        log_softmax(logits.data() + (size_t)(s.first + r) * V, V, logp);
        for (int k = 0; k < V; ++k) candidates.push_back({s.beams[r].t.log_prob + logp[k], r, k});
      }
      const size_t keep = std::min(candidates.size(), (size_t)2 * o.beam);
      std::partial_sort(candidates.begin(), candidates.begin() + keep, candidates.end(),
                        [](const Candidate& a, const Candidate& b) {
                          return a.log_prob != b.log_prob ? a.log_prob > b.log_prob
                                                          : (a.row != b.row ? a.row < b.row : a.token < b.token);
                        });
      std::vector<Beam> next;
      std::vector<int32_t> own_parents, own_tokens;
      for (size_t c = 0; c < keep && (int)next.size() < o.beam; ++c) {
        Beam b = s.beams[candidates[c].row];
        b.t.log_prob = candidates[c].log_prob;
        take_attention(s.first + candidates[c].row, s, b.t);
        if (candidates[c].token == end) {
          b.t.score = b.t.log_prob / length_penalty(b.t.tokens.size() + 1, o.alpha);
          s.ended.push_back(std::move(b));
          continue;
        }
        b.t.tokens.push_back(candidates[c].token);
        next.push_back(std::move(b));
        own_parents.push_back(s.first + candidates[c].row);
        own_tokens.push_back(candidates[c].token);
      }
      s.beams.swap(next);
      // Enough have ended (stop, as OpenNMT does by default), or the maximum length is reached:
      // the open beams are scored as they are.
      if ((int)s.ended.size() >= o.beam) s.beams.clear();
      if (step + 1 >= s.max_length) {
        for (Beam& b : s.beams) {
          b.t.score = b.t.log_prob / length_penalty(b.t.tokens.size(), o.alpha);
          s.ended.push_back(std::move(b));
        }
        s.beams.clear();
      }
      if (s.done()) continue;
      parents.insert(parents.end(), own_parents.begin(), own_parents.end());
      next_tokens.insert(next_tokens.end(), own_tokens.begin(), own_tokens.end());
    }
    if (parents.empty()) break;
    // Skip the copy when nothing moved (greedy, no source finished).
    bool same = (int)parents.size() == d.B;
    for (size_t r = 0; same && r < parents.size(); ++r) same = parents[r] == (int32_t)r;
    if (!same) model.select_rows(d, parents);
    tokens.swap(next_tokens);
  }
  for (Search& s : searches) {
    std::stable_sort(s.ended.begin(), s.ended.end(), [](const Beam& a, const Beam& b) { return a.t.score > b.t.score; });
    std::vector<Translation>& result = out[s.index];
    for (size_t k = 0; k < s.ended.size() && (int)k < o.n_best; ++k) result.push_back(std::move(s.ended[k].t));
  }
}

}  // namespace

std::vector<std::vector<Translation>> translate_batch(Seq2Seq& model, const std::vector<std::vector<int32_t>>& sources,
                                                      int32_t start, int32_t end, const TranslateOptions& o) {
  o.validate();
  const int V = model.config.target_vocab_size;
  if (start < 0 || start >= V || end < 0 || end >= V)
    fail("start and end tokens must be target ids in [0, " + std::to_string(V) + ")");
  for (size_t i = 0; i < sources.size(); ++i)
    if (sources[i].empty()) fail("source " + std::to_string(i) + " has no tokens");
  // By length, so a group's sources pad little; each group in one Decoding.
  std::vector<int> order(sources.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return sources[a].size() < sources[b].size(); });
  std::vector<std::vector<Translation>> out(sources.size());
  for (size_t i = 0; i < order.size(); i += o.batch)
    decode_group(model, sources, order, i, std::min(order.size(), i + (size_t)o.batch), start, end, o, out);
  return out;
}

std::vector<Translation> translate(Seq2Seq& model, const std::vector<int32_t>& source, int32_t start, int32_t end,
                                   const TranslateOptions& o) {
  if (source.empty()) fail("the source has no tokens");
  return translate_batch(model, {source}, start, end, o)[0];
}

}  // namespace rnn
