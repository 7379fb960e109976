#!/bin/sh
# Trains the same detector on a pool's original files and on a study's normalised stimuli (one size,
# format and quality: the file cues the shortcut audit flags are gone) and prints each one's test
# accuracy per source, on the originals and on the normalised copies. DeepArt's protocol by default:
# ResNet-18 from scratch at 224 px on a pair-aware 1:1:8 split.
#
#   bench/deepart_normalised.sh build/dev/bin/ntt ../shared/data/deepart-sample /tmp/deepart-norm [EPOCHS [SPLIT]]
set -eu
ntt=$1
data=$2
out=$3
epochs=${4:-20}
split=${5:-1:1:8}
mkdir -p "$out"
db="$out/deepart.ntt"
rm -rf "$db" "$db".*
cat > "$out/study.json" <<JSON
{"name": "real or fake, normalised", "trial_type": "real-or-fake", "trials_per_participant": 20,
 "normalise": {"size": 224, "format": "jpeg", "quality": 90}}
JSON
"$ntt" import --db "$db" "$data" > /dev/null
"$ntt" study create --db "$db" "$out/study.json" > /dev/null
common="--architecture resnet18 --input-size 224 --epochs $epochs --batch-size 8 --learning-rate 0.01 --split $split --patience 0 --seed 1 --no-crops"
start=$(date +%s)
"$ntt" model train --db "$db" --name originals $common > "$out/train-originals.log" 2>&1
mid=$(date +%s)
"$ntt" model train --db "$db" --name normalised --study 1 $common > "$out/train-normalised.log" 2>&1
end=$(date +%s)
echo "training: originals $((mid - start)) s, normalised $((end - mid)) s ($epochs epochs)"
echo "== trained on originals, tested on the originals of the test split"
"$ntt" model run --db "$db" --model originals --pool --split test 2>/dev/null | grep -v '^  '
for m in originals normalised; do
    "$ntt" model run --db "$db" --model $m --study 1 > /dev/null 2>&1
done
"$ntt" export --db "$db" --study 1 --what predictions --out "$out/predictions.csv" > /dev/null
echo "== tested on the normalised copies of the test split (model, source, images, called right)"
python3 - "$out/predictions.csv" <<'PY'
import csv, sys
from collections import defaultdict
n = defaultdict(int); right = defaultdict(int)
for r in csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')):
    if r['split'] != 'test' or r['correct'] == '':
        continue
    key = (r['model'], r['source'])
    n[key] += 1
    right[key] += int(r['correct'])
for key in sorted(n):
    print(f"{key[0]}\t{key[1]}\t{n[key]}\t{right[key] / n[key]:.4f}")
PY
