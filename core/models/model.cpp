#include "models/model.h"

#include "common.h"
#include "models/classifier.h"
#include "models/language_model.h"
#include "models/seq2seq.h"
#include "models/tagger.h"
#include "nn/adaptive_softmax.h"

namespace rnn {

const char* model_kind_name(ModelKind k) {
  switch (k) {
    case ModelKind::LanguageModel: return "lm";
    case ModelKind::Classifier: return "classify";
    case ModelKind::Tagger: return "tag";
    case ModelKind::Seq2Seq: return "seq2seq";
  }
  return "?";
}

ModelKind parse_model_kind(const std::string& name) {
  if (name == "lm") return ModelKind::LanguageModel;
  if (name == "classify") return ModelKind::Classifier;
  if (name == "tag") return ModelKind::Tagger;
  if (name == "seq2seq") return ModelKind::Seq2Seq;
  fail("option 'task' must be 'lm', 'classify', 'tag' or 'seq2seq' (got '" + name + "')");
}

namespace {
void check_size(const char* field, long long v, long long lo, long long hi) {
  if (v < lo || v > hi)
    fail(std::string(field) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
         " (got " + std::to_string(v) + ")");
}
}  // namespace

void ModelConfig::validate() const {
  check_size("vocab_size", vocab_size, 1, 1 << 22);
  check_size("embedding_size", embedding_size, 1, 1 << 16);
  check_size("hidden_size", hidden_size, 1, 1 << 16);
  check_size("layers", layers, 1, 64);
  if (!(dropout >= 0.0f && dropout < 1.0f))
    fail("dropout must be in [0, 1) (got " + std::to_string(dropout) + ")");
  for (float p : {embedding_dropout, output_dropout, weight_drop})
    if (!(p >= 0.0f && p < 1.0f)) fail("dropout must be in [0, 1) (got " + std::to_string(p) + ")");
  if (kind != ModelKind::LanguageModel && (embedding_dropout > 0 || output_dropout > 0 || locked_dropout || tie_weights || weight_drop > 0))
    fail("embedding dropout, output dropout, locked dropout, weight drop and weight tying are for language models (task 'lm')");
  if (adaptive_softmax) {
    if (kind != ModelKind::LanguageModel) fail("the adaptive softmax is for language models (task 'lm')");
    if (tie_weights)
      fail("the adaptive softmax cannot be tied to the embedding (as in PyTorch's AdaptiveLogSoftmaxWithLoss, its "
           "head and clusters have weights of their own): leave out tieWeights");
    if (!adaptive_cutoffs.empty()) AdaptiveSoftmax::check(hidden_size, vocab_size, adaptive_cutoffs, adaptive_div_value);
    else if (AdaptiveSoftmax::tail_dim(hidden_size, adaptive_div_value, 0) < 1)
      fail("the adaptive softmax needs hidden at least divValue: its first cluster's projection would have width 0");
  }
  if (tie_weights && hidden_size != embedding_size)
    fail("tied weights need the embedding as wide as the last layer's output: embedding_size " +
         std::to_string(embedding_size) + " != hidden_size " + std::to_string(hidden_size));
  if (kind == ModelKind::LanguageModel) {
    if (bidirectional)
      fail("a language model cannot be bidirectional: it predicts each token from the ones before it, and a "
           "reverse direction would read the very token it has to predict");
    check_size("labels (categories)", labels, 0, 1 << 20);
  } else if (kind == ModelKind::Seq2Seq) {
    check_size("target_vocab_size", target_vocab_size, 1, 1 << 22);
    if (!(scheduled_sampling >= 0.0f && scheduled_sampling <= 1.0f))
      fail("scheduled_sampling must be in [0, 1] (got " + std::to_string(scheduled_sampling) + ")");
    if (input_feeding && !attention)
      fail("input_feeding needs attention: it feeds the attentional state h̃ of each step to the next one");
    if (attention && attention_score == AttentionScore::Dot && bidirectional)
      fail("'dot' attention needs encoder outputs as wide as the decoder's states; a bidirectional encoder's are twice "
           "as wide: use 'general'");
  } else {
    check_size(kind == ModelKind::Classifier ? "labels" : "tags", labels, 1, 1 << 20);
  }
  // Guard the parameter count so absurd sizes fail here, not as an out-of-memory abort later.
  const double n = parameter_count(*this);
  if (n > 4.0e8)
    fail("model too large: " + std::to_string((long long)n) + " parameters (limit 400000000); reduce hidden_size, embedding_size, layers or the vocabulary");
}

// In double: the sizes are checked one by one, but their products may not fit a 32-bit size_t (wasm).
double parameter_count(const ModelConfig& cfg) {
  const double V = cfg.vocab_size, E = cfg.embedding_size, H = cfg.hidden_size, G = cell_gates(cfg.cell) * H;
  const double directions = cfg.bidirectional ? 2 : 1, W = directions * H;
  if (cfg.kind == ModelKind::Seq2Seq) {
    const double Vt = cfg.target_vocab_size, state_parts = cfg.cell == CellType::Lstm ? 2 : 1;
    double n = V * E + Vt * E;  // the two embeddings
    for (int l = 0; l < cfg.layers; ++l) {
      n += directions * G * ((l ? W : E) + H + 2);  // encoder level
      const double feed = cfg.attention && cfg.input_feeding ? H : 0;  // input feeding: level 0 also reads h̃
      n += G * ((l ? H : E + feed) + H + 2);         // decoder level
    }
    if (cfg.bidirectional) n += cfg.layers * state_parts * H * (2 * H + 1);  // bridge
    double top = H;
    if (cfg.attention) {
      n += (cfg.attention_score == AttentionScore::General ? H * W : 0) + H * (W + H);
      top = H;  // the attentional state has the decoder's size
    }
    return n + Vt * (top + 1);
  }
  const bool conditional = cfg.kind == ModelKind::LanguageModel && cfg.labels > 0;
  double n = V * E + (conditional ? cfg.labels * E : 0.0);
  for (int l = 0; l < cfg.layers; ++l) n += directions * G * ((l ? W : (conditional ? 2 * E : E)) + H + 2);
  if (cfg.kind == ModelKind::LanguageModel && cfg.adaptive_softmax)
    return n + AdaptiveSoftmax::parameter_count(cfg.hidden_size, cfg.vocab_size, cfg.adaptive_cutoffs,
                                                cfg.adaptive_div_value, cfg.adaptive_head_bias);
  const double outputs = cfg.kind == ModelKind::LanguageModel ? V : cfg.labels;
  if (cfg.kind == ModelKind::LanguageModel && cfg.tie_weights) return n + outputs;  // fc.weight is embedding.weight
  return n + outputs * (W + 1);
}

std::unique_ptr<Model> create_model(const ModelConfig& cfg) {
  switch (cfg.kind) {
    case ModelKind::LanguageModel: return std::make_unique<LanguageModel>(cfg);
    case ModelKind::Classifier: return std::make_unique<SequenceClassifier>(cfg);
    case ModelKind::Tagger: return std::make_unique<SequenceTagger>(cfg);
    case ModelKind::Seq2Seq: return std::make_unique<Seq2Seq>(cfg);
  }
  fail("unknown model kind");
}

std::vector<TensorInfo> model_layout(const ModelConfig& cfg) {
  switch (cfg.kind) {
    case ModelKind::LanguageModel: return LanguageModel::layout(cfg);
    case ModelKind::Classifier: return SequenceClassifier::layout(cfg);
    case ModelKind::Tagger: return SequenceTagger::layout(cfg);
    case ModelKind::Seq2Seq: return Seq2Seq::layout(cfg);
  }
  fail("unknown model kind");
}

}  // namespace rnn
