#include "nn/token_encoder.h"

namespace rnn {

void TokenEncoder::declare(Params& p, int vocab, int embedding_size, CellType cell, int hidden, int layers,
                           bool bidirectional, float dropout, const std::string& prefix) {
  embedding.vocab = vocab;
  embedding.dim = embedding_size;
  embedding.declare(p, prefix + "embedding");
  rnn.declare(p, prefix + "rnn", cell, embedding_size, hidden, layers, bidirectional);
  rnn.dropout = dropout;
}

void TokenEncoder::bind(Params& p) {
  embedding.bind(p);
  rnn.bind(p);
}

void TokenEncoder::init(Rng& rng) {
  embedding.init(rng);
  rnn.init(rng);
}

const float* TokenEncoder::forward(int B, int T, const int32_t* ids, const int32_t* lengths, Rng* dropout_rng,
                                   float* state_out, const float* state_in) {
  N_ = B * T;
  to_time_major(B, T, ids, ids_);
  x_.resize((size_t)N_ * embedding.dim);
  embedding.forward(N_, ids_.data(), x_.data());
  return rnn.forward(T, B, x_.data(), lengths, state_in, state_out, dropout_rng);
}

void TokenEncoder::backward(const float* dy, const float* dstate_out, float* dstate_in) {
  dx_.resize((size_t)N_ * embedding.dim);
  rnn.backward(dy, dstate_out, dx_.data(), dstate_in);
  embedding.backward(N_, ids_.data(), dx_.data());
}

}  // namespace rnn
