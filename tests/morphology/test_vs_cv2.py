"""pyfilter.morphology (and pyfilter.ndimage's grey morphology) against
OpenCV's cv2.dilate / cv2.erode / cv2.morphologyEx where the semantics
coincide: uint8 and float32 2-D images, an odd kernel, and
``borderType=cv2.BORDER_REPLICATE``, which is mode 'nearest' for a max /
min.  OpenCV places the kernel at its centre and does not reflect it for
either operation, as ``pyfilter.morphology`` does; ``ndimage.grey_dilation``
reflects it (scipy), which a symmetric kernel does not see.  The uint8
top-hats differ where the opening exceeds the image (or the closing falls
below it) at the border: OpenCV saturates, the others wrap around."""
import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

from pyfilter import morphology, ndimage  # noqa: E402

RNG = np.random.default_rng(11)
BORDER = cv2.BORDER_REPLICATE


def _img(dtype, shape=(37, 52)):
    if dtype == np.uint8:
        return RNG.integers(0, 256, shape).astype(np.uint8)
    return (RNG.random(shape) * 10 - 3).astype(np.float32)


def _ellipse(k):
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))


# odd kernels, symmetric under a half-turn (what cv2 and scipy agree on)
KERNELS = {
    "rect3": np.ones((3, 3), np.uint8),
    "rect5x3": np.ones((5, 3), np.uint8),
    "rect1x9": np.ones((1, 9), np.uint8),
    "cross5": cv2.getStructuringElement(cv2.MORPH_CROSS, (5, 5)),
    "ellipse7": _ellipse(7),
    "ellipse11": _ellipse(11),
    "diag": np.eye(5, dtype=np.uint8),
}
DTYPES = [np.uint8, np.float32]
OPS = {
    "open": (cv2.MORPH_OPEN, morphology.opening, ndimage.grey_opening),
    "close": (cv2.MORPH_CLOSE, morphology.closing, ndimage.grey_closing),
    "tophat": (cv2.MORPH_TOPHAT, morphology.white_tophat, ndimage.white_tophat),
    "blackhat": (cv2.MORPH_BLACKHAT, morphology.black_tophat, ndimage.black_tophat),
}


def _same(got, ref):
    assert got.dtype == ref.dtype
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("kname", list(KERNELS))
def test_dilate_erode(kname, dtype):
    x, k = _img(dtype), KERNELS[kname]
    ref_d = cv2.dilate(x, k, borderType=BORDER)
    ref_e = cv2.erode(x, k, borderType=BORDER)
    _same(morphology.dilation(x, k, mode="nearest"), ref_d)
    _same(morphology.erosion(x, k, mode="nearest"), ref_e)
    _same(ndimage.grey_dilation(x, footprint=k, mode="nearest"), ref_d)
    _same(ndimage.grey_erosion(x, footprint=k, mode="nearest"), ref_e)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("kname", list(KERNELS))
@pytest.mark.parametrize("op", list(OPS))
def test_morphology_ex(op, kname, dtype):
    x, k = _img(dtype), KERNELS[kname]
    code, ours, scipy_style = OPS[op]
    ref = cv2.morphologyEx(x, code, k, borderType=BORDER)
    got = ours(x, k, mode="nearest")
    if op in ("tophat", "blackhat") and dtype == np.uint8:
        # With a replicated border an opening can exceed the image (and a
        # closing fall below it) at border pixels; there OpenCV saturates
        # the difference to 0 while scikit-image, scipy and pyfilter wrap
        # around (uint8 arithmetic).  Elsewhere the results are equal.
        if op == "tophat":
            base = morphology.opening(x, k, mode="nearest")
            ok = base <= x
            _same(ref, cv2.subtract(x, base))
        else:
            base = morphology.closing(x, k, mode="nearest")
            ok = base >= x
            _same(ref, cv2.subtract(base, x))
        assert got.dtype == ref.dtype
        np.testing.assert_array_equal(got[ok], ref[ok])
        np.testing.assert_array_equal(scipy_style(x, footprint=k, mode="nearest"), got)
        return
    _same(got, ref)
    _same(scipy_style(x, footprint=k, mode="nearest"), ref)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_asymmetric_kernel_is_not_reflected(dtype):
    # cv2 and pyfilter.morphology use the kernel as given (odd, centred)
    x = _img(dtype)
    k = np.array([[1, 1, 0], [0, 1, 0], [0, 1, 1]], np.uint8)
    k[0, 2] = 0
    _same(morphology.dilation(x, k, mode="nearest"), cv2.dilate(x, k, borderType=BORDER))
    _same(morphology.erosion(x, k, mode="nearest"), cv2.erode(x, k, borderType=BORDER))
    _same(ndimage.grey_dilation(x, footprint=k[::-1, ::-1], mode="nearest"),
          cv2.dilate(x, k, borderType=BORDER))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("kname", ["rect3", "cross5", "ellipse7"])
def test_iterations_are_a_footprint_sequence(kname, dtype):
    x, k = _img(dtype), KERNELS[kname]
    seq = ((k, 3),)
    _same(morphology.dilation(x, seq, mode="nearest"),
          cv2.dilate(x, k, iterations=3, borderType=BORDER))
    _same(morphology.erosion(x, seq, mode="nearest"),
          cv2.erode(x, k, iterations=3, borderType=BORDER))
