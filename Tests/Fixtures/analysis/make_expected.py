#!/usr/bin/env python
"""Generate Tests/Fixtures/analysis/expected.json: reference numbers for
SwiftDet's ports of mmdetection 3.3's analysis tools
(tools/analysis_tools/analyze_results.py and confusion_matrix.py) and for
per-image COCO AP.

Inputs (paths relative to the repository root):
  data/fruits_nuts/annotations/instances_train.json   ground truth (COCO)
  Tests/Fixtures/analysis/results.json                predictions (COCO
      results list: image_id, category_id, bbox [x, y, w, h], score,
      segmentation as compressed RLE)

Output:
  Tests/Fixtures/analysis/expected.json, with
  - per_image_ap: pycocotools COCOeval stats[0] (AP@[.5:.95], area all,
    maxDets 100) with params.imgIds = [image_id] (default useCats=1), for
    iouType 'bbox' and 'segm', plus full-dataset stats[0..11] for both.
  - per_image_voc_map: analyze_results.py's bbox_map_eval (mean over
    IoU thresholds np.linspace(.5, .95, 10) of mmdet eval_map) per image,
    plus the ten per-threshold eval_map values and the tool's ascending
    ranking.
  - confusion_matrix: the (K+1)x(K+1) matrix built by confusion_matrix.py's
    own analyze_per_img_dets, for (score_thr=0.3, tp_iou_thr=0.5) and
    (score_thr=0.5, tp_iou_thr=0.75), nms_iou_thr=None, plus the
    row-normalised percentages computed as plot_confusion_matrix does.
  - versions of the Python packages used.

Nothing is reimplemented: the mmdet tool files are imported from the
installed package (mmdet/.mim/tools/analysis_tools/) with importlib and
their functions are called directly. The only code here is the glue that
turns the COCO json files into the inputs those functions expect, mirroring
what mmdet's CocoDataset / LoadAnnotations / model outputs would give:
  - GT box xyxy = [x, y, x + w, y + h] (Python floats, as CocoDataset's
    parse_data_info); label = index of the category in the categories list
    (date=0, fig=1, hazelnut=2). No crowd / tiny boxes exist in this data.
  - predicted box xyxy = [x, y, x + w, y + h] computed in float64, then held
    as float32 (like mmdet's prediction tensors); scores float32.
  - bbox_map_eval gets GT boxes as float32 (gt_bboxes.tensor is float32).

Versions used to produce the committed expected.json: mmdet 3.3.0,
mmcv(-lite) 2.1.0, mmengine 0.10.7, pycocotools 2.0.11, numpy 2.4.6,
torch 2.15.0 (recorded again in expected.json by the run itself).

Rerun from the repository root:
  PYTHONPATH=/tmp/setuptools80 /tmp/torchvenv/bin/python \
      Tests/Fixtures/analysis/make_expected.py
(PYTHONPATH is only needed where mmdet's imports want an older setuptools.)
"""
import contextlib
import copy
import glob
import importlib.metadata
import importlib.util
import io
import json
import os
import sys

import numpy as np
import torch

import mmdet
from mmdet.evaluation.functional import eval_map
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

GT_PATH = 'data/fruits_nuts/annotations/instances_train.json'
RES_PATH = 'Tests/Fixtures/analysis/results.json'
OUT_PATH = 'Tests/Fixtures/analysis/expected.json'

CM_SETTINGS = [
    dict(name='default', score_thr=0.3, tp_iou_thr=0.5, nms_iou_thr=None),
    dict(name='strict', score_thr=0.5, tp_iou_thr=0.75, nms_iou_thr=None),
]


def load_tool(name):
    """Import mmdet's tools/analysis_tools/<name>.py from the installed
    package (mmdet/.mim/tools/analysis_tools)."""
    tools_dir = os.path.join(
        os.path.dirname(mmdet.__file__), '.mim', 'tools', 'analysis_tools')
    path = os.path.join(tools_dir, name + '.py')
    spec = importlib.util.spec_from_file_location('mmdet_tool_' + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, path


def version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def coco_ap(gt_json, results, iou_type, img_ids=None):
    """COCOeval stats for iou_type, optionally restricted to img_ids.
    Fresh COCO objects each call (COCOeval mutates annotations)."""
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = copy.deepcopy(gt_json)
        gt.createIndex()
        dt = gt.loadRes(copy.deepcopy(results))
        ev = COCOeval(gt, dt, iou_type)
        if img_ids is not None:
            ev.params.imgIds = list(img_ids)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return [float(s) for s in ev.stats]


def xywh_to_xyxy(b):
    return [b[0], b[1], b[0] + b[2], b[1] + b[3]]


def main():
    with open(GT_PATH) as f:
        gt_json = json.load(f)
    with open(RES_PATH) as f:
        results = json.load(f)

    cat_ids = [c['id'] for c in gt_json['categories']]
    class_names = [c['name'] for c in gt_json['categories']]
    cat2label = {cid: i for i, cid in enumerate(cat_ids)}
    num_classes = len(cat_ids)
    # dataset order = order of the images list (as CocoDataset indexes them)
    img_ids = [im['id'] for im in gt_json['images']]

    gts_per_img = {i: [] for i in img_ids}
    for ann in gt_json['annotations']:
        assert not ann.get('iscrowd', 0)
        gts_per_img[ann['image_id']].append(ann)
    dets_per_img = {i: [] for i in img_ids}
    for r in results:
        dets_per_img[r['image_id']].append(r)

    # ---------------- a. per-image COCO AP ----------------
    full_stats = {t: coco_ap(gt_json, results, t) for t in ('bbox', 'segm')}
    per_image_ap = []
    for img_id in img_ids:
        row = dict(image_id=img_id,
                   num_gt=len(gts_per_img[img_id]),
                   num_det=len(dets_per_img[img_id]))
        for t in ('bbox', 'segm'):
            row[t] = coco_ap(gt_json, results, t, [img_id])[0]
        per_image_ap.append(row)

    # ---------------- b. analyze_results.py bbox_map_eval ----------------
    analyze_results, analyze_results_path = load_tool('analyze_results')
    iou_thrs = np.linspace(
        .5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
    per_image_voc = []
    for idx, img_id in enumerate(img_ids):
        gts = gts_per_img[img_id]
        annotation = dict(
            bboxes=np.array([xywh_to_xyxy(a['bbox']) for a in gts],
                            dtype=np.float32).reshape(-1, 4),
            labels=np.array([cat2label[a['category_id']] for a in gts],
                            dtype=np.int64))
        dets = dets_per_img[img_id]
        pred_bboxes = np.array([xywh_to_xyxy(d['bbox']) for d in dets],
                               dtype=np.float64).astype(
                                   np.float32).reshape(-1, 4)
        pred_scores = np.array([d['score'] for d in dets], dtype=np.float32)
        pred_labels = np.array([cat2label[d['category_id']] for d in dets],
                               dtype=np.int64)
        # as ResultVisualizer.detection_evaluate builds `dets`
        det_result = []
        for label in range(num_classes):
            index = np.where(pred_labels == label)[0]
            det_result.append(
                np.hstack([pred_bboxes[index],
                           pred_scores[index].reshape((-1, 1))]))
        m = analyze_results.bbox_map_eval(det_result, annotation, nproc=2)
        per_thr = [
            float(eval_map([det_result], [annotation], iou_thr=float(t),
                           logger='silent', nproc=1)[0]) for t in iou_thrs
        ]
        per_image_voc.append(
            dict(dataset_index=idx, image_id=img_id, map=float(m),
                 per_iou_thr=per_thr))
    # detection_evaluate: sorted(_mAPs.items(), key=lambda kv: kv[1])
    ranking = sorted(((r['dataset_index'], r['map']) for r in per_image_voc),
                     key=lambda kv: kv[1])

    # ---------------- c. confusion_matrix.py ----------------
    cm_tool, cm_tool_path = load_tool('confusion_matrix')
    cm_out = []
    for s in CM_SETTINGS:
        cm = np.zeros(shape=[num_classes + 1, num_classes + 1])
        for img_id in img_ids:
            # what CocoDataset.get_data_info(idx)['instances'] holds
            gts = [dict(bbox=xywh_to_xyxy(a['bbox']),
                        bbox_label=cat2label[a['category_id']])
                   for a in gts_per_img[img_id]]
            dets = dets_per_img[img_id]
            result = dict(
                bboxes=torch.from_numpy(
                    np.array([xywh_to_xyxy(d['bbox']) for d in dets],
                             dtype=np.float64).astype(
                                 np.float32).reshape(-1, 4)),
                scores=torch.tensor([d['score'] for d in dets],
                                    dtype=torch.float32),
                labels=torch.tensor(
                    [cat2label[d['category_id']] for d in dets],
                    dtype=torch.int64))
            cm_tool.analyze_per_img_dets(cm, gts, result, s['score_thr'],
                                         s['tp_iou_thr'], s['nms_iou_thr'])
        # plot_confusion_matrix's normalisation
        per_label_sums = cm.sum(axis=1)[:, np.newaxis]
        with np.errstate(invalid='ignore', divide='ignore'):
            norm = cm.astype(np.float32) / per_label_sums * 100
        cm_out.append(dict(
            name=s['name'],
            score_thr=s['score_thr'],
            tp_iou_thr=s['tp_iou_thr'],
            nms_iou_thr=s['nms_iou_thr'],
            matrix=[[int(v) for v in row] for row in cm],
            normalized_percent=[[None if np.isnan(v) else float(v)
                                 for v in row] for row in norm],
            # the text plot_confusion_matrix writes in each cell ('-1' = NaN)
            displayed_percent=[[-1 if np.isnan(v) else int(v) for v in row]
                               for row in norm],
        ))

    out = dict(
        description='Reference numbers for SwiftDet analysis tools; '
        'see README.md in this folder.',
        inputs=dict(ground_truth=GT_PATH, results=RES_PATH,
                    num_images=len(img_ids),
                    num_gt=len(gt_json['annotations']),
                    num_det=len(results)),
        versions=dict(
            mmdet=mmdet.__version__,
            mmcv=version('mmcv') or version('mmcv-lite'),
            mmengine=version('mmengine'),
            pycocotools=version('pycocotools'),
            numpy=np.__version__,
            torch=torch.__version__.split('+')[0],
            python=sys.version.split()[0]),
        tools=dict(
            analyze_results=os.path.relpath(
                analyze_results_path, os.path.dirname(mmdet.__file__)),
            confusion_matrix=os.path.relpath(
                cm_tool_path, os.path.dirname(mmdet.__file__))),
        classes=class_names,
        category_ids=cat_ids,
        image_ids=img_ids,
        per_image_ap=dict(
            metric='COCOeval stats[0]: AP@[.5:.95], area all, maxDets 100; '
            'params.imgIds=[image_id], useCats=1; -1 means no category in '
            'the image had GT',
            images=per_image_ap,
            full_dataset_stats=full_stats,
            stats_names=[
                'AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10',
                'AR100', 'ARs', 'ARm', 'ARl'
            ]),
        per_image_voc_map=dict(
            metric='analyze_results.bbox_map_eval: mean over iou_thrs of '
            'mmdet eval_map (area mode, use_legacy_coordinate=False)',
            iou_thrs=[float(t) for t in iou_thrs],
            images=per_image_voc,
            ranking_ascending=[dict(dataset_index=i, image_id=img_ids[i],
                                    map=float(v)) for i, v in ranking]),
        confusion_matrix=dict(
            labels=class_names + ['background'],
            rows='ground truth label (last = background)',
            cols='predicted label (last = background, i.e. missed GT)',
            settings=cm_out),
    )
    with open(OUT_PATH, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')
    print('wrote', OUT_PATH)


if __name__ == '__main__':
    main()
