#include "models/seq2seq.h"

#include <cmath>
#include <cstring>

#include "common.h"
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
  decoder.declare(p, cfg.target_vocab_size, cfg.embedding_size, cfg.cell, H, cfg.layers, false, cfg.dropout,
                  "decoder.");
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
  params.allocate();
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
  top_ = decoder.forward(B, T, b.decoder_inputs, b.target_lengths, dropout_rng, nullptr, initial_.data());
  const float* head = top_;
  if (config.attention) {
    attended_.resize(N * H);
    attention.forward(S, T, B, memory_, lengths, top_, attended_.data());
    head = attended_.data();
  }
  logits_.resize(N * V);
  output.forward((int)N, head, logits_.data());
  to_time_major(B, T, b.targets, targets_);
  weights_.assign(N, 0.0f);
  for (int r = 0; r < B; ++r)
    for (int t = 0; t < (b.target_lengths ? b.target_lengths[r] : T); ++t) weights_[(size_t)t * B + r] = 1.0f;
  if (!gradient) return softmax_cross_entropy((int)N, V, logits_.data(), targets_.data(), weights_.data(), nullptr);
  dlogits_.resize(N * V);
  const double loss = softmax_cross_entropy((int)N, V, logits_.data(), targets_.data(), weights_.data(), dlogits_.data());
  if (!std::isfinite(loss)) fail("loss is not finite (" + std::to_string(loss) + "): training diverged");
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

double Seq2Seq::train_batch(const Batch& b, Rng& dropout_rng) { return forward(b, &dropout_rng, true); }
double Seq2Seq::evaluate_batch(const Batch& b) { return forward(b, nullptr, false); }

Seq2Seq::Decoding Seq2Seq::start(int B, int S, const int32_t* sources, const int32_t* lengths) {
  Decoding d;
  d.B = B;
  d.S = S;
  d.lengths.assign(lengths, lengths + B);
  final_.resize(encoder.rnn.state_size(B));
  const float* memory = encoder.forward(B, S, sources, lengths, nullptr, final_.data());
  d.memory.assign(memory, memory + (size_t)S * B * encoder.output_size());
  d.state = {B, std::vector<float>(decoder.rnn.state_size(B)), -1};
  bridge_forward(B, final_.data(), d.state.data.data());
  return d;
}

void Seq2Seq::step(Decoding& d, const int32_t* tokens, float* logits) {
  const int B = d.B, H = config.hidden_size;
  const float* top = decoder.forward(B, 1, tokens, nullptr, nullptr, d.state.data.data(), d.state.data.data());
  const float* head = top;
  if (config.attention) {
    attended_.resize((size_t)B * H);
    attention.forward(d.S, 1, B, d.memory.data(), d.lengths.data(), top, attended_.data());
    d.attention = attention.weights();  // B × 1 × S
    head = attended_.data();
  }
  output.forward(B, head, logits);
}

void Seq2Seq::select_rows(Decoding& d, const std::vector<int32_t>& rows) const {
  const int B = d.B, R = (int)rows.size(), D = encoder.output_size(), H = config.hidden_size;
  std::vector<float> memory((size_t)d.S * R * D);
  for (int s = 0; s < d.S; ++s)
    for (int r = 0; r < R; ++r)
      std::memcpy(memory.data() + ((size_t)s * R + r) * D, d.memory.data() + ((size_t)s * B + rows[r]) * D,
                  sizeof(float) * D);
  const size_t blocks = d.state.data.size() / ((size_t)B * H);  // (h or c) × levels
  std::vector<float> state(blocks * R * H);
  for (size_t k = 0; k < blocks; ++k)
    for (int r = 0; r < R; ++r)
      std::memcpy(state.data() + (k * R + r) * H, d.state.data.data() + (k * B + rows[r]) * H, sizeof(float) * H);
  std::vector<int32_t> lengths(R);
  for (int r = 0; r < R; ++r) lengths[r] = d.lengths[rows[r]];
  d.memory.swap(memory);
  d.state.data.swap(state);
  d.state.batch = R;
  d.lengths.swap(lengths);
  d.B = R;
}

}  // namespace rnn
