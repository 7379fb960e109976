#!/usr/bin/python3
"""Makes the fixtures of tests/core/tst_preprocess.cpp: images, and what torchvision itself makes of
them, so that NameThatTrue's model inputs are checked against the Python pipeline researchers use.

    /usr/bin/python3 tests/data/make_preprocess_fixtures.py

Needs Debian's python3-torch, python3-torchvision, python3-pil and python3-numpy. Everything is
seeded: running it again gives the same files. It writes into tests/data/preprocess/:

    <image>.jpg / .png        small seeded images (smooth shapes, sharp edges and noise, so that
                              antialiasing matters), JPEG and PNG, colour and grey, shrunk, enlarged
                              and kept at the input size
    configs.json              the model input settings (a sidecar's "input" object) by name
    expected_<config>_<image>.bin
                              float32 [3, 32, 32], little-endian, C order: the network input
                              torchvision made:
                              - antialias true: PIL decode, .convert("RGB"), Resize(resize_to or
                                (size, size), interpolation), CenterCrop(size), ToTensor, Normalize
                                (torchvision's transforms on a PIL image)
                              - antialias false: the same decode as a uint8 tensor (PILToTensor),
                                Resize(..., antialias=False), CenterCrop, ConvertImageDtype(float),
                                Normalize (torchvision's transforms on a tensor)
    probe_traced.pt / .json   a small CNN (one logit of "generated") traced at 128 px, whose output
                              moves with fine detail, and its sidecar (resize-crop 146 -> 128, bilinear,
                              antialias, mean and std 0.5)
    preal_probe_traced.json   its P(real) and logit on each image through Resize(146) + CenterCrop(128)
                              + ToTensor + Normalize(0.5, 0.5) on the PIL image
"""

import json
import os
import sys

try:
    import numpy as np
    import torch
    import torchvision.transforms as T
    from PIL import Image, ImageDraw
except ImportError:
    sys.exit("needs Debian's python3-torch, python3-torchvision, python3-pil: "
             "apt-get install python3-torchvision python3-pil")

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "preprocess")


def picture(rng, width, height, grey=False):
    """Smooth colour field, a few hard-edged shapes, fine noise: detail at every scale."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    img = np.zeros((height, width, 3))
    for c in range(3):
        fx, fy, phase = rng.uniform(0.5, 4.0), rng.uniform(0.5, 4.0), rng.uniform(0, 6.28)
        img[..., c] = 127 + 100 * np.sin(2 * np.pi * (fx * xx / width + fy * yy / height) + phase)
    img += rng.normal(0, 18, img.shape)
    im = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(im)
    for _ in range(6):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x1, y1 = x0 + int(rng.integers(2, max(3, width // 3))), y0 + int(rng.integers(2, max(3, height // 3)))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        (draw.rectangle if rng.random() < 0.5 else draw.ellipse)([x0, y0, x1, y1], fill=colour)
    for k in range(0, width, 7):  # one-pixel stripes: aliasing shows at once without a low-pass filter
        draw.line([k, 0, k + height // 2, height - 1], fill=(255, 255, 255) if k % 14 else (0, 0, 0))
    return im.convert("L") if grey else im


class Probe(torch.nn.Module):
    """A small CNN whose logit moves by whole units with the image's content and fine detail, so
    that a preprocessing that differs from torchvision's shows in P(real)."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.head = torch.nn.Linear(16, 1)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        return self.head(x.mean(dim=(2, 3)))


def main():
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261129)
    images = {
        "photo_400x300.jpg": picture(rng, 400, 300),
        "portrait_150x233.jpg": picture(rng, 150, 233),
        "wide_257x131.png": picture(rng, 257, 131),
        "grey_120x80.png": picture(rng, 120, 80, grey=True),
        "small_29x23.png": picture(rng, 29, 23),
        "exact_37x37.png": picture(rng, 37, 37),
    }
    for name, im in images.items():
        if name.endswith(".jpg"):
            im.save(os.path.join(out, name), quality=90)
        else:
            im.save(os.path.join(out, name))

    imagenet = {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "channel_order": "rgb"}
    configs = {
        "crop_bilinear_aa": dict(size=32, resize_policy="resize-crop", resize_to=37, interpolation="bilinear",
                                 antialias=True, **imagenet),
        "crop_bicubic_aa": dict(size=32, resize_policy="resize-crop", resize_to=37, interpolation="bicubic",
                                antialias=True, **imagenet),
        "resize_bilinear_aa": dict(size=32, resize_policy="resize", resize_to=32, interpolation="bilinear",
                                   antialias=True, **imagenet),
        "crop_nearest_aa": dict(size=32, resize_policy="resize-crop", resize_to=37, interpolation="nearest",
                                antialias=True, **imagenet),
        "crop_bilinear_tensor": dict(size=32, resize_policy="resize-crop", resize_to=37, interpolation="bilinear",
                                     antialias=False, **imagenet),
        "resize_bicubic_tensor": dict(size=32, resize_policy="resize", resize_to=32, interpolation="bicubic",
                                      antialias=False, **imagenet),
        "crop_nearest_tensor": dict(size=32, resize_policy="resize-crop", resize_to=37, interpolation="nearest",
                                    antialias=False, **imagenet),
    }
    modes = {"bilinear": T.InterpolationMode.BILINEAR, "bicubic": T.InterpolationMode.BICUBIC,
             "nearest": T.InterpolationMode.NEAREST}


    def transform(cfg):
        resize = cfg["resize_to"] if cfg["resize_policy"] == "resize-crop" else (cfg["size"], cfg["size"])
        normalize = T.Normalize(cfg["mean"], cfg["std"])
        if cfg["antialias"]:
            return T.Compose([T.Resize(resize, modes[cfg["interpolation"]]), T.CenterCrop(cfg["size"]), T.ToTensor(),
                              normalize])
        return T.Compose([T.PILToTensor(), T.Resize(resize, modes[cfg["interpolation"]], antialias=False),
                          T.CenterCrop(cfg["size"]), T.ConvertImageDtype(torch.float), normalize])


    for cname, cfg in configs.items():
        tf = transform(cfg)
        for name in images:
            x = tf(Image.open(os.path.join(out, name)).convert("RGB"))
            assert tuple(x.shape) == (3, cfg["size"], cfg["size"]), x.shape
            x.numpy().astype("<f4").tofile(os.path.join(out, "expected_%s_%s.bin" % (cname, os.path.splitext(name)[0])))
    with open(os.path.join(out, "configs.json"), "w") as f:
        json.dump(configs, f, indent=2, sort_keys=True)



    torch.manual_seed(7)
    probe = Probe().eval()
    with torch.no_grad():
        probe.head.weight.mul_(12.0)
        probe.head.bias.fill_(0.0)
        # Centre the logit on the fixture images so that P(real) sits where the sigmoid is steep.
        tf = T.Compose([T.Resize(146), T.CenterCrop(128), T.ToTensor(), T.Normalize([0.5] * 3, [0.5] * 3)])
        batch = torch.stack([tf(Image.open(os.path.join(out, n)).convert("RGB")) for n in images])
        probe.head.bias.fill_(-float(probe(batch).mean()))
    traced = torch.jit.trace(probe, torch.zeros(1, 3, 128, 128))
    traced.save(os.path.join(out, "probe_traced.pt"))
    sidecar = {"name": "probe, torchvision eval transform",
               "input": {"size": 128, "resize_policy": "resize-crop", "resize_to": 146, "interpolation": "bilinear",
                         "antialias": True, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "channel_order": "rgb"},
               "output": "logit-generated"}
    with open(os.path.join(out, "probe_traced.json"), "w") as f:
        json.dump(sidecar, f, indent=2, sort_keys=True)
    results = {}
    with torch.no_grad():
        for name in images:
            x = tf(Image.open(os.path.join(out, name)).convert("RGB")).unsqueeze(0)
            logit = float(traced(x).reshape(-1)[0])
            results[name] = {"logit_generated": logit, "p_real": float(torch.sigmoid(torch.tensor(-logit)))}
    with open(os.path.join(out, "preal_probe_traced.json"), "w") as f:
        json.dump({"images": results, "torch": torch.__version__}, f, indent=2, sort_keys=True)
    print("wrote", out)


if __name__ == "__main__":
    main()
