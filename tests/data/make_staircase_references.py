#!/usr/bin/python3
"""Reference staircases for tests/core/tst_staircase.cpp, produced by PsychoPy's own StairHandler.

PsychoPy is not packaged for Debian 12 and pulls in much that is not, so this script takes the
StairHandler class out of a PsychoPy checkout's psychopy/data/staircase.py (its source text,
unchanged) and runs it with the two things it needs from the rest of PsychoPy stubbed: a base class
with getExp() and getOriginPathAndFile(), and a logger. Nothing of the staircase's own logic is
rewritten here.

    git clone https://github.com/psychopy/psychopy   # or any checkout; tested with ac7b8ca (2024-10-25)
    /usr/bin/python3 tests/data/make_staircase_references.py path/to/psychopy

writes tests/data/staircase/references.json: for several settings (nUp, nDown, step sizes, limits,
stepType "lin", applyInitialRule) and a simulated observer, the intensity of every trial, each
answer, the reversal intensities and the intensity the staircase asks for next.
"""

import ast
import json
import math
import os
import random
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def load_stair_handler(checkout):
    path = os.path.join(checkout, "psychopy", "data", "staircase.py")
    with open(path, encoding="utf-8") as f:
        source = f.read()
    tree = ast.parse(source)
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "StairHandler")
    class_source = ast.get_source_segment(source, node)

    class _BaseTrialHandler:
        def getExp(self):
            return None

        def getOriginPathAndFile(self, originPath=None):
            return None, None

    class _Logging:
        @staticmethod
        def warn(msg):
            pass

        warning = warn
        exp = warn

    namespace = {"_BaseTrialHandler": _BaseTrialHandler, "logging": _Logging, "np": np,
                 "Iterable": list, "copy": __import__("copy")}
    exec(compile(class_source, path, "exec"), namespace)
    return namespace["StairHandler"]


def observer_correct(rng, frames, threshold, slope):
    # A 2AFC observer: 50 % at 0 frames, rising to 100 %, 75 % at `threshold` frames.
    p = 1.0 - 0.5 * math.exp(-((frames / threshold) ** slope) * math.log(2.0))
    return 1 if rng.random() < p else 0


def run(StairHandler, settings, trials, seed):
    rng = random.Random(seed)
    stair = StairHandler(settings["start"], nReversals=1000, stepSizes=settings["steps"], nTrials=trials,
                         nUp=settings["up"], nDown=settings["down"], applyInitialRule=settings["initial_rule"],
                         stepType="lin", minVal=settings["min"], maxVal=settings["max"])
    intensities, answers = [], []
    for _ in range(trials):
        intensity = next(stair)
        correct = observer_correct(rng, intensity, settings["observer_threshold"], 2.0)
        intensities.append(intensity)
        answers.append(correct)
        stair.addResponse(correct)
    return {"intensities": intensities, "answers": answers,
            "reversal_intensities": list(stair.reversalIntensities), "next": stair.intensity}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_staircase_references.py PATH_TO_PSYCHOPY_CHECKOUT")
    StairHandler = load_stair_handler(sys.argv[1])
    cases = []
    settings_list = [
        {"start": 24, "steps": [8, 4, 2, 1], "up": 1, "down": 3, "min": 1, "max": 60, "initial_rule": True,
         "observer_threshold": 5.0},
        {"start": 12, "steps": [2], "up": 1, "down": 2, "min": 1, "max": 30, "initial_rule": True,
         "observer_threshold": 8.0},
        {"start": 30, "steps": [6, 3, 1], "up": 1, "down": 3, "min": 2, "max": 30, "initial_rule": False,
         "observer_threshold": 3.0},
        {"start": 6, "steps": [1], "up": 2, "down": 4, "min": 1, "max": 20, "initial_rule": True,
         "observer_threshold": 4.0},
        {"start": 4, "steps": [4, 2], "up": 1, "down": 1, "min": 1, "max": 12, "initial_rule": True,
         "observer_threshold": 30.0},
    ]
    for i, settings in enumerate(settings_list):
        for seed in (1, 2):
            case = dict(settings)
            case["seed"] = seed
            case.update(run(StairHandler, settings, 60, 1000 * i + seed))
            cases.append(case)
    out = os.path.join(HERE, "staircase", "references.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"source": "psychopy/data/staircase.py StairHandler, stepType lin", "cases": cases}, f, indent=1)
    print("wrote", out, len(cases), "cases")


if __name__ == "__main__":
    main()
