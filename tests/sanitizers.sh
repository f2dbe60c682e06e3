#!/usr/bin/env bash
# The native tests under sanitizers (gcc): AddressSanitizer + UndefinedBehaviorSanitizer in
# build/asan, ThreadSanitizer in build/tsan; any report fails the test that caused it.
#   bash tests/sanitizers.sh            everything: the whole suite under ASan+UBSan, the threaded tests under TSan
#   bash tests/sanitizers.sh --quick    what `npm test` runs: the fixed subset below under each
# (npm run test:sanitizers runs the whole thing.)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[[ ${1:-} == --quick ]] && quick=1
jobs=$(nproc)
# The learning and data-file tests train for seconds natively and minutes under ASan: the quick run
# leaves them out (they run unsanitized in npm test, and sanitized in the full run).
slow='TvScript|Learns|Overfit|Proof|Brown|Shakespeare|Names|Seinfeld|Dates|Reversal|Quote|Golden'
threaded='Thread|Parallel|Determin|Pool'
# Tests pinned bit for bit to numbers of the normal build: sanitizer instrumentation changes the
# code the compiler emits (vectorisation, contraction), so the last bits differ. They run in npm test.
pinned='Golden|UnchangedBitForBit'

build() {  # build DIR SANITIZERS
  cmake -S . -B "$1" -DCMAKE_BUILD_TYPE=Release -DRNN_SANITIZE="$2" >/dev/null
  cmake --build "$1" -j"$jobs" --target core_test $(cd tests/fuzz && ls fuzz_*.cpp | sed 's/^fuzz_/fuzz_replay_/; s/\.cpp$//')
}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

build build/asan address,undefined
if ((quick)); then
  ctest --test-dir build/asan --output-on-failure -j"$jobs" -E "$slow|$pinned"
else
  ctest --test-dir build/asan --output-on-failure -j"$jobs" -E "TvScript|$pinned"
fi
build build/tsan thread
ctest --test-dir build/tsan --output-on-failure -j"$jobs" -R "$threaded" -E "$pinned"
