#!/usr/bin/python3
"""Makes the fixtures of tests/core/tst_imagedecode.cpp: images with transparency and EXIF
orientation, and what Pillow itself makes of them, so that NameThatTrue composites and orients every
image exactly as the Python pipeline a researcher would write does.

    /usr/bin/python3 tests/data/make_alpha_fixtures.py

Needs Debian's python3-pil and python3-numpy. Seeded: running it again gives the same files. It
writes into tests/data/alpha/:

    rgba.png                  64 x 48 RGBA: every alpha value 0..255 against seeded colours, and a
                              block whose fully transparent pixels hold pure red
    la.png                    the same as grey + alpha (PNG colour type 4)
    rgba.webp                 lossless WebP with alpha
    oriented6.png             rgba.png stored rotated, with an eXIf chunk saying orientation 6
    expected_<image>_<rrggbb>.rgb
                              raw 8-bit RGB, row-major: Image.alpha_composite(Image.new("RGBA",
                              size, background), image.convert("RGBA")).convert("RGB"), after
                              ImageOps.exif_transpose for the oriented file; for the backgrounds
                              ffffff, 000000 and 1f61c8
"""

import os
import sys

try:
    import numpy as np
    from PIL import Image, ImageOps
except ImportError:
    sys.exit("needs Debian's python3-pil and python3-numpy: apt-get install python3-pil python3-numpy")

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "alpha")
BACKGROUNDS = ["ffffff", "000000", "1f61c8"]


def rgba_pixels():
    rng = np.random.default_rng(20261129)
    height, width = 48, 64
    rgb = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    alpha = (np.arange(height * width) % 256).astype(np.uint8).reshape(height, width)
    # Fully transparent pixels that hold red: shown red wherever alpha is dropped.
    rgb[0:8, 0:16] = (255, 0, 0)
    alpha[0:8, 0:16] = 0
    return np.dstack([rgb, alpha])


def composite(image, background):
    rgb = tuple(int(background[i:i + 2], 16) for i in (0, 2, 4))
    base = Image.new("RGBA", image.size, rgb + (255,))
    return Image.alpha_composite(base, image.convert("RGBA")).convert("RGB")


def main():
    os.makedirs(HERE, exist_ok=True)
    rgba = Image.fromarray(rgba_pixels(), "RGBA")
    images = {}

    rgba.save(os.path.join(HERE, "rgba.png"))
    images["rgba.png"] = rgba

    la = rgba.convert("LA")
    la.save(os.path.join(HERE, "la.png"))
    images["la.png"] = la

    rgba.save(os.path.join(HERE, "rgba.webp"), lossless=True, exact=True)
    images["rgba.webp"] = Image.open(os.path.join(HERE, "rgba.webp"))

    # Stored so that orientation 6 (rotate 90 degrees clockwise to view) shows rgba.png upright.
    stored = rgba.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(os.path.join(HERE, "oriented6.png"), exif=exif.tobytes())
    images["oriented6.png"] = ImageOps.exif_transpose(Image.open(os.path.join(HERE, "oriented6.png")))

    for name, image in images.items():
        for background in BACKGROUNDS:
            out = composite(image, background)
            path = os.path.join(HERE, "expected_%s_%s.rgb" % (name.replace(".", "_"), background))
            with open(path, "wb") as f:
                f.write(np.asarray(out, dtype=np.uint8).tobytes())
    print("wrote", len(images), "images and", len(images) * len(BACKGROUNDS), "expected composites to", HERE)


if __name__ == "__main__":
    main()
