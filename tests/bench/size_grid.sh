#!/usr/bin/env bash
# The measurements behind size 'auto' (core/train/auto_size.h, README "Settings that fit the data and
# the time"): character LSTMs of several widths trained with the same compute — steps =
# C / (6 · weights a token's step multiplies · 32 · 64) — natively (fit_explore, 2 threads), so
# the width that learns best for a compute budget, and the dropout that suits the passes over the
# text, can be read off. Runs by steps, not time: exact, and independent of the machine's load.
#   bash tests/bench/size_grid.sh        (about 25 minutes; needs ../shared/data/tinyshakespeare.txt)
set -euo pipefail
cd "$(dirname "$0")/../.."
FE=build/native/fit_explore
[ -x "$FE" ] || bash cmake/build.sh native
full="${RNN_DATA_DIR:-../shared/data}/tinyshakespeare.txt"
[ -f "$full" ] || { echo "size_grid: $full not found (set RNN_DATA_DIR): skipped"; exit 0; }
out=build/bench/size-grid
mkdir -p "$out"
small="$out/shakespeare-110k.txt"
head -c 110000 "$full" > "$small"  # a small text: the first 110,000 characters

run() {  # name corpus hidden dropout compute [weight-drop]
  local name=$1 corpus=$2 H=$3 D=$4 C=$5 WD=${6:-0}
  local steps=$(( $(printf '%.0f' "$C") / (6 * (4*H*(64+H+2) + 4*H*(2*H+2) + 65*(H+1)) * 2048) ))
  local opts="{\"tokenizer\":\"char\",\"layers\":2,\"hidden\":$H,\"embedding\":64,\"seqLength\":64,\"batchSize\":32,\"learningRate\":0.003,\"dropout\":$D,\"outputDropout\":$D,\"embeddingDropout\":0.05,\"lockedDropout\":true,\"weightDrop\":$WD,\"optimizer\":\"adamw\",\"weightDecay\":0.01,\"schedule\":{\"type\":\"cosine\",\"totalSteps\":$steps,\"warmup\":100},\"clip\":{\"norm\":5}}"
  local f="$out/$name-C$C-H$H-D$D-WD$WD.tsv"
  "$FE" "$corpus" "$opts" "${steps}steps" 500 2 > "$f"
  echo "$name  C=$C  2×$H  dropout $D  weight drop $WD  $steps steps  $(tail -1 "$f")"
}
for H in 96 128 192 256; do run full "$full" $H 0.2 9000000000000; done
for H in 64 128 256; do run small "$small" $H 0.5 9000000000000; done
run small "$small" 128 0.3 9000000000000
for H in 192 256 384; do run full "$full" $H 0.2 36000000000000; done
run full "$full" 256 0.35 36000000000000
# DropConnect on W_hh (weightDrop) on top: pays on the small text's many passes, costs on the full one.
run full "$full" 256 0.2 36000000000000 0.2
run full "$full" 256 0.2 36000000000000 0.4
run small "$small" 128 0.3 9000000000000 0.3
run full "$full" 256 0.1 36000000000000 0.3
