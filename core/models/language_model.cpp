#include "models/language_model.h"

#include <cmath>
#include <cstring>

#include "common.h"
#include "nn/loss.h"

namespace rnn {

void LanguageModel::declare(const ModelConfig& cfg, Params& params, Embedding& embedding,
                            Embedding& category_embedding, RecurrentStack& rnn, Dense& output,
                            AdaptiveSoftmax& adaptive) {
  const int E = cfg.embedding_size;
  embedding.vocab = cfg.vocab_size;
  embedding.dim = E;
  embedding.declare(params, "embedding");
  if (cfg.labels > 0) {
    category_embedding.vocab = cfg.labels;
    category_embedding.dim = E;
    category_embedding.declare(params, "category_embedding");
  }
  rnn.declare(params, "rnn", cfg.cell, cfg.labels > 0 ? 2 * E : E, cfg.hidden_size, cfg.layers);
  rnn.dropout = cfg.dropout;
  rnn.locked_dropout = cfg.locked_dropout;
  rnn.weight_drop = cfg.weight_drop;
  if (cfg.adaptive_softmax) {
    if (cfg.adaptive_cutoffs.empty())
      fail("the adaptive softmax's cutoffs are chosen from the corpus's frequencies when training starts: give "
           "adaptiveSoftmax.cutoffs to build a model without a corpus");
    adaptive.in = cfg.hidden_size;
    adaptive.vocab = cfg.vocab_size;
    adaptive.cutoffs = cfg.adaptive_cutoffs;
    adaptive.div_value = cfg.adaptive_div_value;
    adaptive.has_head_bias = cfg.adaptive_head_bias;
    adaptive.declare(params, "adaptive");
    return;
  }
  output.in = cfg.hidden_size;
  output.out = cfg.vocab_size;
  if (cfg.tie_weights) output.bias = params.add("fc.bias", {cfg.vocab_size});  // the weight is the embedding's
  else output.declare(params, "fc");
}

std::vector<TensorInfo> LanguageModel::layout(const ModelConfig& cfg) {
  Params p;
  Embedding e, c;
  RecurrentStack r;
  Dense d;
  AdaptiveSoftmax a;
  declare(cfg, p, e, c, r, d, a);
  return p.tensors;
}

LanguageModel::LanguageModel(const ModelConfig& cfg) : config(cfg) {
  config.validate();
  declare(cfg, params, embedding, category_embedding, rnn, output, adaptive);
  params.allocate(cfg.trainable);
  embedding.bind(params);
  if (conditional()) category_embedding.bind(params);
  rnn.bind(params);
  if (cfg.adaptive_softmax) {
    adaptive.bind(params);
  } else if (cfg.tie_weights) {
    params.bind(output.bias);
    output.weight = embedding.weight;  // one tensor: both uses accumulate into its gradient
  } else {
    output.bind(params);
  }
  embedding_dropout_.p = cfg.embedding_dropout;
  output_dropout_.p = cfg.output_dropout;
  embedding_dropout_.locked = output_dropout_.locked = cfg.locked_dropout;

  Rng rng(cfg.seed, 1);
  if (cfg.tie_weights) {
    // Initialised as the output layer (N(0, 0.1²) cut at 2σ): the logits' scale matters more than the
    // inputs', and U(−1, 1) rows would give logits of size ~√H.
    for (size_t i = 0; i < embedding.weight.size; ++i) embedding.weight.w[i] = (float)rng.truncated_normal(0.1);
  } else {
    embedding.init(rng);
  }
  if (conditional()) category_embedding.init(rng);
  rnn.init(rng);
  if (cfg.adaptive_softmax) adaptive.init(rng);
  else if (!cfg.tie_weights) output.init(rng);  // a tied model's fc.bias stays zero, as Dense::init leaves it
}

size_t LanguageModel::state_size(int batch) const { return rnn.state_size(batch); }

void LanguageModel::forward(int B, int T, const int32_t* inputs, const int32_t* categories, const int32_t* lengths,
                            const float* state_in, float* state_out, Rng* dropout_rng, bool output_layer) {
  if (B < 1 || T < 1) fail("batch and sequence length must be positive");
  const int E = config.embedding_size, V = config.vocab_size;
  const size_t N = (size_t)T * B;
  to_time_major(B, T, inputs, ids_);
  if (!conditional()) {
    emb_.resize(N * E);
    embedding.forward((int)N, ids_.data(), emb_.data());
  } else {
    if (!categories) fail("a conditional language model needs a category per row");
    // [token embedding ; category embedding] at every step: 2E wide.
    token_emb_.resize(N * E);
    category_emb_.resize((size_t)B * E);
    embedding.forward((int)N, ids_.data(), token_emb_.data());
    categories_.assign(categories, categories + B);
    category_embedding.forward(B, categories, category_emb_.data());
    emb_.resize(N * 2 * E);
    for (size_t i = 0; i < N; ++i) {
      std::copy_n(token_emb_.data() + i * E, E, emb_.data() + i * 2 * E);
      std::copy_n(category_emb_.data() + (i % B) * E, E, emb_.data() + i * 2 * E + E);
    }
  }
  // Dropout masks are drawn in this order: embedding output, between levels, last level's output.
  const int width = conditional() ? 2 * E : E;
  const float* x = embedding_dropout_.forward(T, (size_t)B * width, emb_.data(), dropout_rng);
  top_ = rnn.forward(T, B, x, lengths, state_in, state_out, dropout_rng);
  top_ = output_dropout_.forward(T, (size_t)B * config.hidden_size, top_, dropout_rng);
  if (!output_layer) return;
  if (config.adaptive_softmax) {
    if (dropout_rng) return;  // training: train_batch computes the loss from top_
    logits_.resize(N * V);
    adaptive.log_probs((int)N, top_, logits_.data());
    return;
  }
  logits_.resize(N * V);
  output.forward((int)N, top_, logits_.data());
}

const float* LanguageModel::time_major_targets(const Batch& b) {
  to_time_major(b.B, b.T, b.targets, targets_);
  if (!b.weights && !b.lengths) return nullptr;
  if (!b.lengths) {
    to_time_major(b.B, b.T, b.weights, weights_);
    return weights_.data();
  }
  weights_.assign((size_t)b.T * b.B, 0.0f);
  for (int r = 0; r < b.B; ++r)
    for (int t = 0; t < b.lengths[r]; ++t) weights_[(size_t)t * b.B + r] = b.weights ? b.weights[(size_t)r * b.T + t] : 1.0f;
  return weights_.data();
}

double LanguageModel::train_batch(const Batch& b, Rng& dropout_rng) {
  params.check_trainable();
  forward(b.B, b.T, b.inputs, b.labels, b.lengths, b.state_in, b.state_out, &dropout_rng);
  const int E = config.embedding_size, H = config.hidden_size, V = config.vocab_size;
  const size_t N = (size_t)b.T * b.B;
  const float* w = time_major_targets(b);
  double loss;
  if (config.adaptive_softmax) {
    loss = adaptive.forward_loss((int)N, top_, targets_.data(), w);
  } else {
    // The gradient overwrites the logits: at a large vocabulary they are most of a step's memory.
    loss = softmax_cross_entropy((int)N, V, logits_.data(), targets_.data(), w, logits_.data());
  }
  // Refuse before backpropagating: no NaN reaches the gradients.
  if (!std::isfinite(loss)) fail("loss is not finite (" + std::to_string(loss) + "): training diverged");

  dtop_.resize(N * H);
  if (config.adaptive_softmax) adaptive.backward(dtop_.data());
  else output.backward((int)N, top_, logits_.data(), dtop_.data());
  output_dropout_.backward(b.T, (size_t)b.B * H, dtop_.data());
  if (!conditional()) {
    demb_.resize(N * E);
    rnn.backward(dtop_.data(), nullptr, demb_.data(), b.dstate_in);
    embedding_dropout_.backward(b.T, (size_t)b.B * E, demb_.data());
    embedding.backward((int)N, ids_.data(), demb_.data());
    return loss;
  }
  demb_.resize(N * 2 * E);
  rnn.backward(dtop_.data(), nullptr, demb_.data(), b.dstate_in);
  embedding_dropout_.backward(b.T, (size_t)b.B * 2 * E, demb_.data());
  // The token embedding's gradient reuses the forward buffers (no longer needed).
  std::vector<float>& dtoken = token_emb_;
  std::vector<float>& dcategory = category_emb_;
  std::fill(dcategory.begin(), dcategory.end(), 0.0f);
  for (size_t i = 0; i < N; ++i) {
    std::copy_n(demb_.data() + i * 2 * E, E, dtoken.data() + i * E);
    float* dc = dcategory.data() + (i % b.B) * E;
    for (int k = 0; k < E; ++k) dc[k] += demb_[i * 2 * E + E + k];
  }
  embedding.backward((int)N, ids_.data(), dtoken.data());
  category_embedding.backward(b.B, categories_.data(), dcategory.data());
  return loss;
}

double LanguageModel::evaluate_batch(const Batch& b) {
  forward(b.B, b.T, b.inputs, b.labels, b.lengths, b.state_in, b.state_out, nullptr);
  const size_t N = (size_t)b.T * b.B;
  const float* w = time_major_targets(b);
  if (config.adaptive_softmax) return log_prob_loss(N, w);
  return softmax_cross_entropy((int)N, config.vocab_size, logits_.data(), targets_.data(), w, nullptr);
}

// The weighted mean of −log p(target) over logits_ holding log-probabilities (the adaptive softmax).
double LanguageModel::log_prob_loss(size_t N, const float* w) const {
  const int V = config.vocab_size;
  double wsum = 0, total = 0;
  for (size_t i = 0; i < N; ++i) {
    const int32_t y = targets_[i];
    if (y < 0 || y >= V) fail("target id " + std::to_string(y) + " out of range for vocabulary of " + std::to_string(V));
    const double wi = w ? w[i] : 1.0;
    wsum += wi;
    if (wi != 0) total -= wi * (double)logits_[i * V + y];
  }
  return wsum > 0 ? total / wsum : 0.0;
}

void LanguageModel::step(int batch, const int32_t* tokens, ModelState& state, float* logits) {
  if (state.batch != batch || state.data.size() != state_size(batch))
    fail("state was made for batch " + std::to_string(state.batch) + ", not " + std::to_string(batch));
  const std::vector<int32_t> categories(batch, state.category);
  if (conditional() && (state.category < 0 || state.category >= config.labels))
    fail("choose a category to write for (0 … " + std::to_string(config.labels - 1) + ")");
  forward(batch, 1, tokens, categories.data(), nullptr, state.data.data(), state.data.data(), nullptr);
  std::memcpy(logits, logits_.data(), sizeof(float) * batch * config.vocab_size);
}

void LanguageModel::feed(int n, const int32_t* tokens, ModelState& state, float* last_logits) {
  if (state.batch != 1 || state.data.size() != state_size(1)) fail("feed takes the state of one stream");
  if (conditional() && (state.category < 0 || state.category >= config.labels))
    fail("choose a category to write for (0 … " + std::to_string(config.labels - 1) + ")");
  forward(1, n, tokens, &state.category, nullptr, state.data.data(), state.data.data(), nullptr);
  std::memcpy(last_logits, logits_.data() + (size_t)(n - 1) * config.vocab_size, sizeof(float) * config.vocab_size);
}

void LanguageModel::check_stream(const ModelState& state) const {
  if (state.batch != 1 || state.data.size() != state_size(1)) fail("generation takes the state of one stream");
  if (conditional() && (state.category < 0 || state.category >= config.labels))
    fail("choose a category to write for (0 … " + std::to_string(config.labels - 1) + ")");
}

void LanguageModel::step_top(int32_t token, ModelState& state, float* top) {
  feed_top(1, &token, state, top);
}

void LanguageModel::feed_top(int n, const int32_t* tokens, ModelState& state, float* top) {
  check_stream(state);
  forward(1, n, tokens, &state.category, nullptr, state.data.data(), state.data.data(), nullptr, false);
  std::memcpy(top, top_ + (size_t)(n - 1) * config.hidden_size, sizeof(float) * config.hidden_size);
}

void LanguageModel::check_sampling_bounds() {
  if (!config.adaptive_softmax) return;
  adaptive.check_bound_statistics();
  bounds_version_ = params.version;
}

int32_t LanguageModel::sample_next(const float* top, const SamplingOptions& options, Rng& rng) {
  if (!config.adaptive_softmax) fail("sample_next needs the adaptive softmax");
  if (bounds_version_ != params.version) check_sampling_bounds();
  const int32_t C = (int32_t)adaptive.tails.size();
  sample_head_.resize(adaptive.head_size());
  adaptive.head_log_probs(top, sample_head_.data());
  sample_tails_.resize(C);
  tail_start_.resize(C);
  tail_size_.resize(C);
  for (int32_t c = 0; c < C; ++c) {
    tail_start_[c] = adaptive.tails[c].start;
    tail_size_[c] = adaptive.tails[c].size;
  }
  TwoLevelLogProbs d;
  d.head = sample_head_.data();
  d.shortlist = adaptive.shortlist();
  d.clusters = C;
  d.start = tail_start_.data();
  d.size = tail_size_.data();
  d.expand = [&](int32_t c) {
    std::vector<float>& v = sample_tails_[c];
    v.resize(tail_size_[c]);
    adaptive.cluster_log_probs(c, top, sample_head_[d.shortlist + c], v.data());
    return (const float*)v.data();
  };
  d.word_bound = [&](int32_t c) { return adaptive.cluster_log_prob_bound(c, top, false); };
  return sample_two_level(d, options, rng);
}

void LanguageModel::log_probs_of_top(const float* top, float* log_probs) {
  if (!config.adaptive_softmax) fail("log_probs_of_top needs the adaptive softmax");
  adaptive.log_probs(1, top, log_probs);
}

}  // namespace rnn
