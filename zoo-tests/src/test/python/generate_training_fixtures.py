"""Training fixtures: the seed's models trained a few steps by PyTorch, for the Java training parity tests.

From the full-weight cases of generate_fixtures.py (whose complete initial weights are committed as
<case>.weights.npz), each run takes three optimiser steps in training mode (batch statistics, running statistics
updated with momentum 0.1, dropout disabled) on three batches of 8 clips of 16x48x48, in float64, and writes
<run>.npz: batch<i>/labels (class indices as floats), update/<name> (each parameter's change over the three steps,
taken in float64, stored as float32), for the runs in GRADIENT_RUNS grad0/<name> (each parameter's gradient at the
first step, float64), and final/<name> for every running statistic after the last step; the losses
(one per step, before the step) go into runs.json in full precision. The clips are not stored:
seeded_clip("<run>/batch<i>", shape, seed) makes them, and the Java tests make the same. runs.json lists the runs.
Batches this large keep float32 within about 1e-6 of float64 over the three steps; with two clips of 12x32x24, the
last stages' batch norms see a handful of values and float32 PyTorch itself strays from float64 by several percent.

    /usr/bin/python3 zoo-tests/src/test/python/generate_training_fixtures.py --out zoo-tests/src/test/resources/fixtures/training
"""
import argparse
import copy
import json
import os

import numpy as np
import torch
import torch.nn as nn

from generate_fixtures import atomic_write_npz, atomic_write_text, default_cases, prepare_model, seeded_clip

STEPS = 3
BATCH = 8
CLIP = (16, 48, 48)

# Runs whose first-step gradients are stored in full precision (the Java gradients must match them to 1e-7).
GRADIENT_RUNS = {"v2_w0.25_sgd", "v1_g3_w0.25_sgd"}

RUNS = [
    # name, case, optimiser, settings
    ("v2_w0.25_sgd", "v2_w0.25_full", "sgd",
     dict(lr=1e-4, momentum=0.9, dampening=0.9, weight_decay=1e-3, nesterov=False)),
    ("v1_g3_w0.25_sgd", "v1_g3_w0.25_full", "sgd",
     dict(lr=1e-4, momentum=0.9, dampening=0.9, weight_decay=1e-3, nesterov=False)),
    ("v1_g3_w0.25_nesterov", "v1_g3_w0.25_full", "sgd",
     dict(lr=1e-4, momentum=0.9, dampening=0.0, weight_decay=1e-3, nesterov=True)),
    ("v1_g3_w0.25_adam", "v1_g3_w0.25_full", "adam",
     dict(lr=1e-5, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-3)),
]


def train(run_name, case, optimiser, settings, out_dir, seed):
    model, _ = prepare_model(case)
    model = copy.deepcopy(model).double()
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    model.train()
    initial = {k: v.detach().clone() for k, v in model.named_parameters()}
    params = list(model.parameters())
    opt = torch.optim.SGD(params, **settings) if optimiser == "sgd" else torch.optim.Adam(params, **settings)
    rs = np.random.RandomState(seed)
    arrays = {}
    losses = []
    for step in range(STEPS):
        x = seeded_clip("%s/batch%d" % (run_name, step), (BATCH, 3) + CLIP, seed)
        labels = rs.randint(0, case["classes"], size=BATCH)
        arrays["batch%d/labels" % step] = labels.astype("<f4")
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(torch.from_numpy(x).double()), torch.from_numpy(labels).long())
        loss.backward()
        if step == 0 and run_name in GRADIENT_RUNS:
            for name, value in model.named_parameters():
                arrays["grad0/" + name] = np.ascontiguousarray(value.grad.detach().numpy().astype("<f8"))
        opt.step()
        losses.append(loss.item())
    for name, value in model.named_parameters():
        update = (value.detach() - initial[name]).numpy()
        arrays["update/" + name] = np.ascontiguousarray(update.astype("<f4"))
    for name, value in model.named_buffers():
        if ".running_" in name:
            arrays["final/" + name] = np.ascontiguousarray(value.detach().numpy().astype("<f4"))
    atomic_write_npz(os.path.join(out_dir, run_name + ".npz"), arrays)
    print("%-24s losses %s" % (run_name, " ".join("%.6f" % l for l in losses)))
    entry = {"name": run_name, "case": case["name"], "optimizer": optimiser, "steps": STEPS, "batch": BATCH,
             "clip": list(CLIP), "seed": seed, "losses": losses}
    entry.update({k: (list(v) if isinstance(v, tuple) else v) for k, v in settings.items()})
    return entry


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    cases = {c["name"]: c for c in default_cases()}
    entries = [train(name, cases[case], optimiser, settings, args.out, 500 + i)
               for i, (name, case, optimiser, settings) in enumerate(RUNS)]
    atomic_write_text(os.path.join(args.out, "runs.json"), json.dumps(entries, indent=2) + "\n")


if __name__ == "__main__":
    main()
