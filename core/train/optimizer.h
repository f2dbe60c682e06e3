// Optimizers over the flat parameter buffer (PyTorch's formulas), gradient clipping, and the
// learning-rate schedule. Each is a single loop over all parameters.
//   SGD:      b = μ·b + g (b = g on the first step);  p −= lr·b          (plain SGD when μ = 0)
//   RMSProp:  v = α·v + (1−α)·g²;                     p −= lr·g / (√v + ε)
//   Adam:     m = β₁·m + (1−β₁)·g;  v = β₂·v + (1−β₂)·g²
//             p −= lr·(m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
//   weight decay (L2, PyTorch-style): g += λ·p before the update.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rnn {

enum class OptimizerType { Sgd, RmsProp, Adam };
const char* optimizer_name(OptimizerType t);
OptimizerType parse_optimizer(const std::string& name);  // "sgd" | "rmsprop" | "adam"

struct OptimizerConfig {
  OptimizerType type = OptimizerType::Adam;
  float learning_rate = 2e-3f;
  float momentum = 0.0f;  // SGD
  float alpha = 0.99f;    // RMSProp smoothing
  float beta1 = 0.9f, beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;
  void validate() const;
};

struct OptimizerState {
  int64_t step = 0;           // updates done (Adam's t)
  std::vector<float> m, v;    // first moment / momentum buffer, second moment
};

// One update of n parameters with learning rate lr (the schedule's value for this step).
void optimizer_step(const OptimizerConfig& cfg, float lr, float* params, const float* grads, size_t n,
                    OptimizerState& st);

// Clipping. by value: g ← clamp(g, −c, c) (the TV-script recipe uses c = 1).
// by global norm: if ‖g‖ > c then g ← g·c/(‖g‖ + 1e-6) (PyTorch's clip_grad_norm_).
struct ClipConfig {
  float value = 0.0f;  // 0 = off
  float norm = 0.0f;   // 0 = off
  void validate() const;
};
double global_norm(const float* g, size_t n);
void clip_by_value(float* g, size_t n, float c);
// Returns the norm before clipping.
double clip_by_global_norm(float* g, size_t n, float max_norm);

// Learning-rate schedules, evaluated at the number of updates done so far.
//   constant: lr
//   step:     lr·γ^⌊t / step_size⌋
//   cosine:   min_lr + ½(lr − min_lr)(1 + cos(π·min(t, T)/T))
// plus an optional linear warm-up over the first `warmup` steps.
enum class ScheduleType { Constant, Step, Cosine };
struct ScheduleConfig {
  ScheduleType type = ScheduleType::Constant;
  int64_t step_size = 1000;
  float gamma = 0.5f;
  int64_t total_steps = 10000;
  float min_lr = 0.0f;
  int64_t warmup = 0;
  void validate() const;
};
const char* schedule_name(ScheduleType t);
ScheduleType parse_schedule(const std::string& name);  // "constant" | "step" | "cosine"
float learning_rate_at(const ScheduleConfig& s, float base_lr, int64_t step);

}  // namespace rnn
