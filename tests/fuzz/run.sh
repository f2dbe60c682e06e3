#!/usr/bin/env bash
# npm run fuzz -- [--minutes N] [--jobs J] [target ...]
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.cpp) with clang, AddressSanitizer and UBSan in
# build/fuzz, and runs each for N minutes (default 20), J at a time (default: the cores). Each starts
# from its seed corpus (tests/fuzz/corpus/<target>, read only) plus what earlier runs found
# (build/fuzz/corpus/<target>); an input that fails is written to tests/fuzz/regressions/<target>/,
# which `npm test` replays forever after (ctest FuzzReplay.<target>) — fix the bug, commit the input.
# Prints per target: executions, coverage, corpus size and findings.
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=20 jobs=$(nproc) targets=()
while (($#)); do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if ((${#targets[@]} == 0)); then
  for f in tests/fuzz/fuzz_*.cpp; do t=${f##*/fuzz_}; targets+=("${t%.cpp}"); done
fi
# clang and its fuzzer runtime (Debian 12: clang-14, libclang-rt-14-dev).
pkgs=(clang-14 libclang-rt-14-dev)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if ((${#missing[@]})); then
  [[ $(id -u) -eq 0 ]] || { echo "fuzz: missing Debian packages: sudo apt-get install -y ${missing[*]}" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
CC=clang-14 CXX=clang++-14 cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Release -DRNN_FUZZ=ON >/dev/null
cmake --build build/fuzz -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

run_one() {
  local t=$1 minutes=$2
  mkdir -p "build/fuzz/corpus/$t" "tests/fuzz/regressions/$t"
  # -timeout: an input taking 10 s is a finding (a hang); -rss_limit_mb: so is allocating past 2 GiB.
  if build/fuzz/fuzz_"$t" -max_total_time=$((minutes * 60)) -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="tests/fuzz/regressions/$t/" \
      "build/fuzz/corpus/$t" "tests/fuzz/corpus/$t" > "build/fuzz/$t.log" 2>&1; then status=ok; else status=FINDING; fi
  local execs cov units
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build/fuzz/$t.log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "build/fuzz/$t.log" | tail -1 | cut -d' ' -f2)
  units=$(ls "build/fuzz/corpus/$t" | wc -l)
  printf '%-12s %s  %s min  %s executions  coverage %s  corpus %s  (log: build/fuzz/%s.log)\n' \
    "$t" "$status" "$minutes" "${execs:-?}" "${cov:-?}" "$units" "$t"
}
export -f run_one
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c "run_one {} $minutes"
ls tests/fuzz/regressions/*/ 2>/dev/null | grep -qE '^(crash|leak|timeout|oom|slow-unit)-' \
  && { echo "fuzz: findings in tests/fuzz/regressions/ (replayed by npm test)"; exit 1; } || true
