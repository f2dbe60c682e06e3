#include "decode/generate.h"

#include <algorithm>
#include <cmath>
#include "common.h"
#include "models/language_model.h"

namespace rnn {

void GenerateOptions::validate() const {
  if (length < 0 || length > 1000000) fail("length must be between 0 and 1000000 (got " + std::to_string(length) + ")");
  if (repetition_window < 0) fail("repetition window must be >= 0");
  rnn::validate(sampling);
}

GenerateOptions parse_generate_options(const nlohmann::json& j) {
  if (!j.is_object()) fail("generate options must be an object");
  GenerateOptions o;
  auto read_number = [&](const char* k) {
    const auto& v = j.at(k);
    if (!v.is_number()) fail(std::string("option '") + k + "' must be a number (got " + v.type_name() + ")");
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail(std::string("option '") + k + "' must be finite");
    return d;
  };
  auto read_integer = [&](const char* k, double lo, double hi) {
    const double d = read_number(k);
    if (d != std::floor(d) || d < lo || d > hi)
      fail(std::string("option '") + k + "' must be an integer between " + std::to_string((long long)lo) + " and " +
           std::to_string((long long)hi) + " (got " + j.at(k).dump() + ")");
    return d;
  };
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const auto& v = it.value();
    if (v.is_null()) continue;
    if (k == "prime") {
      if (!v.is_string()) fail(std::string("option 'prime' must be a string (got ") + v.type_name() + ")");
      o.prime = v.get<std::string>();
    } else if (k == "length") {
      o.length = (int)read_integer("length", 0, 1000000);
    } else if (k == "temperature") {
      o.sampling.temperature = (float)read_number("temperature");
    } else if (k == "topK") {
      o.sampling.top_k = (int)read_integer("topK", 0, 1 << 30);
    } else if (k == "topP") {
      o.sampling.top_p = (float)read_number("topP");
    } else if (k == "repetitionPenalty") {
      o.sampling.repetition_penalty = (float)read_number("repetitionPenalty");
    } else if (k == "greedy") {
      if (!v.is_boolean()) fail("option 'greedy' must be true or false");
      o.sampling.greedy = v.get<bool>();
    } else if (k == "label") {
      if (!v.is_string()) fail(std::string("option 'label' must be a string (got ") + v.type_name() + ")");
      o.label = v.get<std::string>();
    } else if (k == "includePrime") {
      if (!v.is_boolean()) fail("option 'includePrime' must be true or false");
      o.include_prime = v.get<bool>();
    } else if (k == "seed") {
      o.seed = (uint64_t)read_integer("seed", 0, 9007199254740991.0);
    } else if (k == "stop") {
      if (v.is_string()) {
        o.stop = {v.get<std::string>()};
      } else if (v.is_array()) {
        for (const auto& s : v) {
          if (!s.is_string()) fail("option 'stop' must be a string or an array of strings");
          o.stop.push_back(s.get<std::string>());
        }
      } else {
        fail("option 'stop' must be a string or an array of strings");
      }
    } else {
      fail("unknown option '" + k + "'");
    }
  }
  o.validate();
  return o;
}

Generator::Generator(TokenStepper& model, const Tokenizer& tokenizer, const GenerateOptions& options)
    : model_(model), tok_(tokenizer), opt_(options), rng_(options.seed, 3) {
  opt_.validate();
  if (tok_.vocab_size() != model_.vocab_size())
    fail("tokenizer has " + std::to_string(tok_.vocab_size()) + " tokens but the model expects " +
         std::to_string(model_.vocab_size()));
  std::vector<int32_t> ids = tok_.encode(opt_.prime, &report_);
  if (ids.empty()) {
    // Nothing usable in the prime: start as if at the beginning of a line.
    int32_t start = tok_.id_of(tok_.options.kind == TokenizerKind::Word ? "||Return||" : "\n");
    ids.push_back(start >= 0 ? start : 0);
  } else if (opt_.include_prime) {
    DetokState d;
    for (int32_t id : ids) pending_prime_ += tok_.piece(id, d);
    detok_ = d;
  }
  state_ = model_.start_state(1);
  state_.category = opt_.category;
  logits_.resize(model_.vocab_size());
  auto* lm = dynamic_cast<LanguageModel*>(&model_);
  const bool penalty = opt_.sampling.repetition_penalty != 1.0f && opt_.repetition_window > 0;
  if (lm && lm->config.adaptive_softmax && !penalty) {
    two_level_ = lm;
    lm->check_sampling_bounds();  // weights changed by a path that does not bump params.version
    top_.resize(lm->config.hidden_size);
    for (size_t at = 0; at < ids.size(); at += kPrimeChunk) {
      const size_t n = std::min(kPrimeChunk, ids.size() - at);
      lm->feed_top((int)n, ids.data() + at, state_, top_.data());
    }
    logits_stale_ = true;
  }
  // The prime in chunks, carrying the state: a forward pass keeps per-step caches (and logits) for
  // the whole sequence it is given, so one pass over a long prime would need memory in proportion
  // to it. Chunked, a prime of any length takes one chunk's memory; the state and so the next-token
  // distribution are the same (to rounding).
  for (size_t at = 0; !two_level_ && at < ids.size(); at += kPrimeChunk) {
    const size_t n = std::min(kPrimeChunk, ids.size() - at);
    model_.feed((int)n, ids.data() + at, state_, logits_.data());
  }
  recent_.assign(ids.end() - std::min<size_t>(ids.size(), opt_.repetition_window), ids.end());
}

bool Generator::next(std::string& piece) {
  if (!pending_prime_.empty()) {
    piece.swap(pending_prime_);
    pending_prime_.clear();
    return true;
  }
  if (done_) return false;
  if (generated_ >= opt_.length) {
    done_ = true;
    return false;
  }
  const int32_t id = two_level_ ? two_level_->sample_next(top_.data(), opt_.sampling, rng_)
                                : sample_token(logits_.data(), (int32_t)logits_.size(), opt_.sampling, rng_,
                                               recent_.data(), recent_.size());
  ++generated_;
  piece = tok_.piece(id, detok_);
  if (opt_.repetition_window > 0) {
    if ((int)recent_.size() == opt_.repetition_window) recent_.erase(recent_.begin());
    recent_.push_back(id);
  }
  const std::string bare = piece.substr(std::min(piece.find_first_not_of(' '), piece.size()));
  const bool is_stop = std::any_of(opt_.stop.begin(), opt_.stop.end(), [&](const std::string& s) {
    return s == tok_.vocab.at(id) || (!bare.empty() && s == bare);
  });
  if (is_stop) {
    done_ = true;
    return true;
  }
  if (generated_ < opt_.length) {
    if (two_level_) two_level_->step_top(id, state_, top_.data());
    else model_.step(1, &id, state_, logits_.data());
    logits_stale_ = two_level_ != nullptr;
  }
  return true;
}

const std::vector<float>& Generator::next_logits() const {
  if (logits_stale_) {
    two_level_->log_probs_of_top(top_.data(), logits_.data());
    logits_stale_ = false;
  }
  return logits_;
}

std::string generate(TokenStepper& model, const Tokenizer& tokenizer, const GenerateOptions& options,
                     const std::function<bool(const std::string&)>& on_piece, UnknownReport* report) {
  Generator g(model, tokenizer, options);
  if (report) *report = g.prime_report();
  std::string out, piece;
  while (g.next(piece)) {
    out += piece;
    if (on_piece && !on_piece(piece)) break;
  }
  return out;
}

}  // namespace rnn
