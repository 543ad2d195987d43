"""Separable filters against OpenCV, with the border mapping of docs/semantics.md.

cv2.Sobel (ksize 1, 3, 5, 7) and cv2.Scharr for dx, dy in {0, 1, 2};
sepFilter2D; GaussianBlur (float32); blur / boxFilter; Laplacian ksize 1
and 3; uint8 Sobel into float32.  pyfilter computes them with
pyfilter.kernels and the separable drop-ins.
"""
import numpy as np
import pytest

from pyfilter import filters, kernels
from pyfilter import ndimage as pnd

from tests.helpers import CV_BORDER, cv2, requires_cv2

pytestmark = requires_cv2

# OpenCV's filter engine rejects BORDER_WRAP for these functions
CV_MODES = ["constant", "nearest", "reflect", "mirror"]


def _img(rng, shape=(37, 45), dtype=np.float32):
    if np.dtype(dtype) == np.uint8:
        return rng.integers(0, 256, size=shape).astype(np.uint8)
    return rng.standard_normal(shape).astype(dtype)


def _close(ours, ref, dtype=np.float32):
    tol = 2e-6 if np.dtype(dtype) == np.float32 else 1e-12
    scale = max(1.0, float(np.abs(ref).max()))
    np.testing.assert_allclose(ours, ref, rtol=tol, atol=tol * scale)


@pytest.mark.parametrize("ksize", [1, 3, 5, 7])
@pytest.mark.parametrize("mode", CV_MODES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sobel_all_orders(rng, ksize, mode, dtype):
    x = _img(rng, dtype=dtype)
    ddepth = cv2.CV_32F if dtype == np.float32 else cv2.CV_64F
    for dx in range(3):
        for dy in range(3):
            if dx + dy == 0 or max(dx, dy) >= max(ksize, 3):
                continue
            ref = cv2.Sobel(x, ddepth, dx, dy, ksize=ksize, borderType=CV_BORDER[mode])
            kx, ky = kernels.deriv_kernels(dx, dy, ksize)
            k2 = np.outer(ky, kx)
            for method in ("auto", "separable", "direct"):
                ours = pnd.correlate(x, k2, mode=mode, method=method)
                _close(ours, ref, dtype)


@pytest.mark.parametrize("mode", CV_MODES)
def test_scharr(rng, mode):
    x = _img(rng)
    for dx, dy in [(1, 0), (0, 1)]:
        ref = cv2.Scharr(x, cv2.CV_32F, dx, dy, borderType=CV_BORDER[mode])
        kx, ky = kernels.deriv_kernels(dx, dy, -1)
        _close(pnd.correlate(x, np.outer(ky, kx), mode=mode), ref)
        axis = 1 if dx else 0
        _close(pnd.correlate(x, kernels.scharr(2, axis=axis), mode=mode, method="separable"), ref)
        # skimage-normalised scharr equals cv2.Scharr / 16
        _close(filters.scharr(x, axis=axis, mode=mode) * 16, ref)


def test_sobel_kernels_match_cv2_3x3(rng):
    x = _img(rng)
    for axis, (dx, dy) in [(1, (1, 0)), (0, (0, 1))]:
        ref = cv2.Sobel(x, cv2.CV_32F, dx, dy, ksize=3, borderType=cv2.BORDER_REFLECT_101)
        _close(pnd.sobel(x, axis=axis, mode="mirror"), ref)
        _close(pnd.correlate(x, kernels.sobel(2, axis=axis), mode="mirror"), ref)
        for size in (5, 7):
            r = cv2.Sobel(x, cv2.CV_32F, dx, dy, ksize=size, borderType=cv2.BORDER_REFLECT_101)
            _close(pnd.correlate(x, kernels.sobel(2, axis=axis, size=size), mode="mirror"), r)


@pytest.mark.parametrize("mode", CV_MODES)
def test_uint8_sobel_into_float32(rng, mode):
    x = _img(rng, (64, 71), np.uint8)
    for axis, (dx, dy) in [(1, (1, 0)), (0, (0, 1))]:
        ref = cv2.Sobel(x, cv2.CV_32F, dx, dy, ksize=3, borderType=CV_BORDER[mode])
        ours = pnd.sobel(x, axis=axis, mode=mode, output=np.float32)
        np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("mode", CV_MODES)
def test_sepfilter2d(rng, mode):
    x = _img(rng)
    for kl in [(3, 3), (5, 1), (1, 7), (4, 6), (9, 5)]:
        kx = rng.standard_normal(kl[0]).astype(np.float32)
        ky = rng.standard_normal(kl[1]).astype(np.float32)
        ref = cv2.sepFilter2D(x, cv2.CV_32F, kx, ky, borderType=CV_BORDER[mode])
        k2 = np.outer(ky, kx)
        # OpenCV centres even kernels at ksize // 2, as scipy does
        for method in ("auto", "separable", "direct", "fft"):
            _close(pnd.correlate(x, k2, mode=mode, method=method), ref)


@pytest.mark.parametrize("mode", CV_MODES)
def test_gaussian_blur_float32(rng, mode):
    x = _img(rng, (50, 61))
    for sigma in (0.8, 1.5, 3.0):
        for sy in (sigma, 2.2):
            r = int(4.0 * sigma + 0.5)
            ry = int(4.0 * sy + 0.5)
            ref = cv2.GaussianBlur(x, (2 * r + 1, 2 * ry + 1), sigmaX=sigma, sigmaY=sy,
                                   borderType=CV_BORDER[mode])
            ours = pnd.gaussian_filter(x, (sy, sigma), mode=mode)
            np.testing.assert_allclose(ours, ref, rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize("mode", CV_MODES)
def test_blur_and_box_filter(rng, mode):
    x = _img(rng)
    for w, h in [(3, 3), (5, 5), (4, 2), (1, 6), (7, 3)]:
        ref = cv2.blur(x, (w, h), borderType=CV_BORDER[mode])
        _close(pnd.uniform_filter(x, (h, w), mode=mode), ref)
        ref2 = cv2.boxFilter(x, -1, (w, h), normalize=True, borderType=CV_BORDER[mode])
        _close(pnd.correlate(x, kernels.box((h, w)), mode=mode), ref2)
        ref3 = cv2.boxFilter(x, -1, (w, h), normalize=False, borderType=CV_BORDER[mode])
        _close(pnd.correlate(x, kernels.box((h, w), normalize=False), mode=mode), ref3)


@pytest.mark.parametrize("ksize", [1, 3])
@pytest.mark.parametrize("mode", CV_MODES)
def test_laplacian(rng, ksize, mode):
    x = _img(rng, dtype=np.float64)
    ref = cv2.Laplacian(x, cv2.CV_64F, ksize=ksize, borderType=CV_BORDER[mode])
    _close(pnd.correlate(x, kernels.laplacian(2, ksize), mode=mode), ref, np.float64)
    if ksize == 1:
        _close(pnd.laplace(x, mode=mode), ref, np.float64)


def test_sobel_magnitude_vs_cv2(rng):
    x = _img(rng, (120, 130))
    gx = cv2.Sobel(x, cv2.CV_32F, 1, 0, borderType=cv2.BORDER_REFLECT)
    gy = cv2.Sobel(x, cv2.CV_32F, 0, 1, borderType=cv2.BORDER_REFLECT)
    ref = cv2.magnitude(gx, gy)
    _close(pnd.generic_gradient_magnitude(x, pnd.sobel), ref)
    # skimage normalisation: sqrt((gx/4)^2 + (gy/4)^2) / sqrt(2)
    _close(filters.sobel(x) * 4 * np.sqrt(2), ref)
    mag, ang = filters.gradient_magnitude_orientation(x)
    np.testing.assert_allclose(ang, np.arctan2(gy, gx), rtol=1e-5, atol=1e-5)
