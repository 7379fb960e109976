#!/usr/bin/python3
"""Writes imagenet1k-classes.txt: the 1000 ImageNet-1k class names, one per line, in the order of a
classifier's outputs, as torchvision (Debian's python3-torchvision) ships them for its pretrained
weights (torchvision.models._meta._IMAGENET_CATEGORIES). A model sidecar's "classes": "imagenet-1k"
reads this list.

    /usr/bin/python3 resources/imagenet/make_imagenet_classes.py
"""
import os

from torchvision.models._meta import _IMAGENET_CATEGORIES

assert len(_IMAGENET_CATEGORIES) == 1000
assert len(set(_IMAGENET_CATEGORIES)) == 1000, "class names must be unique"
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "imagenet1k-classes.txt"), "w", encoding="utf-8", newline="\n") as out:
    for name in _IMAGENET_CATEGORIES:
        out.write(name + "\n")
