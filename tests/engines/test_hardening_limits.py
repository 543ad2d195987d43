"""Windows far longer than the image, and sizes no engine can honour:
results against scipy.ndimage (while it can still compute them) or a numpy
reference, bounded time and memory, and errors that name the parameter."""
import numpy as np
import pytest
import scipy.ndimage as ndi

from pyfilter import filters, kernels, ndimage as pnd
from pyfilter._common.errors import ArgumentError, ArgumentOverflowError

MODES = ["reflect", "mirror", "wrap", "nearest", "constant"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("n", [1, 2, 3, 16])
def test_long_windows_fold_to_what_the_mode_makes_distinct(mode, n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal((n, 4))
    for L in (201, 1000, 5001):
        for o in (0, -(L // 2), (L - 1) // 2, 37):
            for name in ("maximum_filter1d", "minimum_filter1d", "uniform_filter1d"):
                ref = getattr(ndi, name)(x, L, axis=0, mode=mode, origin=o, cval=2.5)
                ours = getattr(pnd, name)(x, L, axis=0, mode=mode, origin=o, cval=2.5)
                np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-12,
                                           err_msg=f"{name} L={L} origin={o}")
            w = rng.standard_normal(L)
            np.testing.assert_allclose(
                pnd.correlate1d(x, w, axis=0, mode=mode, origin=o, cval=2.5),
                ndi.correlate1d(x, w, axis=0, mode=mode, origin=o, cval=2.5),
                rtol=1e-9, atol=1e-9)
        np.testing.assert_array_equal(pnd.maximum_filter(x, (L, 3), mode=mode),
                                      ndi.maximum_filter(x, (L, 3), mode=mode))
    for sigma in (100.0, 1000.0):
        np.testing.assert_allclose(pnd.gaussian_filter(x, sigma, mode=mode, cval=1.0),
                                   ndi.gaussian_filter(x, sigma, mode=mode, cval=1.0),
                                   rtol=1e-9, atol=1e-12)


def test_huge_windows_cost_what_the_image_costs():
    """Sizes scipy cannot allocate: numpy references of what they mean."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((16, 16)).astype(np.float32)
    L = 10 ** 9
    # every window of a periodic mode covers a whole period: the global max
    np.testing.assert_array_equal(pnd.maximum_filter(x, L), np.full_like(x, x.max()))
    np.testing.assert_array_equal(pnd.minimum_filter(x, (L, 1), mode="wrap"),
                                  np.broadcast_to(x.min(axis=0), x.shape))
    # constant mode: the data along the axis and cval
    np.testing.assert_array_equal(pnd.maximum_filter(x, (L, 1), mode="constant", cval=-9),
                                  np.broadcast_to(x.max(axis=0), x.shape))
    # nearest: the edge values fill all but n taps of every window
    x64 = x.astype(np.float64)
    n = x.shape[0]
    i = np.arange(n)[:, None]
    left = L // 2 - i
    right = L - n - left
    ref = (left * x64[0] + x64.sum(axis=0) + right * x64[-1]) / L
    np.testing.assert_allclose(pnd.uniform_filter1d(x64, L, axis=0, mode="nearest"), ref,
                               rtol=1e-9)
    assert pnd.gaussian_filter(x, 1e5).shape == x.shape


@pytest.mark.parametrize("call, name", [
    (lambda x: pnd.maximum_filter(x, 2 ** 63), "size"),
    (lambda x: pnd.maximum_filter1d(x, 2 ** 63), "size"),
    (lambda x: pnd.uniform_filter(x, 2 ** 63), "size"),
    (lambda x: pnd.correlate1d(x, [1.0, 2.0], origin=-2 ** 63), "origin"),
    (lambda x: filters.correlate(x, np.ones((3, 3)), stride=2 ** 63), "stride"),
    (lambda x: filters.correlate(x, np.ones((3, 3)), dilation=10 ** 12), "dilation"),
    (lambda x: kernels.dilate(np.ones(3), 10 ** 9), "dilation"),
    (lambda x: pnd.gaussian_filter(x, 1e7), "sigma"),
    (lambda x: pnd.gaussian_filter(x, 1.0, truncate=1e30), "truncate"),
    (lambda x: pnd.gaussian_filter(x, 1.0, radius=10 ** 9), "radius"),
    (lambda x: filters.gaussian(x, 1e7), "sigma"),
    (lambda x: filters.block_reduce(x, 10 ** 9), "block_size"),
])
def test_sizes_that_cannot_be_honoured_name_the_parameter(call, name):
    x = np.zeros((16, 16), np.float32)
    with pytest.raises(ValueError, match=name):
        call(x)


def test_block_reduce_cval_errors():
    x = np.zeros((5, 5), np.uint8)
    with pytest.raises(ValueError, match="cval"):        # np.pad raises ValueError
        filters.block_reduce(x, 2, cval="a")
    with pytest.raises(TypeError, match="cval"):
        filters.block_reduce(x, 2, cval=object())
    with pytest.raises(OverflowError, match="cval"):     # as np.pad does
        filters.block_reduce(x, 2, cval=10 ** 30)
    with pytest.raises(ArgumentOverflowError):
        filters.block_reduce(x, 2, np.median, cval=10 ** 30)
    assert issubclass(ArgumentOverflowError, ArgumentError)


@pytest.mark.parametrize("f16", ["<f2", ">f2"])
def test_float16_in_either_byte_order(f16):
    """float16 weights are accepted as scipy accepts them, float16 images
    rejected as scipy rejects them (its RuntimeError, our TypeError), and
    scikit-image style functions convert them to float32: the byte order
    changes nothing."""
    x = np.arange(36, dtype=np.float64).reshape(6, 6)
    w = np.array([[1, 2, 1], [0, 1, 0], [1, 0, 2]], dtype=f16)
    np.testing.assert_allclose(pnd.correlate(x, w), ndi.correlate(x, w.astype(np.float64)))
    np.testing.assert_allclose(pnd.correlate1d(x, w[0]), ndi.correlate1d(x, [1.0, 2.0, 1.0]))
    xf = x.astype(f16)
    with pytest.raises(RuntimeError):
        ndi.maximum_filter(xf, 3)
    for call in (lambda: pnd.maximum_filter(xf, 3), lambda: pnd.gaussian_filter(xf, 1.0)):
        with pytest.raises(TypeError, match="float16|f2"):
            call()
        with pytest.raises(RuntimeError):
            call()
    skf = pytest.importorskip("skimage.filters")
    g = filters.gaussian(xf, 1.0, preserve_range=True)
    ref = skf.gaussian(xf, 1.0, preserve_range=True)
    # float32 in both byte orders (scikit-image gives float64 for '>f2',
    # which it does not recognise as float16)
    assert g.dtype == np.float32
    if f16 == "<f2":
        assert ref.dtype == np.float32
    np.testing.assert_allclose(g, ref, rtol=1e-5, atol=1e-5)


def test_conv_stride_beyond_the_input_and_outputs_too_large():
    """A stride larger than the input gives one output position (torch's
    shapes; the stride does not size buffers); an output no machine can
    hold is an error naming the arguments."""
    from pyfilter import nn
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 3, 16, 17)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    ref = np.einsum("nchw,ochw->no", x[:, :, :3, :3], w)[:, :, None, None]
    for s in (10 ** 15, (10 ** 15, 10 ** 12)):
        np.testing.assert_allclose(nn.conv2d(x, w, stride=s), ref, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="padding"):
        nn.conv2d(x, w, padding=10 ** 9)
    with pytest.raises(ValueError, match="stride"):
        nn.conv_transpose2d(x, w.transpose(1, 0, 2, 3).copy(), stride=10 ** 9)
    with pytest.raises(ValueError, match="padding"):
        nn.unfold(x, 3, padding=10 ** 9)


@pytest.mark.parametrize("shape", ["same", "valid", "full"])
def test_correlate_stride_beyond_the_image(shape):
    from tests.helpers import correlate_reference
    rng = np.random.default_rng(9)
    x = rng.standard_normal((16, 17))
    k = rng.standard_normal((3, 3))
    for s in ((1, 10 ** 15), 2 ** 40, 10 ** 15):
        np.testing.assert_allclose(filters.correlate(x, k, stride=s, shape=shape),
                                   correlate_reference(x, k, shape=shape, stride=s),
                                   rtol=1e-12, atol=1e-12)
