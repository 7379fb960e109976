#!/usr/bin/python3
"""Reference images for tests/core/tst_frequencyfilter.cpp, made with numpy's FFT (Debian's
python3-numpy and python3-opencv for PNG input/output):

    /usr/bin/python3 tests/data/make_frequency_references.py

reads tests/data/frequency/input.png (written here the first time: a 48 x 64 test card of edges,
a grating of 12 cycles per image and noise) and writes one PNG per filter: the ideal filter of
You et al.'s frequency analysis in cycles per image, numpy.fft.fft2 per channel, the mask on
sqrt(u^2 + v^2) with u, v = numpy.fft.fftfreq(n) * n, the mean kept by high- and band-pass
filters, numpy.fft.ifft2, rounded half to even (OpenCV's convertTo rounds the same way) and
clipped to 0..255.
"""

import os

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "frequency")

FILTERS = [("lp", 10, None), ("lp", 3, None), ("hp", 10, None), ("bp", 4, 12), ("hp", 30, None)]


def card():
    h, w = 48, 64
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), np.float64)
    img[..., 0] = 128 + 90 * np.sin(2 * np.pi * 12 * x / w)
    img[..., 1] = np.where((x > 20) & (x < 44) & (y > 10) & (y < 38), 220, 40)
    img[..., 2] = 128 + 60 * rng.standard_normal((h, w))
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def ideal(image, kind, low, high):
    h, w = image.shape[:2]
    v = np.fft.fftfreq(h) * h
    u = np.fft.fftfreq(w) * w
    r = np.sqrt(u[None, :] ** 2 + v[:, None] ** 2)
    if kind == "lp":
        keep = r <= low
    elif kind == "hp":
        keep = (r > low) | (r == 0)
    else:
        keep = ((r > low) & (r <= high)) | (r == 0)
    out = np.empty_like(image)
    for c in range(image.shape[2]):
        spectrum = np.fft.fft2(image[..., c].astype(np.float64))
        back = np.real(np.fft.ifft2(spectrum * keep))
        out[..., c] = np.clip(np.rint(back), 0, 255).astype(np.uint8)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    source = os.path.join(OUT, "input.png")
    if not os.path.exists(source):
        cv2.imwrite(source, card())
    image = cv2.imread(source, cv2.IMREAD_COLOR)
    for kind, low, high in FILTERS:
        name = f"{kind}{low}" + (f"-{high}" if high else "")
        cv2.imwrite(os.path.join(OUT, name + ".png"), ideal(image, kind, low, high))
        print(name)


if __name__ == "__main__":
    main()
