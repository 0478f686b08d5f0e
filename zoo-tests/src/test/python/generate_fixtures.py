#!/usr/bin/python3
"""Writes the PyTorch parity fixtures for the 3D ShuffleNet V1/V2 ports.

Each case is a reference model (reference/shufflenet.py, reference/shufflenetv2.py) with
deterministic weights, a random clip and the logits of the eval-mode model computed in float64.

    <name>.npz          input, logits and every state_dict entry that is not seeded
                        (batch norm weight/bias/running_mean/running_var, linear bias)
    <name>.weights.npz  with --full-weights: the complete state_dict (num_batches_tracked excluded)
    cases.json          one entry per case

Conv and linear weights (state_dict entries ending in ".weight" with rank >= 2) are not stored in
<name>.npz: they come from seeded_tensor(name, shape, case_seed), which the Java tests reproduce.

Usage (from the repository root):
    /usr/bin/python3 zoo-tests/src/test/python/generate_fixtures.py --out zoo-tests/src/test/resources/fixtures/parity
    /usr/bin/python3 zoo-tests/src/test/python/generate_fixtures.py --arch shufflenet --width 1.0 --groups 3 \
        --classes 5 --batch 1 --frames 16 --height 33 --width-px 34 --seed 1 --out /tmp/fx --name my_case
"""
import sys

sys.dont_write_bytecode = True

import argparse
import copy
import json
import math
import os
import tempfile
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference"))
from shufflenet import ShuffleNet  # noqa: E402
from shufflenetv2 import ShuffleNetV2  # noqa: E402

ACTIVITYNET_MEAN = [114.7748, 107.7354, 99.4750]
CALIBRATION_PASSES = 4
CALIBRATION_BATCH = 2

M64 = 2 ** 64
GOLDEN = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB


# ---------------------------------------------------------------------------------------------
# Seeded weights (reproduced bit-exactly on the Java side)
# ---------------------------------------------------------------------------------------------

def fnv1a64(s):
    h = 0xcbf29ce484222325
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001b3) % M64
    return h


def seeded_uniform(name, n, case_seed):
    """n float64 values in [0, 1) with 24-bit resolution, from SplitMix64 keyed by the name and seed."""
    state = (fnv1a64(name) + int(case_seed) * GOLDEN) % M64
    with np.errstate(over="ignore"):
        z = np.arange(1, n + 1, dtype=np.uint64)
        z *= np.uint64(GOLDEN)
        z += np.uint64(state)
        z ^= z >> np.uint64(30)
        z *= np.uint64(MIX1)
        z ^= z >> np.uint64(27)
        z *= np.uint64(MIX2)
        z ^= z >> np.uint64(31)
    return (z >> np.uint64(40)).astype(np.float64) / float(2 ** 24)


def seeded_tensor(name, shape, case_seed):
    """float32 array of the given (PyTorch) shape, C order, values in [-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    shape = tuple(int(s) for s in shape)
    n = int(np.prod(shape, dtype=np.int64))
    fan_in = int(np.prod(shape[1:], dtype=np.int64))
    values = (2.0 * seeded_uniform(name, n, case_seed) - 1.0) / math.sqrt(fan_in)
    return values.astype(np.float32).reshape(shape)


def seeded_clip(name, shape, case_seed):
    """Clips N x 3 x D x H x W: integer pixels floor(256·u) minus the ActivityNet mean, as float32."""
    shape = tuple(int(s) for s in shape)
    pixels = np.floor(256.0 * seeded_uniform(name, int(np.prod(shape, dtype=np.int64)), case_seed)).reshape(shape)
    mean = np.asarray(ACTIVITYNET_MEAN, dtype=np.float64).reshape(1, 3, 1, 1, 1)
    return np.ascontiguousarray((pixels - mean).astype(np.float32))


def _seeded_scalar_reference(name, shape, case_seed, i):
    """Plain-integer version of one element of seeded_tensor, used by the self-check."""
    fan_in = 1
    for s in shape[1:]:
        fan_in *= s
    state = (fnv1a64(name) + case_seed * GOLDEN) % M64
    z = (state + (i + 1) * GOLDEN) % M64
    z = ((z ^ (z >> 30)) * MIX1) % M64
    z = ((z ^ (z >> 27)) * MIX2) % M64
    z = z ^ (z >> 31)
    u = (z >> 40) / 2 ** 24
    return np.float32((2.0 * u - 1.0) / math.sqrt(fan_in))


def is_seeded(name, tensor):
    return name.endswith(".weight") and tensor.dim() >= 2


def self_check():
    shape = (24, 3, 3, 3, 3)
    t = seeded_tensor("conv1.0.weight", shape, 7)
    flat = t.reshape(-1)
    for i in list(range(8)) + [flat.size - 1]:
        ref = _seeded_scalar_reference("conv1.0.weight", shape, 7, i)
        if flat[i].tobytes() != ref.tobytes():
            raise AssertionError("seeded_tensor mismatch at %d: %r vs %r" % (i, flat[i], ref))
    print("self-check seeded_tensor('conv1.0.weight', %s, 7)[:4] = %s"
          % (shape, ", ".join("%.9g" % v for v in flat[:4])))


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------

def default_cases():
    cases = []
    seed = 101

    def add(**kw):
        nonlocal seed
        kw.setdefault("full_weights", False)
        kw["seed"] = seed
        seed += 1
        cases.append(kw)

    # V1: PyTorch's AvgPool3d refuses an (unpadded) input smaller than its (2,3,3) kernel, so the
    # stage-3 shortcut needs H and W >= 33 (ceil(ceil(ceil(ceil(H/2)/2)/2)/2) >= 3).
    for g in (1, 3):
        for w in (0.25, 0.5, 1.0, 1.5, 2.0):
            add(name="v1_g%d_w%s" % (g, w), arch="shufflenet", width=w, groups=g, classes=5,
                batch=1, frames=16, height=33, width_px=34)
    for g in (2, 4, 8):
        for w in (1.0, 2.0):
            add(name="v1_g%d_w%s" % (g, w), arch="shufflenet", width=w, groups=g, classes=5,
                batch=1, frames=16, height=33, width_px=34)
    add(name="v1_g3_w1.0_b3_d15", arch="shufflenet", width=1.0, groups=3, classes=7,
        batch=3, frames=15, height=34, width_px=33)

    for w in (0.25, 0.5, 1.0, 1.5, 2.0):
        add(name="v2_w%s" % w, arch="shufflenetv2", width=w, groups=None, classes=5,
            batch=1, frames=16, height=24, width_px=32)
    add(name="v2_w1.0_b2_d8", arch="shufflenetv2", width=1.0, groups=None, classes=6,
        batch=2, frames=8, height=28, width_px=20)
    add(name="v2_w0.5_d20", arch="shufflenetv2", width=0.5, groups=None, classes=4,
        batch=1, frames=20, height=40, width_px=24)
    add(name="v2_w0.25_64x48", arch="shufflenetv2", width=0.25, groups=None, classes=10,
        batch=1, frames=16, height=64, width_px=48)

    add(name="v1_g3_w0.25_full", arch="shufflenet", width=0.25, groups=3, classes=5,
        batch=2, frames=16, height=34, width_px=33, full_weights=True, checkpoints=True)
    add(name="v2_w0.25_full", arch="shufflenetv2", width=0.25, groups=None, classes=5,
        batch=2, frames=12, height=32, width_px=24, full_weights=True, checkpoints=True)
    return cases


def check_v1_shape(frames, height, width_px):
    """The seed V1 network only runs in PyTorch for these clip shapes."""
    d = -(-frames // 2)
    if d % 8 != 0:
        raise ValueError("ShuffleNet V1 needs ceil(frames/2) to be a multiple of 8, got frames=%d" % frames)
    for label, size in (("height", height), ("width", width_px)):
        s = size
        for _ in range(4):  # stem conv, max pool, stage 1, stage 2
            s = -(-s // 2)
        if s < 3:
            raise ValueError("ShuffleNet V1 in PyTorch needs %s >= 33 (stage-3 shortcut pool), got %d"
                             % (label, size))


def build_model(case):
    if case["arch"] == "shufflenet":
        return ShuffleNet(groups=int(case["groups"]), width_mult=float(case["width"]),
                          num_classes=int(case["classes"]))
    if case["arch"] == "shufflenetv2":
        return ShuffleNetV2(num_classes=int(case["classes"]), sample_size=112,
                            width_mult=float(case["width"]))
    raise ValueError("unknown arch %r" % case["arch"])


def random_clip(rs, batch, frames, height, width):
    pixels = rs.randint(0, 256, size=(batch, 3, frames, height, width)).astype(np.float64)
    mean = np.asarray(ACTIVITYNET_MEAN, dtype=np.float64).reshape(1, 3, 1, 1, 1)
    return np.ascontiguousarray((pixels - mean).astype(np.float32))


def prepare_model(case):
    """Builds the float32 eval-mode model of a case, with seeded weights and calibrated batch norm."""
    seed = int(case["seed"])
    torch.manual_seed(seed)
    rs = np.random.RandomState(seed)
    model = build_model(case).float()

    with torch.no_grad():
        for name, p in model.state_dict().items():
            if is_seeded(name, p):
                p.copy_(torch.from_numpy(seeded_tensor(name, tuple(p.shape), seed)))
        for m in model.modules():
            if isinstance(m, nn.Linear) and m.bias is not None:
                bound = 1.0 / math.sqrt(m.in_features)
                nn.init.uniform_(m.bias, -bound, bound)

    # Batch norm calibration, in float64 so that the statistics do not depend on float32 summation order.
    model.double()
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm3d)]
    for bn in bns:
        c = bn.num_features
        with torch.no_grad():
            bn.weight.copy_(torch.from_numpy(rs.uniform(0.5, 1.5, c)))
            bn.bias.copy_(torch.from_numpy(rs.uniform(-0.2, 0.2, c)))
        bn.momentum = None  # cumulative moving average
        bn.reset_running_stats()
    model.train()
    with torch.no_grad():
        for _ in range(CALIBRATION_PASSES):
            clip = random_clip(rs, CALIBRATION_BATCH, case["frames"], case["height"], case["width_px"])
            model(torch.from_numpy(clip).double())
        for bn in bns:
            c = bn.num_features
            std = torch.sqrt(bn.running_var)
            bn.running_mean += 0.1 * std * torch.from_numpy(rs.standard_normal(c))
            bn.running_var *= torch.from_numpy(rs.uniform(0.8, 1.25, c))
            bn.momentum = 0.1
    model.float()
    model.eval()
    return model, rs


def state_arrays(model):
    out = {}
    for name, t in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        out[name] = np.ascontiguousarray(t.detach().cpu().numpy().astype("<f4"))
    return out


def atomic_write_npz(path, arrays):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path, text):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def run_case(case, out_dir):
    if case["arch"] == "shufflenet":
        check_v1_shape(case["frames"], case["height"], case["width_px"])
    model, rs = prepare_model(case)

    x = random_clip(rs, case["batch"], case["frames"], case["height"], case["width_px"])
    reference = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        y64 = reference(torch.from_numpy(x).double()).numpy()
        y32 = model(torch.from_numpy(x)).numpy()
    logits = y64.astype(np.float32)

    max_y = float(np.max(np.abs(y64)))
    err32 = float(np.max(np.abs(y32.astype(np.float64) - y64)))
    tol = 1e-4 * max(1.0, max_y)

    params = state_arrays(model)
    arrays = {"input": x, "logits": np.ascontiguousarray(logits.astype("<f4"))}
    seeded = set(n for n, t in model.state_dict().items() if is_seeded(n, t))
    for name, arr in params.items():
        if name not in seeded:
            arrays[name] = arr
    atomic_write_npz(os.path.join(out_dir, case["name"] + ".npz"), arrays)
    if case.get("full_weights"):
        atomic_write_npz(os.path.join(out_dir, case["name"] + ".weights.npz"), params)
    if case.get("checkpoints"):
        case["checkpoint_files"] = write_checkpoints(case, model, x, arrays, out_dir)
        atomic_write_npz(os.path.join(out_dir, case["name"] + ".npz"), arrays)

    n_params = sum(p.numel() for p in model.parameters())
    print("%-22s params %9d  logits %s  max|y| %.4g  max|f32-f64| %.3g  (%.1f%% of tolerance %.3g)"
          % (case["name"], n_params, tuple(logits.shape), max_y, err32, 100.0 * err32 / tol, tol))
    return {"max_abs_logit": max_y, "f32_error": err32, "tolerance": tol}


def float64_logits(model, x):
    reference = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        return reference(torch.from_numpy(x).double()).numpy().astype("<f4")


def reference_checkpoint(case, model, with_momentum):
    """The reference's checkpoint dict: DataParallel keys, num_batches_tracked kept, SGD state with its defaults."""
    trained = copy.deepcopy(model)
    optimizer = torch.optim.SGD(trained.parameters(), lr=0.1, momentum=0.9, dampening=0.9, weight_decay=1e-3)
    if with_momentum:
        trained.train()
        clip = torch.randn(2, 3, case["frames"], case["height"], case["width_px"])
        trained(clip).sum().backward()
        optimizer.step()
    return {
        "epoch": 3,
        "arch": case["arch"],
        "state_dict": OrderedDict(("module." + k, v) for k, v in model.state_dict().items()),
        "optimizer": optimizer.state_dict(),
        "best_prec1": 41.5,
    }


def as_views(state):
    """The same tensors as views into one shared storage, at offsets, the classifier weight transposed."""
    floats = OrderedDict((k, v) for k, v in state.items() if v.is_floating_point())
    total = sum(v.numel() for v in floats.values())
    shared = torch.zeros(total + 7)
    views = OrderedDict()
    position = 7
    for name, value in floats.items():
        n = value.numel()
        if name == "classifier.1.weight":
            region = shared[position:position + n].view(value.shape[1], value.shape[0])
            region.copy_(value.t())
            views[name] = region.t()
        else:
            region = shared[position:position + n].view(value.shape)
            region.copy_(value)
            views[name] = region
        position += n
    return views


def save_checkpoint(obj, path, legacy):
    tmp = path + ".tmp"
    torch.save(obj, tmp, _use_new_zipfile_serialization=not legacy)
    os.replace(tmp, path)


def write_checkpoints(case, model, x, arrays, out_dir):
    """PyTorch checkpoints of a full-weight case, in both formats; returns their cases.json entries."""
    state = OrderedDict((k, v.detach().clone()) for k, v in model.state_dict().items())
    plain = OrderedDict((k, v) for k, v in state.items() if not k.endswith("num_batches_tracked"))
    is_v1 = case["arch"] == "shufflenet"
    written = [("reference.pth", reference_checkpoint(case, model, with_momentum=is_v1), True, "logits")]
    if is_v1:
        half = OrderedDict((k, v.half()) for k, v in plain.items())
        rounded = copy.deepcopy(model)
        rounded.load_state_dict(OrderedDict((k, v.float()) for k, v in half.items()), strict=False)
        arrays["logits_float16"] = float64_logits(rounded, x)
        written += [
            ("zip.pth", plain, False, "logits"),
            ("views.pth", as_views(plain), True, "logits"),
            ("views.zip.pth", as_views(plain), False, "logits"),
            ("float64.pth", OrderedDict((k, v.double()) for k, v in plain.items()), False, "logits"),
            ("float16.pth", half, True, "logits_float16"),
        ]
    entries = []
    for suffix, obj, legacy, expected in written:
        name = "%s.%s" % (case["name"], suffix)
        save_checkpoint(obj, os.path.join(out_dir, name), legacy)
        entries.append({"file": name, "format": "legacy" if legacy else "zip", "logits": expected})
    return entries


def case_entry(case):
    return {
        "name": case["name"],
        "arch": case["arch"],
        "width": float(case["width"]),
        "groups": int(case["groups"]) if case["arch"] == "shufflenet" else None,
        "classes": int(case["classes"]),
        "batch": int(case["batch"]),
        "frames": int(case["frames"]),
        "height": int(case["height"]),
        "width_px": int(case["width_px"]),
        "seed": int(case["seed"]),
        "full_weights": bool(case.get("full_weights", False)),
        "checkpoints": case.get("checkpoint_files", []),
    }


def update_cases_json(out_dir, cases):
    path = os.path.join(out_dir, "cases.json")
    entries = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            entries = json.load(f)
    by_name = {e["name"]: i for i, e in enumerate(entries)}
    for case in cases:
        e = case_entry(case)
        if e["name"] in by_name:
            entries[by_name[e["name"]]] = e
        else:
            by_name[e["name"]] = len(entries)
            entries.append(e)
    atomic_write_text(path, json.dumps(entries, indent=2) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--arch", choices=["shufflenet", "shufflenetv2"],
                    help="write a single case instead of the default list")
    ap.add_argument("--width", type=float, help="width multiplier")
    ap.add_argument("--groups", type=int, help="V1 groups (1, 2, 3, 4, 8)")
    ap.add_argument("--classes", type=int, default=5)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--height", type=int, default=33)
    ap.add_argument("--width-px", type=int, default=34)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--full-weights", action="store_true", help="also write <name>.weights.npz (complete state_dict)")
    ap.add_argument("--checkpoints", action="store_true", help="also write PyTorch .pth checkpoints of the case")
    ap.add_argument("--name", help="case name (file stem)")
    args = ap.parse_args(argv)

    self_check()
    os.makedirs(args.out, exist_ok=True)

    if args.arch is None:
        cases = default_cases()
        names = [c["name"] for c in cases]
        assert len(set(names)) == len(names)
        assert len(set(c["seed"] for c in cases)) == len(cases)
    else:
        if args.width is None:
            ap.error("--width is required with --arch")
        if args.arch == "shufflenet" and args.groups is None:
            ap.error("--groups is required for shufflenet")
        name = args.name
        if name is None:
            name = ("v1_g%d_w%s" % (args.groups, args.width)) if args.arch == "shufflenet" \
                else ("v2_w%s" % args.width)
            name += "_s%d" % args.seed
        cases = [dict(name=name, arch=args.arch, width=args.width,
                      groups=args.groups if args.arch == "shufflenet" else None,
                      classes=args.classes, batch=args.batch, frames=args.frames, height=args.height,
                      width_px=args.width_px, seed=args.seed, full_weights=args.full_weights,
                      checkpoints=args.checkpoints)]

    worst = 0.0
    for case in cases:
        stats = run_case(case, args.out)
        worst = max(worst, stats["f32_error"] / stats["tolerance"])
    update_cases_json(args.out, cases)

    total = 0
    for fn in sorted(os.listdir(args.out)):
        p = os.path.join(args.out, fn)
        if os.path.isfile(p):
            total += os.path.getsize(p)
    print("worst float32 error / tolerance: %.3g" % worst)
    print("total size of %s: %d bytes (%.2f MB)" % (args.out, total, total / 1e6))


if __name__ == "__main__":
    main()
