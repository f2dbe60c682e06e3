// Grapheme-to-phoneme experiments with the encoder–decoder, natively (issue 13): trains a Seq2Seq
// on the CMUdict pairs that tests/bench/g2p-data.mjs writes, with the core classes directly, and
// prints a learning curve over training time (loss, and word / phoneme error rate of greedy decoding
// on a fixed sample of validation words), then the final WER/PER on all validation words (or the
// test words), greedy and beam search.
//
//   node tests/bench/g2p-data.mjs /tmp/g2p
//   nice -n 10 build/native/g2p_explore --data /tmp/g2p --hidden 256 --minutes 16 [options]
//
// Options (defaults in brackets): --embedding [64] --hidden [256] --layers [1] --cell [lstm]
// --bi [1] --attention [general] (general | dot | none) --input-feeding [0] --sampling [0]
// --dropout [0] --batch [64] --lr [2e-3] --schedule [constant] (constant | cosine | step)
// --epochs [0]: the schedule's length (cosine: total steps; step: the LR halves every epoch) --min-lr [0]
// --warmup [0] --clip [5] --threads [2] --seed [1] --minutes [16] (training time budget)
// --clock [wall] (wall | cpu: the budget and the curve in CPU seconds of training) --max-steps [0] --curve-seconds [120] --curve-words [1000] --beam [5] --alpha [0.6]
// --final [validation] (validation | test | none) --final-words [0: all]
//
// Error rates: a word is right if the output equals any of its references; phoneme errors are the
// edit distance to the closest reference, over that reference's length, summed over the words
// (the same definitions as g2p-data.mjs). Tokens/s counts source letters plus target phonemes
// (with the end token) per second of training steps (evaluation excluded).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common.h"
#include "decode/translate.h"
#include "kernels/threads.h"
#include "models/seq2seq.h"
#include "train/example_source.h"
#include "train/trainer.h"

using Clock = std::chrono::steady_clock;
static double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
// CPU seconds of the whole process (all threads): on a busy shared machine the wall clock measures
// the neighbours, this measures the work (an upper bound: idle pool threads spin briefly).
static double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

namespace {

constexpr int32_t kStart = 0, kEnd = 1;  // target ids; phonemes from 2

struct Word {
  std::vector<int32_t> source;
  std::vector<std::vector<int32_t>> references;
};

struct Vocab {
  std::map<std::string, int32_t> ids;
  std::vector<std::string> names;
  int32_t id(const std::string& s, bool add) {
    auto it = ids.find(s);
    if (it != ids.end()) return it->second;
    if (!add) rnn::fail("unknown symbol '" + s + "'");
    ids[s] = (int32_t)names.size();
    names.push_back(s);
    return (int32_t)names.size() - 1;
  }
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// Lines of `word<TAB>ref1[<TAB>ref2…]`; letters (and apostrophes) → source ids, phonemes → target ids.
std::vector<Word> read_words(const std::string& path, Vocab& src, Vocab& tgt, bool add) {
  std::ifstream f(path);
  if (!f) rnn::fail("cannot open " + path + " (write it with: node tests/bench/g2p-data.mjs DIR)");
  std::vector<Word> out;
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    ++n;
    if (line.empty()) continue;
    const auto cols = split(line, '\t');
    if (cols.size() < 2 || cols[0].empty()) rnn::fail(path + " line " + std::to_string(n) + ": expected word<TAB>phonemes");
    Word w;
    for (char c : cols[0]) w.source.push_back(src.id(std::string(1, c), add));
    for (size_t k = 1; k < cols.size(); ++k) {
      std::vector<int32_t> ref;
      std::istringstream in(cols[k]);
      std::string p;
      while (in >> p) ref.push_back(tgt.id(p, add));
      if (ref.empty()) rnn::fail(path + " line " + std::to_string(n) + ": empty pronunciation");
      w.references.push_back(ref);
    }
    out.push_back(std::move(w));
  }
  return out;
}

int edit_distance(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = (int)j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = (int)i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

struct Score {
  int words = 0, wrong = 0;
  long errors = 0, length = 0;
  double seconds = 0, cpu = 0;
  double wer() const { return words ? (double)wrong / words : 0; }
  double per() const { return length ? (double)errors / length : 0; }
};

// translate_batch when the core has it (found by argument-dependent lookup), else one word at a time.
template <class M>
auto decode_all(M& model, const std::vector<std::vector<int32_t>>& sources, const rnn::TranslateOptions& o, int)
    -> decltype(translate_batch(model, sources, kStart, kEnd, o)) {
  return translate_batch(model, sources, kStart, kEnd, o);
}
template <class M>
std::vector<std::vector<rnn::Translation>> decode_all(M& model, const std::vector<std::vector<int32_t>>& sources,
                                                      const rnn::TranslateOptions& o, long) {
  std::vector<std::vector<rnn::Translation>> out;
  out.reserve(sources.size());
  for (const auto& s : sources) out.push_back(rnn::translate(model, s, kStart, kEnd, o));
  return out;
}

Score score(rnn::Seq2Seq& model, const std::vector<Word>& words, size_t limit, int beam, float alpha) {
  const auto t0 = Clock::now();
  const double c0 = cpu_seconds();
  const size_t n = limit ? std::min(limit, words.size()) : words.size();
  std::vector<std::vector<int32_t>> sources(n);
  for (size_t i = 0; i < n; ++i) sources[i] = words[i].source;
  rnn::TranslateOptions o;
  o.beam = beam;
  o.alpha = alpha;
  const auto outputs = decode_all(model, sources, o, 0);
  Score s;
  for (size_t i = 0; i < n; ++i) {
    const auto& out = outputs[i][0].tokens;
    int best = 1 << 30, best_len = 0;
    for (const auto& ref : words[i].references) {
      const int d = edit_distance(out, ref);
      if (d < best || (d == best && (int)ref.size() > best_len)) {  // ties: the longer reference
        best = d;
        best_len = (int)ref.size();
      }
    }
    ++s.words;
    s.wrong += best > 0;
    s.errors += best;
    s.length += best_len;
  }
  s.seconds = seconds_since(t0);
  s.cpu = cpu_seconds() - c0;
  return s;
}

struct Args {
  std::map<std::string, std::string> kv;
  std::string get(const std::string& k, const std::string& d) const {
    auto it = kv.find(k);
    return it == kv.end() ? d : it->second;
  }
  double num(const std::string& k, double d) const {
    auto it = kv.find(k);
    return it == kv.end() ? d : std::atof(it->second.c_str());
  }
};

}  // namespace

int main(int argc, char** argv) try {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0 || i + 1 >= argc) rnn::fail("usage: g2p_explore --data DIR [--option value]…");
    a.kv[k.substr(2)] = argv[++i];
  }
  const std::string dir = a.get("data", "/tmp/g2p");
  Vocab src, tgt;
  tgt.id("<s>", true);
  tgt.id("</s>", true);
  const auto train_words = read_words(dir + "/train.tsv", src, tgt, true);
  const auto validation = read_words(dir + "/validation.tsv", src, tgt, false);
  const std::string final_side = a.get("final", "validation");
  std::vector<Word> test;
  if (final_side == "test") test = read_words(dir + "/test.tsv", src, tgt, false);

  rnn::SequenceExamples train, held;
  auto add = [](rnn::SequenceExamples& ex, const Word& w, const std::vector<int32_t>& ref) {
    std::vector<int32_t> in = {kStart}, out;
    in.insert(in.end(), ref.begin(), ref.end());
    out.insert(out.end(), ref.begin(), ref.end());
    out.push_back(kEnd);
    ex.add_pair(w.source, in, out);
  };
  for (const Word& w : train_words) add(train, w, w.references[0]);
  for (const Word& w : validation) add(held, w, w.references[0]);

  rnn::ModelConfig cfg;
  cfg.kind = rnn::ModelKind::Seq2Seq;
  cfg.vocab_size = (int)src.names.size();
  cfg.target_vocab_size = (int)tgt.names.size();
  cfg.embedding_size = (int)a.num("embedding", 64);
  cfg.hidden_size = (int)a.num("hidden", 256);
  cfg.layers = (int)a.num("layers", 1);
  cfg.cell = rnn::parse_cell(a.get("cell", "lstm"));
  cfg.bidirectional = a.num("bi", 1) != 0;
  const std::string att = a.get("attention", "general");
  cfg.attention = att != "none";
  if (cfg.attention) cfg.attention_score = rnn::parse_attention_score(att);
  cfg.input_feeding = a.num("input-feeding", 0) != 0;
  cfg.scheduled_sampling = (float)a.num("sampling", 0);
  cfg.dropout = (float)a.num("dropout", 0);
  cfg.seed = (uint64_t)a.num("seed", 1);

  rnn::TrainingConfig tc;
  tc.batch_size = (int)a.num("batch", 64);
  tc.optimizer.learning_rate = (float)a.num("lr", 2e-3);
  tc.clip.norm = (float)a.num("clip", 5);
  tc.seed = cfg.seed;
  rnn::threads::set_count((int)a.num("threads", 2));

  rnn::Seq2Seq model(cfg);
  rnn::ExampleBatchSource source(train, tc.batch_size, true, cfg.seed);
  rnn::ExampleBatchSource held_source(held, 256, false, 1);
  const double epochs = a.num("epochs", 0);
  tc.schedule.type = rnn::parse_schedule(a.get("schedule", "constant"));
  tc.schedule.min_lr = (float)a.num("min-lr", 0);
  tc.schedule.warmup = (int64_t)a.num("warmup", 0);
  if (epochs > 0) {
    tc.schedule.total_steps = std::max<int64_t>(1, (int64_t)(epochs * source.batches_per_epoch()));
    tc.schedule.step_size = source.batches_per_epoch();
  }
  tc.validate();
  rnn::Trainer trainer(tc, model, source);

  const double budget = a.num("minutes", 16) * 60;
  const int64_t max_steps = (int64_t)a.num("max-steps", 0);
  const double curve_every = a.num("curve-seconds", 120);
  // The curve's words: spread evenly over the (alphabetical) validation list.
  std::vector<Word> curve_sample;
  const size_t curve_n = std::min(validation.size(), (size_t)a.num("curve-words", 1000));
  for (size_t i = 0; i < curve_n; ++i) curve_sample.push_back(validation[i * validation.size() / curve_n]);
  const int beam = (int)a.num("beam", 5);
  const float alpha = (float)a.num("alpha", 0.6);

  std::printf("g2p: %zu training pairs, %zu validation words, source vocab %zu, target vocab %zu (39 phonemes + start/end)\n",
              (size_t)train.size(), validation.size(), src.names.size(), tgt.names.size());
  std::printf("model: emb %d, %s %d×%d%s, attention %s%s%s, dropout %.2f; %zu parameters (%.2f MB float32)\n",
              cfg.embedding_size, rnn::cell_name(cfg.cell), cfg.layers, cfg.hidden_size, cfg.bidirectional ? " bi" : "",
              att.c_str(), cfg.input_feeding ? " + input feeding" : "",
              cfg.scheduled_sampling > 0 ? (" + scheduled sampling " + std::to_string(cfg.scheduled_sampling)).c_str() : "",
              cfg.dropout, model.params.total, model.params.total * 4 / 1e6);
  std::printf("train: batch %d, adam lr %g, %s schedule (%lld steps, warmup %lld, min %g), clip %g, %d threads, "
              "%lld batches/epoch, budget %.1f min\n",
              tc.batch_size, tc.optimizer.learning_rate, rnn::schedule_name(tc.schedule.type),
              (long long)tc.schedule.total_steps, (long long)tc.schedule.warmup, tc.schedule.min_lr, tc.clip.norm,
              rnn::threads::count(), (long long)source.batches_per_epoch(), budget / 60);
  std::printf("%8s %8s %7s %6s %8s %8s %8s %7s %7s %9s %9s\n", "train_s", "cpu_s", "step", "epoch", "loss", "val_loss",
              "val_ppl", "WER%", "PER%", "tokens/s", "tok/cpu_s");
  std::fflush(stdout);

  double train_seconds = 0, loss_sum = 0, window_seconds = 0, train_cpu = 0, window_cpu = 0;
  int64_t loss_n = 0, tokens = 0, pairs = 0, window_tokens = 0;
  double next_curve = curve_every;
  auto curve = [&](bool last) {
    const rnn::EvalResult ev = rnn::evaluate(model, held_source);
    const Score s = score(model, curve_sample, 0, 1, alpha);
    std::printf("%8.0f %8.0f %7lld %6.2f %8.4f %8.4f %8.3f %7.2f %7.2f %9.0f %9.0f%s\n", train_seconds, train_cpu,
                (long long)trainer.updates, (double)trainer.updates / source.batches_per_epoch(),
                loss_n ? loss_sum / loss_n : 0.0, ev.loss, ev.perplexity, 100 * s.wer(), 100 * s.per(),
                window_seconds > 0 ? window_tokens / window_seconds : 0.0,
                window_cpu > 0 ? window_tokens / window_cpu : 0.0, last ? "  (end)" : "");
    std::fflush(stdout);
    loss_sum = 0;
    loss_n = 0;
    window_seconds = window_cpu = 0;
    window_tokens = 0;
  };
  // --clock cpu: the budget counts CPU seconds of training (what the steps would take on an idle machine
  // with one thread); wall: seconds on the clock.
  const bool cpu_clock = a.get("clock", "wall") == "cpu";
  while ((cpu_clock ? train_cpu : train_seconds) < budget && (max_steps <= 0 || trainer.updates < max_steps)) {
    const rnn::Batch b = source.current();
    int64_t n = 0;
    for (int r = 0; r < b.B; ++r) n += b.lengths[r] + b.target_lengths[r];
    const auto t0 = Clock::now();
    const double c0 = cpu_seconds();
    const rnn::StepResult r = trainer.train_step();
    const double dt = seconds_since(t0), dc = cpu_seconds() - c0;
    train_cpu += dc;
    window_cpu += dc;
    train_seconds += dt;
    window_seconds += dt;
    tokens += n;
    window_tokens += n;
    pairs += b.B;
    loss_sum += r.loss;
    ++loss_n;
    if ((cpu_clock ? train_cpu : train_seconds) >= next_curve) {
      curve(false);
      next_curve += curve_every;
    }
  }
  curve(true);
  std::printf("trained %.1f s (%.2f min; %.1f CPU s), %lld steps, %.2f epochs, %.0f tokens/s, %.0f pairs/s, "
              "%.0f tokens per CPU second\n", train_seconds, train_seconds / 60, train_cpu, (long long)trainer.updates,
              (double)trainer.updates / source.batches_per_epoch(), tokens / train_seconds, pairs / train_seconds,
              tokens / train_cpu);
  if (final_side != "none") {
    const auto& words = final_side == "test" ? test : validation;
    const size_t limit = (size_t)a.num("final-words", 0);
    for (int w : {1, beam}) {
      const Score s = score(model, words, limit, w, alpha);
      std::printf("final %s (%d words), %s: WER %.2f %%, PER %.2f %% (%ld / %ld phonemes), decoded in %.1f s (%.1f CPU s)\n",
                  final_side.c_str(), s.words, w == 1 ? "greedy" : ("beam " + std::to_string(w)).c_str(), 100 * s.wer(),
                  100 * s.per(), s.errors, s.length, s.seconds, s.cpu);
      std::fflush(stdout);
      if (beam <= 1) break;
    }
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "g2p_explore: %s\n", e.what());
  return 1;
}
