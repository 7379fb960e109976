#!/usr/bin/python3
"""Makes the small TorchScript fixtures of tests/core/tst_classifier.cpp.

Run with Debian's Python, which has Debian's PyTorch 1.13 (the same version as the LibTorch the
application links):

    /usr/bin/python3 tests/data/make_torchscript_fixtures.py

It needs python3-torch and python3-numpy from Debian; run as root it installs them with apt-get
when `import torch` fails. Everything is seeded, so running it again gives the same weights, inputs
and expected outputs. It writes into tests/data/torchscript/ (next to this script):

    tiny_traced.pt    small CNN (conv 3->4, ReLU, global average pool, linear -> 1 logit of
                      "generated"), made with torch.jit.trace at 32 x 32
    tiny_scripted.pt  torch.jit.script module with a loop and a shape-dependent while in forward;
                      4 class logits mapped to the sources real, sdxl and dalle3 by its sidecar
    wrong_shape.pt    gives 5 values per image although its sidecar says 1
    nan_model.pt      gives NaN for images whose first input value is > 0; returns a tuple
                      (logits, first values), as models with auxiliary outputs do
    cuda_only.pt      moves its input to CUDA in forward: fails on a machine without CUDA
    not_a_model.pt    random bytes
    <model>.json      the sidecars
    inputs.bin        4 input tensors [4, 3, 32, 32], float32 little-endian, C order
    expected_<model>.bin          the raw outputs PyTorch gave on inputs.bin (float32 LE, C order)
    expected_<model>_preal.bin    P(real) per image as the sidecar defines it (float32 LE, [4])
    expected_tiny_scripted_probs.bin  softmax over the classes ([4, 4])
    README.md
"""

import json
import os
import subprocess
import sys
import zipfile

# The .pt files should come out byte for byte the same on every run and in every checkout:
# torch.jit.script writes a module's constants in set order, which follows Python's string hashing
# (fix the hash seed), and the debug information of the models names this script's path as Python
# compiled it (Python makes a script's path absolute, so run it again through runpy, from its own
# folder under its bare name).
HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.basename(__file__)
if os.environ.get("PYTHONHASHSEED") != "0" or __file__ != SCRIPT:
    os.environ["PYTHONHASHSEED"] = "0"
    os.chdir(HERE)
    rerun = f"import runpy, sys; sys.argv[0] = {SCRIPT!r}; runpy.run_path({SCRIPT!r}, run_name='__main__')"
    os.execv(sys.executable, [sys.executable, "-c", rerun] + sys.argv[1:])

try:
    import numpy as np
    import torch
except ImportError:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "python3-torch", "python3-numpy"], check=True)
        os.execv(sys.executable, [sys.executable, os.path.join(HERE, SCRIPT)] + sys.argv[1:])
    sys.exit("needs Debian's python3-torch and python3-numpy: apt-get install python3-torch python3-numpy")

from typing import Dict, Tuple

import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(HERE, "torchscript")
SIZE = 32


def write_floats(name, tensor):
    array = np.ascontiguousarray(tensor.detach().to(torch.float32).numpy(), dtype="<f4")
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(array.tobytes(order="C"))


def write_json(name, value):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(value, f, indent=4)
        f.write("\n")


def input_spec(channel_order="rgb"):
    return {
        "size": SIZE,
        "resize_policy": "resize",
        "resize_to": SIZE,
        "mean": [0.5, 0.5, 0.5],
        "std": [0.25, 0.25, 0.25],
        "channel_order": channel_order,
    }


class TinyCnn(nn.Module):
    def __init__(self, outputs: int):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, kernel_size=3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4, outputs)

    def forward(self, x):
        x = F.relu(self.conv(x))
        x = self.pool(x).flatten(1)
        return self.fc(x)


class TinyScripted(nn.Module):
    """Control flow that tracing would freeze: a loop over blocks and a while on the spatial size."""

    def __init__(self, classes: int):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Conv2d(3, 4, 3, padding=1), nn.Conv2d(4, 4, 3, padding=1)])
        self.fc = nn.Linear(4, classes)

    def forward(self, x):
        for block in self.blocks:
            x = F.relu(block(x))
        while x.size(-1) > 4:
            x = F.avg_pool2d(x, 2)
        x = x.mean(dim=[2, 3])
        return self.fc(x)


class NanModel(nn.Module):
    def forward(self, x) -> Tuple[torch.Tensor, torch.Tensor]:
        first = x[:, 0, 0, 0]
        value = x.mean(dim=[1, 2, 3])
        out = torch.where(first > 0, torch.full_like(value, float("nan")), value)
        return out.unsqueeze(1), first


class CudaOnly(nn.Module):
    def forward(self, x):
        return x.to(torch.device("cuda")).mean(dim=[1, 2, 3]).unsqueeze(1)


class FixedBatchOne(nn.Module):
    """Flattens the whole batch, as torch.flatten(x) without start_dim does: traced at batch 1 it
    works for one image and fails on more ("mat1 and mat2 shapes cannot be multiplied")."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 2, 3, stride=4, padding=1)
        self.fc = nn.Linear(2 * 8 * 8, 1)

    def forward(self, x):
        return self.fc(torch.flatten(F.relu(self.conv(x))).unsqueeze(0))


class DictOutput(nn.Module):
    """Returns a dict, as Hugging Face style models do."""

    def __init__(self):
        super().__init__()
        self.body = TinyCnn(1)

    def forward(self, x) -> Dict[str, torch.Tensor]:
        return {"features": x.mean(dim=[2, 3]), "logits": self.body(x)}


class TrainModeLayers(nn.Module):
    """Dropout and batch norm, traced in training mode: dropout draws at every run, batch norm
    normalises with the batch's own statistics."""

    def __init__(self, dropout: bool):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.norm = nn.BatchNorm2d(4)
        self.drop = nn.Dropout(0.5 if dropout else 0.0)
        self.fc = nn.Linear(4, 1)

    def forward(self, x):
        x = self.norm(self.conv(x)) if not self.drop.p else F.relu(self.conv(x))
        return self.fc(self.drop(x.mean(dim=[2, 3]) * 3.0))


def p_real_from_generated_logit(logits):
    return torch.sigmoid(-logits.double().reshape(-1))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(20240613)
    torch.set_num_threads(1)

    # Different scales and offsets per image, so that the outputs differ clearly between images.
    scale = torch.tensor([0.5, 1.0, 2.0, 3.0]).view(4, 1, 1, 1)
    offset = torch.tensor([-1.0, 0.5, 0.0, 1.0]).view(4, 1, 1, 1)
    inputs = torch.randn(4, 3, SIZE, SIZE) * scale + offset
    # The first value decides NaN or not for nan_model: images 0 and 2 positive, 1 and 3 not.
    inputs[:, 0, 0, 0] = torch.tensor([0.75, -0.5, 1.25, -2.0])
    write_floats("inputs.bin", inputs)

    with torch.no_grad():
        # tiny_traced: one logit of "generated".
        traced = torch.jit.trace(TinyCnn(1).eval(), torch.randn(1, 3, SIZE, SIZE))
        torch.jit.save(traced, os.path.join(OUT, "tiny_traced.pt"))
        logits = traced(inputs)
        write_floats("expected_tiny_traced.bin", logits)
        write_floats("expected_tiny_traced_preal.bin", p_real_from_generated_logit(logits))
        write_json("tiny_traced.json", {
            "name": "Tiny traced CNN",
            "input": input_spec(),
            "output": "logit-generated",
        })

        # tiny_scripted: 4 classes, two of them real photographs.
        scripted = torch.jit.script(TinyScripted(4).eval())
        torch.jit.save(scripted, os.path.join(OUT, "tiny_scripted.pt"))
        classes = ["photo-indoor", "photo-outdoor", "sdxl-1.0", "dall-e-3"]
        class_map = {"photo-indoor": "real", "photo-outdoor": "real", "sdxl-1.0": "sdxl", "dall-e-3": "dalle3"}
        logits = scripted(inputs)
        probs = torch.softmax(logits.double(), dim=1)
        p_real = probs[:, 0] + probs[:, 1]
        write_floats("expected_tiny_scripted.bin", logits)
        write_floats("expected_tiny_scripted_probs.bin", probs)
        write_floats("expected_tiny_scripted_preal.bin", p_real)
        write_json("tiny_scripted.json", {
            "name": "Tiny scripted source classifier",
            "input": input_spec("bgr"),
            "output": "source-classes",
            "classes": classes,
            "class_map": class_map,
            "real_source": "real",
        })

        # wrong_shape: 5 outputs, sidecar says one logit.
        wrong = torch.jit.trace(TinyCnn(5).eval(), torch.randn(1, 3, SIZE, SIZE))
        torch.jit.save(wrong, os.path.join(OUT, "wrong_shape.pt"))
        write_floats("expected_wrong_shape.bin", wrong(inputs))
        write_json("wrong_shape.json", {"input": input_spec(), "output": "logit-generated"})

        # nan_model: NaN for images 0 and 2.
        nan_model = torch.jit.script(NanModel().eval())
        torch.jit.save(nan_model, os.path.join(OUT, "nan_model.pt"))
        logits = nan_model(inputs)[0]
        write_floats("expected_nan_model.bin", logits)
        write_floats("expected_nan_model_preal.bin", p_real_from_generated_logit(logits))
        write_json("nan_model.json", {"input": input_spec(), "output": "logit-generated"})

        # cuda_only: scripted, so it saves on a CPU-only machine; forward needs CUDA.
        torch.jit.save(torch.jit.script(CudaOnly().eval()), os.path.join(OUT, "cuda_only.pt"))
        write_json("cuda_only.json", {"input": input_spec(), "output": "logit-generated"})

    # Models as users export them by mistake (found by `model add`); seeded on their own so the
    # files above stay as they were.
    torch.manual_seed(11)
    with torch.no_grad():
        batch_one = torch.jit.trace(FixedBatchOne().eval(), torch.zeros(1, 3, SIZE, SIZE))
        torch.jit.save(batch_one, os.path.join(OUT, "batch_one.pt"))
        write_json("batch_one.json", {"input": input_spec(), "output": "logit-generated"})
        dict_output = torch.jit.script(DictOutput().eval())
        torch.jit.save(dict_output, os.path.join(OUT, "dict_output.pt"))
        write_json("dict_output.json", {"input": input_spec(), "output": "logit-generated"})
        dropout = torch.jit.trace(TrainModeLayers(dropout=True).train(), torch.zeros(2, 3, SIZE, SIZE),
                                  check_trace=False)
        torch.jit.save(dropout, os.path.join(OUT, "dropout_train.pt"))
        write_json("dropout_train.json", {"input": input_spec(), "output": "logit-generated"})
        batchnorm = torch.jit.trace(TrainModeLayers(dropout=False).train(), torch.zeros(2, 3, SIZE, SIZE),
                                    check_trace=False)
        torch.jit.save(batchnorm, os.path.join(OUT, "batchnorm_train.pt"))
        write_json("batchnorm_train.json", {"input": input_spec(), "output": "logit-generated"})

    # newer_format.pt: tiny_traced.pt with the archive's format version raised to 99, as a file
    # saved by a PyTorch newer than the LibTorch that reads it.
    with zipfile.ZipFile(os.path.join(OUT, "tiny_traced.pt")) as source, \
            zipfile.ZipFile(os.path.join(OUT, "newer_format.pt"), "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, b"99\n" if info.filename.endswith("/version") else data)
    write_json("newer_format.json", {"input": input_spec(), "output": "logit-generated"})

    generator = torch.Generator().manual_seed(7)
    noise = torch.randint(0, 256, (2048,), dtype=torch.uint8, generator=generator)
    with open(os.path.join(OUT, "not_a_model.pt"), "wb") as f:
        f.write(bytes(noise.tolist()))
    write_json("not_a_model.json", {"input": input_spec(), "output": "logit-generated"})

    with open(os.path.join(OUT, "README.md"), "w", encoding="utf-8") as f:
        f.write(README.format(torch=torch.__version__))

    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {OUT} ({total} bytes)")


README = """# TorchScript fixtures

Made by `../make_torchscript_fixtures.py` with PyTorch {torch} (Debian's python3-torch):

    /usr/bin/python3 tests/data/make_torchscript_fixtures.py

Do not edit these files by hand; change the script and run it again. Everything is seeded, so the
same PyTorch version gives the same files. `tests/core/tst_classifier.cpp` loads the models with
LibTorch, feeds `inputs.bin` and requires P(real) and the class probabilities to match the values
PyTorch gave here to 1e-4.

| file | what it is |
| --- | --- |
| `tiny_traced.pt` | conv 3->4, ReLU, global average pool, linear -> one logit of "generated"; `torch.jit.trace` at 32 x 32 |
| `tiny_scripted.pt` | `torch.jit.script` with a loop over two convolutions and a `while` on the spatial size; 4 class logits mapped to the sources real (two classes), sdxl and dalle3 |
| `wrong_shape.pt` | 5 outputs per image while its sidecar says one logit |
| `nan_model.pt` | NaN for images whose first input value is > 0 (images 0 and 2 of `inputs.bin`); returns a tuple (logits, first values) |
| `cuda_only.pt` | moves its input to CUDA in `forward`, so it fails on a machine without CUDA |
| `not_a_model.pt` | 2048 random bytes |
| `newer_format.pt` | `tiny_traced.pt` with its archive format version set to 99, as if saved by a newer PyTorch |
| `batch_one.pt` | flattens the whole batch (`torch.flatten(x)`), traced at batch 1: one image at a time only |
| `dict_output.pt` | scripted; returns a dict `{{"features": [N, 3], "logits": [N, 1]}}` |
| `dropout_train.pt` | dropout (p = 0.5) traced in training mode: other outputs at every run |
| `batchnorm_train.pt` | batch norm traced in training mode: an image's output depends on its batch |
| `<model>.json` | the sidecars (input 32 px, mean 0.5, std 0.25) |
| `inputs.bin` | float32 little-endian [4, 3, 32, 32], C order, `torch.randn` scaled by 0.5, 1, 2, 3 and shifted by -1, 0.5, 0, 1 per image, with the first value of each image set to 0.75, -0.5, 1.25, -2.0 |
| `expected_<model>.bin` | the raw outputs PyTorch gave on `inputs.bin`, float32 little-endian, C order ([4, 1], [4, 4], [4, 5]) |
| `expected_<model>_preal.bin` | P(real) per image: sigmoid(-logit) for a "generated" logit, the sum of the real classes' softmax for tiny_scripted ([4]) |
| `expected_tiny_scripted_probs.bin` | softmax over the 4 classes ([4, 4]) |
"""


if __name__ == "__main__":
    main()
