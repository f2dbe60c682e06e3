#include "models/seq2seq.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common.h"
#include "nn/dropout.h"
#include "nn/loss.h"

namespace rnn {

void Seq2Seq::declare(const ModelConfig& cfg, Params& p, TokenEncoder& encoder, std::vector<Dense>& bridge,
                      TokenEncoder& decoder, Attention& attention, Dense& output) {
  const int H = cfg.hidden_size, parts = cfg.cell == CellType::Lstm ? 2 : 1;
  encoder.declare(p, cfg.vocab_size, cfg.embedding_size, cfg.cell, H, cfg.layers, cfg.bidirectional, cfg.dropout,
                  "encoder.");
  bridge.assign(cfg.bidirectional ? (size_t)cfg.layers * parts : 0, Dense{});
  for (size_t k = 0; k < bridge.size(); ++k) {
    bridge[k].in = 2 * H;
    bridge[k].out = H;
    bridge[k].declare(p, std::string("bridge.") + (k % parts ? "c" : "h") + "_l" + std::to_string(k / parts));
  }
  if (cfg.attention && cfg.input_feeding) {  // TokenEncoder::declare's tensors, the first level reading E + H
    decoder.embedding.vocab = cfg.target_vocab_size;
    decoder.embedding.dim = cfg.embedding_size;
    decoder.embedding.declare(p, "decoder.embedding");
    decoder.rnn.declare(p, "decoder.rnn", cfg.cell, cfg.embedding_size + H, H, cfg.layers, false);
    decoder.rnn.dropout = cfg.dropout;
  } else {
    decoder.declare(p, cfg.target_vocab_size, cfg.embedding_size, cfg.cell, H, cfg.layers, false, cfg.dropout,
                    "decoder.");
  }
  if (cfg.attention) {
    attention.score = cfg.attention_score;
    attention.encoder_size = encoder.output_size();
    attention.decoder_size = H;
    attention.output_size = H;
    attention.declare(p, "attention");
  }
  output.in = H;
  output.out = cfg.target_vocab_size;
  output.declare(p, "fc");
}

std::vector<TensorInfo> Seq2Seq::layout(const ModelConfig& cfg) {
  Params p;
  TokenEncoder e, d;
  std::vector<Dense> b;
  Attention a;
  Dense o;
  declare(cfg, p, e, b, d, a, o);
  return p.tensors;
}

Seq2Seq::Seq2Seq(const ModelConfig& cfg) : config(cfg) {
  config.validate();
  declare(config, params, encoder, bridge, decoder, attention, output);
  params.allocate(cfg.trainable);
  encoder.bind(params);
  for (Dense& d : bridge) d.bind(params);
  decoder.bind(params);
  if (config.attention) attention.bind(params);
  output.bind(params);
  Rng rng(cfg.seed, 1);
  encoder.init(rng);
  for (Dense& d : bridge) d.init(rng);
  decoder.init(rng);
  if (config.attention) attention.init(rng);
  output.init(rng);
  steps_.resize(config.layers);
}

// Encoder final states: per level a forward block then a reverse block, each `parts` × (B × H).
// Decoder initial states: per level one block of `parts` × (B × H).
void Seq2Seq::bridge_forward(int B, const float* final_states, float* initial) {
  const int H = config.hidden_size, parts = state_parts();
  const size_t BH = (size_t)B * H;
  if (!config.bidirectional) {
    std::memcpy(initial, final_states, sizeof(float) * config.layers * parts * BH);
    return;
  }
  bridge_in_.resize(bridge.size() * BH * 2);
  bridge_out_.resize(bridge.size() * BH);
  for (int l = 0; l < config.layers; ++l)
    for (int part = 0; part < parts; ++part) {
      const size_t k = (size_t)l * parts + part;
      const float* fwd = final_states + (size_t)l * 2 * parts * BH + part * BH;
      const float* rev = fwd + parts * BH;
      float* in = bridge_in_.data() + k * BH * 2;
      for (int b = 0; b < B; ++b) {
        std::memcpy(in + (size_t)b * 2 * H, fwd + (size_t)b * H, sizeof(float) * H);
        std::memcpy(in + (size_t)b * 2 * H + H, rev + (size_t)b * H, sizeof(float) * H);
      }
      float* out = bridge_out_.data() + k * BH;
      bridge[k].forward(B, in, out);
      for (size_t i = 0; i < BH; ++i) out[i] = std::tanh(out[i]);
      std::memcpy(initial + (size_t)l * parts * BH + part * BH, out, sizeof(float) * BH);
    }
}

void Seq2Seq::bridge_backward(int B, const float* dinitial, float* dfinal) {
  const int H = config.hidden_size, parts = state_parts();
  const size_t BH = (size_t)B * H;
  if (!config.bidirectional) {
    std::memcpy(dfinal, dinitial, sizeof(float) * config.layers * parts * BH);
    return;
  }
  dbridge_out_.resize(BH);
  dbridge_in_.resize(BH * 2);
  for (int l = 0; l < config.layers; ++l)
    for (int part = 0; part < parts; ++part) {
      const size_t k = (size_t)l * parts + part;
      const float* out = bridge_out_.data() + k * BH;
      const float* g = dinitial + (size_t)l * parts * BH + part * BH;
      for (size_t i = 0; i < BH; ++i) dbridge_out_[i] = g[i] * (1.0f - out[i] * out[i]);
      bridge[k].backward(B, bridge_in_.data() + k * BH * 2, dbridge_out_.data(), dbridge_in_.data());
      float* fwd = dfinal + (size_t)l * 2 * parts * BH + part * BH;
      float* rev = fwd + parts * BH;
      for (int b = 0; b < B; ++b) {
        std::memcpy(fwd + (size_t)b * H, dbridge_in_.data() + (size_t)b * 2 * H, sizeof(float) * H);
        std::memcpy(rev + (size_t)b * H, dbridge_in_.data() + (size_t)b * 2 * H + H, sizeof(float) * H);
      }
    }
}

double Seq2Seq::forward(const Batch& b, Rng* dropout_rng, bool gradient) {
  if (!b.decoder_inputs || !b.targets || b.target_steps < 1) fail("an encoder–decoder batch needs its targets");
  const int B = b.B, S = b.T, T = b.target_steps, H = config.hidden_size, V = config.target_vocab_size;
  const size_t N = (size_t)T * B;
  final_.resize(encoder.rnn.state_size(B));
  memory_ = encoder.forward(B, S, b.inputs, b.lengths, dropout_rng, final_.data());
  initial_.resize(decoder.rnn.state_size(B));
  bridge_forward(B, final_.data(), initial_.data());
  std::vector<int32_t> source_lengths;
  const int32_t* lengths = b.lengths;
  if (!lengths) {
    source_lengths.assign(B, S);
    lengths = source_lengths.data();
  }
  if (feeding() || (gradient && config.scheduled_sampling > 0)) return forward_steps(b, dropout_rng, gradient, lengths);
  // All steps at once: the decoder stack, the attention and the output layer each over T·B rows.
  to_time_major(B, T, b.decoder_inputs, tokens_);
  top_ = decoder.forward(B, T, b.decoder_inputs, b.target_lengths, dropout_rng, nullptr, initial_.data());
  const float* head = top_;
  if (config.attention) {
    attended_.resize(N * H);
    attention.forward(S, T, B, memory_, lengths, top_, attended_.data());
    head = attended_.data();
  }
  logits_.resize(N * V);
  output.forward((int)N, head, logits_.data());
  const double loss = this->loss(b, gradient);
  if (!gradient) return loss;
  const size_t memory_size = (size_t)S * B * encoder.output_size();
  dmemory_.assign(memory_size, 0.0f);
  dtop_.resize(N * H);
  if (config.attention) {
    dattended_.resize(N * H);
    output.backward((int)N, head, dlogits_.data(), dattended_.data());
    attention.backward(dattended_.data(), dmemory_.data(), dtop_.data());
  } else {
    output.backward((int)N, head, dlogits_.data(), dtop_.data());
  }
  dinitial_.assign(initial_.size(), 0.0f);
  decoder.backward(dtop_.data(), nullptr, dinitial_.data());
  dfinal_.assign(final_.size(), 0.0f);
  bridge_backward(B, dinitial_.data(), dfinal_.data());
  encoder.backward(dmemory_.data(), dfinal_.data());
  return loss;
}

// The mean loss over the real target tokens of logits_; with `gradient`, dlogits_ too.
double Seq2Seq::loss(const Batch& b, bool gradient) {
  const int B = b.B, T = b.target_steps, V = config.target_vocab_size;
  const size_t N = (size_t)T * B;
  to_time_major(B, T, b.targets, targets_);
  weights_.assign(N, 0.0f);
  for (int r = 0; r < B; ++r)
    for (int t = 0; t < (b.target_lengths ? b.target_lengths[r] : T); ++t) weights_[(size_t)t * B + r] = 1.0f;
  if (!gradient) return softmax_cross_entropy((int)N, V, logits_.data(), targets_.data(), weights_.data(), nullptr);
  dlogits_.resize(N * V);
  const double loss = softmax_cross_entropy((int)N, V, logits_.data(), targets_.data(), weights_.data(), dlogits_.data());
  if (!std::isfinite(loss)) fail("loss is not finite (" + std::to_string(loss) + "): training diverged");
  return loss;
}

double Seq2Seq::train_batch(const Batch& b, Rng& dropout_rng) {
  params.check_trainable();
  return forward(b, &dropout_rng, true);
}
double Seq2Seq::evaluate_batch(const Batch& b) { return forward(b, nullptr, false); }


// ---- the step-by-step decoder ----

// The per-step products' right-hand sides, packed once (per training batch, or per Decoding) for
// products of `rows` rows (below 4 nothing is packed: those take dot products on the weights).
// With input feeding W_ih0's two column blocks are copied apart first: W_e (G·H × E) for the
// embeddings, W_f (G·H × H) for h̃.
void Seq2Seq::pack_steps(bool backward, int rows) {
  const int H = config.hidden_size, E = config.embedding_size;
  for (int l = 0; l < config.layers; ++l) {
    const RecurrentLayer& L = decoder.rnn.layers[l];
    StepLevel& s = steps_[l];
    const int GH = L.gates() * H;
    kernels::pack_nt(GH, H, L.w_hh.w, s.cache.w_hh_fwd, rows);
    if (backward) kernels::pack_nn(GH, H, L.w_hh.w, s.cache.w_hh_bwd);
    if (l == 0 && feeding()) {
      w_emb_.resize((size_t)GH * E);
      w_feed_.resize((size_t)GH * H);
      for (int r = 0; r < GH; ++r) {
        std::memcpy(w_emb_.data() + (size_t)r * E, L.w_ih.w + (size_t)r * (E + H), sizeof(float) * E);
        std::memcpy(w_feed_.data() + (size_t)r * H, L.w_ih.w + (size_t)r * (E + H) + E, sizeof(float) * H);
      }
      kernels::pack_nt(GH, E, w_emb_.data(), s.w_ih_nt, rows);
      kernels::pack_nt(GH, H, w_feed_.data(), w_feed_nt_, rows);
      if (backward) kernels::pack_nn(GH, H, w_feed_.data(), w_feed_nn_);
    } else {
      kernels::pack_nt(GH, L.input, L.w_ih.w, s.w_ih_nt, rows);
      if (backward && l > 0) kernels::pack_nn(GH, L.input, L.w_ih.w, s.w_ih_nn);
    }
  }
  kernels::pack_nt(config.target_vocab_size, H, output.weight.w, fc_nt_, rows);
  if (config.attention) attention.pack(rows, backward);
}

// T steps of B rows from `initial` (the decoder's state, RecurrentStack layout) and, with input
// feeding, h̃_{−1} = feed (B × H).
void Seq2Seq::steps_begin(int T, int B, const float* initial, const float* feed, bool dropout) {
  const int H = config.hidden_size, E = config.embedding_size;
  const size_t BH = (size_t)B * H, N = (size_t)T * B;
  steps_T_ = T, steps_B_ = B;
  steps_dropout_ = dropout;
  const float* state = initial;
  for (int l = 0; l < config.layers; ++l) {
    const RecurrentLayer& L = decoder.rnn.layers[l];
    RecurrentCache& c = steps_[l].cache;
    const int GH = L.gates() * H;
    c.T = T, c.B = B, c.H = H, c.lengths = nullptr;
    c.gates.resize(N * GH);
    c.h.resize((T + 1) * BH);
    std::memcpy(c.h.data(), state, sizeof(float) * BH);
    if (L.cell == CellType::Lstm) {
      c.c.resize((T + 1) * BH);
      c.tc.resize(T * BH);
      std::memcpy(c.c.data(), state + BH, sizeof(float) * BH);
    }
    if (L.cell == CellType::Gru) c.hproj.resize(N * GH);
    state += (size_t)B * L.state_size();
    // The level's inputs as its W_ih product reads them (kept for dW_ih).
    StepLevel& s = steps_[l];
    if (l == 0) {
      emb_.resize(N * E);
      if (feeding()) s.x.resize(N * (E + H));
      c.x = feeding() ? s.x.data() : emb_.data();
    } else if (dropout) {
      s.x.resize(N * H);
      s.mask.resize(N * H);
      c.x = s.x.data();
    } else {
      c.x = steps_[l - 1].cache.outputs();  // the level below's outputs, T × B × H
    }
  }
  if (feeding()) feed0_.assign(feed, feed + BH);
  if (config.attention) attended_.resize(N * H);
}

// Step t. Level 0's gates hold the embeddings' projection + b_ih already when `projected` (the
// hoisted GEMM); otherwise it is done here from emb_'s step t. Returns the step's head (B × H):
// h̃_t with attention, else the top level's state.
const float* Seq2Seq::steps_forward(int t, bool projected, Rng* dropout_rng) {
  const int B = steps_B_, H = config.hidden_size, E = config.embedding_size;
  const size_t BH = (size_t)B * H;
  for (int l = 0; l < config.layers; ++l) {
    const RecurrentLayer& L = decoder.rnn.layers[l];
    StepLevel& s = steps_[l];
    RecurrentCache& c = s.cache;
    const int GH = L.gates() * H;
    float* gates = c.gates.data() + (size_t)t * B * GH;
    if (l == 0) {
      const float* emb = emb_.data() + (size_t)t * B * E;
      if (!projected) {
        kernels::matmul_packed(B, emb, s.w_ih_nt, gates, false);
        kernels::add_bias(B, GH, L.b_ih.w, gates);
      }
      if (feeding()) {  // + h̃_{t−1}·W_fᵀ, and [emb ; h̃_{t−1}] kept for dW_ih0
        const float* prev = t ? attended_.data() + (t - 1) * BH : feed0_.data();
        kernels::matmul_packed(B, prev, w_feed_nt_, gates, true);
        float* x = s.x.data() + (size_t)t * B * (E + H);
        for (int r = 0; r < B; ++r) {
          std::memcpy(x + (size_t)r * (E + H), emb + (size_t)r * E, sizeof(float) * E);
          std::memcpy(x + (size_t)r * (E + H) + E, prev + (size_t)r * H, sizeof(float) * H);
        }
      }
    } else {
      const float* below = steps_[l - 1].cache.h.data() + (t + 1) * BH;
      const float* x = below;
      if (steps_dropout_) {
        float* dropped = s.x.data() + t * BH;
        dropout_forward(BH, config.dropout, *dropout_rng, below, dropped, s.mask.data() + t * BH);
        x = dropped;
      }
      kernels::matmul_packed(B, x, s.w_ih_nt, gates, false);
      kernels::add_bias(B, GH, L.b_ih.w, gates);
    }
    // The cell, as the time loops in lstm_cell.cpp, gru_cell.cpp and rnn_cell.cpp do it for one step.
    const float* h_prev = c.h.data() + t * BH;
    float* h = c.h.data() + (t + 1) * BH;
    switch (L.cell) {
      case CellType::Lstm:
        hidden_matmul(c, h_prev, gates, true);
        kernels::lstm_forward_step(B, H, gates, L.b_hh.w, c.c.data() + t * BH, c.c.data() + (t + 1) * BH,
                                   c.tc.data() + t * BH, h);
        break;
      case CellType::Gru: {
        float* hp = c.hproj.data() + (size_t)t * B * GH;
        hidden_matmul(c, h_prev, hp, false);
        kernels::gru_forward_step(B, H, gates, hp, L.b_hh.w, h_prev, h);
        break;
      }
      case CellType::Rnn:
        hidden_matmul(c, h_prev, gates, true);
        kernels::rnn_forward_step(B, H, gates, L.b_hh.w, h);
        break;
    }
  }
  const float* top = steps_.back().cache.h.data() + (t + 1) * BH;
  if (!config.attention) return top;
  float* out = attended_.data() + t * BH;
  attention.forward_step(t, top, out);
  return out;
}

// dhead: T × B × H, the gradient at every step's head. Runs the steps backwards (levels top to
// bottom within a step, h̃_{t−1}'s gradient handed to step t−1), then the products over all steps:
// weight gradients, the embeddings' gradient, the attention's rest (de into dmemory_). Leaves the
// initial state's gradient in dinitial_.
void Seq2Seq::steps_backward(const float* dhead) {
  const int T = steps_T_, B = steps_B_, H = config.hidden_size, E = config.embedding_size, top = config.layers - 1;
  const size_t BH = (size_t)B * H, N = (size_t)T * B;
  for (int l = 0; l <= top; ++l) {
    RecurrentCache& c = steps_[l].cache;
    c.dh.assign(BH, 0.0f);  // the final state's gradient: nothing reads it
    c.dc.assign(BH, 0.0f);
  }
  dfeed_.assign(BH, 0.0f);
  dlevel_.resize(BH);
  dtop_step_.resize(BH);
  dsum_.resize(BH);
  for (int t = T - 1; t >= 0; --t) {
    const float* dy = dhead + t * BH;
    if (config.attention) {
      if (feeding()) {  // h̃_t feeds the output layer and step t+1's input
        std::memcpy(dsum_.data(), dy, sizeof(float) * BH);
        kernels::axpy(BH, 1.0f, dfeed_.data(), dsum_.data());
        dy = dsum_.data();
      }
      attention.backward_step(t, dy, dtop_step_.data());
      dy = dtop_step_.data();
    }
    for (int l = top; l >= 0; --l) {
      const RecurrentLayer& L = decoder.rnn.layers[l];
      StepLevel& s = steps_[l];
      RecurrentCache& c = s.cache;
      const int GH = L.gates() * H;
      const size_t off = (size_t)t * B * GH;
      float* dg = c.gates.data() + off;
      switch (L.cell) {
        case CellType::Lstm:
          kernels::lstm_backward_step(B, H, c.gates.data() + off, c.c.data() + t * BH, c.tc.data() + t * BH, dy,
                                      c.dh.data(), c.dc.data(), dg);
          hidden_matmul_backward(c, dg, c.dh.data(), false);
          break;
        case CellType::Gru: {
          float* dhp = c.hproj.data() + off;
          kernels::gru_backward_step(B, H, c.gates.data() + off, c.hproj.data() + off, c.h.data() + t * BH, dy,
                                     c.dh.data(), dg, dhp);
          hidden_matmul_backward(c, dhp, c.dh.data(), true);
          break;
        }
        case CellType::Rnn:
          kernels::rnn_backward_step(B, H, c.h.data() + (t + 1) * BH, dy, c.dh.data(), dg);
          hidden_matmul_backward(c, dg, c.dh.data(), false);
          break;
      }
      if (l > 0) {  // the gradient at the level below's output at step t
        kernels::matmul_packed(B, dg, s.w_ih_nn, dlevel_.data(), false);
        if (steps_dropout_) dropout_backward(BH, s.mask.data() + t * BH, dlevel_.data(), dlevel_.data());
        dy = dlevel_.data();
      } else if (feeding() && t > 0) {  // ∂L/∂h̃_{t−1} through step t's input
        kernels::matmul_packed(B, dg, w_feed_nn_, dfeed_.data(), false);
      }
    }
  }
  // Products over all steps (recurrent_backward's tail, per level).
  dinitial_.assign(decoder.rnn.state_size(B), 0.0f);
  float* dstate = dinitial_.data();
  for (int l = 0; l <= top; ++l) {
    RecurrentLayer& L = decoder.rnn.layers[l];
    RecurrentCache& c = steps_[l].cache;
    const int GH = L.gates() * H;
    kernels::matmul_tn(GH, L.input, (int)N, c.gates.data(), c.x, L.w_ih.g, true);
    const float* dhp = L.cell == CellType::Gru ? c.hproj.data() : c.gates.data();
    kernels::matmul_tn(GH, H, (int)N, dhp, c.h.data(), L.w_hh.g, true);
    if (dhp == c.gates.data()) {
      c.db.assign(GH, 0.0f);
      kernels::sum_rows((int)N, GH, dhp, c.db.data());
      kernels::axpy(GH, 1.0f, c.db.data(), L.b_ih.g);
      kernels::axpy(GH, 1.0f, c.db.data(), L.b_hh.g);
    } else {
      kernels::sum_rows((int)N, GH, c.gates.data(), L.b_ih.g);
      kernels::sum_rows((int)N, GH, dhp, L.b_hh.g);
    }
    std::memcpy(dstate, c.dh.data(), sizeof(float) * BH);
    if (L.cell == CellType::Lstm) std::memcpy(dstate + BH, c.dc.data(), sizeof(float) * BH);
    dstate += (size_t)B * L.state_size();
  }
  const RecurrentLayer& L0 = decoder.rnn.layers[0];
  demb_.resize(N * E);
  kernels::matmul_nn((int)N, E, L0.gates() * H, steps_[0].cache.gates.data(), feeding() ? w_emb_.data() : L0.w_ih.w,
                     demb_.data(), false);
  decoder.embedding.backward((int)N, tokens_.data(), demb_.data());
  if (config.attention) attention.finish_backward(dmemory_.data());
}

void Seq2Seq::steps_final_state(float* state) const {
  const int T = steps_T_, B = steps_B_, H = config.hidden_size;
  const size_t BH = (size_t)B * H;
  for (int l = 0; l < config.layers; ++l) {
    const RecurrentCache& c = steps_[l].cache;
    std::memcpy(state, c.h.data() + T * BH, sizeof(float) * BH);
    if (decoder.rnn.layers[l].cell == CellType::Lstm) std::memcpy(state + BH, c.c.data() + T * BH, sizeof(float) * BH);
    state += (size_t)B * decoder.rnn.layers[l].state_size();
  }
}

// Training or evaluation step by step (input feeding, or scheduled sampling): the encoder and the
// bridge have run (memory_, initial_).
double Seq2Seq::forward_steps(const Batch& b, Rng* dropout_rng, bool gradient, const int32_t* lengths) {
  const int B = b.B, S = b.T, T = b.target_steps, H = config.hidden_size, E = config.embedding_size,
            V = config.target_vocab_size;
  const size_t N = (size_t)T * B, BH = (size_t)B * H;
  const float p = gradient ? config.scheduled_sampling : 0.0f;
  const bool sampling = p > 0;
  if (config.attention) attention.prepare(S, B, memory_, lengths, memory_steps_);
  pack_steps(gradient, B);
  packed_id_ = 0;  // no Decoding's packing
  feed0_.assign(BH, 0.0f);
  steps_begin(T, B, initial_.data(), feed0_.data(), dropout_rng && config.dropout > 0);
  if (config.attention) attention.begin(memory_steps_, T, B);
  to_time_major(B, T, b.decoder_inputs, tokens_);
  logits_.resize(N * V);
  const RecurrentLayer& L0 = decoder.rnn.layers[0];
  const int GH0 = L0.gates() * H;
  if (!sampling) {  // every token known: embeddings and their projection for all steps at once
    decoder.embedding.forward((int)N, tokens_.data(), emb_.data());
    kernels::matmul_nt((int)N, GH0, E, emb_.data(), feeding() ? w_emb_.data() : L0.w_ih.w,
                       steps_[0].cache.gates.data(), false);
    kernels::add_bias((int)N, GH0, L0.b_ih.w, steps_[0].cache.gates.data());
  }
  for (int t = 0; t < T; ++t) {
    if (sampling) {
      int32_t* tokens = tokens_.data() + (size_t)t * B;
      if (t > 0)
        for (int r = 0; r < B; ++r)
          if (dropout_rng->uniform() < p) {  // the previous step's argmax (ties: the lowest id)
            const float* z = logits_.data() + ((size_t)(t - 1) * B + r) * V;
            tokens[r] = (int32_t)(std::max_element(z, z + V) - z);
          }
      decoder.embedding.forward(B, tokens, emb_.data() + (size_t)t * B * E);
    }
    const float* head = steps_forward(t, !sampling, dropout_rng);
    if (sampling) {
      float* z = logits_.data() + (size_t)t * B * V;
      kernels::matmul_packed(B, head, fc_nt_, z, false);
      kernels::add_bias(B, V, output.bias.w, z);
    }
  }
  const float* heads = config.attention ? attended_.data() : steps_.back().cache.outputs();
  if (!sampling) output.forward((int)N, heads, logits_.data());
  const double loss = this->loss(b, gradient);
  if (!gradient) return loss;
  dattended_.resize(N * H);
  output.backward((int)N, heads, dlogits_.data(), dattended_.data());
  dmemory_.assign((size_t)S * B * encoder.output_size(), 0.0f);
  steps_backward(dattended_.data());
  dfinal_.assign(final_.size(), 0.0f);
  bridge_backward(B, dinitial_.data(), dfinal_.data());
  encoder.backward(dmemory_.data(), dfinal_.data());
  return loss;
}

// ---- decoding ----

Seq2Seq::Decoding Seq2Seq::start(int B, int S, const int32_t* sources, const int32_t* lengths) {
  if (B < 1 || S < 1) fail("decoding needs at least one source with at least one token");
  Decoding d;
  d.B = B;
  d.S = S;
  std::vector<int32_t> full;
  if (!lengths) {
    full.assign(B, S);
    lengths = full.data();
  }
  final_.resize(encoder.rnn.state_size(B));
  const float* memory = encoder.forward(B, S, sources, lengths, nullptr, final_.data());
  if (config.attention) {
    attention.prepare(S, B, memory, lengths, d.memory);
  } else {
    d.memory.S = S, d.memory.B = B;
    d.memory.lengths.assign(lengths, lengths + B);
  }
  d.source.resize(B);
  for (int b = 0; b < B; ++b) d.source[b] = b;
  d.state = {B, std::vector<float>(decoder.rnn.state_size(B)), -1};
  bridge_forward(B, final_.data(), d.state.data.data());
  if (feeding()) d.feed.assign((size_t)B * config.hidden_size, 0.0f);
  d.id = next_id_++;
  return d;
}

void Seq2Seq::step(Decoding& d, const int32_t* tokens, float* logits) {
  const int B = d.B, V = config.target_vocab_size;
  if (B < 1) fail("decoding has no rows left");
  // Packed once per Decoding, and again when it grows to 4 rows (beam search starts from one row).
  const bool many = B >= 4;
  if (packed_id_ != d.id || packed_many_ != many) {
    pack_steps(false, B);
    packed_id_ = d.id;
    packed_many_ = many;
  }
  steps_begin(1, B, d.state.data.data(), feeding() ? d.feed.data() : nullptr, false);
  if (config.attention) attention.begin(d.memory, 1, B, d.source.data());
  decoder.embedding.forward(B, tokens, emb_.data());
  const float* head = steps_forward(0, false, nullptr);
  kernels::matmul_packed(B, head, fc_nt_, logits, false);
  kernels::add_bias(B, V, output.bias.w, logits);
  steps_final_state(d.state.data.data());
  if (feeding()) d.feed.assign(head, head + (size_t)B * config.hidden_size);
  if (config.attention) d.attention = attention.weights();  // B × 1 × S
}

void Seq2Seq::select_rows(Decoding& d, const std::vector<int32_t>& rows) const {
  const int B = d.B, R = (int)rows.size(), H = config.hidden_size;
  for (int32_t r : rows)
    if (r < 0 || r >= B) fail("select_rows: row " + std::to_string(r) + " outside [0, " + std::to_string(B) + ")");
  auto take = [&](std::vector<float>& v, size_t width) {  // v: blocks of B rows of `width`
    if (v.empty()) return;
    const size_t blocks = v.size() / ((size_t)B * width);
    std::vector<float> out(blocks * R * width);
    for (size_t k = 0; k < blocks; ++k)
      for (int r = 0; r < R; ++r)
        std::memcpy(out.data() + (k * R + r) * width, v.data() + (k * B + rows[r]) * width, sizeof(float) * width);
    v.swap(out);
  };
  take(d.state.data, H);  // (h or c) × levels
  take(d.feed, H);
  take(d.attention, d.S);
  std::vector<int32_t> source(R);
  for (int r = 0; r < R; ++r) source[r] = d.source[rows[r]];
  d.source.swap(source);
  d.state.batch = R;
  d.B = R;
}

}  // namespace rnn
