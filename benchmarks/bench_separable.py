"""Separable filters, smoothing, edges and FFT correlation, against
scipy.ndimage, scikit-image and OpenCV, outputs preallocated where the peer
allows (scikit-image's filters allocate their result)."""
import numpy as np
import scipy.ndimage as ndi

from pyfilter import filters
from pyfilter import ndimage as pnd

from ._harness import Case
from ._peers import cv2, skimage


def _rand(shape, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "u":
        return rng.integers(0, 256, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _close(a, b, tol=1e-4):
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    scale = max(1.0, float(np.abs(b).max()))
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol * scale)


def _sobel_magnitude():
    x = _rand((4096, 4096))
    out = np.empty_like(x)
    a, b, c = np.empty_like(x), np.empty_like(x), np.empty_like(x)

    def scipy_mag():
        ndi.sobel(x, 0, output=a)
        ndi.sobel(x, 1, output=b)
        return np.hypot(a, b, out=c)
    peers = {"scipy": scipy_mag}
    targets = {"scipy": 30}
    if cv2 is not None:
        gx, gy, m = np.empty_like(x), np.empty_like(x), np.empty_like(x)

        def cv_mag():
            cv2.Sobel(x, cv2.CV_32F, 1, 0, dst=gx, borderType=cv2.BORDER_REFLECT)
            cv2.Sobel(x, cv2.CV_32F, 0, 1, dst=gy, borderType=cv2.BORDER_REFLECT)
            return cv2.magnitude(gx, gy, m)
        peers["cv2 Sobel+Sobel+magnitude"] = cv_mag
        targets["cv2 Sobel+Sobel+magnitude"] = 1.0

    def check():
        _close(pnd.generic_gradient_magnitude(x, pnd.sobel), scipy_mag())
    return Case("Sobel magnitude 4096^2 f32 (ndimage)", "separable",
                lambda: pnd.generic_gradient_magnitude(x, pnd.sobel, output=out),
                peers, targets=targets, check=check, flops=16.0 * x.size)


def _skimage_sobel():
    x = _rand((4096, 4096))
    out = np.empty_like(x)
    peers, targets = {}, {}
    if skimage is not None:
        import skimage.filters as skf
        peers["skimage.filters.sobel"] = lambda: skf.sobel(x)
        targets["skimage.filters.sobel"] = 15

        def check():
            _close(filters.sobel(x), skf.sobel(x))
    else:
        check = None
    return Case("Sobel magnitude 4096^2 f32 (filters.sobel)", "separable",
                lambda: filters.sobel(x, output=out), peers, targets=targets,
                check=check, preallocated=True,
                note="scikit-image allocates its output")


def _gaussian_2d():
    x = _rand((4096, 4096))
    out, out_s = np.empty_like(x), np.empty_like(x)
    peers = {"scipy": lambda: ndi.gaussian_filter(x, 3.0, output=out_s)}
    targets = {"scipy": 20}
    if cv2 is not None:
        dst = np.empty_like(x)
        peers["cv2.GaussianBlur"] = lambda: cv2.GaussianBlur(
            x, (25, 25), 3.0, dst=dst, borderType=cv2.BORDER_REFLECT)
        targets["cv2.GaussianBlur"] = 1.0

    def check():
        _close(pnd.gaussian_filter(x, 3.0), ndi.gaussian_filter(x, 3.0), 1e-5)
    return Case("Gaussian sigma=3 4096^2 f32", "separable",
                lambda: pnd.gaussian_filter(x, 3.0, output=out), peers,
                targets=targets, check=check, flops=2 * 2 * 25 * x.size)


def _arbitrary_31():
    x = _rand((2048, 2048))
    w = _rand((31, 31), np.float64, seed=5) / 31
    out = np.empty_like(x)
    peers, targets = {}, {}
    if cv2 is not None:
        dst = np.empty_like(x)
        w32 = w.astype(np.float32)
        peers["cv2.filter2D"] = lambda: cv2.filter2D(
            x, -1, w32, dst=dst, borderType=cv2.BORDER_REFLECT_101)
        targets["cv2.filter2D"] = 1.0
    out_s = np.empty_like(x)
    peers["scipy"] = lambda: ndi.correlate(x, w, output=out_s, mode="mirror")

    def check():
        ref = cv2.filter2D(x, -1, w.astype(np.float32), borderType=cv2.BORDER_REFLECT_101) \
            if cv2 is not None else ndi.correlate(x, w, mode="mirror")
        _close(pnd.correlate(x, w, mode="mirror"), ref)
    return Case("31x31 correlate 2048^2 f32 (auto: FFT)", "separable",
                lambda: pnd.correlate(x, w, output=out, mode="mirror"), peers,
                targets=targets, check=check, repeat=5)


def _separable_15():
    x = _rand((2048, 2048))
    rng = np.random.default_rng(3)
    kx, ky = rng.standard_normal(15), rng.standard_normal(15)
    w = np.outer(ky, kx)
    out = np.empty_like(x)
    out_s = np.empty_like(x)
    peers = {"scipy": lambda: ndi.correlate(x, w, output=out_s, mode="mirror")}
    if cv2 is not None:
        dst = np.empty_like(x)
        kx32, ky32 = kx.astype(np.float32), ky.astype(np.float32)
        peers["cv2.sepFilter2D"] = lambda: cv2.sepFilter2D(
            x, -1, kx32, ky32, dst=dst, borderType=cv2.BORDER_REFLECT_101)

    def check():
        _close(pnd.correlate(x, w, mode="mirror"), ndi.correlate(x, w, mode="mirror"))
    return Case("rank-1 15x15 correlate 2048^2 f32 (auto: separable)", "separable",
                lambda: pnd.correlate(x, w, output=out, mode="mirror"), peers,
                check=check, repeat=5, flops=2.0 * 30 * x.size)


def _gaussian_3d():
    v = _rand((256, 256, 256))
    out, out_s = np.empty_like(v), np.empty_like(v)

    def check():
        s = v[:64, :64, :64]
        _close(pnd.gaussian_filter(s, 2.0), ndi.gaussian_filter(s, 2.0), 1e-5)
    return Case("Gaussian sigma=2 256^3 f32", "separable",
                lambda: pnd.gaussian_filter(v, 2.0, output=out),
                {"scipy": lambda: ndi.gaussian_filter(v, 2.0, output=out_s)},
                targets={"scipy": 8}, check=check, repeat=5, flops=3 * 2 * 17 * v.size)


def _uniform_5():
    x = _rand((4096, 4096))
    out, out_s = np.empty_like(x), np.empty_like(x)
    peers = {"scipy": lambda: ndi.uniform_filter(x, 5, output=out_s)}
    if cv2 is not None:
        dst = np.empty_like(x)
        peers["cv2.blur"] = lambda: cv2.blur(x, (5, 5), dst=dst, borderType=cv2.BORDER_REFLECT)

    def check():
        _close(pnd.uniform_filter(x, 5), ndi.uniform_filter(x, 5), 1e-5)
    return Case("uniform_filter 5x5 4096^2 f32", "separable",
                lambda: pnd.uniform_filter(x, 5, output=out), peers, check=check)


def _uint8_sobel():
    x = _rand((4096, 4096), np.uint8)
    out = np.empty(x.shape, np.float32)
    out_s = np.empty(x.shape, np.float32)
    peers = {"scipy": lambda: ndi.sobel(x, 1, output=out_s)}
    if cv2 is not None:
        dst = np.empty(x.shape, np.float32)
        peers["cv2.Sobel CV_32F"] = lambda: cv2.Sobel(x, cv2.CV_32F, 1, 0, dst=dst,
                                                      borderType=cv2.BORDER_REFLECT)

    def check():
        np.testing.assert_array_equal(pnd.sobel(x, 1, output=np.float32),
                                      ndi.sobel(x, 1, output=np.float32))
    return Case("uint8 3x3 Sobel -> f32 4096^2", "separable",
                lambda: pnd.sobel(x, 1, output=out), peers, check=check)


def _hwc_cases():
    """Channels-last 1920x1080x3 images (uint8 and float32) against OpenCV
    (BORDER_REFLECT = mode 'reflect', preallocated dst): uniform_filter (5,5,1) against
    cv2.blur, and a Gaussian of sigma 2 over (y, x) against
    cv2.GaussianBlur.  For uint8 the Gaussian is scikit-image's (a float
    result, here float32: the dtype rules give float), for float32 scipy's
    gaussian_filter; OpenCV keeps the input type (and on uint8 images
    computes in 16-bit fixed point with a 13-tap kernel, where both
    dialects use 17 taps)."""
    out = []
    for dt in (np.uint8, np.float32):
        name = np.dtype(dt).name
        x = _rand((1080, 1920, 3), dt, seed=5)
        o, o_s = np.empty_like(x), np.empty_like(x)
        peers, targets = {"scipy": lambda x=x, o_s=o_s: ndi.uniform_filter(x, (5, 5, 1),
                                                                         output=o_s)}, {}
        if cv2 is not None:
            dst = np.empty_like(x)
            peers["cv2.blur"] = lambda x=x, dst=dst: cv2.blur(x, (5, 5), dst=dst,
                                                               borderType=cv2.BORDER_REFLECT)
            targets["cv2.blur"] = 1.0

        def check(x=x):
            ours, ref = pnd.uniform_filter(x, (5, 5, 1)), ndi.uniform_filter(x, (5, 5, 1))
            if x.dtype == np.uint8:
                np.testing.assert_array_equal(ours, ref)
            else:
                _close(ours, ref, 1e-5)
        out.append(Case(f"uniform_filter (5,5,1) 1080x1920x3 {name}", "separable",
                        lambda x=x, o=o: pnd.uniform_filter(x, (5, 5, 1), output=o), peers,
                        targets=targets, check=check, repeat=9))
        f32 = np.empty(x.shape, np.float32)
        if dt == np.uint8:
            what = "filters.gaussian sigma=2 channel_axis=-1 -> float32"

            def ours(x=x, f32=f32):
                return filters.gaussian(x, 2.0, mode="reflect", channel_axis=-1,
                                        preserve_range=True, out=f32)

            def check(x=x, ours=ours):
                ref = ndi.gaussian_filter(x.astype(np.float64), (2, 2, 0))
                _close(ours(), ref, 1e-5)
            peers = {}
            if skimage is not None:
                peers["skimage.filters.gaussian"] = lambda x=x: skimage.filters.gaussian(
                    x, 2.0, mode="reflect", channel_axis=-1, preserve_range=True)
        else:
            what = "gaussian_filter sigma=(2,2,0)"

            def ours(x=x, f32=f32):
                return pnd.gaussian_filter(x, (2, 2, 0), output=f32)

            def check(x=x, ours=ours):
                _close(ours(), ndi.gaussian_filter(x, (2, 2, 0)), 1e-5)
            o_s2 = np.empty_like(x)
            peers = {"scipy": lambda x=x, o_s2=o_s2: ndi.gaussian_filter(x, (2, 2, 0),
                                                                         output=o_s2)}
        targets = {}
        if cv2 is not None:
            dst = np.empty_like(x)
            peers["cv2.GaussianBlur"] = lambda x=x, dst=dst: cv2.GaussianBlur(
                x, (0, 0), 2.0, dst=dst, borderType=cv2.BORDER_REFLECT)
            targets["cv2.GaussianBlur"] = 1.0
        out.append(Case(f"{what} 1080x1920x3 {name}", "separable", ours, peers,
                        targets=targets, check=check, repeat=9))
    return out


SIZES = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]


def _repeat(nelem):
    """Runs per case: many for the per-call sizes (medians of single calls)."""
    return max(7, min(2000, int(4e6 / max(nelem, 1))))


def _sweep(n, dtype, what):
    """One filter on an n x n image, mode 'reflect' (= cv2.BORDER_REFLECT):
    ``what`` is 'gauss1' (gaussian_filter sigma=1, against scipy), 'gauss1.5'
    (sigma=1.5, against scipy and, for float32, cv2.GaussianBlur: the same
    13 taps) or 'sobel' (ndimage.sobel along x, against scipy and cv2.Sobel
    for float32)."""
    x = _rand((n, n), dtype)
    out, out_s = np.empty_like(x), np.empty_like(x)
    targets = {"scipy": 1.0}
    if what == "sobel":
        def ours():
            return pnd.sobel(x, -1, output=out, mode="reflect")
        peers = {"scipy": lambda: ndi.sobel(x, -1, output=out_s, mode="reflect")}
        ref = lambda: ndi.sobel(x, -1, mode="reflect")        # noqa: E731
        fresh = lambda: pnd.sobel(x, -1, mode="reflect")      # noqa: E731
        name = f"sobel {n}^2 {np.dtype(dtype).name}"
        if cv2 is not None and x.dtype == np.float32:
            dst = np.empty_like(x)
            peers["cv2.Sobel"] = lambda: cv2.Sobel(x, -1, 1, 0, dst=dst,
                                                   borderType=cv2.BORDER_REFLECT)
    else:
        sigma = 1.0 if what == "gauss1" else 1.5

        def ours():
            return pnd.gaussian_filter(x, sigma, output=out, mode="reflect")
        peers = {"scipy": lambda: ndi.gaussian_filter(x, sigma, output=out_s, mode="reflect")}
        ref = lambda: ndi.gaussian_filter(x, sigma, mode="reflect")      # noqa: E731
        fresh = lambda: pnd.gaussian_filter(x, sigma, mode="reflect")    # noqa: E731
        name = f"gaussian_filter sigma={sigma:g} {n}^2 {np.dtype(dtype).name}"
        if cv2 is not None and x.dtype == np.float32 and what == "gauss1.5":
            dst = np.empty_like(x)
            peers["cv2.GaussianBlur"] = lambda: cv2.GaussianBlur(
                x, (13, 13), 1.5, dst=dst, borderType=cv2.BORDER_REFLECT)
            if n >= 256:
                targets["cv2.GaussianBlur"] = 1.0

    def check():
        if x.dtype == np.uint8:
            np.testing.assert_array_equal(fresh(), ref())
        else:
            _close(fresh(), ref(), 1e-5)
    return Case(name, "separable-sizes", ours, peers, targets=targets,
                repeat=_repeat(n * n), check=check)


def cases():
    out = [_sobel_magnitude(), _skimage_sobel(), _gaussian_2d(), _arbitrary_31(),
           _separable_15(), _gaussian_3d(), _uniform_5(), _uint8_sobel()] + _hwc_cases()
    for what in ("gauss1", "gauss1.5", "sobel"):
        for dt in (np.float32, np.uint8):
            if what == "gauss1.5" and dt == np.uint8:
                continue
            out += [_sweep(n, dt, what) for n in SIZES]
    return out
