// Native side of the reference workload (tests/bench/workload.json): training steps on 1 and 2
// threads, generation speed of one stream, and the process's peak RSS. The WebAssembly twins are
// wasm_bench.mjs (Node) and browser/ (Chromium). Prints human lines, then one JSON object on its
// last line.   usage: train_bench [--quick] [--seq2seq] [workload.json]   (run from the repository root)
// Also the tasks' cost (tasks-workload.json): training tokens/s of a 2-layer 256 LSTM tagger, uni-
// and bidirectional, beside the language model above at the same shapes, and the ratio of the
// bidirectional cost per token to the unidirectional one ("tasks" in the JSON).
// And the encoder–decoder's training tokens/s at grapheme-to-phoneme shapes ("seq2seq" in the JSON;
// `train_bench --seq2seq` runs only that part, needing no corpus).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "decode/generate.h"
#include "models/seq2seq.h"
#include "train/example_source.h"
#include "train/trainer.h"
#include "io/safetensors.h"
#include "kernels/kernels.h"
#include "kernels/threads.h"
#include "tasks/session.h"

using Clock = std::chrono::steady_clock;
using nlohmann::json;

static double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double process_cpu_seconds() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

static double max_rss_bytes() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss * 1024.0;  // Linux: kilobytes
}

// Median ms of `steps` training steps after `warmup` ones.
static double step_ms(rnn::Session& s, int warmup, int steps) {
  for (int i = 0; i < warmup; ++i) s.step();
  std::vector<double> ms;
  for (int i = 0; i < steps; ++i) {
    const auto a = Clock::now();
    s.step();
    ms.push_back(seconds_since(a) * 1e3);
  }
  return median(ms);
}

// The tagger's synthetic examples: `n` rows of `len` tokens s0…s{V-1} with tags g0…g{K-1}.
static json tagger_examples(int n, int len, int V, int K) {
  json a = json::array();
  uint32_t x = 12345;
  auto next = [&] { return x = x * 1664525u + 1013904223u; };
  for (int i = 0; i < n; ++i) {
    json tokens = json::array(), tags = json::array();
    for (int t = 0; t < len; ++t) {
      const uint32_t w = (next() >> 8) % (uint32_t)V;
      tokens.push_back("s" + std::to_string(w));
      tags.push_back("g" + std::to_string((w * 7 + (next() >> 20) % 3) % (uint32_t)K));
    }
    a.push_back({{"tokens", tokens}, {"tags", tags}});
  }
  return a;
}

// Tokens/s of the language model `lm` (the reference workload) and of a tagger of the same size,
// uni- and bidirectional, on 1 and 2 threads.
static json tasks_bench(rnn::Session& lm, bool quick) {
  const json w = json::parse(rnn::safetensors::read_file("tests/bench/tasks-workload.json"));
  const int warmup = w["steps"]["warmup"], steps = quick ? w["steps"]["quickMeasure"] : w["steps"]["measure"];
  const int len = w["length"];
  rnn::TrainingData data;
  data.examples = tagger_examples(w["examples"], len, w["vocab"], w["tags"]);
  json options = w["options"];
  options["bidirectional"] = false;
  rnn::Session uni(data, rnn::parse_run_config(options));
  options["bidirectional"] = true;
  rnn::Session bi(data, rnn::parse_run_config(options));
  const int lm_tokens = lm.config.training.batch_size * lm.config.training.seq_length;
  const int tag_tokens = (int)options["batchSize"] * len;
  json rows = json::array();
  std::printf("tasks: 2-layer LSTM 256, batch %d x %d tokens; tagger: vocabulary %d, %d tags\n", (int)options["batchSize"], len,
              uni.example_task->tokenizer.vocab_size(), uni.example_task->labels.size());
  const int max_t = std::min(2, rnn::threads::max_threads());
  for (int threads = 1; threads <= max_t; ++threads) {
    rnn::threads::set_count(threads);
    const double ms_lm = step_ms(lm, warmup, steps), ms_uni = step_ms(uni, warmup, steps), ms_bi = step_ms(bi, warmup, steps);
    const double tps_lm = lm_tokens / ms_lm * 1e3, tps_uni = tag_tokens / ms_uni * 1e3, tps_bi = tag_tokens / ms_bi * 1e3;
    std::printf("tasks %d thread%s: LM %.0f tokens/s, tagger uni %.0f tokens/s, tagger bi %.0f tokens/s; "
                "bi/uni cost per token %.2fx, bi tagger/LM %.2fx\n",
                threads, threads > 1 ? "s" : " ", tps_lm, tps_uni, tps_bi, tps_uni / tps_bi, tps_lm / tps_bi);
    rows.push_back({{"threads", threads},
                    {"lm", {{"msMedian", ms_lm}, {"tokensPerSecond", tps_lm}}},
                    {"taggerUni", {{"msMedian", ms_uni}, {"tokensPerSecond", tps_uni}}},
                    {"taggerBi", {{"msMedian", ms_bi}, {"tokensPerSecond", tps_bi}}},
                    {"biOverUni", tps_uni / tps_bi},
                    {"biOverLm", tps_lm / tps_bi}});
  }
  return {{"tags", uni.example_task->labels.size()}, {"vocab", uni.example_task->tokenizer.vocab_size()},
          {"batch", (int)options["batchSize"]}, {"length", len}, {"steps", steps}, {"rows", rows}};
}

// Encoder–decoder training at grapheme-to-phoneme shapes: source 30 symbols (letters), target 42
// (39 phonemes, start, end, one spare), words of 4–12 letters and 3–11 phonemes (random: only the
// shapes matter for speed), batch 64; embedding 64, bidirectional LSTM encoder, general attention,
// 1 and 2 levels of 256, without and with input feeding. Tokens/s counts the real source and target
// tokens of each batch (padding excluded).
static json seq2seq_bench(bool quick) {
  rnn::SequenceExamples ex;
  rnn::Rng rng(5);
  for (int i = 0; i < 4096; ++i) {
    std::vector<int32_t> src(4 + rng.below(9)), in(3 + rng.below(9)), out(in.size());
    for (auto& c : src) c = (int32_t)rng.below(30);
    in[0] = 40;
    for (size_t t = 0; t < out.size(); ++t) {
      out[t] = t + 1 < out.size() ? (int32_t)rng.below(39) : 41;
      if (t + 1 < in.size()) in[t + 1] = out[t];
    }
    ex.add_pair(src, in, out);
  }
  const int warmup = 3, steps = quick ? 5 : 20, max_t = std::min(2, rnn::threads::max_threads());
  json rows = json::array();
  for (int layers : {1, 2})
    for (bool feeding : {false, true}) {
      rnn::ModelConfig cfg;
      cfg.kind = rnn::ModelKind::Seq2Seq;
      cfg.vocab_size = 30;
      cfg.target_vocab_size = 42;
      cfg.embedding_size = 64;
      cfg.hidden_size = 256;
      cfg.layers = layers;
      cfg.bidirectional = true;
      cfg.attention = true;
      cfg.input_feeding = feeding;
      rnn::Seq2Seq model(cfg);
      rnn::TrainingConfig tc;
      tc.batch_size = 64;
      tc.optimizer.learning_rate = 0.001f;
      rnn::ExampleBatchSource source(ex, tc.batch_size, true, 1);
      rnn::Trainer trainer(tc, model, source);
      for (int threads = 1; threads <= max_t; ++threads) {
        rnn::threads::set_count(threads);
        for (int i = 0; i < warmup; ++i) trainer.train_step();
        std::vector<double> ms, tps, target_tps;
        const double cpu0 = process_cpu_seconds();
        long long all_tokens = 0;
        for (int i = 0; i < steps; ++i) {
          const rnn::Batch b = source.current();
          long long src_tokens = 0, tgt_tokens = 0;
          for (int r = 0; r < b.B; ++r) src_tokens += b.lengths[r], tgt_tokens += b.target_lengths[r];
          const auto a = Clock::now();
          trainer.train_step();
          const double sec = seconds_since(a);
          ms.push_back(sec * 1e3);
          tps.push_back((src_tokens + tgt_tokens) / sec);
          all_tokens += src_tokens + tgt_tokens;
          target_tps.push_back(tgt_tokens / sec);
        }
        // CPU time too: on a busy machine, one thread's CPU time per step is what an idle one would take.
        const double cpu = process_cpu_seconds() - cpu0;
        std::printf("seq2seq %d x 256 bi LSTM, attention%s, %d thread%s: %6.1f ms/step median, %6.0f tokens/s "
                    "(source + target), %6.0f target tokens/s; CPU %.1f ms/step = %.0f tokens/s per CPU second\n",
                    layers, feeding ? " + input feeding" : "", threads, threads > 1 ? "s" : " ", median(ms),
                    median(tps), median(target_tps), cpu / steps * 1e3, all_tokens / cpu);
        rows.push_back({{"layers", layers}, {"inputFeeding", feeding}, {"threads", threads}, {"msMedian", median(ms)},
                        {"tokensPerSecond", median(tps)}, {"targetTokensPerSecond", median(target_tps)},
                        {"cpuMsPerStep", cpu / steps * 1e3}, {"tokensPerCpuSecond", all_tokens / cpu}});
      }
    }
  return {{"sourceVocab", 30}, {"targetVocab", 42}, {"embedding", 64}, {"hidden", 256}, {"batch", 64},
          {"steps", steps}, {"parameters1Layer", rnn::parameter_count([] {
             rnn::ModelConfig c;
             c.kind = rnn::ModelKind::Seq2Seq;
             c.vocab_size = 30, c.target_vocab_size = 42, c.embedding_size = 64, c.hidden_size = 256, c.layers = 1;
             c.bidirectional = true;
             return c;
           }())},
          {"rows", rows}};
}

int main(int argc, char** argv) {
  bool quick = false, seq2seq_only = false;
  std::string workload_path = "tests/bench/workload.json";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    else if (std::strcmp(argv[i], "--seq2seq") == 0) seq2seq_only = true;
    else workload_path = argv[i];
  }
  if (seq2seq_only) {
    std::printf("simd: %s\n", rnn::kernels::simd_arch());
    std::printf("%s\n", seq2seq_bench(quick).dump().c_str());
    return 0;
  }
  try {
    const json w = json::parse(rnn::safetensors::read_file(workload_path));
    const char* dir = std::getenv("RNN_DATA_DIR");
    const std::string path = std::string(dir ? dir : "../shared/data") + "/" + w["data"].get<std::string>();
    const std::string text = rnn::safetensors::read_file(path);
    const int warmup = w["steps"]["warmup"], steps = quick ? w["steps"]["quickMeasure"] : w["steps"]["measure"];

    auto t0 = Clock::now();
    rnn::Session s(text, rnn::parse_run_config(w["options"]));
    const double setup = seconds_since(t0);
    const auto& tc = s.config.training;
    const int tokens_per_step = tc.batch_size * tc.seq_length;
    std::printf("simd: %s; corpus %s: %zu bytes, vocabulary %d, %lld training tokens; setup %.0f ms\n",
                rnn::kernels::simd_arch(), path.c_str(), text.size(), s.tokenizer.vocab_size(),
                (long long)(s.corpus_tokens - s.validation_tokens), setup * 1e3);

    json out = {{"simd", rnn::kernels::simd_arch()},
                {"vocab", s.tokenizer.vocab_size()},
                {"parameters", (double)s.task->model.params.value.size()},
                {"tokensPerStep", tokens_per_step},
                {"setupMs", setup * 1e3},
                {"train", json::array()}};
    const int max_t = std::min(2, rnn::threads::max_threads());
    for (int threads = 1; threads <= max_t; ++threads) {
      rnn::threads::set_count(threads);
      for (int i = 0; i < warmup; ++i) s.step();
      std::vector<double> ms;
      double first_loss = 0, last_loss = 0;
      const auto all = Clock::now();
      const double cpu0 = process_cpu_seconds();
      for (int i = 0; i < steps; ++i) {
        const auto a = Clock::now();
        const rnn::StepResult r = s.step();
        ms.push_back(seconds_since(a) * 1e3);
        if (i == 0) first_loss = r.loss;
        last_loss = r.loss;
      }
      const double total = seconds_since(all), med = median(ms);
      const double cpu_ms = (process_cpu_seconds() - cpu0) / steps * 1e3;  // all threads, spinning included
      std::printf("train %d thread%s: %7.1f ms/step median (min %.1f, max %.1f) = %7.0f tokens/s; CPU %.0f ms/step; loss %.3f -> %.3f\n",
                  threads, threads > 1 ? "s" : " ", med, *std::min_element(ms.begin(), ms.end()),
                  *std::max_element(ms.begin(), ms.end()), tokens_per_step / med * 1e3, cpu_ms, first_loss, last_loss);
      out["train"].push_back({{"threads", rnn::threads::count()},
                              {"steps", steps},
                              {"msPerStep", ms},
                              {"msMedian", med},
                              {"tokensPerSecond", tokens_per_step / med * 1e3},
                              {"tokensPerSecondMean", tokens_per_step * steps / total},
                              {"cpuMsPerStep", cpu_ms},
                              {"firstLoss", first_loss},
                              {"lastLoss", last_loss}});
    }
    out["maxRssBytes"] = max_rss_bytes();  // after training, before generation
    out["parameterBytes"] = (double)s.task->model.params.value.size() * 4;

    // Generation: one stream, B = 1; untrained-ish weights are fine for speed.
    const rnn::GenerateOptions go = rnn::parse_generate_options(w["generate"]);
    out["generate"] = json::array();
    for (int threads = 1; threads <= max_t; ++threads) {
      rnn::threads::set_count(threads);
      std::vector<double> tps;
      size_t chars = 0;
      for (int rep = 0; rep < 3; ++rep) {
        const auto a = Clock::now();
        const std::string g = rnn::generate(s.task->model, s.tokenizer, go);
        tps.push_back(go.length / seconds_since(a));
        chars = g.size();
      }
      std::printf("generate %d tokens, %d thread%s: %8.0f tokens/s median (%zu bytes of text)\n", go.length, threads,
                  threads > 1 ? "s" : " ", median(tps), chars);
      out["generate"].push_back({{"threads", threads}, {"tokens", go.length}, {"tokensPerSecond", median(tps)}});
    }
    out["tasks"] = tasks_bench(s, quick);
    out["seq2seq"] = seq2seq_bench(quick);
    rnn::threads::set_count(1);
    std::printf("peak RSS after training: %.1f MB (parameters %.1f MB)\n", out["maxRssBytes"].get<double>() / 1e6,
                out["parameterBytes"].get<double>() / 1e6);
    std::printf("%s\n", out.dump().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
