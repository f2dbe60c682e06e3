#include "tasks/inspect.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common.h"
#include "kernels/kernels.h"

namespace rnn {

namespace {

// Switches a model's dropout off for a scope (a chosen sequence is scored as in evaluation).
struct NoDropout {
  LanguageModel& m;
  float saved;
  explicit NoDropout(LanguageModel& model) : m(model), saved(model.rnn.dropout) { m.rnn.dropout = 0.0f; }
  ~NoDropout() { m.rnn.dropout = saved; }
};

void refuse_conditional(const LanguageModel& m, const char* what) {
  if (m.conditional())
    fail(std::string(what) + " is for a language model trained on a text; this one writes by category");
}

}  // namespace

GradientFlow gradient_flow(LanguageModel& model, const Batch& in, Rng rng) {
  const int B = in.B, T = in.T;
  if (B < 1 || T < 1) fail("gradient flow needs a batch of at least one step");
  // L_T: weight 1 on each row's last real step, 0 elsewhere (the loss is the weighted mean).
  std::vector<float> w((size_t)B * T, 0.0f);
  for (int r = 0; r < B; ++r) w[(size_t)r * T + (in.lengths ? in.lengths[r] : T) - 1] = 1.0f;
  Batch b = in;
  b.weights = w.data();
  b.state_out = nullptr;
  b.dstate_in = nullptr;
  std::vector<std::vector<float>> grads;
  GradientFlow f;
  f.T = T;
  f.B = B;
  model.rnn.state_gradients = &grads;
  try {
    f.loss = model.train_batch(b, rng);
  } catch (...) {
    model.rnn.state_gradients = nullptr;
    model.params.zero_grad();
    throw;
  }
  model.rnn.state_gradients = nullptr;
  model.params.zero_grad();
  const size_t H = (size_t)model.config.hidden_size, BH = (size_t)B * H;
  f.norms.assign(grads.size(), std::vector<float>(T, 0.0f));
  for (size_t l = 0; l < grads.size(); ++l)
    for (int t = 0; t < T; ++t) {
      const float* g = grads[l].data() + t * BH;
      double s = 0;
      for (size_t i = 0; i < BH; ++i) s += (double)g[i] * g[i];
      f.norms[l][t] = (float)std::sqrt(s);
    }
  return f;
}

GradientFlow gradient_flow(LanguageModel& model, const std::vector<int32_t>& ids) {
  refuse_conditional(model, "gradient flow on a text");
  if (ids.size() < 2)
    fail("the sequence is too short for gradient flow: it has " + std::to_string(ids.size()) +
         " token(s) the model knows, need at least 2");
  const std::vector<int32_t> inputs(ids.begin(), ids.end() - 1), targets(ids.begin() + 1, ids.end());
  Batch b;
  b.B = 1;
  b.T = (int)inputs.size();
  b.inputs = inputs.data();
  b.targets = targets.data();
  NoDropout off(model);
  return gradient_flow(model, b, Rng(1, 2));
}

DiagnosticStep diagnostic_step(Trainer& trainer, LanguageModel& model) {
  DiagnosticStep d;
  d.flow = gradient_flow(model, trainer.source.current(), trainer.dropout_rng);
  d.step = trainer.train_step();
  return d;
}

ActivationKind parse_activation_kind(const std::string& name) {
  if (name == "h") return ActivationKind::Hidden;
  if (name == "c") return ActivationKind::Cell;
  if (name == "gates") return ActivationKind::Gates;
  fail("option 'kind' must be 'h', 'c' or 'gates' (got '" + name + "')");
}

std::vector<std::string> gate_names(CellType cell) {
  switch (cell) {
    case CellType::Lstm: return {"i", "f", "g", "o"};
    case CellType::Gru: return {"r", "z", "n"};
    case CellType::Rnn: return {};
  }
  return {};
}

TextInspection inspect_text(LanguageModel& model, const std::vector<int32_t>& ids, const InspectOptions& o) {
  refuse_conditional(model, "inspecting a text");
  const ModelConfig& cfg = model.config;
  const int T = (int)ids.size(), H = cfg.hidden_size, V = cfg.vocab_size, G = cell_gates(cfg.cell);
  if (T < 1) fail("the text has no token the model knows");
  if (o.layer < -1 || o.layer >= cfg.layers)
    fail("option 'layer' must be between 0 and " + std::to_string(cfg.layers - 1) + " (got " + std::to_string(o.layer) + ")");
  if (o.layer >= 0 && o.kind == ActivationKind::Cell && cfg.cell != CellType::Lstm)
    fail(std::string("kind 'c' (the cell state) is for an LSTM; this model is a ") + cell_name(cfg.cell));
  if (o.layer >= 0 && o.kind == ActivationKind::Gates && cfg.cell == CellType::Rnn)
    fail("a plain RNN has no gates: choose kind 'h'");
  if (o.top_k < 0 || o.top_k > V)
    fail("option 'topK' must be between 1 and the vocabulary size " + std::to_string(V) + " (got " + std::to_string(o.top_k) + ")");
  if (o.chunk < 1) fail("chunk must be positive");

  TextInspection r;
  r.ids = ids;
  r.top_k = o.top_k;
  if (o.layer >= 0) {
    r.width = o.kind == ActivationKind::Gates ? G * H : H;
    r.values.resize((size_t)T * r.width);
  }
  if (o.top_k > 0) {
    r.top_ids.resize((size_t)T * o.top_k);
    r.top_probs.resize((size_t)T * o.top_k);
  }
  if (o.surprise) r.surprise.resize(T - 1);

  ModelState state = model.zero_state(1);
  std::vector<int32_t> targets;
  std::vector<double> nll;
  std::vector<int32_t> order(V);
  for (int start = 0; start < T; start += o.chunk) {
    const int n = std::min(o.chunk, T - start);
    // The next token as target (the text's last has none: a placeholder, never read).
    targets.resize(n);
    for (int i = 0; i < n; ++i) targets[i] = start + i + 1 < T ? ids[start + i + 1] : 0;
    model.evaluate_batch(Batch::carrying(1, n, ids.data() + start, targets.data(), state));
    if (o.layer >= 0) {
      const RecurrentCache& c = model.rnn.level_cache(o.layer);
      const float* src = o.kind == ActivationKind::Gates  ? c.gates.data()
                         : o.kind == ActivationKind::Cell ? c.c.data() + H  // row 0 is the initial state
                                                          : c.h.data() + H;
      std::copy_n(src, (size_t)n * r.width, r.values.data() + (size_t)start * r.width);
    }
    const float* logits = model.last_logits().data();
    const int scored = std::min(n, T - 1 - start);  // positions that have a next token
    if (o.surprise && scored > 0) {
      nll.resize(scored);
      kernels::softmax_xent(scored, V, logits, targets.data(), nullptr, nll.data(), nullptr);
      for (int i = 0; i < scored; ++i) r.surprise[start + i] = (float)nll[i];
    }
    if (o.top_k > 0) {
      for (int i = 0; i < n; ++i) {
        const float* z = logits + (size_t)i * V;
        const double lse = kernels::log_sum_exp(V, z);
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + o.top_k, order.end(),
                          [&](int32_t a, int32_t b) { return z[a] > z[b] || (z[a] == z[b] && a < b); });
        for (int k = 0; k < o.top_k; ++k) {
          r.top_ids[(size_t)(start + i) * o.top_k + k] = order[k];
          r.top_probs[(size_t)(start + i) * o.top_k + k] = (float)std::exp((double)z[order[k]] - lse);
        }
      }
    }
  }
  return r;
}

}  // namespace rnn
