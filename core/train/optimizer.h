// Optimizers over the flat parameter buffer (PyTorch's formulas), one loop over all parameters.
//   SGD:      b = μ·b + g (b = g on the first step);  p −= lr·b          (plain SGD when μ = 0)
//   RMSProp:  v = α·v + (1−α)·g²;                     p −= lr·g / (√v + ε)
//   Adam:     m = β₁·m + (1−β₁)·g;  v = β₂·v + (1−β₂)·g²
//             p −= lr·(m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
//   weight decay (L2, PyTorch-style): g += λ·p before the update.
//   AdamW (Loshchilov & Hutter 2019): Adam's update with decoupled weight decay, as torch.optim.AdamW:
//             p −= lr·λ·p (apply_decoupled_weight_decay, before the update), and no λ in g.
//             Decayed: the weight matrices and embeddings (tensors of 2 or more dimensions); not the
//             biases (nor LayerNorm-like vectors, if any appear): shrinking an offset does not limit
//             capacity, only shifts the activations.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nn/params.h"

namespace rnn {

enum class OptimizerType { Sgd, RmsProp, Adam, AdamW };
const char* optimizer_name(OptimizerType t);
OptimizerType parse_optimizer(const std::string& name);  // "sgd" | "rmsprop" | "adam" | "adamw"

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

// Per-parameter buffers the optimizer keeps: Adam(W) 2 (m, v), RMSProp 1 (v), SGD 1 with momentum, else 0.
int moment_buffers(const OptimizerConfig& cfg);

struct OptimizerState {
  int64_t step = 0;           // updates done (Adam's t)
  std::vector<float> m, v;    // first moment / momentum buffer, second moment
};

// One update of n parameters with learning rate lr (the schedule's value for this step).
void optimizer_step(const OptimizerConfig& cfg, float lr, float* params, const float* grads, size_t n,
                    OptimizerState& st);
// AdamW's decay of one update, p ⊙= (1 − lr·λ) on the decayed tensors; nothing for the other optimizers.
void apply_decoupled_weight_decay(const OptimizerConfig& cfg, float lr, float* params,
                                  const std::vector<TensorInfo>& tensors);
// Whether AdamW decays this tensor (2 or more dimensions: matrices and embeddings, not biases).
bool decays(const TensorInfo& t);

}  // namespace rnn
