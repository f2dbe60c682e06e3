// Validation loss against time for a language model on a text, natively: the measurement behind
// issue 14's regularisation and keep-best (README, "Learning well in the time you have").
//   fit_explore <corpus> <options-json> <seconds | Nsteps> [eval-every-steps=200] [threads=2]
// A budget of N steps ("3000steps") makes the run exact and independent of the machine's load (the
// measurements behind size 'auto' fix the compute, not the time).
// Every eval-every steps: the CLI's quick evaluation (the first 32768 validation tokens), recorded
// for keep-best. At the end: the whole validation split for the last and for the best weights.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "common.h"
#include "kernels/threads.h"
#include "tasks/session.h"

using namespace rnn;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: fit_explore <corpus> <options-json> <seconds | Nsteps> [eval-every-steps=200] [threads=2]\n");
    return 2;
  }
  try {
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) fail(std::string("cannot read ") + argv[1]);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string b = argv[3];
    const bool by_steps = b.size() > 5 && b.substr(b.size() - 5) == "steps";
    const double budget = by_steps ? 1e300 : std::stod(b);
    const long long max_steps = by_steps ? std::stoll(b) : -1;
    const int every = argc > 4 ? std::stoi(argv[4]) : 200;
    threads::set_count(argc > 5 ? std::stoi(argv[5]) : 2);
    Session s(ss.str(), parse_run_config(nlohmann::json::parse(argv[2])));
    Trainer& t = s.trainer();
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    std::printf("seconds\tstep\ttrain_loss\tval_loss_quick\tbest_step\tbest_loss\tlearning_rate\n");
    double train_loss = 0;
    int n = 0;
    for (;;) {
      const double e = elapsed();
      if (e >= budget || (long long)t.updates == max_steps) break;
      t.fit_time(e, budget);
      const StepResult r = s.step();
      train_loss += r.loss;
      ++n;
      if (r.step % every == 0) {
        const double v = s.evaluate(32768).loss;
        const nlohmann::json b = s.record_validation(v);
        std::printf("%.1f\t%lld\t%.4f\t%.4f\t%lld\t%.4f\t%.6f\n", elapsed(), (long long)r.step, train_loss / n, v,
                    (long long)b["step"].get<int64_t>(), b["loss"].get<double>(), r.learning_rate);
        std::fflush(stdout);
        train_loss = 0;
        n = 0;
        if (b["stop"].get<bool>()) break;
      }
    }
    s.record_validation(s.evaluate(32768).loss);
    const double last = s.evaluate().loss;
    std::vector<float>& w = s.model().params.value;
    std::swap_ranges(w.begin(), w.end(), t.best_weights.begin());
    const double best = s.evaluate().loss;
    std::printf("# %lld steps in %.0f s; whole validation split: last %.4f, best (step %lld) %.4f nats/token\n",
                (long long)t.updates, elapsed(), last, (long long)t.progress.best_step, best);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fit_explore: %s\n", e.what());
    return 1;
  }
  return 0;
}
