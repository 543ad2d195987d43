"""pyfilter.kernels against the peers (OpenCV getDerivKernels, scipy's
Gaussian, skimage's Farid) and against independent constructions."""
import numpy as np
import pytest
import scipy.ndimage as ndi

from pyfilter import filters, kernels
from pyfilter import ndimage as pnd

from tests.helpers import cv2, requires_cv2


@requires_cv2
def test_deriv_kernels_match_opencv():
    checked = 0
    for ksize in (1, 3, 5, 7, -1):
        for dx in range(4):
            for dy in range(4):
                for norm in (False, True):
                    try:
                        ref = cv2.getDerivKernels(dx, dy, ksize, normalize=norm)
                    except cv2.error:
                        with pytest.raises(ValueError):
                            kernels.deriv_kernels(dx, dy, ksize, normalize=norm)
                        continue
                    kx, ky = kernels.deriv_kernels(dx, dy, ksize, normalize=norm)
                    np.testing.assert_array_equal(kx, ref[0].ravel())
                    np.testing.assert_array_equal(ky, ref[1].ravel())
                    checked += 1
    assert checked > 50


def test_sobel_prewitt_kernels_are_scipys_filters(rng):
    for ndim in (1, 2, 3):
        x = rng.standard_normal((7, 8, 9)[:ndim])
        for axis in range(ndim):
            for mode in ("reflect", "mirror", "nearest", "wrap"):
                np.testing.assert_allclose(
                    pnd.correlate(x, kernels.sobel(ndim, axis), mode=mode, method="direct"),
                    ndi.sobel(x, axis, mode=mode), rtol=1e-12, atol=1e-12)
                np.testing.assert_allclose(
                    pnd.correlate(x, kernels.prewitt(ndim, axis), mode=mode, method="direct"),
                    ndi.prewitt(x, axis, mode=mode), rtol=1e-12, atol=1e-12)


def test_farid_kernel_is_skimages(rng):
    skf = pytest.importorskip("skimage.filters")
    x = rng.standard_normal((20, 21))
    for axis in (0, 1):
        np.testing.assert_allclose(pnd.correlate(x, kernels.farid(2, axis)),
                                   skf.farid(x, axis=axis), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("order", [0, 1, 2, 3])
def test_gaussian1d_is_scipys_kernel(order):
    # scipy's kernel read off the response to a unit impulse (exact: every
    # other product is a zero)
    for sigma, truncate, radius in [(1.0, 4.0, None), (2.5, 3.0, None), (0.7, 4.0, 5),
                                    (3.0, 0.5, None)]:
        k = kernels.gaussian1d(sigma, order, truncate, radius)
        r = (k.shape[0] - 1) // 2
        if radius is not None:
            assert r == radius
        else:
            assert r == int(truncate * sigma + 0.5)
        delta = np.zeros(4 * r + 3)
        c = 2 * r + 1
        delta[c] = 1.0
        resp = ndi.gaussian_filter1d(delta, sigma, order=order, mode="constant",
                                     truncate=truncate, radius=radius)
        np.testing.assert_array_equal(k, resp[c - r:c + r + 1])
        np.testing.assert_array_equal(pnd.convolve1d(delta, k, mode="constant"), resp)


def test_laplacian_nd(rng):
    x = rng.standard_normal((6, 7, 8))
    for mode in ("reflect", "mirror", "wrap"):
        np.testing.assert_allclose(pnd.correlate(x, kernels.laplacian(3, 1), mode=mode),
                                   ndi.laplace(x, mode=mode), rtol=1e-12, atol=1e-12)
    k3 = kernels.laplacian(3, 3)
    naive = np.zeros((3, 3, 3))
    d2, s = np.array([1.0, -2.0, 1.0]), np.array([1.0, 2.0, 1.0])
    for a in range(3):
        f = [s, s, s]
        f[a] = d2
        naive += np.einsum("i,j,k->ijk", *f)
    np.testing.assert_array_equal(k3, naive)


def test_box():
    np.testing.assert_array_equal(kernels.box(3), np.full(3, 1 / 3))
    b = kernels.box((2, 5))
    assert b.shape == (2, 5) and abs(b.sum() - 1) < 1e-15
    np.testing.assert_array_equal(kernels.box((2, 2), normalize=False), np.ones((2, 2)))


def _outer(fs):
    k = fs[0]
    for f in fs[1:]:
        k = np.multiply.outer(k, f)
    return k


def test_separate_recovers_random_rank1(rng):
    for trial in range(200):
        nd = int(rng.integers(2, 5))
        shape = rng.integers(1, 7, nd)
        fs = [rng.standard_normal(int(n)) for n in shape]
        for f in fs:
            if rng.random() < 0.3 and f.size > 1:
                f[rng.integers(0, f.size)] = 0.0
        k = _outer(fs)
        got = kernels.separate(k)
        assert got is not None
        assert len(got) == nd
        assert [g.shape[0] for g in got] == list(k.shape)
        np.testing.assert_allclose(_outer(got), k, rtol=1e-12, atol=1e-12 * np.abs(k).max())


def test_separate_integer_kernels_exact():
    for k in (kernels.sobel(2, 1), kernels.sobel(3, 0, size=5), kernels.scharr(2, 0),
              np.outer([1, 4, 6, 4, 1], [1, 2, 1])):
        got = kernels.separate(k)
        np.testing.assert_array_equal(_outer(got), k)


def test_separate_rejects_rank2(rng):
    for trial in range(100):
        n, m = rng.integers(2, 8, 2)
        k = np.outer(rng.standard_normal(n), rng.standard_normal(m)) + \
            np.outer(rng.standard_normal(n), rng.standard_normal(m))
        assert kernels.separate(k) is None
    assert kernels.separate(np.eye(3)) is None
    assert kernels.separate(kernels.laplacian(2, 1)) is None
    v = np.einsum("i,j,k->ijk", *[np.arange(1.0, 4)] * 3)
    v[0, 0, 0] += 1.0
    assert kernels.separate(v) is None
    # tolerance: a tiny rank-2 part is accepted at rtol 1e-6, not at 1e-12
    k = np.outer([1.0, 2.0, 3.0], [1.0, -1.0, 2.0])
    k2 = k + 1e-9 * np.outer([1.0, 0.0, -1.0], [0.0, 1.0, 0.0])
    assert kernels.separate(k2) is not None
    assert kernels.separate(k2, rtol=1e-13) is None


def test_separate_special_cases():
    (f,) = kernels.separate(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(f, [1.0, 2.0])
    z = kernels.separate(np.zeros((3, 4)))
    np.testing.assert_array_equal(_outer(z), np.zeros((3, 4)))
    assert kernels.separate(np.array([[np.nan, 1.0], [1.0, 1.0]])) is None


def test_dilate(rng):
    k = rng.standard_normal((3, 4))
    d = kernels.dilate(k, (2, 3))
    naive = np.zeros((5, 10))
    for i in range(3):
        for j in range(4):
            naive[2 * i, 3 * j] = k[i, j]
    np.testing.assert_array_equal(d, naive)
    np.testing.assert_array_equal(kernels.dilate(k, 1), k)
    x = rng.standard_normal((20, 21))
    np.testing.assert_allclose(filters.correlate(x, k, dilation=(2, 3)),
                               pnd.correlate(x, d), rtol=1e-12, atol=1e-12)
