"""Rank filters and morphology: median/percentile filters against
scipy.ndimage and cv2.medianBlur (which extends the image as
BORDER_REPLICATE, scipy's 'nearest'), grey opening and binary erosion
against scipy.ndimage; 64^2, 512^2 and large images, uint8 and float32."""
import numpy as np
import scipy.ndimage as ndi

from pyfilter import ndimage as pnd

from ._harness import Case
from ._peers import cv2, skimage


def _img(shape, dtype, seed=0):
    x = np.random.default_rng(seed).random(shape)
    return (x * 255).astype(dtype) if np.dtype(dtype) == np.uint8 else x.astype(dtype)


def _median_cases():
    out = []
    for n, dt, size, rep in [(64, np.uint8, 3, 501), (64, np.float32, 3, 501),
                             (512, np.uint8, 3, 41), (512, np.float32, 5, 11),
                             (2048, np.float32, 5, 3)]:
        x = _img((n, n), dt, n)
        o, os_ = np.empty_like(x), np.empty_like(x)
        peers = {"scipy": (lambda x=x, s=size, os_=os_: ndi.median_filter(x, s, output=os_))}
        targets = {"scipy": 100.0} if (n == 2048 and size == 5) else {"scipy": 1.0}
        if cv2 is not None and (dt == np.uint8 or size <= 5):
            peers["cv2.medianBlur"] = (lambda x=x, s=size: cv2.medianBlur(x, s))

        def check(x=x, s=size):
            np.testing.assert_array_equal(pnd.median_filter(x, s), ndi.median_filter(x, s))
            if cv2 is not None:
                np.testing.assert_array_equal(pnd.median_filter(x, s, mode="nearest"),
                                              cv2.medianBlur(x, s))
        out.append(Case(f"median_filter {size}x{size} {n}^2 {np.dtype(dt).name}", "rank",
                        (lambda x=x, s=size, o=o: pnd.median_filter(x, s, output=o)), peers,
                        targets=targets, check=check, repeat=rep,
                        note="cv2.medianBlur allocates its output"))
    u = _img((1080, 1920), np.uint8, 1)
    for size in (3, 5):
        o = np.empty_like(u)
        peers, targets = {}, {}
        if cv2 is not None:
            dst = np.empty_like(u)
            peers["cv2.medianBlur"] = (lambda s=size, dst=dst: cv2.medianBlur(u, s, dst=dst))
            targets["cv2.medianBlur"] = 1.0
        peers["scipy"] = (lambda s=size: ndi.median_filter(u, s, mode="nearest"))

        def check(s=size):
            if cv2 is not None:
                np.testing.assert_array_equal(pnd.median_filter(u, s, mode="nearest"),
                                              cv2.medianBlur(u, s))
        out.append(Case(f"median_filter {size}x{size} 1080x1920 uint8 (nearest)", "rank",
                        (lambda s=size, o=o: pnd.median_filter(u, s, mode="nearest", output=o)),
                        peers, targets=targets, check=check, repeat=41))
    v = _img((128, 128, 128), np.float32, 2)
    ov = np.empty_like(v)
    out.append(Case("median_filter 3x3x3 128^3 float32", "rank",
                    lambda: pnd.median_filter(v, 3, output=ov),
                    {"scipy": lambda: ndi.median_filter(v, 3)}, targets={"scipy": 50.0},
                    check=lambda: np.testing.assert_array_equal(pnd.median_filter(v, 3),
                                                                ndi.median_filter(v, 3)),
                    repeat=3))
    w = _img((1024, 1024), np.float32, 3)
    out.append(Case("percentile_filter 20% 7x7 1024^2 float32 (looped network)", "rank",
                    lambda: pnd.percentile_filter(w, 20, 7),
                    {"scipy": lambda: ndi.percentile_filter(w, 20, 7)},
                    check=lambda: np.testing.assert_array_equal(
                        pnd.percentile_filter(w, 20, 7), ndi.percentile_filter(w, 20, 7)),
                    repeat=3, preallocated=False))
    return out


def _morphology_cases():
    out = []
    x = _img((2048, 2048), np.float32, 4)
    out.append(Case("grey_opening 15x15 2048^2 float32", "rank",
                    lambda: pnd.grey_opening(x, 15),
                    {"scipy": lambda: ndi.grey_opening(x, 15)}, targets={"scipy": 20.0},
                    check=lambda: np.testing.assert_array_equal(pnd.grey_opening(x, 15),
                                                                ndi.grey_opening(x, 15)),
                    repeat=3, preallocated=False))
    b = _img((4096, 4096), np.float32, 5) > 0.3
    st = np.ones((5, 5), bool)
    out.append(Case("binary_erosion 5x5 iterations=3 4096^2", "rank",
                    lambda: pnd.binary_erosion(b, st, iterations=3),
                    {"scipy": lambda: ndi.binary_erosion(b, st, iterations=3)},
                    targets={"scipy": 20.0},
                    check=lambda: np.testing.assert_array_equal(
                        pnd.binary_erosion(b, st, iterations=3),
                        ndi.binary_erosion(b, st, iterations=3)),
                    repeat=3, preallocated=False))
    for n in (64, 512):
        y = _img((n, n), np.uint8, n)
        out.append(Case(f"grey_closing 3x3 {n}^2 uint8", "rank",
                        (lambda y=y: pnd.grey_closing(y, 3)),
                        {"scipy": (lambda y=y: ndi.grey_closing(y, 3))},
                        targets={"scipy": 1.0},
                        check=(lambda y=y: np.testing.assert_array_equal(
                            pnd.grey_closing(y, 3), ndi.grey_closing(y, 3))),
                        repeat=501 if n == 64 else 41, preallocated=False))
    return out


def _skrank_cases():
    """filters.rank.median (skimage.filters.rank's windows shrunk at the
    borders) with disk(7) on a 1024^2 uint8 image."""
    if skimage is None:
        return []
    from skimage.filters import rank as skr
    from skimage.morphology import disk

    from pyfilter.filters import rank as prank
    x = _img((1024, 1024), np.uint8, 6)
    fp = disk(7)
    o, os_ = np.empty_like(x), np.empty_like(x)
    return [Case("filters.rank.median disk(7) 1024^2 uint8", "rank",
                 lambda: prank.median(x, fp, out=o),
                 {"skimage": lambda: skr.median(x, fp, out=os_)}, targets={"skimage": 2.0},
                 check=lambda: np.testing.assert_array_equal(prank.median(x, fp),
                                                             skr.median(x, fp)),
                 repeat=5)]


def cases():
    return _median_cases() + _morphology_cases() + _skrank_cases()
