#!/usr/bin/python3
"""Reference values for tests/core/tst_peoplemap.cpp, computed independently of the C++ code with
SciPy and numpy (Debian's python3-scipy):

    /usr/bin/python3 tests/data/make_marks_references.py

writes tests/data/marks/references.json: people's heat maps as scipy.ndimage.gaussian_filter of
impulse images (mode "constant", truncate 4), divided by their maximum, and their agreement with a
model's map: Pearson's r (scipy.stats.pearsonr), the share of marks in the model's top 20 %
(numpy.percentile, linear) and the pointing game (numpy.argmax, within 2 SD of a mark).
"""

import json
import math
import os

import numpy as np
from scipy import ndimage, stats

HERE = os.path.dirname(os.path.abspath(__file__))


def people_map(marks, width, height, sigma):
    impulses = np.zeros((height, width))
    for x, y in marks:
        ix, iy = math.floor(x), math.floor(y)
        if 0 <= ix < width and 0 <= iy < height:
            impulses[iy, ix] += 1.0
    smoothed = ndimage.gaussian_filter(impulses, sigma, mode="constant", truncate=4.0)
    peak = smoothed.max()
    return smoothed / peak if peak > 0 else smoothed


def agreement(marks, model, sigma):
    h, w = model.shape
    people = people_map(marks, w, h, sigma)
    r = float(stats.pearsonr(people.ravel(), model.ravel()).statistic)
    top20 = np.percentile(model, 80)
    inside = [model[min(max(math.floor(y), 0), h - 1), min(max(math.floor(x), 0), w - 1)] >= top20
              for x, y in marks]
    peak = int(np.argmax(model))
    px, py = peak % w + 0.5, peak // w + 0.5
    hit = any(math.hypot(x - px, y - py) <= 2 * sigma for x, y in marks)
    return dict(correlation=r, share_in_model_top20=float(np.mean(inside)), pointing_hit=int(hit))


def main():
    rng = np.random.default_rng(14)
    out = {"maps": [], "agreement": []}
    cases = [([(10.2, 7.9), (11.7, 8.1), (30.5, 20.5)], 40, 30, 3.0),
             ([(0.1, 0.1), (39.9, 29.9), (-3.0, 5.0)], 40, 30, 2.5),  # corners, one mark outside
             ([(20.0, 15.0)], 41, 31, 1.2)]
    for marks, w, h, sigma in cases:
        out["maps"].append(dict(marks=marks, width=w, height=h, sigma=sigma,
                                values=people_map(marks, w, h, sigma).ravel().tolist()))
    # A model map with a blob near the first marks, plus noise; and one elsewhere.
    yy, xx = np.mgrid[0:30, 0:40]
    near = np.exp(-((xx - 12) ** 2 + (yy - 9) ** 2) / (2 * 4.0 ** 2)) + 0.05 * rng.random((30, 40))
    far = np.exp(-((xx - 33) ** 2 + (yy - 4) ** 2) / (2 * 3.0 ** 2)) + 0.05 * rng.random((30, 40))
    for model in (near, far):
        model = model / model.max()
        marks = [(10.2, 7.9), (11.7, 8.1), (30.5, 20.5)]
        out["agreement"].append(dict(marks=marks, sigma=3.0, width=40, height=30, model=model.ravel().tolist(),
                                     **agreement(marks, model, 3.0)))
    path = os.path.join(HERE, "marks", "references.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f)
    print(path)


if __name__ == "__main__":
    main()
