"""The demo behind ``make demo``: classic edge kernels on a real image.

Loads scikit-image's bundled ``camera`` image (no download), runs each step
with pyfilter and with scipy.ndimage (the same operation and answer), writes
PNGs to ``demo_out/`` and prints a timing table.  Later features add steps
to ``STEPS``.
"""
import argparse
import os
import re
import time

import numpy as np

# The vertical-edge kernel of the classic 6x6 example, and its transpose.
VERTICAL = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=np.float32)
HORIZONTAL = VERTICAL.T.copy()
# A CNN-style filter bank: vertical, horizontal and the two diagonal edges.
EDGE_BANK = np.stack([VERTICAL, HORIZONTAL,
                      np.array([[0, 1, 1], [-1, 0, 1], [-1, -1, 0]], dtype=np.float32),
                      np.array([[1, 1, 0], [1, 0, -1], [0, -1, -1]], dtype=np.float32)])


def _mosaic(channels):
    """(4, H, W) -> a (2H, 2W) image for the PNG."""
    c = np.asarray(channels)
    return np.block([[c[0], c[1]], [c[2], c[3]]])


def _image():
    from skimage import data
    return data.camera().astype(np.float32) / 255.0


def _time(fn, repeat=5):
    fn()
    best = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = fn()
        best.append(time.perf_counter() - t0)
    return r, float(np.median(best)) * 1e3


def _steps(img):
    """(name, pyfilter callable, scipy callable or None, check tolerance)."""
    import scipy.ndimage as ndi
    from pyfilter import filters, ndimage, nn

    def dilated(k, d):
        kd = np.zeros((d * (k.shape[0] - 1) + 1,) * 2, dtype=k.dtype)
        kd[::d, ::d] = k
        return kd

    return [
        ("vertical edges 3x3",
         lambda: ndimage.correlate(img, VERTICAL),
         lambda: ndi.correlate(img, VERTICAL)),
        ("horizontal edges 3x3",
         lambda: ndimage.correlate(img, HORIZONTAL),
         lambda: ndi.correlate(img, HORIZONTAL)),
        ("vertical edges, dilation 3",
         lambda: filters.correlate(img, VERTICAL, dilation=3),
         lambda: ndi.correlate(img, dilated(VERTICAL, 3))),
        ("vertical edges, stride 2 (valid)",
         lambda: filters.correlate(img, VERTICAL, stride=2, shape="valid"),
         lambda: ndi.correlate(img, VERTICAL)[1:-1:2, 1:-1:2]),
        # separable filters on the line engine
        ("Sobel gradient magnitude",
         lambda: ndimage.generic_gradient_magnitude(img, ndimage.sobel),
         lambda: np.hypot(ndi.sobel(img, 0), ndi.sobel(img, 1))),
        ("Gaussian blur sigma=3",
         lambda: ndimage.gaussian_filter(img, 3.0),
         lambda: ndi.gaussian_filter(img, 3.0)),
        ("max filter 15x15 (dilation)",
         lambda: ndimage.maximum_filter(img, 15),
         lambda: ndi.maximum_filter(img, 15)),
        ("max pool 2x2 of |vertical edges|",
         lambda: nn.max_pool2d(np.abs(ndimage.correlate(img, VERTICAL))[None], 2)[0],
         lambda: ndi.maximum_filter(np.abs(ndi.correlate(img, VERTICAL)), 2,
                                    origin=-1)[::2, ::2]),
        # CNN layer: one conv2d call applies a bank of 4 edge filters (output
        # channels, shown as a 2x2 mosaic); scipy needs one correlate per filter
        ("CNN conv2d: 4-filter edge bank",
         lambda: _mosaic(nn.conv2d(img[None], EDGE_BANK[:, None], padding=1)),
         lambda: _mosaic(np.stack([ndi.correlate(img, k, mode="constant")
                                   for k in EDGE_BANK]))),
    ]


def _save_png(path, arr):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    a = np.asarray(arr, dtype=np.float64)
    lo, hi = np.percentile(a, [1, 99])
    if hi <= lo:
        hi = lo + 1
    plt.imsave(path, np.clip((a - lo) / (hi - lo), 0, 1), cmap="gray")


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m pyfilter demo")
    p.add_argument("--out", default="demo_out")
    args = p.parse_args(argv)
    import pyfilter
    os.makedirs(args.out, exist_ok=True)
    img = _image()
    _save_png(os.path.join(args.out, "00_input.png"), img)
    print(f"pyfilter {pyfilter.__version__} demo: skimage camera {img.shape} float32, "
          f"{pyfilter.get_workers()} thread(s)\n")
    header = f"{'step':<36s} {'pyfilter ms':>12s} {'scipy ms':>10s} {'speed-up':>9s}  output"
    print(header)
    print("-" * len(header))
    for i, (name, ours, theirs) in enumerate(_steps(img), start=1):
        res, t_ours = _time(ours)
        ref, t_theirs = _time(theirs) if theirs is not None else (None, float("nan"))
        if ref is not None:
            np.testing.assert_allclose(res, ref, rtol=1e-4, atol=1e-4,
                                       err_msg=f"demo step {name!r} disagrees with scipy")
        fname = f"{i:02d}_" + re.sub("[^a-z0-9]+", "_", name.lower()).strip("_") + ".png"
        _save_png(os.path.join(args.out, fname), res)
        print(f"{name:<36s} {t_ours:12.2f} {t_theirs:10.2f} {t_theirs / t_ours:8.1f}x  "
              f"{fname} {res.shape}")
    print(f"\nPNGs written to {os.path.abspath(args.out)}/")
    return 0
