#!/usr/bin/python3
"""P(real) of NameThatTrue against the researcher's own Python pipeline, as a user would check it:
six 1024 x 768 JPEGs (seeded pictures of tests/data/make_preprocess_fixtures.py: smooth colour,
shapes, fine stripes and noise, so shrinking matters)
go through `ntt import`, `ntt model add`, `ntt model run` and `ntt export --kind predictions`, and
through torchvision's Resize(256) + CenterCrop(224) + ToTensor + Normalize on the PIL image and the
same TorchScript model in PyTorch. Prints each image's P(real) both ways and the largest difference.

    /usr/bin/python3 bench/compare_with_torchvision.py NTT MODEL.pt

MODEL.pt needs its sidecar (MODEL.json) saying resize-crop 256 -> 224 and the model's mean and std;
bench/make_resnet18_torchscript.py makes a seeded ResNet-18 (change its sidecar's policy). Needs
Debian's python3-torch, python3-torchvision, python3-pil and python3-numpy.
"""

import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image

# The seeded pictures of the preprocessing fixtures (smooth colour, shapes, stripes, noise).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data"))
from make_preprocess_fixtures import picture  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ntt, model_path = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with open(os.path.splitext(model_path)[0] + ".json") as f:
        spec = json.load(f)["input"]
    rng = np.random.default_rng(1024768)
    with tempfile.TemporaryDirectory() as work:
        pool = os.path.join(work, "pool")
        for i in range(6):
            source = "real" if i < 3 else "generated"
            os.makedirs(os.path.join(pool, source), exist_ok=True)
            path = os.path.join(pool, source, f"photo{i}.jpg")
            picture(rng, 1024, 768).save(path, quality=92)
        db = os.path.join(work, "check.ntt")
        run = lambda *args: subprocess.run([ntt, *args], check=True, capture_output=True, text=True)
        run("import", "--db", db, pool)
        definition = os.path.join(work, "study.json")
        with open(definition, "w") as f:
            json.dump({"name": "check", "trial_type": "real-or-fake", "trials_per_participant": 6, "seed": 1}, f)
        run("study", "create", "--db", db, definition)
        run("model", "add", "--db", db, "--name", "check", model_path)
        run("model", "run", "--db", db, "--model", "check", "--cpu")
        out = os.path.join(work, "predictions.csv")
        run("export", "--db", db, "--kind", "predictions", "--out", out)
        with open(out, newline="") as f:
            ours = {os.path.basename(row["path"]): float(row["p_real"]) for row in csv.DictReader(f)}

    model = torch.jit.load(model_path).eval()
    tf = T.Compose([T.Resize(spec["resize_to"]), T.CenterCrop(spec["size"]), T.ToTensor(),
                    T.Normalize(spec["mean"], spec["std"])])
    worst = 0.0
    print(f"{os.path.basename(model_path)}: P(real) by {ntt} and by PyTorch {torch.__version__}")
    # The same six images again, from the same seed, saved the same way.
    rng = np.random.default_rng(1024768)
    with torch.no_grad():
        for i in range(6):
            image = picture(rng, 1024, 768)
            with tempfile.NamedTemporaryFile(suffix=".jpg") as tmp:
                image.save(tmp.name, quality=92)
                x = tf(Image.open(tmp.name).convert("RGB")).unsqueeze(0)
            theirs = float(torch.sigmoid(-model(x).reshape(-1)[0]))
            mine = ours[f"photo{i}.jpg"]
            worst = max(worst, abs(mine - theirs))
            print(f"  photo{i}.jpg  ntt {mine:.6f}  torchvision {theirs:.6f}  difference {abs(mine - theirs):.2e}")
    print(f"largest difference {worst:.2e}")


if __name__ == "__main__":
    main()
