"""pyfilter.filters edges, smoothing and gradients against scikit-image.

sobel/scharr/prewitt/farid (+ _h/_v), gaussian, difference_of_gaussians,
laplace: 2-D and 3-D, masks, axis, modes, uint8/float32/float64 (and
other) inputs; channel_axis against skimage applied per channel;
gradient / gradient_magnitude_orientation against an independent numpy
reference built from the skimage results.
"""
import numpy as np
import pytest

skf = pytest.importorskip("skimage.filters")

from pyfilter import filters  # noqa: E402

from tests.helpers import MODES, random_array  # noqa: E402

EDGES = ["sobel", "scharr", "prewitt", "farid"]
DTYPES = [np.uint8, np.float32, np.float64, np.int16, np.uint16, np.bool_, np.float16]
SK_MODES = ["reflect", "constant", "nearest", "mirror", "wrap"]


def assert_close(ours, ref):
    assert ours.shape == ref.shape, (ours.shape, ref.shape)
    assert ours.dtype == ref.dtype, (ours.dtype, ref.dtype)
    single = ours.dtype == np.float32
    tol = 3e-6 if single else 1e-13
    scale = max(1.0, float(np.abs(ref).max())) if ref.size else 1.0
    np.testing.assert_allclose(ours, ref, rtol=tol, atol=tol * scale)


def _image(rng, shape, dtype):
    x = random_array(rng, shape, dtype) if dtype != np.float16 else \
        rng.standard_normal(shape).astype(np.float16)
    if np.dtype(dtype) == np.uint8:
        x = rng.integers(0, 256, size=shape).astype(np.uint8)
    return x


@pytest.mark.parametrize("op", EDGES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(19, 23), (6, 7, 8)])
def test_edges_magnitude_and_axes(rng, op, dtype, shape):
    x = _image(rng, shape, dtype)
    f, g = getattr(filters, op), getattr(skf, op)
    assert_close(f(x), g(x))
    for axis in list(range(len(shape))) + [(0, 1), [1, 0]]:
        assert_close(f(x, axis=axis), g(x, axis=axis))
    # negative axes count from the end (skimage 0.26 also smooths along the
    # derivative axis when given axis=-1, a bug we do not copy)
    np.testing.assert_array_equal(f(x, axis=-1), f(x, axis=len(shape) - 1))


@pytest.mark.parametrize("op", EDGES)
@pytest.mark.parametrize("mode", SK_MODES)
def test_edges_modes_cval(rng, op, mode):
    for shape in [(17, 21), (5, 6, 7)]:
        x = _image(rng, shape, np.float64)
        f, g = getattr(filters, op), getattr(skf, op)
        for cval in (0.0, 0.75):
            # N-D kernel semantics: only the input is extended by cval
            assert_close(f(x, mode=mode, cval=cval), g(x, mode=mode, cval=cval))
            assert_close(f(x, axis=0, mode=mode, cval=cval), g(x, axis=0, mode=mode, cval=cval))


@pytest.mark.parametrize("op", EDGES)
def test_edges_masks(rng, op):
    for shape, dtype in [((20, 22), np.float32), ((20, 22), np.uint8), ((6, 7, 8), np.float64)]:
        x = _image(rng, shape, dtype)
        mask = rng.random(shape) > 0.15
        f, g = getattr(filters, op), getattr(skf, op)
        assert_close(f(x, mask), g(x, mask))
        assert_close(f(x, mask.astype(np.uint8), axis=0), g(x, mask.astype(np.uint8), axis=0))


@pytest.mark.parametrize("op", EDGES)
@pytest.mark.parametrize("hv", ["h", "v"])
def test_edges_h_v(rng, op, hv):
    for dtype in (np.uint8, np.float32, np.float64):
        x = _image(rng, (16, 18), dtype)
        mask = rng.random((16, 18)) > 0.2
        assert_close(getattr(filters, f"{op}_{hv}")(x), getattr(skf, f"{op}_{hv}")(x))
        assert_close(getattr(filters, f"{op}_{hv}")(x, mask=mask),
                     getattr(skf, f"{op}_{hv}")(x, mask=mask))


@pytest.mark.parametrize("op", EDGES)
def test_edges_channel_axis(rng, op):
    x = _image(rng, (15, 17, 3), np.float32)
    f, g = getattr(filters, op), getattr(skf, op)
    for ca in (-1, 2):
        ours = f(x, channel_axis=ca)
        for c in range(3):
            assert_close(ours[..., c], g(x[..., c]))
    y = np.moveaxis(x, -1, 0).copy()
    ours = f(y, channel_axis=0, axis=1)
    for c in range(3):
        assert_close(ours[c], g(y[c], axis=0))
    mask = rng.random((15, 17)) > 0.1
    ours = f(x, mask, channel_axis=-1)
    for c in range(3):
        assert_close(ours[..., c], g(x[..., c], mask))


def test_edges_output_and_workers(rng):
    x = _image(rng, (300, 280), np.float32)
    out = np.empty_like(x)
    r = filters.sobel(x, output=out)
    assert r is out
    assert_close(out, skf.sobel(x))
    res = [filters.sobel(x, workers=w) for w in (1, 2, 3)]
    for r in res[1:]:
        np.testing.assert_array_equal(res[0], r)
    v = _image(rng, (30, 40, 50), np.float64)
    res = [filters.farid(v, workers=w) for w in (1, 2, 3)]
    for r in res[1:]:
        np.testing.assert_array_equal(res[0], r)


def test_edges_nan_like_skimage():
    # skimage correlates with the N-D kernel, which skips its zero taps, so
    # a NaN at the centre column does not reach the centre output
    x = np.arange(80, dtype=np.float64).reshape(8, 10) / 9
    x[4, 5] = np.nan
    x[1, 1] = np.inf
    for op in EDGES:
        for axis in (None, 0, 1):
            ours = getattr(filters, op)(x, axis=axis)
            ref = getattr(skf, op)(x, axis=axis)
            np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
            np.testing.assert_array_equal(np.isinf(ours), np.isinf(ref))
            fin = np.isfinite(ref)
            np.testing.assert_allclose(ours[fin], ref[fin], rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- gaussian & co
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", SK_MODES)
def test_gaussian(rng, dtype, mode):
    for shape in [(18, 20), (6, 7, 8)]:
        x = _image(rng, shape, dtype)
        for kw in [dict(sigma=1.0), dict(sigma=(0.5, 2.0, 1.0)[:len(shape)], cval=0.3),
                   dict(sigma=1.5, truncate=2.0), dict(sigma=0.8, preserve_range=True)]:
            assert_close(filters.gaussian(x, mode=mode, **kw), skf.gaussian(x, mode=mode, **kw))


def test_gaussian_channel_axis_and_output(rng):
    img = rng.integers(0, 256, size=(16, 18, 3)).astype(np.uint8)
    for ca, sig in [(-1, 1.5), (2, (1.0, 2.0)), (-1, (1.0, 2.0, 0.0))]:
        assert_close(filters.gaussian(img, sig, channel_axis=ca),
                     skf.gaussian(img, sigma=sig, channel_axis=ca))
    y = np.moveaxis(img, -1, 0)
    assert_close(filters.gaussian(y, 2.0, channel_axis=0),
                 skf.gaussian(y, sigma=2.0, channel_axis=0))
    out = np.empty(img.shape, np.float32)
    r = filters.gaussian(img, 1.0, channel_axis=-1, output=out)
    assert r is out
    np.testing.assert_allclose(out, skf.gaussian(img, sigma=1.0, channel_axis=-1), rtol=1e-6,
                               atol=1e-6)


@pytest.mark.parametrize("mode", SK_MODES)
def test_difference_of_gaussians(rng, mode):
    for shape, dtype in [((20, 22), np.uint8), ((20, 22), np.float32), ((6, 7, 8), np.float64)]:
        x = _image(rng, shape, dtype)
        assert_close(filters.difference_of_gaussians(x, 1.0, mode=mode),
                     skf.difference_of_gaussians(x, 1.0, mode=mode))
        assert_close(filters.difference_of_gaussians(x, 0.7, 2.5, mode=mode, cval=0.2),
                     skf.difference_of_gaussians(x, 0.7, 2.5, mode=mode, cval=0.2))
    img = rng.random((12, 14, 3))
    assert_close(filters.difference_of_gaussians(img, (1.0, 1.5), channel_axis=-1),
                 skf.difference_of_gaussians(img, (1.0, 1.5), channel_axis=-1))


@pytest.mark.parametrize("dtype", DTYPES)
def test_laplace(rng, dtype):
    for shape in [(14, 15), (6, 7, 8)]:
        x = _image(rng, shape, dtype)
        mask = rng.random(shape) > 0.2
        assert_close(filters.laplace(x), skf.laplace(x))
        assert_close(filters.laplace(x, mask=mask), skf.laplace(x, mask=mask))
    img = rng.random((12, 13, 3))
    ours = filters.laplace(img, channel_axis=-1)
    for c in range(3):
        assert_close(ours[..., c], skf.laplace(img[..., c]))


# ---------------------------------------------------------------- gradients
@pytest.mark.parametrize("method", EDGES)
def test_gradient_matches_edge_filters(rng, method):
    x = _image(rng, (13, 14, 15), np.float32)
    grads = filters.gradient(x, method=method, mode="nearest")
    assert len(grads) == 3
    for a, gr in enumerate(grads):
        assert_close(gr, getattr(skf, method)(x, axis=a, mode="nearest"))


def test_gradient_central_vs_numpy(rng):
    x = rng.standard_normal((12, 13))
    gr, gc = filters.gradient(x, method="central")
    ngr, ngc = np.gradient(x)
    np.testing.assert_allclose(gr[1:-1, :], ngr[1:-1, :], rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(gc[:, 1:-1], ngc[:, 1:-1], rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("method", EDGES + ["central"])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_gradient_magnitude_orientation(rng, method, dtype):
    x = _image(rng, (33, 41), dtype)
    mag, ang = filters.gradient_magnitude_orientation(x, method=method, mode="mirror")
    gr, gc = filters.gradient(x, method=method, mode="mirror")
    ref_dt = np.float64 if dtype == np.uint8 else dtype
    assert mag.dtype == ang.dtype == ref_dt
    tol = 3e-6 if ref_dt == np.float32 else 1e-13
    np.testing.assert_allclose(mag, np.sqrt(gr.astype(np.float64) ** 2 + gc.astype(np.float64) ** 2)
                               / np.sqrt(2), rtol=tol, atol=tol)
    np.testing.assert_allclose(ang, np.arctan2(gr, gc), rtol=tol, atol=tol)
    if method != "central":
        assert_close(mag, getattr(skf, method)(x, mode="mirror"))
    img = np.stack([x, x[::-1]], axis=-1)
    m2, a2 = filters.gradient_magnitude_orientation(img, method=method, channel_axis=-1,
                                                    mode="mirror")
    np.testing.assert_array_equal(m2[..., 0], mag)
    np.testing.assert_array_equal(a2[..., 0], ang)


def test_modes_all_names(rng):
    x = _image(rng, (10, 11), np.float64)
    for mode in MODES:
        r = filters.sobel(x, mode=mode)
        sk_mode = {"grid-constant": "constant", "grid-mirror": "reflect",
                   "grid-wrap": "wrap"}.get(mode, mode)
        assert_close(r, skf.sobel(x, mode=sk_mode))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
@pytest.mark.parametrize("out_dtype", [np.float32, np.float64])
def test_gaussian_out_as_skimage(rng, dtype, out_dtype):
    x = (rng.random((23, 31, 3)) * 200).astype(dtype)
    ours = np.full(x.shape, np.nan, out_dtype)
    ref = np.full(x.shape, np.nan, out_dtype)
    r = filters.gaussian(x, 1.5, channel_axis=-1, out=ours)
    r_sk = skf.gaussian(x, 1.5, channel_axis=-1, out=ref)
    assert r is ours and r_sk is ref
    np.testing.assert_allclose(ours, ref, rtol=2e-6, atol=2e-6)
    with pytest.raises(ValueError, match="out must be float"):
        filters.gaussian(x, 1, out=np.empty(x.shape, np.uint8))
    with pytest.raises(ValueError, match="out or output"):
        filters.gaussian(x, 1, out=ours, output=np.float64)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.bool_, np.int8, np.int16])
@pytest.mark.parametrize("kw", [{}, {"mode": "constant", "cval": 0.4}, {"axis": 0, "mode": "wrap"}])
def test_integer_images_fold_the_conversion(rng, dtype, kw):
    # unsigned and bool images are read as they are, the 1/max of
    # img_as_float folded into the filter (cval in the converted units)
    x = (rng.random((30, 41)) * 120).astype(dtype)
    for name in ("sobel", "scharr", "prewitt", "farid"):
        a, b = getattr(filters, name)(x, **kw), getattr(skf, name)(x, **kw)
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    if "axis" not in kw:
        a = filters.gaussian(x, 1.5, **kw)
        b = skf.gaussian(x, 1.5, **kw)
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
        out = np.empty(x.shape, np.float32)
        filters.gaussian(x, 1.5, out=out, **kw)
        np.testing.assert_allclose(out, b, rtol=2e-6, atol=2e-6)
