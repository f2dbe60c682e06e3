#include "train/optimizer.h"

#include <algorithm>
#include <cmath>

#include "common.h"
#include "kernels/threads.h"

namespace rnn {

namespace {
void check_finite_range(const char* field, float v, float lo, float hi, bool lo_open = false) {
  if (!std::isfinite(v) || v < lo || v > hi || (lo_open && v == lo))
    fail(std::string(field) + " must be " + (lo_open ? "> " : ">= ") + std::to_string(lo) + " and <= " +
         std::to_string(hi) + " (got " + std::to_string(v) + ")");
}
// Element-wise updates over fixed chunks: the threads split the chunks, each element's arithmetic
// is unchanged, so results do not depend on the thread count.
constexpr size_t kChunk = 1 << 14;

template <class F>
void for_chunks(size_t n, F&& f) {
  const int chunks = (int)((n + kChunk - 1) / kChunk);
  threads::parallel_for(chunks, [&](int c0, int c1) {
    for (int c = c0; c < c1; ++c) f((size_t)c * kChunk, std::min(n, (size_t)(c + 1) * kChunk));
  });
}
}  // namespace

const char* optimizer_name(OptimizerType t) {
  switch (t) {
    case OptimizerType::Sgd: return "sgd";
    case OptimizerType::RmsProp: return "rmsprop";
    case OptimizerType::Adam: return "adam";
  }
  return "?";
}

OptimizerType parse_optimizer(const std::string& n) {
  if (n == "sgd") return OptimizerType::Sgd;
  if (n == "rmsprop") return OptimizerType::RmsProp;
  if (n == "adam") return OptimizerType::Adam;
  fail("option 'optimizer' must be 'adam', 'rmsprop' or 'sgd' (got '" + n + "')");
}

void OptimizerConfig::validate() const {
  check_finite_range("learning_rate", learning_rate, 0.0f, 10.0f, true);
  check_finite_range("momentum", momentum, 0.0f, 0.999999f);
  check_finite_range("alpha", alpha, 0.0f, 0.999999f);
  check_finite_range("beta1", beta1, 0.0f, 0.999999f);
  check_finite_range("beta2", beta2, 0.0f, 0.99999999f);
  check_finite_range("eps", eps, 0.0f, 1.0f, true);
  check_finite_range("weight_decay", weight_decay, 0.0f, 1.0f);
}

void optimizer_step(const OptimizerConfig& c, float lr, float* p, const float* g, size_t n, OptimizerState& st) {
  st.step += 1;
  const float wd = c.weight_decay;
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
    case OptimizerType::Adam: {
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

void ClipConfig::validate() const {
  check_finite_range("clip.value", value, 0.0f, 1e6f);
  check_finite_range("clip.norm", norm, 0.0f, 1e6f);
}

double global_norm(const float* g, size_t n) {
  // Partial sums per fixed chunk, added in chunk order: the same sum for any thread count.
  // (thread_local: a buffer per calling trainer; the lambda gets a pointer, since on a worker
  // thread the name would mean that thread's own copy.)
  thread_local std::vector<double> buffer;
  buffer.assign((n + kChunk - 1) / kChunk, 0.0);
  double* partial = buffer.data();
  for_chunks(n, [&](size_t b, size_t e) {
    double s = 0;
    for (size_t i = b; i < e; ++i) s += static_cast<double>(g[i]) * g[i];
    partial[b / kChunk] = s;
  });
  double s = 0;
  for (double x : buffer) s += x;
  return std::sqrt(s);
}

void clip_by_value(float* g, size_t n, float c) {
  for (size_t i = 0; i < n; ++i) g[i] = std::min(c, std::max(-c, g[i]));
}

double clip_by_global_norm(float* g, size_t n, float max_norm) {
  const double norm = global_norm(g, n);
  if (norm > max_norm) {
    const float scale = static_cast<float>(max_norm / (norm + 1e-6));
    for_chunks(n, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) g[i] *= scale;
    });
  }
  return norm;
}

const char* schedule_name(ScheduleType t) {
  switch (t) {
    case ScheduleType::Constant: return "constant";
    case ScheduleType::Step: return "step";
    case ScheduleType::Cosine: return "cosine";
  }
  return "?";
}

ScheduleType parse_schedule(const std::string& n) {
  if (n == "constant") return ScheduleType::Constant;
  if (n == "step") return ScheduleType::Step;
  if (n == "cosine") return ScheduleType::Cosine;
  fail("option 'schedule' must be 'constant', 'step' or 'cosine' (got '" + n + "')");
}

void ScheduleConfig::validate() const {
  if (step_size < 1) fail("schedule.stepSize must be >= 1 (got " + std::to_string(step_size) + ")");
  check_finite_range("schedule.gamma", gamma, 0.0f, 1.0f, true);
  if (total_steps < 1) fail("schedule.totalSteps must be >= 1 (got " + std::to_string(total_steps) + ")");
  check_finite_range("schedule.minLearningRate", min_lr, 0.0f, 10.0f);
  if (warmup < 0) fail("schedule.warmup must be >= 0 (got " + std::to_string(warmup) + ")");
}

float learning_rate_at(const ScheduleConfig& s, float lr, int64_t step) {
  double r = lr;
  switch (s.type) {
    case ScheduleType::Constant: break;
    case ScheduleType::Step: r = lr * std::pow((double)s.gamma, (double)(step / s.step_size)); break;
    case ScheduleType::Cosine: {
      const double t = (double)std::min(step, s.total_steps) / (double)s.total_steps;
      r = s.min_lr + 0.5 * (lr - s.min_lr) * (1.0 + std::cos(3.14159265358979323846 * t));
      break;
    }
  }
  if (s.warmup > 0 && step < s.warmup) r *= (double)(step + 1) / (double)s.warmup;
  return static_cast<float>(r);
}

}  // namespace rnn
