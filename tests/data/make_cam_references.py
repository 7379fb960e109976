#!/usr/bin/python3
"""Makes the Grad-CAM fixtures of tests/core/tst_gradcam.cpp: two small ResNets written with
torchvision's own ResNet-18 code (made narrow so the files stay small), one traced and one
scripted, and reference maps computed here with the reference formulas.

    /usr/bin/python3 tests/data/make_cam_references.py

Needs Debian's python3-torch, python3-torchvision and python3-numpy (run as root it installs them
with apt-get when an import fails). Everything is seeded: running it again gives the same files.
It writes into tests/data/camref/:

    resnet_traced.pt / .json     torchvision.models.resnet18 with widths 4-8-16-32, one logit of
                                 "generated", torch.jit.trace at 128 x 128
    resnet_scripted.pt / .json   the same code, 3 class logits (real, sdxl, dalle3), torch.jit.script
    inputs.bin                   4 network inputs, float32 [4, 3, 128, 128], little-endian, C order
    input_<i>.png                the same images as 8-bit RGB: inputs = (png / 255 - 0.5) / 0.5
    layers_<model>.json          every named submodule with its output shape at [1, 3, 128, 128]
    cam_<model>_<layer>_<method>_<target>.bin
                                 float32: [4, h, w] normalised maps at the layer's resolution; for
                                 layer4 / gradcampp / predicted then also [4, 128, 128], the same maps
                                 upsampled (bilinear, align_corners=False), as manifest.json says
    manifest.json                every map file with its model, layer, method, target and shapes

Formulas (DESIGN.md; pytorch-grad-cam and TorchCAM), with A the layer's activations on the clean
input and G = d score / dA, the score summed over the batch (eval mode: images are independent):
  score: 1-logit model: "generated" = the logit, "real" = minus the logit, "predicted" = generated
         when the logit > 0, else real; 3-class model: the class's raw logit, "predicted" = argmax.
  Grad-CAM:   w_k = mean_ij G;  cam = ReLU(sum_k w_k A_k)
  Grad-CAM++: alpha = G^2 / (2 G^2 + S_k G^3 + 1e-7), S_k = sum_ab A_k(a, b), alpha = 0 where G = 0;
              w_k = sum_ij ReLU(G) alpha;  cam = ReLU(sum_k w_k A_k)
  Smooth Grad-CAM++: n = 4 copies x + noise, noise = torch.randn(x.shape, generator=g) * 0.3 with
              g = torch.Generator().manual_seed(1234), drawn in order; G1, G2, G3 = means of G, G^2,
              G^3 over the copies (targets as decided on the clean input); alpha = G2 / (2 G2 + S_k G3
              + 1e-7), alpha = 0 where G2 = 0; w_k = sum_ij ReLU(G1) alpha; A from the clean input.
  normalise:  cam - min, then / (max + 1e-7) per image.
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.basename(__file__)
# Reproducible .pt files: fixed string hashing, and this script's path as Python sees it.
if os.environ.get("PYTHONHASHSEED") != "0" or __file__ != SCRIPT:
    os.environ["PYTHONHASHSEED"] = "0"
    os.chdir(HERE)
    rerun = f"import runpy, sys; sys.argv[0] = {SCRIPT!r}; runpy.run_path({SCRIPT!r}, run_name='__main__')"
    os.execv(sys.executable, [sys.executable, "-c", rerun] + sys.argv[1:])

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    import torchvision
    from PIL import Image
except ImportError:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "python3-torch", "python3-torchvision", "python3-numpy",
                        "python3-pil"], check=True)
        os.execv(sys.executable, [sys.executable, os.path.join(HERE, SCRIPT)] + sys.argv[1:])
    sys.exit("needs python3-torch, python3-torchvision, python3-numpy and python3-pil from Debian")

OUT = os.path.join(HERE, "camref")
SIZE = 128
EPS = 1e-7
SAMPLES, SIGMA, SEED = 4, 0.3, 1234
WIDTHS = (4, 8, 16, 32)


def narrow_resnet18(classes):
    """torchvision's ResNet-18, its layers replaced by narrow ones; its forward code untouched."""
    model = torchvision.models.resnet18(weights=None, num_classes=classes)
    model.conv1 = nn.Conv2d(3, WIDTHS[0], kernel_size=7, stride=2, padding=3, bias=False)
    model.bn1 = nn.BatchNorm2d(WIDTHS[0])
    previous = WIDTHS[0]
    for layer, width in zip((model.layer1, model.layer2, model.layer3, model.layer4), WIDTHS):
        for index, block in enumerate(layer):
            cin = previous if index == 0 else width
            block.conv1 = nn.Conv2d(cin, width, 3, stride=block.stride, padding=1, bias=False)
            block.bn1 = nn.BatchNorm2d(width)
            block.conv2 = nn.Conv2d(width, width, 3, stride=1, padding=1, bias=False)
            block.bn2 = nn.BatchNorm2d(width)
            if block.downsample is not None:
                block.downsample = nn.Sequential(nn.Conv2d(cin, width, 1, stride=block.stride, bias=False),
                                                 nn.BatchNorm2d(width))
        previous = width
    model.fc = nn.Linear(WIDTHS[-1], classes)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):  # batch norm that does something
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.1, 0.3)
    return model.eval()


def make_inputs():
    rng = np.random.default_rng(5)
    pngs = []
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    for i in range(4):
        base = np.zeros((SIZE, SIZE, 3))
        for c in range(3):
            f1, f2, ph = rng.uniform(1, 6), rng.uniform(1, 6), rng.uniform(0, 6.3)
            base[..., c] = 0.5 + 0.25 * np.sin(2 * np.pi * (f1 * xx + f2 * yy) + ph)
        for _ in range(6):  # a few bright discs
            cx, cy, r = rng.uniform(0, 1, 2).tolist() + [rng.uniform(0.05, 0.2)]
            mask = (xx - cx) ** 2 + (yy - cy) ** 2 < r ** 2
            base[mask] = rng.uniform(0, 1, 3)
        base += rng.normal(0, 0.03, base.shape)
        pngs.append(np.clip(np.round(base * 255), 0, 255).astype(np.uint8))
    x = torch.tensor(np.stack(pngs), dtype=torch.float32).permute(0, 3, 1, 2) / 255.0
    return pngs, (x - 0.5) / 0.5


def module_by_name(model, name):
    m = model
    for part in name.split("."):
        m = getattr(m, part)
    return m


def evidence(model, x, layer, scores):
    """A and G for input x at `layer`, for the score function of the output."""
    store = {}
    handle = module_by_name(model, layer).register_forward_hook(lambda mod, i, o: store.__setitem__("a", o))
    out = model(x)
    handle.remove()
    a = store["a"]
    g = torch.autograd.grad(scores(out).sum(), a)[0]
    return out.detach(), a.detach().double().numpy(), g.detach().double().numpy()


def normalise(cam):
    cam = np.maximum(cam, 0)
    cam = cam - cam.min()
    return cam / (cam.max() + EPS)


def maps_for(model, x, layer, method, target, classes):
    with torch.no_grad():
        clean = model(x)
    n = x.shape[0]
    if classes == 1:
        logit = clean[:, 0]
        if target == "predicted":
            signs = torch.where(logit > 0, 1.0, -1.0)
        else:
            signs = torch.full((n,), 1.0 if target == "generated" else -1.0)
        scores = lambda out: out[:, 0] * signs
    else:
        if target == "predicted":
            idx = clean.argmax(1)
        else:
            idx = torch.full((n,), int(target[5:]), dtype=torch.long)
        scores = lambda out: out.gather(1, idx[:, None])[:, 0]
    _, a, g = evidence(model, x, layer, scores)
    if method == "smoothgradcampp":
        gen = torch.Generator().manual_seed(SEED)
        g1 = np.zeros_like(g)
        g2 = np.zeros_like(g)
        g3 = np.zeros_like(g)
        for _ in range(SAMPLES):
            noise = torch.randn(x.shape, generator=gen) * SIGMA
            _, _, gt = evidence(model, x + noise, layer, scores)
            g1 += gt
            g2 += gt ** 2
            g3 += gt ** 3
        g1, g2, g3 = g1 / SAMPLES, g2 / SAMPLES, g3 / SAMPLES
    else:
        g1, g2, g3 = g, g ** 2, g ** 3
    out = []
    for i in range(n):
        A = a[i]
        if method == "gradcam":
            w = g1[i].mean(axis=(1, 2))
        else:
            s = A.sum(axis=(1, 2))[:, None, None]
            alpha = g2[i] / (2 * g2[i] + s * g3[i] + EPS)
            alpha = np.where(g2[i] != 0, alpha, 0.0)
            w = (np.maximum(g1[i], 0) * alpha).sum(axis=(1, 2))
        out.append(normalise((w[:, None, None] * A).sum(axis=0)))
    small = np.stack(out).astype(np.float32)
    big = F.interpolate(torch.tensor(small)[:, None], size=(SIZE, SIZE), mode="bilinear",
                        align_corners=False)[:, 0].numpy().astype(np.float32)
    return small, big


def layer_shapes(model):
    shapes = []
    handles = []
    for name, m in model.named_modules():
        if name:
            handles.append(m.register_forward_hook(
                lambda mod, i, o, name=name: shapes.append({"name": name, "shape": list(o.shape)})))
    with torch.no_grad():
        model(torch.zeros(1, 3, SIZE, SIZE))
    for h in handles:
        h.remove()
    # One entry per module: a module called twice (the blocks' shared ReLU) keeps its last shape.
    last = {}
    for s in shapes:
        last[s["name"]] = s["shape"]
    return [{"name": n, "shape": last[n]} for n, _ in model.named_modules() if n and n in last]


def sidecar(name, classes):
    spec = {"name": name, "input": {"size": SIZE, "resize_policy": "resize", "resize_to": SIZE,
                                    "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "channel_order": "rgb"}}
    if classes == 1:
        spec["output"] = "logit-generated"
    else:
        spec["output"] = "source-classes"
        spec["classes"] = ["real", "sdxl", "dalle3"]
        spec["real_source"] = "real"
    return spec


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(4)  # a seed whose maps are not flat (see the check below)
    pngs, x = make_inputs()
    for i, p in enumerate(pngs):
        Image.fromarray(p).save(os.path.join(OUT, f"input_{i}.png"))
    x.numpy().astype("<f4").tofile(os.path.join(OUT, "inputs.bin"))
    manifest = {"size": SIZE, "eps": EPS, "smooth": {"samples": SAMPLES, "sigma": SIGMA, "seed": SEED}, "maps": []}
    flat = 0  # configurations whose maps ReLU flattens to 0 on most images: keep them rare
    setups = (("resnet_traced", 1, ("predicted", "real")), ("resnet_scripted", 3, ("predicted", "class0", "class2")))
    for name, classes, targets in setups:
        model = narrow_resnet18(classes)
        exported = torch.jit.trace(model, torch.zeros(1, 3, SIZE, SIZE)) if classes == 1 else torch.jit.script(model)
        exported.save(os.path.join(OUT, name + ".pt"))
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(sidecar(name.replace("_", " "), classes), f, indent=2)
        with torch.no_grad():
            assert torch.allclose(exported(x), model(x), atol=1e-5)
        with open(os.path.join(OUT, f"layers_{name}.json"), "w") as f:
            json.dump(layer_shapes(model), f, indent=1)
        for layer in ("layer4", "layer3", "layer3.0.conv2"):
            for method in ("gradcam", "gradcampp", "smoothgradcampp"):
                for target in targets:
                    small, big = maps_for(model, x, layer, method, target, classes)
                    varied = sum(float(m.max() - m.min()) > 0.1 for m in small)
                    flat += 0 if varied >= 3 else 1
                    path = f"cam_{name}_{layer}_{method}_{target}.bin"
                    # The upsampled maps only where the test checks the way to image size: they are big.
                    with_image = layer == "layer4" and method == "gradcampp" and target == "predicted"
                    with open(os.path.join(OUT, path), "wb") as f:
                        f.write(small.astype("<f4").tobytes() + (big.astype("<f4").tobytes() if with_image else b""))
                    manifest["maps"].append({"file": path, "model": name, "layer": layer, "method": method,
                                             "target": target, "layer_shape": list(small.shape),
                                             "image_shape": list(big.shape) if with_image else []})
    assert flat <= 1, f"{flat} configurations give flat maps: pick another seed"
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"wrote {len(manifest['maps'])} reference maps to {OUT}")


if __name__ == "__main__":
    main()
