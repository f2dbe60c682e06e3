// Shared basics: the error type every layer throws, and the flat parameter store.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace rnn {

// Every user-facing failure is an rnn::Error whose message names the field or problem.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] inline void fail(const std::string& msg) { throw Error(msg); }

// A named tensor inside the flat parameter buffer. Names and shapes follow PyTorch
// (e.g. "rnn.weight_ih_l0", shape {4*H, I}) so the model file maps one-to-one.
struct TensorInfo {
  std::string name;
  std::vector<int64_t> shape;
  size_t offset = 0;  // in floats, into Params::value / Params::grad
  size_t size = 0;
};

// A view a layer keeps on its own weights and gradients.
struct ParamView {
  float* w = nullptr;
  float* g = nullptr;
  size_t size = 0;
};

// All parameters of a model in one flat buffer (gradients alike), so that the optimizer,
// clipping and saving are single loops. Register tensors, then allocate, then take views.
struct Params {
  std::vector<TensorInfo> tensors;
  std::vector<float> value, grad;
  size_t total = 0;

  size_t add(const std::string& name, std::vector<int64_t> shape) {
    size_t n = 1;
    for (int64_t d : shape) n *= static_cast<size_t>(d);
    tensors.push_back({name, std::move(shape), total, n});
    total += n;
    return tensors.size() - 1;
  }
  void allocate() {
    value.assign(total, 0.0f);
    grad.assign(total, 0.0f);
  }
  ParamView view(size_t index) {
    const TensorInfo& t = tensors.at(index);
    return {value.data() + t.offset, grad.data() + t.offset, t.size};
  }
  const TensorInfo* find(const std::string& name) const {
    for (const auto& t : tensors)
      if (t.name == name) return &t;
    return nullptr;
  }
  void zero_grad() { std::fill(grad.begin(), grad.end(), 0.0f); }
};

}  // namespace rnn
