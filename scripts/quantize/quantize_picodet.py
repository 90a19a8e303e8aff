#!/usr/bin/env python3
"""Static int8 quantization of the shipped PicoDet-S 416 (issue #25, part B).

onnxruntime.quantization, QDQ format, S8S8 (int8 activations and weights), per-channel weights,
calibrated on frames of the TUNING video only (scripts/accuracy/splits.json "videos.tuning":
PETS09-S2L1), decoded with ffmpeg exactly as the agent decodes them
(edge/camera/ffmpeg-args.ts: scale=416:416:flags=area, rgb24) and normalised as
edge/detect/preprocess.ts does ((pixel - ImageNet mean) / std, R,G,B planes).

Calibration frames: PETS09-S2L1 0-based frame indices i with i % 10 == 5 (80 frames). The AP50
check (scripts/quantize/ap50.ts) uses i % 10 == 0 of that video and all of TUD-Campus
(validation), so no evaluated frame calibrated the model.

Not used by tests or CI; see README.md in this folder for the venv and the command.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime
from onnx import version_converter
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
SHARED = os.path.normpath(os.path.join(ROOT, '..', 'shared'))
FLOAT_MODEL = os.path.join(ROOT, 'models', 'picodet_s_416_coco.onnx')
SIZE = 416
MEAN = np.array([123.675, 116.28, 103.53], dtype=np.float32).reshape(3, 1, 1)
STD = np.array([58.395, 57.12, 57.375], dtype=np.float32).reshape(3, 1, 1)
# The last convs of the head (one per level: 80 class logits + 32 box bins, then Split ->
# Sigmoid / Reshape / Transpose to the 8 outputs).
HEAD_CONVS = ['Conv_117', 'Conv_122', 'Conv_127', 'Conv_132']


def clean_float_model(src, dst, opset, div_to_mul=True):
    """Same network, loadable by the quantizer: initializers removed from the graph inputs
    (Paddle's export lists them there, which blocks constant folding) and the opset raised
    from 11 to `opset` (per-channel DequantizeLinear needs an `axis`, opset 13+)."""
    m = onnx.load(src)
    inits = {i.name for i in m.graph.initializer}
    keep = [i for i in m.graph.input if i.name not in inits]
    del m.graph.input[:]
    m.graph.input.extend(keep)
    if m.opset_import[0].version < opset:
        m = version_converter.convert_version(m, opset)
    if div_to_mul:
        # Hard-swish is x * clip(x + 3, 0, 6) / 6 here (87 times). onnxruntime has no int8 Div, so
        # each Div would sit in float between a DequantizeLinear and a QuantizeLinear; x * (1/6)
        # runs as QLinearMul. Same function up to float rounding (1 ulp).
        consts = {i.name: i for i in m.graph.initializer}
        for n in m.graph.node:
            if n.op_type == 'Div' and n.input[1] in consts:
                v = onnx.numpy_helper.to_array(consts[n.input[1]])
                if v.size == 1 and float(v.reshape(-1)[0]) != 0.0:
                    name = n.input[1] + '_reciprocal'
                    if name not in consts:
                        t = onnx.numpy_helper.from_array((1.0 / v).astype(v.dtype), name)
                        m.graph.initializer.append(t)
                        consts[name] = t
                    n.op_type = 'Mul'
                    n.input[1] = name
    onnx.checker.check_model(m)
    onnx.save(m, dst)


def range_sensitive_nodes(model_path, frames, min_db):
    """Nodes around activations that per-tensor int8 cannot carry.

    BN folding leaves PicoDet's stem with channels whose ranges differ by 100x in one tensor
    (e.g. MaxPool_0's output: 3.7 to 432); one per-tensor scale then rounds the small channels
    to nothing and the next depthwise conv, whose weights amplify exactly those channels, passes
    the damage on. For every activation, simulate per-tensor asymmetric int8 (MinMax over
    `frames`) and take the 10th-percentile channel SQNR; where it is below `min_db`, the
    producing node and every consumer stay float (so the tensor itself stays float)."""
    m = onnx.load(model_path)
    acts = [o for n in m.graph.node if n.op_type != 'Constant' for o in n.output]
    for a in acts:
        m.graph.output.append(onnx.ValueInfoProto(name=a))
    with tempfile.TemporaryDirectory() as d:
        aug = os.path.join(d, 'aug.onnx')
        onnx.save(m, aug)
        s = onnxruntime.InferenceSession(aug, providers=['CPUExecutionProvider'])
        vals = {a: [] for a in acts}
        for x in frames:
            for a, v in zip(acts, s.run(acts, {'image': x})):
                vals[a].append(v)
    bad = []
    for a in acts:
        arr = np.concatenate(vals[a], 0)
        if arr.dtype.kind != 'f' or arr.ndim != 4:
            continue
        lo, hi = min(float(arr.min()), 0.0), max(float(arr.max()), 0.0)
        sc = (hi - lo) / 255 or 1.0
        zp = np.round(-128 - lo / sc)
        e = arr - (np.clip(np.round(arr / sc) + zp, -128, 127) - zp) * sc
        c = arr.shape[1]
        sig = (arr.astype(np.float64) ** 2).transpose(1, 0, 2, 3).reshape(c, -1).sum(1)
        err = (e.astype(np.float64) ** 2).transpose(1, 0, 2, 3).reshape(c, -1).sum(1)
        live = sig > 1e-12 * max(float(sig.max()), 1e-30)  # dead channels (all zero) carry nothing
        if not live.any():
            continue
        worst = float(np.percentile(10 * np.log10((sig[live] + 1e-30) / (err[live] + 1e-30)), 10))
        if worst < min_db:
            bad.append((a, worst))
    prod = {o: n.name for n in m.graph.node for o in n.output}
    names = set()
    for a, _ in bad:
        names.add(prod[a])
        names.update(n.name for n in m.graph.node if a in n.input)
    return sorted(names), bad


def tuning_video():
    with open(os.path.join(ROOT, 'scripts', 'accuracy', 'splits.json')) as f:
        splits = json.load(f)
    v = splits['videos']['tuning']
    if len(v) != 1 or v[0]['name'] != 'PETS09-S2L1':
        sys.exit(f'expected the tuning video to be PETS09-S2L1 only, splits.json says {[x["name"] for x in v]}')
    return os.path.join(SHARED, 'fixtures', 'video', v[0]['video'])


def decode_frames(video, modulo, residue, limit):
    """rgb24 416x416 frames (index % modulo == residue) as float32 [1,3,416,416] tensors."""
    vf = f"select='eq(mod(n\\,{modulo})\\,{residue})',scale={SIZE}:{SIZE}:flags=area"
    cmd = ['ffmpeg', '-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', '1', '-i', video,
           '-an', '-sn', '-dn', '-vf', vf, '-fps_mode', 'passthrough', '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-']
    raw = subprocess.run(cmd, check=True, capture_output=True).stdout
    n = len(raw) // (SIZE * SIZE * 3)
    px = np.frombuffer(raw, dtype=np.uint8)[: n * SIZE * SIZE * 3].reshape(n, SIZE, SIZE, 3)
    out = []
    for i in range(min(n, limit)):
        chw = px[i].transpose(2, 0, 1).astype(np.float32)
        out.append(((chw - MEAN) / STD)[None].astype(np.float32))
    return out


class Frames(CalibrationDataReader):
    def __init__(self, tensors, input_name='image'):
        self.tensors = tensors
        self.input_name = input_name
        self.i = 0

    def get_next(self):
        if self.i >= len(self.tensors):
            return None
        self.i += 1
        return {self.input_name: self.tensors[self.i - 1]}

    def rewind(self):
        self.i = 0


def quantize(src, dst, frames, exclude, method, extra, activations='s8'):
    quantize_static(
        src, dst, Frames(frames),
        quant_format=QuantFormat.QDQ,
        activation_type=QuantType.QInt8 if activations == 's8' else QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        per_channel=True,
        calibrate_method=method,
        nodes_to_exclude=exclude,
        extra_options=extra,
    )


def loss_debug(float_model, qdq_model, frames, top):
    """Per-tensor SQNR (dB) of the int8 model against float (qdq_loss_debug); lowest first."""
    from onnxruntime.quantization.qdq_loss_debug import (
        collect_activations, compute_activation_error, create_activation_matching,
        modify_model_output_intermediate_tensors)
    with tempfile.TemporaryDirectory() as d:
        af, aq = os.path.join(d, 'f.onnx'), os.path.join(d, 'q.onnx')
        modify_model_output_intermediate_tensors(float_model, af)
        modify_model_output_intermediate_tensors(qdq_model, aq)
        fa = collect_activations(af, Frames(frames))
        qa = collect_activations(aq, Frames(frames))
    err = compute_activation_error(create_activation_matching(qa, fa))
    rows = sorted(((v.get('xmodel_err', float('nan')), v.get('qdq_err', float('nan')), k) for k, v in err.items()), key=lambda r: r[0])
    print(f'{"tensor":60s} {"SQNR int8 vs float (dB)":>24s} {"SQNR QDQ (dB)":>14s}')
    for xm, qd, k in rows[:top]:
        print(f'{k[:60]:60s} {xm:24.1f} {qd:14.1f}')
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=os.path.join(ROOT, 'models', 'picodet_s_416_coco_int8.onnx'))
    ap.add_argument('--frames', type=int, default=80, help='calibration frames (PETS09-S2L1, i %% 10 == 5)')
    ap.add_argument('--method', default='MinMax', choices=['MinMax', 'Entropy', 'Percentile'])
    ap.add_argument('--float-head', action='store_true', help='leave the 4 last head convs (and what follows) in float')
    ap.add_argument('--exclude', default='', help='extra node names to leave in float, comma separated')
    ap.add_argument('--no-preprocess', action='store_true', help='skip quant_pre_process (shape inference + onnx optimisation)')
    ap.add_argument('--debug', type=int, default=0, help='print the N tensors with the lowest SQNR (qdq_loss_debug)')
    ap.add_argument('--auto-exclude', type=float, default=None, metavar='DB',
                    help='leave float the nodes around activations whose 10%%-worst channel SQNR under per-tensor int8 is below DB')
    ap.add_argument('--activations', default='s8', choices=['s8', 'u8'], help='s8: S8S8 (the issue asks for it); u8: U8S8, for comparison')
    ap.add_argument('--keep-div', action='store_true', help='keep the hard-swish Div by 6 (float in the int8 graph)')
    ap.add_argument('--opset', type=int, default=13)
    a = ap.parse_args()
    onnxruntime.set_default_logger_severity(3)

    frames = decode_frames(tuning_video(), 10, 5, a.frames)
    print(f'calibration: {len(frames)} frames of PETS09-S2L1 (0-based index % 10 == 5)', file=sys.stderr)
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, 'clean.onnx')
        clean_float_model(FLOAT_MODEL, src, a.opset, not a.keep_div)
        if not a.no_preprocess:
            pre = os.path.join(d, 'pre.onnx')
            quant_pre_process(src, pre, skip_symbolic_shape=False)
            src = pre
        exclude = [x for x in a.exclude.split(',') if x]
        if a.auto_exclude is not None:
            names, bad = range_sensitive_nodes(src, frames[:8], a.auto_exclude)
            print('tensors left float (10%-worst channel SQNR dB): ' + ', '.join(f'{t} {w:.1f}' for t, w in bad), file=sys.stderr)
            exclude += names
        if a.float_head:
            exclude += HEAD_CONVS
            # Everything after the head convs (Split, Sigmoid, Reshape, Transpose) is data movement
            # or the output sigmoid: keep it float too.
            m = onnx.load(src)
            prod = {o: n for n in m.graph.node for o in n.output}
            cons = {}
            for n in m.graph.node:
                for i in n.input:
                    cons.setdefault(i, []).append(n)
            stack = [prod[o] for c in HEAD_CONVS for o in [next(n for n in m.graph.node if n.name == c).output[0]]]
            seen = set()
            while stack:
                n = stack.pop()
                for o in n.output:
                    for c in cons.get(o, []):
                        if c.name not in seen:
                            seen.add(c.name)
                            stack.append(c)
            exclude += sorted(seen)
        method = getattr(CalibrationMethod, a.method)
        extra = {'ActivationSymmetric': False, 'WeightSymmetric': True}
        if a.method == 'Percentile':
            extra['CalibPercentile'] = 99.999
        quantize(src, a.out, frames, exclude, method, extra, a.activations)
        print(f'wrote {a.out} ({os.path.getsize(a.out)} bytes); float nodes kept: {len(exclude)}', file=sys.stderr)
        if a.debug:
            loss_debug(src, a.out, frames[:16], a.debug)


if __name__ == '__main__':
    main()
