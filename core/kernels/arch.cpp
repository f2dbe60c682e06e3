// What the build's SIMD target is (constants in arch.h): reported by features() and the benches.
#include "kernels/arch.h"
#include "kernels/kernels.h"

namespace rnn::kernels {

const char* simd_arch() { return xsimd::default_arch::name(); }
int simd_width() { return kLanes; }

}  // namespace rnn::kernels
