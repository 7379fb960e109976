#!/usr/bin/python3
"""Writes torchvision's ResNet-18 (random weights, one output: a "generated" logit) as TorchScript,
traced and scripted, with sidecars, for bench/bench_gradcam.cpp:

    /usr/bin/python3 bench/make_resnet18_torchscript.py OUT_DIR

Needs Debian's python3-torch and python3-torchvision (apt-get install python3-torchvision). The
weights are random (seeded): speed does not depend on them, and nothing is downloaded.
"""

import json
import os
import sys

try:
    import torch
    import torchvision
except ImportError:
    sys.exit("needs Debian's python3-torch and python3-torchvision: apt-get install python3-torchvision")

out = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
model = torchvision.models.resnet18(weights=None, num_classes=1).eval()
example = torch.zeros(1, 3, 224, 224)
sidecar = {
    "name": "torchvision ResNet-18",
    "input": {"size": 224, "resize_policy": "resize", "resize_to": 224, "mean": [0.485, 0.456, 0.406],
              "std": [0.229, 0.224, 0.225], "channel_order": "rgb"},
    "output": "logit-generated",
}
for kind, module in (("traced", torch.jit.trace(model, example)), ("scripted", torch.jit.script(model))):
    path = os.path.join(out, f"resnet18_{kind}.pt")
    module.save(path)
    with open(os.path.join(out, f"resnet18_{kind}.json"), "w") as f:
        json.dump(dict(sidecar, name=f"torchvision ResNet-18 ({kind})"), f, indent=2)
    print(path)
