#!/usr/bin/env bash
# The README's main command. On a fresh clone: installs the system packages, builds in
# release, trains the demo Mask R-CNN (configs/demo) from scratch on the bundled fruits_nuts
# images, draws its predictions on the val images and plots the loss and mAP curves, then
# tests the trained weights on the val split. Everything lands in work_dirs/demo (or $1).
# The output ends with the test loop's evaluation lines (coco/bbox_mAP: ..., coco/segm_mAP: ...).
# DEMO_CONFIG=configs/demo/mask-rcnn_nf-r26_fpn_gn-ws_fruits-nuts.py runs the normalizer-free variant.
set -euo pipefail
cd "$(dirname "$0")/.."

CONFIG=${DEMO_CONFIG:-configs/demo/mask-rcnn_r18_fpn_gn-ws_fruits-nuts.py}
WORK=${1:-work_dirs/demo}
start=$(date +%s)

tools/install-deps.sh
echo "demo: building (release)..."
swift build -c release --product train
swift build -c release --product test
swift build -c release --product analyze-logs
BIN=$(swift build -c release --show-bin-path)

# A fresh run: clear a previous demo's work dir, but never a directory that is not one.
if [ -d "$WORK" ] && [ -n "$(ls -A "$WORK")" ] && [ ! -f "$WORK/last_checkpoint" ] && ! ls "$WORK"/2*/ >/dev/null 2>&1; then
    echo "demo: error: $WORK exists and is not a demo work dir; give another one as the first argument" >&2
    exit 1
fi
rm -rf "$WORK"
echo "demo: training $CONFIG (work dir $WORK)..."
"$BIN/train" "$CONFIG" --work-dir "$WORK"

run_dir=$(ls -td "$WORK"/2*/ | head -1)
scalars="${run_dir}vis_data/scalars.json"
"$BIN/analyze-logs" plot_curve "$scalars" --keys loss loss_cls loss_bbox loss_mask --out "$WORK/loss_curve.png" --title "demo: training losses"
"$BIN/analyze-logs" plot_curve "$scalars" --keys coco/bbox_mAP coco/segm_mAP --out "$WORK/map_curve.png" --title "demo: val mAP"

checkpoint="$WORK/$(tr -d '[:space:]' < "$WORK/last_checkpoint")"
echo "demo: testing $checkpoint (predictions drawn in $WORK/vis, curves in $WORK/*_curve.png)..."
"$BIN/test" "$CONFIG" "$checkpoint" --work-dir "$WORK/test" --out "$WORK/results.json" --show-dir "$WORK/vis" 2>&1 | tee "$WORK/test.log"
echo "demo: done in $(( $(date +%s) - start )) s"
grep -o 'coco/[a-z]*_mAP[_a-z0-9]*: [-0-9.]*' "$WORK/test.log" | grep -v '_s:\|_m:\|_l:'
