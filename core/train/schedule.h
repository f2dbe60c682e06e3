// Learning-rate schedules, evaluated at the number of updates done so far:
//   constant: lr
//   step:     lr·γ^⌊t / step_size⌋
//   cosine:   min_lr + ½(lr − min_lr)(1 + cos(π·min(t, T)/T))
//   linear:   min_lr + (lr − min_lr)(1 − min(t, T)/T)
// plus an optional linear warm-up over the first `warmup` steps.
// With fit_time (cosine or linear), T is not fixed: the trainer estimates it from a time budget and
// the measured speed (Trainer::fit_time), so the decay ends when the time does.
#pragma once
#include <cstdint>
#include <string>

namespace rnn {

enum class ScheduleType { Constant, Step, Cosine, Linear };
struct ScheduleConfig {
  ScheduleType type = ScheduleType::Constant;
  int64_t step_size = 1000;
  float gamma = 0.5f;
  int64_t total_steps = 10000;
  float min_lr = 0.0f;
  int64_t warmup = 0;
  bool fit_time = false;  // cosine/linear: total_steps re-estimated from the time budget (total_steps until then)
  void validate() const;
};
const char* schedule_name(ScheduleType t);
ScheduleType parse_schedule(const std::string& name);  // "constant" | "step" | "cosine" | "linear"
float learning_rate_at(const ScheduleConfig& s, float base_lr, int64_t step);

}  // namespace rnn
