"""median_filter against cv2.medianBlur where the two coincide: OpenCV
extends the image as BORDER_REPLICATE (scipy's 'nearest') and takes 3x3
and 5x5 windows for uint8, uint16 and float32 and larger ones for uint8;
HWC images are filtered per channel (size (k, k, 1))."""
import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

from pyfilter import ndimage as pnd  # noqa: E402


@pytest.mark.parametrize("dtype, ksize", [(np.uint8, 3), (np.uint8, 5), (np.uint8, 7),
                                          (np.uint8, 11), (np.uint16, 3), (np.uint16, 5),
                                          (np.float32, 3), (np.float32, 5)])
@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (17, 29), (64, 80), (48, 50, 3)])
def test_median_blur(dtype, ksize, shape):
    rng = np.random.default_rng(ksize * 7 + len(shape))
    if np.dtype(dtype).kind == "f":
        img = rng.standard_normal(shape).astype(dtype)
    else:
        img = rng.integers(0, np.iinfo(dtype).max, shape, endpoint=True).astype(dtype)
    size = (ksize, ksize, 1) if len(shape) == 3 else ksize
    np.testing.assert_array_equal(pnd.median_filter(img, size, mode="nearest"),
                                  cv2.medianBlur(img, ksize))
