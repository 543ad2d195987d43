"""The demo behind ``make demo``: classic edge kernels on a real image.

Loads scikit-image's bundled ``camera`` image (no download), runs each step
with pyfilter and with scipy.ndimage (the same operation and answer), writes
one captioned grayscale PNG per step to ``demo_out/`` and prints a timing
table.  ``python -m pyfilter demo`` runs it.
"""
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
    """[(name, caption, pyfilter callable, scipy callable, panel captions)]:
    each callable returns an image, or a stack of images shown as panels."""
    import scipy.ndimage as ndi
    from pyfilter import filters, ndimage, nn

    def dilated(k, d):
        kd = np.zeros((d * (k.shape[0] - 1) + 1,) * 2, dtype=k.dtype)
        kd[::d, ::d] = k
        return kd

    bank = ["vertical edges", "horizontal edges", "diagonal edges (/)", "diagonal edges (\\)"]
    return [
        ("vertical edges 3x3",
         "ndimage.correlate: 3x3 vertical-edge kernel [[1,0,-1]]*3, mode='reflect'",
         lambda: ndimage.correlate(img, VERTICAL),
         lambda: ndi.correlate(img, VERTICAL), None),
        ("horizontal edges 3x3",
         "ndimage.correlate: 3x3 horizontal-edge kernel (the transpose)",
         lambda: ndimage.correlate(img, HORIZONTAL),
         lambda: ndi.correlate(img, HORIZONTAL), None),
        ("vertical edges, dilation 3",
         "filters.correlate: vertical-edge kernel, dilation=3 (7x7 reach)",
         lambda: filters.correlate(img, VERTICAL, dilation=3),
         lambda: ndi.correlate(img, dilated(VERTICAL, 3)), None),
        ("vertical edges, stride 2 (valid)",
         "filters.correlate: vertical-edge kernel, stride=2, shape='valid'",
         lambda: filters.correlate(img, VERTICAL, stride=2, shape="valid"),
         lambda: ndi.correlate(img, VERTICAL)[1:-1:2, 1:-1:2], None),
        # separable filters on the line engine
        ("Sobel gradient magnitude",
         "ndimage.generic_gradient_magnitude(image, ndimage.sobel)",
         lambda: ndimage.generic_gradient_magnitude(img, ndimage.sobel),
         lambda: np.hypot(ndi.sobel(img, 0), ndi.sobel(img, 1)), None),
        ("Gaussian blur sigma=3",
         "ndimage.gaussian_filter: sigma=3, truncate=4",
         lambda: ndimage.gaussian_filter(img, 3.0),
         lambda: ndi.gaussian_filter(img, 3.0), None),
        ("max filter 15x15 (dilation)",
         "ndimage.maximum_filter: size=15 (grey dilation)",
         lambda: ndimage.maximum_filter(img, 15),
         lambda: ndi.maximum_filter(img, 15), None),
        ("max pool 2x2 of |vertical edges|",
         "nn.max_pool2d: kernel 2, stride 2, of |vertical edges|",
         lambda: nn.max_pool2d(np.abs(ndimage.correlate(img, VERTICAL))[None], 2)[0],
         lambda: ndi.maximum_filter(np.abs(ndi.correlate(img, VERTICAL)), 2,
                                    origin=-1)[::2, ::2], None),
        # CNN layer: one conv2d call applies a bank of 4 edge filters (output
        # channels, one panel each); scipy needs one correlate per filter
        ("CNN conv2d: 4-filter edge bank",
         "nn.conv2d: one call, 4 output channels of 3x3 edge filters, padding=1",
         lambda: nn.conv2d(img[None], EDGE_BANK[:, None], padding=1),
         lambda: np.stack([ndi.correlate(img, k, mode="constant") for k in EDGE_BANK]),
         [f"channel {i}: {b}" for i, b in enumerate(bank)]),
    ]


def _scaled(a):
    """Grey levels 0..1 between the 1st and 99th percentiles."""
    a = np.asarray(a, dtype=np.float64)
    lo, hi = np.percentile(a, [1, 99])
    if hi <= lo:
        hi = lo + 1
    return np.clip((a - lo) / (hi - lo), 0, 1)


def _save_png(path, title, images, captions=None):
    """One captioned panel per image (a 2x2 grid for four), saved as an
    8-bit grayscale PNG."""
    import io
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image
    images = [np.asarray(im) for im in images]
    n = len(images)
    rows, cols = (1, 1) if n == 1 else ((2, 2) if n == 4 else (1, n))
    h, w = images[0].shape
    # about one figure pixel per image pixel for a 512-pixel panel
    panel = 4.3
    fig, axes = plt.subplots(rows, cols, squeeze=False,
                             figsize=(panel * cols, panel * rows * h / w + 0.7))
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(_scaled(images[i]), cmap="gray", vmin=0, vmax=1,
                      interpolation="nearest")
            if captions:
                ax.set_title(captions[i], fontsize=9)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, facecolor="white")
    plt.close(fig)
    buf.seek(0)
    Image.open(buf).convert("L").save(path)


def run(out="demo_out"):
    """Run every step with pyfilter and scipy, check the answers agree, save
    the captioned PNGs into ``out`` and print the timing table."""
    import pyfilter
    os.makedirs(out, exist_ok=True)
    img = _image()
    _save_png(os.path.join(out, "00_input.png"),
              f"input: skimage.data.camera() {img.shape[0]}x{img.shape[1]}, float32 0..1", [img])
    print(f"pyfilter {pyfilter.__version__} demo: skimage camera {img.shape} float32, "
          f"{pyfilter.get_workers()} thread(s)\n")
    header = f"{'step':<36s} {'pyfilter ms':>12s} {'scipy ms':>10s} {'speed-up':>9s}  output"
    print(header)
    print("-" * len(header))
    for i, (name, caption, ours, theirs, panels) in enumerate(_steps(img), start=1):
        res, t_ours = _time(ours)
        ref, t_theirs = _time(theirs)
        res = np.asarray(res).reshape(np.shape(ref))
        np.testing.assert_allclose(res, ref, rtol=1e-4, atol=1e-4,
                                   err_msg=f"demo step {name!r} disagrees with scipy")
        fname = f"{i:02d}_" + re.sub("[^a-z0-9]+", "_", name.lower()).strip("_") + ".png"
        stack = list(res) if panels else [res]
        _save_png(os.path.join(out, fname), caption, stack, panels)
        print(f"{name:<36s} {t_ours:12.2f} {t_theirs:10.2f} {t_theirs / t_ours:8.1f}x  "
              f"{fname} {res.shape}")
    print(f"\nPNGs written to {os.path.abspath(out)}/")
    return 0
