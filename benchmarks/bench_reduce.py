"""Window reductions: max/avg pooling against torch and
skimage.measure.block_reduce, maximum_filter against scipy.ndimage and
cv2.dilate (preallocated outputs where the API allows): big images, HWC
images, and a size sweep from 16^2 to 4096^2 (uint8 and float32)."""
import numpy as np
import scipy.ndimage as ndi

from pyfilter import filters, nn
from pyfilter import ndimage as pnd

from ._harness import Case
from ._peers import cv2, skimage, torch


def _rand(shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _pool_cases():
    x = _rand((1, 64, 512, 512))
    out = []
    peers, targets = {}, {}
    xt = None
    if torch is not None:
        import torch.nn.functional as F
        xt = torch.from_numpy(x)
        peers["torch"] = lambda: F.max_pool2d(xt, 2, 2)
        targets["torch"] = 4.0
    if skimage is not None:
        from skimage.measure import block_reduce
        peers["skimage.block_reduce"] = lambda: block_reduce(x, (1, 1, 2, 2), np.max)
        targets["skimage.block_reduce"] = 10.0

    def check_max():
        ref = x.reshape(1, 64, 256, 2, 256, 2).max(axis=(3, 5))
        np.testing.assert_array_equal(nn.max_pool2d(x, 2), ref)
    out.append(Case("max_pool2d 2x2/2 (1,64,512,512) f32", "reduce",
                    lambda: nn.max_pool2d(x, 2), peers, targets=targets,
                    preallocated=False, check=check_max,
                    note="fresh outputs for all (torch has no out= for pooling)"))

    peers, targets = {}, {}
    if xt is not None:
        peers["torch"] = lambda: F.avg_pool2d(xt, 3, 2, 1)
        targets["torch"] = 1.5

        def check_avg():
            np.testing.assert_allclose(nn.avg_pool2d(x, 3, 2, 1),
                                       F.avg_pool2d(xt, 3, 2, 1).numpy(), rtol=1e-5, atol=1e-6)
    else:
        check_avg = None
    out.append(Case("avg_pool2d 3x3/2 pad 1 (1,64,512,512) f32", "reduce",
                    lambda: nn.avg_pool2d(x, 3, 2, 1), peers, targets=targets,
                    preallocated=False, check=check_avg))

    if xt is not None:
        out.append(Case("max_pool2d 3x3/2 pad 1 + indices (1,64,512,512)", "reduce",
                        lambda: nn.max_pool2d(x, 3, 2, 1, return_indices=True),
                        {"torch": lambda: F.max_pool2d(xt, 3, 2, 1, return_indices=True)},
                        preallocated=False))
    if skimage is not None:
        xi = (x[0, :16] * 40).astype(np.uint8)
        out.append(Case("block_reduce mean 4x4 (16,512,512) uint8", "reduce",
                        lambda: filters.block_reduce(xi, (1, 4, 4), np.mean),
                        {"skimage.block_reduce": lambda: block_reduce(xi, (1, 4, 4), np.mean)},
                        preallocated=False))
    return out


def _filter_cases():
    x = _rand((4096, 4096))
    o, os_ = np.empty_like(x), np.empty_like(x)
    out = []
    for k, tgt in ((3, {"scipy": 30.0, "cv2.dilate": 1.0}), (15, {"scipy": 20.0}), (63, {})):
        peers = {"scipy": (lambda k=k: ndi.maximum_filter(x, k, output=os_, mode="nearest"))}
        if cv2 is not None:
            ker = np.ones((k, k), np.uint8)
            dst = np.empty_like(x)
            peers["cv2.dilate"] = (lambda ker=ker, dst=dst: cv2.dilate(x, ker, dst=dst))

        def check(k=k):
            ours = pnd.maximum_filter(x, k, mode="nearest")
            if cv2 is not None:
                np.testing.assert_array_equal(ours, cv2.dilate(x, np.ones((k, k), np.uint8)))
            else:
                np.testing.assert_array_equal(ours[:64], ndi.maximum_filter(x[:64 + k], k,
                                                                            mode="nearest")[:64])
        out.append(Case(f"maximum_filter {k}x{k} 4096^2 f32", "reduce",
                        (lambda k=k: pnd.maximum_filter(x, k, output=o, mode="nearest")),
                        peers, targets=tgt, check=check, repeat=5 if k > 3 else None))
    yy, xx = np.mgrid[-7:8, -7:8]
    disk = (yy ** 2 + xx ** 2) <= 49
    xs = x[:2048, :2048]
    o2, o2s = np.empty_like(xs), np.empty_like(xs)
    peers = {"scipy": lambda: ndi.maximum_filter(xs, footprint=disk, output=o2s, mode="nearest")}
    if cv2 is not None:
        se = disk.astype(np.uint8)
        d2 = np.empty_like(xs)
        peers["cv2.dilate"] = lambda: cv2.dilate(xs, se, dst=d2)
    out.append(Case("maximum_filter disk r=7 footprint 2048^2 f32", "reduce",
                    lambda: pnd.maximum_filter(xs, footprint=disk, output=o2, mode="nearest"),
                    peers, repeat=5))
    xu = (x * 40).astype(np.uint8)
    ou = np.empty_like(xu)
    peers = {"scipy": lambda: ndi.minimum_filter(xu, 5, output=np.empty_like(xu))}
    if cv2 is not None:
        du = np.empty_like(xu)
        peers["cv2.erode"] = lambda: cv2.erode(xu, np.ones((5, 5), np.uint8), dst=du,
                                               borderType=cv2.BORDER_REFLECT)
    out.append(Case("minimum_filter 5x5 4096^2 uint8", "reduce",
                    lambda: pnd.minimum_filter(xu, 5, output=ou), peers))
    out.append(Case("maximum_filter 15x15 4096^2 f32: 2 threads vs 1", "reduce",
                    lambda: pnd.maximum_filter(x, 15, output=o, workers=2),
                    {"pyfilter workers=1": lambda: pnd.maximum_filter(x, 15, output=o,
                                                                      workers=1)},
                    repeat=5))
    return out


def _sweep_cases():
    """maximum_filter size 3 at every size from 16^2 to 4096^2, uint8 and
    float32, against scipy and cv2.dilate (BORDER_REFLECT = scipy's
    default 'reflect'); every output preallocated."""
    out = []
    for dt in (np.float32, np.uint8):
        name = np.dtype(dt).name
        for n in (16, 32, 64, 128, 256, 512, 1024, 2048, 4096):
            x = _rand((n, n), np.float32, seed=n)
            if dt == np.uint8:
                x = (x * 40).astype(np.uint8)
            o, os_ = np.empty_like(x), np.empty_like(x)
            peers = {"scipy": (lambda x=x, os_=os_: ndi.maximum_filter(x, 3, output=os_))}
            targets = {"scipy": 1.0}
            if cv2 is not None:
                ker = np.ones((3, 3), np.uint8)
                dst = np.empty_like(x)
                peers["cv2.dilate"] = (lambda x=x, ker=ker, dst=dst: cv2.dilate(
                    x, ker, dst=dst, borderType=cv2.BORDER_REFLECT))

            def check(x=x):
                np.testing.assert_array_equal(pnd.maximum_filter(x, 3), ndi.maximum_filter(x, 3))
            rep = 2001 if n <= 64 else (301 if n <= 256 else (41 if n <= 1024 else 9))
            out.append(Case(f"maximum_filter 3x3 {n}^2 {name}", "reduce",
                            (lambda x=x, o=o: pnd.maximum_filter(x, 3, output=o)), peers,
                            targets=targets, check=check, repeat=rep))
    return out


def _hwc_cases():
    """Channels-last images (1080x1920x3): maximum/minimum_filter with a
    5x5 window over (y, x) against cv2.dilate/erode (BORDER_REFLECT,
    preallocated dst) and scipy."""
    out = []
    fp = np.ones((5, 5), bool)
    for dt in (np.uint8, np.float32):
        name = np.dtype(dt).name
        x = _rand((1080, 1920, 3), np.float32, seed=3)
        if dt == np.uint8:
            x = (x * 40).astype(np.uint8)
        o, os_ = np.empty_like(x), np.empty_like(x)
        ker = np.ones((5, 5), np.uint8)
        dst = np.empty_like(x)
        for what, ours, theirs, cvf in (
                ("maximum_filter (5,5,1)", lambda x=x, o=o: pnd.maximum_filter(x, (5, 5, 1),
                                                                                output=o),
                 lambda x=x, os_=os_: ndi.maximum_filter(x, (5, 5, 1), output=os_), "dilate"),
                ("maximum_filter 5x5 footprint axes (0,1)",
                 lambda x=x, o=o: pnd.maximum_filter(x, footprint=fp, axes=(0, 1), output=o),
                 None, "dilate"),
                ("minimum_filter (5,5,1)", lambda x=x, o=o: pnd.minimum_filter(x, (5, 5, 1),
                                                                                output=o),
                 lambda x=x, os_=os_: ndi.minimum_filter(x, (5, 5, 1), output=os_), "erode")):
            peers, targets = {}, {}
            if cv2 is not None:
                f = getattr(cv2, cvf)
                peers[f"cv2.{cvf}"] = (lambda f=f, x=x, dst=dst: f(
                    x, ker, dst=dst, borderType=cv2.BORDER_REFLECT))
                targets[f"cv2.{cvf}"] = 1.0
            if theirs is not None:
                peers["scipy"] = theirs

            def check(x=x, ours=ours, cvf=cvf):
                ref = (ndi.maximum_filter if cvf == "dilate" else ndi.minimum_filter)(
                    x, (5, 5, 1))
                np.testing.assert_array_equal(ours(), ref)
            out.append(Case(f"{what} 1080x1920x3 {name}", "reduce", ours, peers,
                            targets=targets, check=check, repeat=25 if theirs is None else 5))
    return out


def cases():
    return _pool_cases() + _filter_cases() + _hwc_cases() + _sweep_cases()
