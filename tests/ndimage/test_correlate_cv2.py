"""pyfilter.ndimage.correlate/convolve against cv2.filter2D with the border
mapping of docs/semantics.md (BORDER_REFLECT_101 == 'mirror', ...)."""
import numpy as np
import pytest

from pyfilter import ndimage as pnd

from tests.helpers import CV_BORDER, cv2, requires_cv2

pytestmark = requires_cv2

# filter2D does not accept BORDER_WRAP.
BORDERS = ["mirror", "reflect", "nearest", "constant"]


@pytest.mark.parametrize("mode", BORDERS)
@pytest.mark.parametrize("kshape", [(3, 3), (5, 7), (4, 2), (1, 6)])
def test_filter2d_float32(rng, mode, kshape):
    x = rng.standard_normal((37, 41)).astype(np.float32)
    k = rng.standard_normal(kshape).astype(np.float32)
    kh, kw = kshape
    for ay, ax in [(kh // 2, kw // 2), (0, 0), (kh - 1, kw - 1)]:
        ref = cv2.filter2D(x, -1, k, anchor=(ax, ay), borderType=CV_BORDER[mode])
        ours = pnd.correlate(x, k, mode=mode, origin=(ay - kh // 2, ax - kw // 2))
        np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode", BORDERS)
def test_filter2d_uint8_into_float32(rng, mode):
    x = rng.integers(0, 256, size=(30, 33)).astype(np.uint8)
    k = rng.standard_normal((3, 5)).astype(np.float32)
    ref = cv2.filter2D(x, cv2.CV_32F, k, borderType=CV_BORDER[mode])
    ours = pnd.correlate(x, k, mode=mode, output=np.float32)
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("kshape", [(3, 3), (4, 4), (2, 5)])
def test_true_convolution_is_filter2d_with_flipped_kernel(rng, kshape):
    x = rng.standard_normal((25, 27)).astype(np.float32)
    k = rng.standard_normal(kshape).astype(np.float32)
    kh, kw = kshape
    anchor = (kw - 1 - kw // 2, kh - 1 - kh // 2)
    ref = cv2.filter2D(x, -1, cv2.flip(k, -1), anchor=anchor, borderType=cv2.BORDER_REFLECT_101)
    np.testing.assert_allclose(pnd.convolve(x, k, mode="mirror"), ref, rtol=1e-5, atol=1e-5)


def test_multichannel_image(rng):
    # (H, W, C): OpenCV filters each channel with the same kernel
    x = rng.standard_normal((20, 22, 3)).astype(np.float32)
    k = rng.standard_normal((3, 3)).astype(np.float32)
    ref = cv2.filter2D(x, -1, k, borderType=cv2.BORDER_REFLECT_101)
    np.testing.assert_allclose(pnd.correlate(x, k, axes=(0, 1), mode="mirror"), ref,
                               rtol=1e-5, atol=1e-5)


def test_large_kernel_dft_path(rng):
    # OpenCV switches to its DFT at >= 130 taps; results still agree
    x = rng.standard_normal((64, 70)).astype(np.float32)
    k = rng.standard_normal((13, 11)).astype(np.float32)
    ref = cv2.filter2D(x, -1, k, borderType=cv2.BORDER_REFLECT_101)
    np.testing.assert_allclose(pnd.correlate(x, k, mode="mirror"), ref, rtol=1e-4, atol=1e-4)
