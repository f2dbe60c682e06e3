#include "train/schedule.h"

#include <cmath>

#include "common.h"
#include "train/update_helpers.h"

namespace rnn {

const char* schedule_name(ScheduleType t) {
  switch (t) {
    case ScheduleType::Constant: return "constant";
    case ScheduleType::Step: return "step";
    case ScheduleType::Cosine: return "cosine";
    case ScheduleType::Linear: return "linear";
  }
  return "?";
}

ScheduleType parse_schedule(const std::string& n) {
  if (n == "constant") return ScheduleType::Constant;
  if (n == "step") return ScheduleType::Step;
  if (n == "cosine") return ScheduleType::Cosine;
  if (n == "linear") return ScheduleType::Linear;
  fail("option 'schedule' must be 'constant', 'step', 'cosine' or 'linear' (got '" + n + "')");
}

void ScheduleConfig::validate() const {
  if (step_size < 1) fail("schedule.stepSize must be >= 1 (got " + std::to_string(step_size) + ")");
  check_finite_range("schedule.gamma", gamma, 0.0f, 1.0f, true);
  if (total_steps < 1) fail("schedule.totalSteps must be >= 1 (got " + std::to_string(total_steps) + ")");
  check_finite_range("schedule.minLearningRate", min_lr, 0.0f, 10.0f);
  if (warmup < 0) fail("schedule.warmup must be >= 0 (got " + std::to_string(warmup) + ")");
  if (fit_time && type != ScheduleType::Cosine && type != ScheduleType::Linear)
    fail("schedule.fitTime is for the 'cosine' and 'linear' schedules (they decay to an end)");
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
    case ScheduleType::Linear: {
      const double t = (double)std::min(step, s.total_steps) / (double)s.total_steps;
      r = s.min_lr + (lr - s.min_lr) * (1.0 - t);
      break;
    }
  }
  if (s.warmup > 0 && step < s.warmup) r *= (double)(step + 1) / (double)s.warmup;
  return static_cast<float>(r);
}

}  // namespace rnn
