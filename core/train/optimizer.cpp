#include "train/optimizer.h"

#include <cmath>

#include "common.h"
#include "train/update_helpers.h"

namespace rnn {

const char* optimizer_name(OptimizerType t) {
  switch (t) {
    case OptimizerType::Sgd: return "sgd";
    case OptimizerType::RmsProp: return "rmsprop";
    case OptimizerType::Adam: return "adam";
    case OptimizerType::AdamW: return "adamw";
  }
  return "?";
}

OptimizerType parse_optimizer(const std::string& n) {
  if (n == "sgd") return OptimizerType::Sgd;
  if (n == "rmsprop") return OptimizerType::RmsProp;
  if (n == "adam") return OptimizerType::Adam;
  if (n == "adamw") return OptimizerType::AdamW;
  fail("option 'optimizer' must be 'adam', 'adamw', 'rmsprop' or 'sgd' (got '" + n + "')");
}

int moment_buffers(const OptimizerConfig& c) {
  switch (c.type) {
    case OptimizerType::Adam:
    case OptimizerType::AdamW: return 2;
    case OptimizerType::RmsProp: return 1;
    case OptimizerType::Sgd: return c.momentum > 0 ? 1 : 0;
  }
  return 0;
}

void OptimizerConfig::validate() const {
  check_finite_range("learning_rate", learning_rate, 0.0f, 1e4f, true);
  check_finite_range("momentum", momentum, 0.0f, 0.999999f);
  check_finite_range("alpha", alpha, 0.0f, 0.999999f);
  check_finite_range("beta1", beta1, 0.0f, 0.999999f);
  check_finite_range("beta2", beta2, 0.0f, 0.99999999f);
  check_finite_range("eps", eps, 0.0f, 1.0f, true);
  check_finite_range("weight_decay", weight_decay, 0.0f, 1.0f);
}

void optimizer_step(const OptimizerConfig& c, float lr, float* p, const float* g, size_t n, OptimizerState& st) {
  st.step += 1;
  const float wd = c.type == OptimizerType::AdamW ? 0.0f : c.weight_decay;  // AdamW: decoupled, see below
  switch (c.type) {
    case OptimizerType::Sgd:
      if (c.momentum == 0.0f) {
        for_chunks(n, [&](size_t b, size_t e) {
          for (size_t i = b; i < e; ++i) p[i] -= lr * (g[i] + wd * p[i]);
        });
        return;
      }
      if (st.m.size() != n) st.m.assign(n, 0.0f);
      for_chunks(n, [&, m = st.m.data(), first = st.step == 1](size_t b, size_t e) {
        for (size_t i = b; i < e; ++i) {
          const float gi = g[i] + wd * p[i];
          m[i] = first ? gi : c.momentum * m[i] + gi;
          p[i] -= lr * m[i];
        }
      });
      return;
    case OptimizerType::RmsProp:
      if (st.v.size() != n) st.v.assign(n, 0.0f);
      for_chunks(n, [&, v = st.v.data()](size_t b, size_t e) {
        for (size_t i = b; i < e; ++i) {
          const float gi = g[i] + wd * p[i];
          v[i] = c.alpha * v[i] + (1.0f - c.alpha) * gi * gi;
          p[i] -= lr * gi / (std::sqrt(v[i]) + c.eps);
        }
      });
      return;
    case OptimizerType::Adam:
    case OptimizerType::AdamW: {
      if (st.m.size() != n) st.m.assign(n, 0.0f);
      if (st.v.size() != n) st.v.assign(n, 0.0f);
      const double t = static_cast<double>(st.step);
      const float bc1 = static_cast<float>(1.0 - std::pow((double)c.beta1, t));
      const float bc2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow((double)c.beta2, t)));
      const float step_size = lr / bc1;
      for_chunks(n, [&, m = st.m.data(), v = st.v.data()](size_t b, size_t e) {
        for (size_t i = b; i < e; ++i) {
          const float gi = g[i] + wd * p[i];
          m[i] = c.beta1 * m[i] + (1.0f - c.beta1) * gi;
          v[i] = c.beta2 * v[i] + (1.0f - c.beta2) * gi * gi;
          p[i] -= step_size * m[i] / (std::sqrt(v[i]) / bc2_sqrt + c.eps);
        }
      });
      return;
    }
  }
}

bool decays(const TensorInfo& t) { return t.shape.size() >= 2; }

void apply_decoupled_weight_decay(const OptimizerConfig& c, float lr, float* p, const std::vector<TensorInfo>& tensors) {
  if (c.type != OptimizerType::AdamW || c.weight_decay == 0.0f) return;
  const float keep = 1.0f - lr * c.weight_decay;
  for (const TensorInfo& t : tensors) {
    if (!decays(t)) continue;
    float* w = p + t.offset;
    for_chunks(t.size, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) w[i] *= keep;
    });
  }
}

}  // namespace rnn
