#!/usr/bin/python3
"""Makes the Grad-CAM fixtures of tests/core/tst_gradcam.cpp: two small ResNets written with
torchvision's own ResNet-18 code (made narrow so the files stay small), one traced and one
scripted, and reference maps computed here by the reference packages themselves:
pytorch-grad-cam (Grad-CAM, Grad-CAM++) and TorchCAM (Smooth Grad-CAM++).

    /usr/bin/python3 tests/data/make_cam_references.py PYTORCH_GRAD_CAM_DIR TORCHCAM_DIR

PYTORCH_GRAD_CAM_DIR is a checkout of github.com/jacobgil/pytorch-grad-cam (the folder holding
pytorch_grad_cam/), TORCHCAM_DIR one of github.com/frgfm/torch-cam (holding torchcam/); neither is
on Debian or needs installing: their modules are loaded from those folders (pytorch-grad-cam's
test-time augmentation, which needs ttach, is not used and is given an empty stand-in). Needs
Debian's python3-torch, python3-torchvision, python3-numpy, python3-pil, python3-opencv,
python3-scipy, python3-matplotlib and python3-sklearn (imported by the packages' modules).
Everything is seeded: running it again gives the same files. It writes into tests/data/camref/:

    resnet_traced.pt / .json     torchvision.models.resnet18 with widths 4-8-16-32, one logit of
                                 "generated", torch.jit.trace at 128 x 128
    resnet_scripted.pt / .json   the same code, 3 class logits (real, sdxl, dalle3), torch.jit.script
    inputs.bin                   4 network inputs, float32 [4, 3, 128, 128], little-endian, C order
    input_<i>.png                the same images as 8-bit RGB: inputs = (png / 255 - 0.5) / 0.5
    layers_<model>.json          every named submodule with its output shape at [1, 3, 128, 128]
    cam_<model>_<layer>_<method>_<target>.bin
                                 float32: [4, h, w] normalised maps at the layer's resolution; for
                                 the configurations manifest.json gives an image_shape, then also
                                 [4, 128, 128], the package's maps at the input's size
    manifest.json                every map file with its model, layer, method, target and shapes,
                                 and the commits of the reference packages

How the maps are made (the packages' own code does each step):
  score: 1-logit model: "generated" = the logit, "real" = minus the logit, "predicted" = generated
         when the logit > 0, else real; 3-class model: the class's raw logit, "predicted" = argmax
         (per-image target callables, as both packages accept).
  Grad-CAM, Grad-CAM++: pytorch_grad_cam.GradCAM / GradCAMPlusPlus. At the layer: the package's
         get_cam_image on the activations and gradients its hooks recorded, np.maximum(cam, 0),
         then utils.image.scale_cam_image (min to 0, / (1e-7 + max)). At the input's size: what
         calling the CAM object returns (cv2.resize to 128 x 128, normalised again).
  Smooth Grad-CAM++: torchcam.methods.SmoothGradCAMpp(num_samples=4, std=0.3) after a clean
         forward pass, with torch.manual_seed(1234) just before the call, so that its noise (drawn
         with the global generator) is torch.randn(shape, generator=torch.Generator().manual_seed(1234))
         * 0.3, copy after copy.
  Layers whose output the model changes in place afterwards (a block's bn2 before "+= identity"
  and ReLU(inplace=True), bn1 before its in-place ReLU): a forward hook registered after the
  package's own hooks hands the rest of the model a clone, so the packages see the layer's output
  (and its gradient) as the layer produced it.
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
    os.execv(sys.executable, [sys.executable, "-c", rerun] + [os.path.abspath(a) for a in sys.argv[1:]])

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torchvision
    from PIL import Image
except ImportError:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "python3-torch", "python3-torchvision", "python3-numpy",
                        "python3-pil", "python3-opencv", "python3-scipy", "python3-matplotlib", "python3-sklearn"],
                       check=True)
        os.execv(sys.executable, [sys.executable, os.path.join(HERE, SCRIPT)] + sys.argv[1:])
    sys.exit("needs python3-torch, python3-torchvision, python3-numpy, python3-pil, python3-opencv, python3-scipy, "
             "python3-matplotlib and python3-sklearn from Debian")

OUT = os.path.join(HERE, "camref")
SIZE = 128
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


def load_reference_packages(grad_cam_dir, torchcam_dir):
    """The reference packages' modules, loaded from their checkouts without installing them."""
    import types
    tta = types.ModuleType("ttach")  # only BaseCAM's test-time augmentation uses it

    class _Unused:
        def __init__(self, *args, **kwargs):
            pass

    tta.Compose = tta.HorizontalFlip = tta.Multiply = _Unused
    sys.modules["ttach"] = tta
    # Packages without their __init__ (which imports every method and its dependencies).
    for name, path in (("pytorch_grad_cam", os.path.join(grad_cam_dir, "pytorch_grad_cam")),
                       ("pytorch_grad_cam.utils", os.path.join(grad_cam_dir, "pytorch_grad_cam", "utils")),
                       ("torchcam", os.path.join(torchcam_dir, "torchcam")),
                       ("torchcam.methods", os.path.join(torchcam_dir, "torchcam", "methods"))):
        if not os.path.isdir(path):
            sys.exit(f"{path} is not a folder: give the checkouts of pytorch-grad-cam and torch-cam")
        package = types.ModuleType(name)
        package.__path__ = [path]
        sys.modules[name] = package
    from pytorch_grad_cam.grad_cam import GradCAM
    from pytorch_grad_cam.grad_cam_plusplus import GradCAMPlusPlus
    from pytorch_grad_cam.utils.image import scale_cam_image
    from torchcam.methods.gradient import SmoothGradCAMpp
    return GradCAM, GradCAMPlusPlus, scale_cam_image, SmoothGradCAMpp


def commit_of(folder):
    try:
        return subprocess.run(["git", "-C", folder, "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


def module_by_name(model, name):
    m = model
    for part in name.split("."):
        m = getattr(m, part)
    return m


def keep_layer_output(model, layer):
    """Hands the rest of the model a clone of the layer's output, so that in-place operations after
    the layer do not change what the packages' hooks (registered before this one) recorded."""
    return module_by_name(model, layer).register_forward_hook(lambda mod, i, o: o.clone())


def target_callables(model, x, target, classes):
    """One callable per image, as both packages take them: the score of that image's output."""
    with torch.no_grad():
        clean = model(x)
    n = x.shape[0]
    if classes == 1:
        logit = clean[:, 0]
        if target == "predicted":
            signs = [1.0 if float(v) > 0 else -1.0 for v in logit]
        else:
            signs = [1.0 if target == "generated" else -1.0] * n
        return [lambda out, s=s: out[0] * s for s in signs]
    idx = clean.argmax(1).tolist() if target == "predicted" else [int(target[5:])] * n
    return [lambda out, c=c: out[c] for c in idx]


def maps_for(refs, model, x, layer, method, target, classes):
    """[4, h, w] maps at the layer, and [4, 128, 128] at the input's size (pytorch-grad-cam only)."""
    GradCAM, GradCAMPlusPlus, scale_cam_image, SmoothGradCAMpp = refs
    targets = target_callables(model, x, target, classes)
    module = module_by_name(model, layer)
    if method in ("gradcam", "gradcampp"):
        cam = (GradCAM if method == "gradcam" else GradCAMPlusPlus)(model=model, target_layers=[module])
        keep = keep_layer_output(model, layer)
        try:
            big = cam(input_tensor=x, targets=targets)
            # The same call's activations and gradients, taken to the layer's normalised map by the
            # package's own steps (compute_cam_per_layer without the resize).
            activations = cam.activations_and_grads.activations[0].cpu().data.numpy()
            gradients = cam.activations_and_grads.gradients[0].cpu().data.numpy()
            small = cam.get_cam_image(x, module, targets, activations, gradients, False)
            small = scale_cam_image(np.maximum(small, 0))
        finally:
            keep.remove()
            cam.activations_and_grads.release()
        return np.float32(small), np.float32(big)
    extractor = SmoothGradCAMpp(model, target_layer=layer, num_samples=SAMPLES, std=SIGMA,
                                input_shape=(3, SIZE, SIZE))
    keep = keep_layer_output(model, layer)
    try:
        model(x)
        # The global generator, seeded for the noise and put back afterwards so that the models made
        # after this call get the same weights as ever.
        state = torch.get_rng_state()
        torch.manual_seed(SEED)
        small = extractor(targets=targets)[0].detach().numpy()
        torch.set_rng_state(state)
    finally:
        keep.remove()
        extractor.remove_hooks()
    return np.float32(small), None


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
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    grad_cam_dir, torchcam_dir = (os.path.abspath(a) for a in sys.argv[1:3])
    refs = load_reference_packages(grad_cam_dir, torchcam_dir)
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(4)  # a seed whose maps are not flat (see the check below)
    pngs, x = make_inputs()
    for i, p in enumerate(pngs):
        Image.fromarray(p).save(os.path.join(OUT, f"input_{i}.png"))
    x.numpy().astype("<f4").tofile(os.path.join(OUT, "inputs.bin"))
    manifest = {"size": SIZE, "smooth": {"samples": SAMPLES, "sigma": SIGMA, "seed": SEED},
                "references": {"pytorch-grad-cam": commit_of(grad_cam_dir), "torch-cam": commit_of(torchcam_dir)},
                "maps": []}
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
        configurations = [(layer, method, target) for layer in ("layer4", "layer3", "layer3.0.conv2")
                          for method in ("gradcam", "gradcampp", "smoothgradcampp") for target in targets]
        # Outputs the model changes in place afterwards.
        configurations += [(layer, method, "predicted") for layer in ("layer4.1.bn2", "bn1")
                           for method in ("gradcam", "gradcampp", "smoothgradcampp")]
        for layer, method, target in configurations:
            small, big = maps_for(refs, model, x, layer, method, target, classes)
            varied = sum(float(m.max() - m.min()) > 0.1 for m in small)
            if varied < 3:
                flat += 1
                print(f"flat: {name} {layer} {method} {target}: {varied} of 4 maps vary")
            path = f"cam_{name}_{layer}_{method}_{target}.bin"
            # The maps at the input's size only where the test checks the way there: they are big.
            with_image = big is not None and target == "predicted" and layer == "layer4"
            with open(os.path.join(OUT, path), "wb") as f:
                f.write(small.astype("<f4").tobytes() + (big.astype("<f4").tobytes() if with_image else b""))
            manifest["maps"].append({"file": path, "model": name, "layer": layer, "method": method,
                                     "target": target, "layer_shape": list(small.shape),
                                     "image_shape": list(big.shape) if with_image else []})
    assert flat <= 2, f"{flat} configurations give flat maps: pick another seed"
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"wrote {len(manifest['maps'])} reference maps to {OUT}")


if __name__ == "__main__":
    main()
