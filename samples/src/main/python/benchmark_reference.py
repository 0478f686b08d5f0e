#!/usr/bin/python3
"""Times the reference PyTorch 3D ShuffleNets the way `shufflenet3d benchmark` times the Java port.

For each model, in a fresh process of its own (so that its peak resident memory is its own): the median eval-mode
forward pass (under torch.no_grad()) of random clips at each batch size, and optionally the median training step
(forward, mean cross-entropy, backward, SGD step with the reference's settings) at one batch size, after warm-up
runs. The reference model code is imported from zoo-tests/src/test/python/reference/.

Output, one tab-separated line per measurement (the format `benchmark --compare` reads):

    eval    <model>    <batch>    <median ms>
    train   <model>    <batch>    <median ms>
    memory  <model>    <peak resident MB>

where <model> is shufflenet:<groups>:<width> or shufflenetv2:<width>.

Usage (from the repository root):
    /usr/bin/python3 samples/src/main/python/benchmark_reference.py --threads 2 --model shufflenetv2:1.0 \\
        --batch 1 --batch 8 --train-batch 8
"""
import sys

sys.dont_write_bytecode = True

import argparse
import os
import resource
import statistics
import subprocess
import time

REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, os.pardir, os.pardir,
                         "zoo-tests", "src", "test", "python", "reference")


def parse_model(text):
    parts = text.split(":")
    if parts[0] == "shufflenet" and len(parts) == 3:
        return "shufflenet", int(parts[1]), float(parts[2])
    if parts[0] == "shufflenetv2" and len(parts) == 2:
        return "shufflenetv2", None, float(parts[1])
    raise argparse.ArgumentTypeError(
        "expected shufflenet:<groups>:<width> or shufflenetv2:<width>, got '" + text + "'")


def build(model, classes):
    import torch  # noqa: F401  (imported here so that the parent process stays small)
    sys.path.insert(0, os.path.abspath(REFERENCE))
    arch, groups, width = parse_model(model)
    if arch == "shufflenet":
        from shufflenet import ShuffleNet
        return ShuffleNet(groups=groups, width_mult=width, num_classes=classes)
    from shufflenetv2 import ShuffleNetV2
    return ShuffleNetV2(num_classes=classes, sample_size=112, width_mult=width)


def median_ms(run, warmup, runs):
    for _ in range(warmup):
        run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def measure_one(args):
    """Measures one model in this process and prints its lines."""
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = args.model[0]
    net = build(model, args.classes)
    shape = (3, args.frames, args.height, args.width)
    net.eval()
    with torch.no_grad():
        for batch in args.batch:
            clips = torch.rand(batch, *shape) * 255 - 110
            ms = median_ms(lambda: net(clips), args.warmup, args.runs)
            print("eval\t%s\t%d\t%.3f" % (model, batch, ms), flush=True)
    if args.train_batch:
        net.train()
        # The reference's training settings (opts.py): lr 0.1, momentum 0.9, dampening 0.9, weight decay 1e-3.
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, dampening=0.9, weight_decay=1e-3)
        clips = torch.rand(args.train_batch, *shape) * 255 - 110
        labels = torch.randint(0, args.classes, (args.train_batch,))

        def step():
            optimizer.zero_grad()
            F.cross_entropy(net(clips), labels).backward()
            optimizer.step()

        ms = median_ms(step, max(1, args.warmup // 2), args.runs)
        print("train\t%s\t%d\t%.3f" % (model, args.train_batch, ms), flush=True)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("memory\t%s\t%.1f" % (model, peak_kb / 1024.0), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append", required=True, type=str,
                        help="shufflenet:<groups>:<width> or shufflenetv2:<width>; repeat for several")
    parser.add_argument("--threads", type=int, required=True, help="torch.set_num_threads")
    parser.add_argument("--batch", type=int, action="append", default=[], help="eval batch size; repeatable")
    parser.add_argument("--train-batch", type=int, default=0, help="also time a training step at this batch")
    parser.add_argument("--classes", type=int, default=600)
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--height", type=int, default=112)
    parser.add_argument("--width", type=int, default=112)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    for model in args.model:
        parse_model(model)
    if args.threads < 1 or args.runs < 1 or args.warmup < 0 or any(b < 1 for b in args.batch):
        parser.error("--threads, --runs and --batch must be at least 1 and --warmup at least 0")
    if args.in_process:
        measure_one(args)
        return
    for model in args.model:
        command = [sys.executable, os.path.abspath(__file__), "--in-process", "--model", model]
        subprocess.run(command + strip_models(sys.argv[1:]), check=True)


def strip_models(argv):
    """The command line without its --model options."""
    out = []
    skip = False
    for a in argv:
        if skip:
            skip = False
        elif a == "--model":
            skip = True
        elif not a.startswith("--model="):
            out.append(a)
    return out


if __name__ == "__main__":
    main()
