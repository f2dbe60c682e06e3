// All parameters of a model in one flat buffer (gradients alike), so that the optimizer, clipping
// and saving are single loops. Layers register their tensors (Params::add returns the handle),
// the model allocates once, then each layer binds its handles to the storage.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common.h"

namespace rnn {

// A named tensor inside the flat buffer. Names and shapes follow PyTorch (e.g. "rnn.weight_ih_l0",
// shape {4*H, I}) so the model file maps one-to-one.
struct TensorInfo {
  std::string name;
  std::vector<int64_t> shape;
  size_t offset = 0;  // in floats, into Params::value / Params::grad
  size_t size = 0;
};

// A layer's handle on one of its tensors: `w` (values) and `g` (gradients) are null until bound.
struct ParamView {
  float* w = nullptr;
  float* g = nullptr;
  size_t size = 0;
  int tensor = -1;  // index into Params::tensors
};

struct Params {
  std::vector<TensorInfo> tensors;
  std::vector<float> value, grad;
  size_t total = 0;
  // Bumped by every change of the weights in place (an optimizer step, a restore): caches of
  // statistics derived from them (the adaptive softmax's sampling bounds) compare it with theirs.
  uint64_t version = 0;
  void touched() { ++version; }

  ParamView add(const std::string& name, std::vector<int64_t> shape) {
    size_t n = 1;
    for (int64_t d : shape) n *= static_cast<size_t>(d);
    tensors.push_back({name, std::move(shape), total, n});
    total += n;
    return {nullptr, nullptr, n, static_cast<int>(tensors.size() - 1)};
  }
  // gradients = false: weights only (a model loaded to generate or predict), and every handle's
  // `g` stays null; training such a model is an error (check_trainable).
  void allocate(bool gradients = true) {
    value.assign(total, 0.0f);
    grad.assign(gradients ? total : 0, 0.0f);
  }
  // Points a handle from add() at the allocated storage.
  void bind(ParamView& v) {
    const TensorInfo& t = tensors.at(static_cast<size_t>(v.tensor));
    v.w = value.data() + t.offset;
    v.g = grad.empty() ? nullptr : grad.data() + t.offset;
  }
  bool has_gradients() const { return grad.size() == total; }
  // Models call this before any backward pass.
  void check_trainable() const {
    if (!has_gradients())
      fail("this model holds weights only (loaded to generate or predict): it cannot train; resume training "
           "from a checkpoint instead");
  }
  const TensorInfo* find(const std::string& name) const {
    for (const auto& t : tensors)
      if (t.name == name) return &t;
    return nullptr;
  }
  void zero_grad() { std::fill(grad.begin(), grad.end(), 0.0f); }
};

}  // namespace rnn
