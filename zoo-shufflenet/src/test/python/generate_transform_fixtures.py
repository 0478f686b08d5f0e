"""Fixtures for the video transforms: real Pillow and the reference's transform classes on small synthetic frames.

The spatial and temporal transform classes below are copies of the reference's (Efficient-3DCNNs,
spatial_transforms.py and temporal_transforms.py, after 3D-ResNets-PyTorch) reduced to what they compute, with two
reference slips corrected as the Java code corrects them: LoopPadding returns the every-downsample-th selection
(upstream returns the padded list unselected) and MultiScaleCornerCrop draws its position among its positions
(upstream indexes them by the number of scales). Random parameters are set directly instead of drawn.

Frames are uniform noise from a seeded NumPy generator (the hardest case for rounding) plus a flat frame and a
1x1 frame. Every case records its inputs by name and its expected output: uint8 pixels for the spatial operations,
float32 values of a [3, T, H, W] clip for the normalisation (computed by torch as the reference's ToTensor and
Normalize do), and 0-based frame indices for the temporal sampling (the reference's are 1-based file numbers).
Pixels and floats are base64 (floats little-endian). Output is deterministic.

    /usr/bin/python3 zoo-shufflenet/src/test/python/generate_transform_fixtures.py \
        --out zoo-shufflenet/src/test/resources/transforms/transforms.json

Dependencies: Python 3, NumPy, Pillow and PyTorch (Debian: apt-get install python3-pil python3-numpy
python3-torch; written with Pillow 9.4, NumPy 1.24, PyTorch 1.13).
"""
import argparse
import base64
import json
import math
import os
import tempfile

import numpy as np
import PIL
import torch
from PIL import Image

BILINEAR = Image.Resampling.BILINEAR
FLIP_LEFT_RIGHT = Image.Transpose.FLIP_LEFT_RIGHT
SCALES = [1.0]
for _ in range(1, 5):
    SCALES.append(SCALES[-1] * 0.84089641525)
POSITIONS = ["c", "tl", "tr", "bl", "br"]
ACTIVITYNET_MEAN = [114.7748, 107.7354, 99.4750]
KINETICS_MEAN = [110.63666788, 103.16065604, 96.29023126]
STD = [38.7568578, 37.88248729, 40.02898126]


# ---------------------------------------------------------------- the reference's spatial transforms

class Scale:
    def __init__(self, size):
        self.size = size

    def __call__(self, img):
        w, h = img.size
        if (w <= h and w == self.size) or (h <= w and h == self.size):
            return img
        if w < h:
            ow = self.size
            oh = int(self.size * h / w)
            return img.resize((ow, oh), BILINEAR)
        oh = self.size
        ow = int(self.size * w / h)
        return img.resize((ow, oh), BILINEAR)


class CenterCrop:
    def __init__(self, size):
        self.size = size  # (th, tw)

    def __call__(self, img):
        w, h = img.size
        th, tw = self.size
        x1 = int(round((w - tw) / 2.))
        y1 = int(round((h - th) / 2.))
        return img.crop((x1, y1, x1 + tw, y1 + th))


class CornerCrop:
    def __init__(self, size, crop_position):
        self.size = size
        self.crop_position = crop_position

    def __call__(self, img):
        image_width, image_height = img.size
        if self.crop_position == 'c':
            th, tw = (self.size, self.size)
            x1 = int(round((image_width - tw) / 2.))
            y1 = int(round((image_height - th) / 2.))
            x2, y2 = x1 + tw, y1 + th
        elif self.crop_position == 'tl':
            x1, y1, x2, y2 = 0, 0, self.size, self.size
        elif self.crop_position == 'tr':
            x1, y1, x2, y2 = image_width - self.size, 0, image_width, self.size
        elif self.crop_position == 'bl':
            x1, y1, x2, y2 = 0, image_height - self.size, self.size, image_height
        else:
            x1, y1, x2, y2 = image_width - self.size, image_height - self.size, image_width, image_height
        return img.crop((x1, y1, x2, y2))


class RandomHorizontalFlip:
    def __init__(self, p):
        self.p = p

    def __call__(self, img):
        if self.p < 0.5:
            return img.transpose(FLIP_LEFT_RIGHT)
        return img


class MultiScaleCornerCrop:
    def __init__(self, size, scale, crop_position):
        self.size = size
        self.scale = scale
        self.crop_position = crop_position

    def __call__(self, img):
        min_length = min(img.size[0], img.size[1])
        crop_size = int(min_length * self.scale)
        image_width, image_height = img.size
        if self.crop_position == 'c':
            center_x = image_width // 2
            center_y = image_height // 2
            box_half = crop_size // 2
            x1, y1 = center_x - box_half, center_y - box_half
            x2, y2 = center_x + box_half, center_y + box_half
        elif self.crop_position == 'tl':
            x1, y1, x2, y2 = 0, 0, crop_size, crop_size
        elif self.crop_position == 'tr':
            x1, y1, x2, y2 = image_width - crop_size, 0, image_width, crop_size
        elif self.crop_position == 'bl':
            x1, y1, x2, y2 = 0, image_height - crop_size, crop_size, image_height
        else:
            x1, y1, x2, y2 = image_width - crop_size, image_height - crop_size, image_width, image_height
        img = img.crop((x1, y1, x2, y2))
        return img.resize((self.size, self.size), BILINEAR)


class MultiScaleRandomCrop:
    def __init__(self, size, scale, tl_x, tl_y):
        self.size = size
        self.scale = scale
        self.tl_x = tl_x
        self.tl_y = tl_y

    def __call__(self, img):
        min_length = min(img.size[0], img.size[1])
        crop_size = int(min_length * self.scale)
        image_width, image_height = img.size
        x1 = self.tl_x * (image_width - crop_size)
        y1 = self.tl_y * (image_height - crop_size)
        x2 = x1 + crop_size
        y2 = y1 + crop_size
        img = img.crop((x1, y1, x2, y2))
        return img.resize((self.size, self.size), BILINEAR)


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img


def to_tensor(pic, norm_value):
    img = torch.from_numpy(np.asarray(pic).copy()).permute(2, 0, 1).contiguous()
    return img.float().div(norm_value)


def normalize(tensor, mean, std):
    for t, m, s in zip(tensor, mean, std):
        t.sub_(m).div_(s)
    return tensor


# ---------------------------------------------------------------- the reference's temporal transforms

def loop_and_select(out, size, downsample):
    clip_duration = size * downsample
    for index in out:
        if len(out) >= clip_duration:
            break
        out.append(index)
    return [out[i] for i in range(0, clip_duration, downsample)]


def loop_padding(frame_indices, size, downsample):
    return loop_and_select(list(frame_indices), size, downsample)


def temporal_begin_crop(frame_indices, size, downsample):
    return loop_and_select(frame_indices[:size * downsample], size, downsample)


def temporal_center_crop(frame_indices, size, downsample):
    clip_duration = size * downsample
    center_index = len(frame_indices) // 2
    begin_index = max(0, center_index - (clip_duration // 2))
    end_index = min(begin_index + clip_duration, len(frame_indices))
    return loop_and_select(frame_indices[begin_index:end_index], size, downsample)


def temporal_random_crop_range(frame_indices, size, downsample):
    """The inclusive upper end of random.randint's draw."""
    return max(0, len(frame_indices) - size * downsample - 1)


def temporal_crop_at(frame_indices, size, downsample, begin_index):
    end_index = min(begin_index + size * downsample, len(frame_indices))
    return loop_and_select(frame_indices[begin_index:end_index], size, downsample)


def sample_windows(n_frames, n_samples_for_each_video, sample_duration):
    """make_dataset's frame_indices for n_samples_for_each_video != 1 (1-based)."""
    if n_samples_for_each_video > 1:
        step = max(1, math.ceil((n_frames - 1 - sample_duration) / (n_samples_for_each_video - 1)))
    else:
        step = sample_duration
    return [list(range(j, min(n_frames + 1, j + sample_duration))) for j in range(1, n_frames, step)]


# ---------------------------------------------------------------- fixtures

def b64(data):
    return base64.b64encode(bytes(data)).decode("ascii")


def frame_json(img):
    return {"width": img.size[0], "height": img.size[1], "pixels": b64(img.tobytes())}


def zero_based(indices):
    return [i - 1 for i in indices]


def spatial_cases(frames):
    cases = []

    def add(op, frame, output, **params):
        cases.append(dict(op=op, input=frame, params=params, output=frame_json(output)))

    # Resizing: down, up, mixed, one dimension only, same size, large factors, a 1x1 and a flat frame.
    for frame, sizes in [
            ("noise17x11", [(7, 5), (9, 11), (17, 4), (40, 23), (23, 7), (17, 11), (3, 29), (1, 1), (16, 16)]),
            ("noise40x30", [(13, 10), (39, 29), (41, 31), (112, 84), (5, 3)]),
            ("noise9x13", [(28, 40), (4, 6), (9, 2)]),
            ("noise97x61", [(7, 5), (33, 20), (96, 60)]),
            ("pixel1x1", [(3, 5)]),
            ("flat12x8", [(5, 7)])]:
        for w, h in sizes:
            add("resize", frame, frames[frame].resize((w, h), BILINEAR), width=w, height=h)

    # Cropping: inside, partly and wholly outside (zero padding), float boxes rounded half to even.
    for frame, box in [
            ("noise17x11", (2, 3, 9, 8)), ("noise17x11", (0, 0, 17, 11)), ("noise17x11", (-3, -2, 5, 4)),
            ("noise17x11", (12, 7, 20, 15)), ("noise17x11", (-2, -1, 19, 13)), ("noise17x11", (20, 12, 23, 14)),
            ("noise17x11", (2.5, 1.5, 7.5, 6.5)), ("noise17x11", (3.5, 0.5, 9.49999, 10.5000001)),
            ("noise40x30", (0.3, 0.7, 12.6, 10.2)), ("noise9x13", (-1.5, -0.5, 4.5, 13.5))]:
        add("crop", frame, frames[frame].crop(box), box=list(box))

    for frame in ["noise17x11", "noise9x13", "pixel1x1"]:
        add("flip", frame, frames[frame].transpose(FLIP_LEFT_RIGHT))

    # The reference's transforms.
    for frame in ["noise17x11", "noise9x13", "noise40x30", "noise97x61"]:
        for size in [4, 9, 11, 13, 20]:
            add("scale", frame, Scale(size)(frames[frame]), size=size)
    for frame, (th, tw) in [("noise17x11", (5, 5)), ("noise17x11", (6, 8)), ("noise17x11", (11, 17)),
                            ("noise9x13", (4, 3)), ("noise40x30", (7, 10))]:
        add("center_crop", frame, CenterCrop((th, tw))(frames[frame]), height=th, width=tw)
    for frame, size in [("noise17x11", 6), ("noise17x11", 11), ("noise9x13", 5), ("noise40x30", 29)]:
        for position in POSITIONS:
            add("corner_crop", frame, CornerCrop(size, position)(frames[frame]), size=size, position=position)
    for frame, size in [("noise31x23", 8), ("noise24x40", 16)]:
        for scale in SCALES:
            for position in POSITIONS:
                add("multiscale_corner_crop", frame, MultiScaleCornerCrop(size, scale, position)(frames[frame]),
                    size=size, scale=scale, position=position)
    rs = np.random.RandomState(7)
    corners = [(0.0, 0.0), (1.0, 1.0), (0.5, 0.5), (0.25, 0.75)]
    for frame, size in [("noise31x23", 8), ("noise24x40", 16), ("noise17x11", 11)]:
        for scale in SCALES:
            for tl_x, tl_y in corners + [tuple(float(v) for v in rs.random_sample(2)) for _ in range(2)]:
                add("multiscale_random_crop", frame, MultiScaleRandomCrop(size, scale, tl_x, tl_y)(frames[frame]),
                    size=size, scale=scale, x=tl_x, y=tl_y)
    return cases


def clip_cases(frames):
    """Whole clips: the reference's training, validation and test compositions, then ToTensor and Normalize."""
    clip = ["noise40x30", "noise40x30b", "noise40x30c"]
    pipelines = [
        ("validation", dict(size=16), Compose([Scale(16), CenterCrop((16, 16))])),
        ("test", dict(size=16), Compose([Scale(16), CornerCrop(16, 'c')])),
        ("training_corner", dict(size=16, flip=True, scale=SCALES[2], position="tr"),
         Compose([RandomHorizontalFlip(0.3), MultiScaleCornerCrop(16, SCALES[2], "tr")])),
        ("training_random", dict(size=12, flip=False, scale=SCALES[3], x=0.625, y=0.125),
         Compose([RandomHorizontalFlip(0.7), MultiScaleRandomCrop(12, SCALES[3], 0.625, 0.125)])),
    ]
    normalisations = [
        dict(mean="activitynet", std=False, norm_value=1.0, order="RGB"),
        dict(mean="kinetics", std=False, norm_value=1.0, order="BGR"),
        dict(mean="activitynet", std=True, norm_value=255.0, order="RGB"),
        dict(mean="kinetics", std=True, norm_value=1.0, order="BGR"),
        dict(mean="none", std=False, norm_value=255.0, order="RGB"),
    ]
    cases = []
    for name, params, pipeline in pipelines:
        for norm in normalisations:
            nv = norm["norm_value"]
            mean = {"activitynet": ACTIVITYNET_MEAN, "kinetics": KINETICS_MEAN, "none": [0, 0, 0]}[norm["mean"]]
            mean = [m / nv for m in mean]
            std = [s / nv for s in STD] if norm["std"] else [1, 1, 1]
            tensors = []
            for frame in clip:
                img = frames[frame]
                if norm["order"] == "BGR":
                    img = Image.fromarray(np.asarray(img)[:, :, ::-1].copy())
                tensors.append(normalize(to_tensor(pipeline(img), nv), mean, std))
            values = torch.stack(tensors, 0).permute(1, 0, 2, 3).contiguous().numpy()
            cases.append(dict(op="clip", pipeline=name, params=params, inputs=clip, normalization=norm,
                              shape=list(values.shape), values=b64(values.astype("<f4").tobytes())))
    return cases


def temporal_cases():
    cases = []
    for n in [1, 2, 5, 15, 16, 17, 31, 32, 33, 40, 100]:
        video = list(range(1, n + 1))
        for size, downsample in [(16, 1), (16, 2), (4, 1), (4, 3), (1, 1)]:
            duration = size * downsample
            params = dict(n=n, size=size, downsample=downsample)
            cases.append(dict(op="temporal_center", params=params,
                              indices=zero_based(temporal_center_crop(list(video), size, downsample))))
            cases.append(dict(op="temporal_begin", params=params,
                              indices=zero_based(temporal_begin_crop(list(video), size, downsample))))
            cases.append(dict(op="temporal_loop", params=params,
                              indices=zero_based(loop_padding(list(video), size, downsample))))
            last = temporal_random_crop_range(video, size, downsample)
            cases.append(dict(op="temporal_random_range", params=params, last_begin=last))
            for begin in sorted({0, last // 2, last, n - 1}):
                cases.append(dict(op="temporal_at", params=dict(params, begin=begin),
                                  indices=zero_based(temporal_crop_at(list(video), size, downsample, begin))))
            if n > 1:
                clips = [zero_based(loop_padding(w, size, downsample)) for w in sample_windows(n, 0, duration)]
                cases.append(dict(op="test_clips", params=params, clips=clips))
                for k in [2, 3, 5]:
                    clips = [zero_based(loop_padding(w, size, downsample)) for w in sample_windows(n, k, duration)]
                    cases.append(dict(op="validation_clips", params=dict(params, k=k), clips=clips))
    return cases


def make_frames():
    rs = np.random.RandomState(20191)

    def noise(w, h):
        return Image.fromarray(rs.randint(0, 256, size=(h, w, 3)).astype(np.uint8), "RGB")

    frames = {}
    for name, (w, h) in [("noise17x11", (17, 11)), ("noise40x30", (40, 30)), ("noise40x30b", (40, 30)),
                         ("noise40x30c", (40, 30)), ("noise9x13", (9, 13)), ("noise97x61", (97, 61)),
                         ("noise31x23", (31, 23)), ("noise24x40", (24, 40))]:
        frames[name] = noise(w, h)
    frames["pixel1x1"] = Image.new("RGB", (1, 1), (255, 0, 128))
    frames["flat12x8"] = Image.new("RGB", (12, 8), (255, 254, 1))
    return frames


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="the JSON file to write")
    args = parser.parse_args()
    frames = make_frames()
    fixtures = {
        "pillow": PIL.__version__,
        "torch": torch.__version__,
        "frames": {name: frame_json(img) for name, img in frames.items()},
        "cases": spatial_cases(frames) + clip_cases(frames) + temporal_cases(),
    }
    atomic_write_text(args.out, json.dumps(fixtures, separators=(",", ":")) + "\n")
    counts = {}
    for case in fixtures["cases"]:
        counts[case["op"]] = counts.get(case["op"], 0) + 1
    print("%s: %d bytes, %s" % (args.out, os.path.getsize(args.out), counts))


if __name__ == "__main__":
    main()
