#!/usr/bin/python3
"""Writes what the reference networks compute before their classifier, for parity cases of generate_fixtures.py.

For each case listed in CASES, the case's model is rebuilt exactly as generate_fixtures.py builds it (seeded weights,
calibrated batch norm) and run in float64, eval mode, on the case's input (read from its parity .npz):

    <name>.npz   feature_map: the last feature map before pooling, [N, C, D', H', W'] (V1: layer3's output,
                 V2: conv_last's)
                 features: its average over D', H', W', [N, C] (what enters the classifier)

Usage (from the repository root, after generate_fixtures.py):
    /usr/bin/python3 zoo-tests/src/test/python/generate_feature_fixtures.py \
        --parity zoo-tests/src/test/resources/fixtures/parity --out zoo-tests/src/test/resources/fixtures/features
"""
import sys

sys.dont_write_bytecode = True

import argparse
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_fixtures import atomic_write_npz, prepare_model  # noqa: E402

CASES = ["v1_g3_w0.25", "v1_g8_w2.0", "v1_g3_w1.0_b3_d15", "v2_w0.25_64x48", "v2_w0.5_d20", "v2_w2.0",
         "v2_w1.0_b2_d8"]


def feature_map(model, arch, x):
    out = model.maxpool(model.conv1(x))
    if arch == "shufflenet":
        return model.layer3(model.layer2(model.layer1(out)))
    return model.conv_last(model.features(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parity", required=True, help="the folder generate_fixtures.py wrote")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.parity, "cases.json"), encoding="utf-8") as f:
        cases = {case["name"]: case for case in json.load(f)}
    for name in CASES:
        case = cases[name]
        model, _ = prepare_model(case)
        x = np.load(os.path.join(args.parity, name + ".npz"))["input"]
        with torch.no_grad():
            reference = model.double().eval()
            maps = feature_map(reference, case["arch"], torch.from_numpy(x).double())
            pooled = F.avg_pool3d(maps, maps.size()[-3:]).view(maps.size(0), -1)
            logits = reference.classifier(pooled).numpy()
        expected = np.load(os.path.join(args.parity, name + ".npz"))["logits"]
        if not np.allclose(logits, expected, rtol=1e-5, atol=1e-5):
            raise AssertionError("%s: the rebuilt model's logits differ from the parity fixture's" % name)
        atomic_write_npz(os.path.join(args.out, name + ".npz"), {
            "feature_map": np.ascontiguousarray(maps.numpy().astype("<f4")),
            "features": np.ascontiguousarray(pooled.numpy().astype("<f4")),
        })
        print("%-20s feature map %s, features %s" % (name, tuple(maps.shape), tuple(pooled.shape)))


if __name__ == "__main__":
    main()
