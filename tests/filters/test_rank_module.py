"""pyfilter.filters.rank against skimage.filters.rank 0.26: exact
equality for every method (entropy too: the same float operations in the
same order give bitwise-equal results; the comparison allows 1e-12 in
case a compiler contracts them differently)."""
import warnings

import numpy as np
import pytest

skr = pytest.importorskip("skimage.filters.rank")
from skimage.morphology import ball, disk, ellipse  # noqa: E402

from pyfilter.filters import rank  # noqa: E402

METHODS = ["minimum", "maximum", "median", "mean", "sum", "modal", "gradient", "pop",
           "entropy", "otsu", "autolevel", "equalize", "geometric_mean", "enhance_contrast",
           "threshold"]


def _img(shape, dtype, seed=0, hi=None):
    rng = np.random.default_rng(seed)
    hi = hi or (256 if dtype == np.uint8 else 700)
    return rng.integers(0, hi, shape).astype(dtype)


def _fps(ndim):
    if ndim == 2:
        asym = np.zeros((3, 6), bool)
        asym[0, 1:4] = asym[1, :] = asym[2, 4] = True
        return [disk(2), np.ones((3, 3), np.uint8), ellipse(3, 2), asym]
    asym = np.zeros((2, 3, 4), bool)
    asym[0, 1, 1:3] = asym[1, :, 0] = asym[1, 2, 3] = True
    return [ball(1), np.ones((3, 3, 3), np.uint8), asym]


def _same(method, a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    if method == "entropy":
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    else:
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("shape", [(17, 23), (6, 7, 9)])
@pytest.mark.parametrize("use_mask", [False, True])
def test_vs_skimage(method, dtype, shape, use_mask):
    img = _img(shape, dtype)
    mask = (_img(shape, np.uint8, seed=3) > 60) if use_mask else None
    for fp in _fps(len(shape)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = getattr(skr, method)(img, fp, mask=mask)
        got = getattr(rank, method)(img, fp, mask=mask)
        _same(method, got, ref)


@pytest.mark.parametrize("method", METHODS)
def test_shifts(method):
    img2 = _img((15, 16), np.uint8)
    fp2 = np.ones((3, 5), np.uint8)
    for sx, sy in [(1, 0), (0, 1), (-2, -1), (2, 1)]:
        _same(method, getattr(rank, method)(img2, fp2, shift_x=sx, shift_y=sy),
              getattr(skr, method)(img2, fp2, shift_x=sx, shift_y=sy))
    img3 = _img((5, 6, 7), np.uint8)
    fp3 = np.ones((3, 3, 5), np.uint8)
    for sx, sy, sz in [(1, 0, 0), (0, -1, 0), (0, 0, 2), (-1, 1, -2)]:
        _same(method, getattr(rank, method)(img3, fp3, shift_x=sx, shift_y=sy, shift_z=sz),
              getattr(skr, method)(img3, fp3, shift_x=sx, shift_y=sy, shift_z=sz))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("odt", [np.uint8, np.uint16, np.float32, np.float64])
def test_out(method, odt):
    img = _img((12, 13), np.uint8)
    fp = disk(3)   # 29 pixels: sums overflow uint8 and wrap as in skimage
    a = np.zeros(img.shape, odt)
    b = np.zeros(img.shape, odt)
    ra = getattr(rank, method)(img, fp, out=a)
    rb = getattr(skr, method)(img, fp, out=b)
    assert ra is a
    _same(method, a, b)
    _same(method, ra, rb)


@pytest.mark.parametrize("p0", [0.0, 0.1, 0.25, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("use_mask", [False, True])
def test_percentile(p0, dtype, use_mask):
    img = _img((19, 21), dtype)
    mask = (_img(img.shape, np.uint8, seed=5) > 90) if use_mask else None
    for fp in _fps(2):
        _same("percentile", rank.percentile(img, fp, mask=mask, p0=p0),
              skr.percentile(img, fp, mask=mask, p0=p0))
    with pytest.raises(ValueError):
        rank.percentile(np.zeros((3, 3, 3), np.uint8), np.ones((3, 3, 3)))


def test_large_bins_warning_and_nbins():
    img = _img((10, 11), np.uint16, hi=3000)
    with pytest.warns(UserWarning, match="Bad rank filter performance"):
        got = rank.median(img, disk(2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(got, skr.median(img, disk(2)))
    small = np.array([[0, 1], [1, 2]], np.uint16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _same("entropy", rank.entropy(small, np.ones((3, 3))),
              skr.entropy(small, np.ones((3, 3))))


def test_bool_shift_warning():
    img = _img((8, 9), np.uint8)
    with pytest.warns(UserWarning, match="boolean"):
        got = rank.maximum(img, np.ones((3, 3)), shift_x=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(got, skr.maximum(img, np.ones((3, 3)), shift_x=True))


@pytest.mark.parametrize("method", METHODS)
def test_workers_bitwise(method):
    img = _img((300, 257), np.uint8)
    fp = disk(5)
    a = getattr(rank, method)(img, fp, workers=1)
    b = getattr(rank, method)(img, fp, workers=2)
    assert a.tobytes() == b.tobytes()
    img3 = _img((9, 40, 33), np.uint16)
    a = getattr(rank, method)(img3, ball(2), workers=1)
    b = getattr(rank, method)(img3, ball(2), workers=2)
    assert a.tobytes() == b.tobytes()


def test_inputs_unchanged():
    img = _img((10, 12), np.uint8)
    fp = disk(2)
    mask = img > 100
    copies = [img.copy(), fp.copy(), mask.copy()]
    for method in METHODS:
        getattr(rank, method)(img, fp, mask=mask)
    for a, b in zip(copies, [img, fp, mask]):
        np.testing.assert_array_equal(a, b)


def test_bad_input():
    img = _img((6, 6), np.uint8)
    with pytest.raises(ValueError, match="shift_x"):
        rank.median(img, np.ones((3, 3)), shift_x=2)
    with pytest.raises(ValueError, match="shift_y"):
        rank.median(img, np.ones((3, 3)), shift_y=-2)
    with pytest.raises(ValueError, match="footprint"):
        rank.median(img, np.ones((3, 3, 3)))
    with pytest.raises(ValueError, match="bool"):
        rank.median(img > 3, np.ones((3, 3)))
    with pytest.raises(ValueError, match="2-D or 3-D"):
        rank.median(np.zeros(5, np.uint8), np.ones(3))
    with pytest.raises(TypeError, match="int16"):
        rank.median(img.astype(np.int16), np.ones((3, 3)))
    with pytest.raises(ValueError, match="mask"):
        rank.median(img, np.ones((3, 3)), mask=np.ones((5, 5)))
    with pytest.raises(ValueError, match="out"):
        rank.median(img, np.ones((3, 3)), out=np.empty((5, 6), np.uint8))
    with pytest.raises(TypeError, match="int32"):
        rank.median(img, np.ones((3, 3)), out=np.empty((6, 6), np.int32))
    with pytest.raises(ValueError, match="empty"):
        rank.median(np.zeros((0, 4), np.uint8), np.ones((3, 3)))
    with pytest.raises(NotImplementedError):
        rank.median(img, np.ones((3, 3)), out=img)
    with pytest.raises(ValueError, match="workers"):
        rank.median(img, np.ones((3, 3)), workers=0)


def test_integer_mask():
    img = _img((8, 9), np.uint8)
    m = np.zeros(img.shape, np.int64)
    m[2:6, 3:7] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = skr.maximum(img, disk(1), mask=m)
    np.testing.assert_array_equal(rank.maximum(img, disk(1), mask=m), ref)


def test_empty_windows_are_zero():
    img = _img((7, 8), np.uint8, hi=200) + 10
    mask = np.zeros(img.shape, bool)
    mask[0, 0] = True
    for method in METHODS:
        got = getattr(rank, method)(img, np.ones((3, 3)), mask=mask)
        _same(method, got, getattr(skr, method)(img, np.ones((3, 3)), mask=mask))
        if method != "threshold":
            assert (got[3:, 3:] == 0).all()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("method", METHODS)
def test_float_images_converted(dtype, method):
    rng = np.random.default_rng(9)
    img = rng.uniform(-0.2, 1.0, (11, 12)).astype(dtype)
    img[0, :4] = [0.5 / 255, 1.5 / 255, 2.5 / 255, 1.0]
    mask = rng.uniform(0, 0.01, img.shape)
    with pytest.warns(UserWarning, match="Possible precision loss"):
        got = getattr(rank, method)(img, disk(2), mask=mask)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = getattr(skr, method)(img, disk(2), mask=mask)
    _same(method, got, ref)
    with pytest.raises(ValueError, match="between -1 and 1"), \
            pytest.warns(UserWarning, match="Possible precision loss"):
        getattr(rank, method)(img * 3, disk(2))


def test_bool_3d_image_converted():
    img = _img((4, 5, 6), np.uint8) > 128
    with pytest.warns(UserWarning, match="Possible precision loss"):
        got = rank.maximum(img, ball(1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(got, skr.maximum(img, ball(1)))
