"""pyfilter.filters.correlate/convolve: shape, stride, dilation and
channel_axis against an independent numpy reference (np.pad +
sliding_window_view + einsum), and 'same' against scipy."""
import itertools

import numpy as np
import pytest
import scipy.ndimage as ndi

from pyfilter import filters

from tests.helpers import assert_close_to_peer, correlate_reference as reference, random_array


@pytest.mark.parametrize("shape", ["same", "valid", "full"])
@pytest.mark.parametrize("conv", [False, True])
@pytest.mark.parametrize("kshape", [(3, 3), (2, 4), (5, 1), (1, 1)])
def test_shape_stride_dilation_2d(rng, shape, conv, kshape):
    x = rng.standard_normal((19, 22))
    k = rng.standard_normal(kshape)
    f = filters.convolve if conv else filters.correlate
    for stride, dilation in itertools.product([1, 2, (3, 1)], [1, 2, (1, 3)]):
        for mode in ["reflect", "constant", "nearest", "mirror", "wrap"]:
            ours = f(x, k, shape=shape, stride=stride, dilation=dilation, mode=mode, cval=0.5)
            ref = reference(x, k, shape, stride, dilation, mode, 0.5, convolve=conv)
            assert ours.shape == ref.shape, (stride, dilation, mode)
            np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", ["same", "valid", "full"])
def test_1d_and_3d(rng, shape):
    x1 = rng.standard_normal(40)
    k1 = rng.standard_normal(4)
    for s, d in itertools.product([1, 3], [1, 2]):
        np.testing.assert_allclose(filters.correlate(x1, k1, shape=shape, stride=s, dilation=d),
                                   reference(x1, k1, shape, s, d), atol=1e-12)
    x3 = rng.standard_normal((9, 10, 11))
    k3 = rng.standard_normal((2, 3, 3))
    for s, d in [(1, 1), ((2, 1, 3), (1, 2, 1)), (2, 2)]:
        for conv in (False, True):
            f = filters.convolve if conv else filters.correlate
            np.testing.assert_allclose(f(x3, k3, shape=shape, stride=s, dilation=d, mode="wrap"),
                                       reference(x3, k3, shape, s, d, "wrap", convolve=conv),
                                       atol=1e-12)


def test_output_size_formula(rng):
    # floor((n + 2p - d(f-1) - 1)/s) + 1 for the three shapes
    for n, f, s, d in itertools.product([7, 8, 16], [1, 2, 3, 5], [1, 2, 3], [1, 2]):
        Ld = d * (f - 1)
        if n - Ld <= 0:
            continue
        x = np.zeros(n)
        k = np.ones(f)
        for shape, twop in (("same", Ld), ("valid", 0), ("full", 2 * Ld)):
            expected = (n + twop - Ld - 1) // s + 1
            assert filters.correlate(x, k, shape=shape, stride=s, dilation=d).shape == (expected,)


def test_same_equals_scipy(rng):
    for dtype in (np.float32, np.float64, np.uint8, np.int16):
        x = random_array(rng, (15, 16), dtype)
        k = rng.standard_normal((4, 3))
        for origin in [(0, 0), (-2, 1), (1, -1)]:
            assert_close_to_peer(filters.correlate(x, k, origin=origin, mode="mirror"),
                                 ndi.correlate(x, k, origin=origin, mode="mirror"), dtype_in=dtype)
            assert_close_to_peer(filters.convolve(x, k, origin=origin, mode="nearest"),
                                 ndi.convolve(x, k, origin=origin, mode="nearest"), dtype_in=dtype)


def test_dilation_equals_zero_inserted_kernel_with_scipy(rng):
    x = rng.standard_normal((20, 21))
    k = rng.standard_normal((3, 2))
    for d in (2, 3):
        kd = np.zeros((d * 2 + 1, d * 1 + 1))
        kd[::d, ::d] = k
        for origin in [(0, 0), (1, 0), (-1, -1)]:
            np.testing.assert_allclose(filters.correlate(x, k, dilation=d, origin=origin),
                                       ndi.correlate(x, kd, origin=origin), atol=1e-12)
            np.testing.assert_allclose(filters.convolve(x, k, dilation=d, origin=origin),
                                       ndi.convolve(x, kd, origin=origin), atol=1e-12)


@pytest.mark.parametrize("channel_axis", [0, 1, -1, 2])
def test_channel_axis(rng, channel_axis):
    x = rng.standard_normal((12, 13, 3)).astype(np.float32)
    x = np.moveaxis(x, -1, channel_axis)
    k = rng.standard_normal((3, 4))
    ca = channel_axis % 3
    for shape, stride, dilation in [("same", 1, 1), ("valid", 2, 1), ("full", (1, 2), 2)]:
        ours = filters.correlate(x, k, shape=shape, stride=stride, dilation=dilation,
                                 channel_axis=channel_axis, mode="wrap")
        chans = [reference(np.take(x, c, axis=ca).astype(np.float64), k, shape, stride,
                           dilation, "wrap") for c in range(3)]
        ref = np.stack(chans, axis=ca)
        assert ours.shape == ref.shape
        np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-5)


def test_stride_computes_only_kept_outputs():
    # A stride-s result equals the stride-1 result subsampled, and must not
    # read beyond what those outputs need: check on a huge stride.
    x = np.arange(100.0)
    k = np.array([1.0, 10.0, 100.0])
    full = filters.correlate(x, k, shape="valid")
    np.testing.assert_array_equal(filters.correlate(x, k, shape="valid", stride=7), full[::7])
    np.testing.assert_array_equal(filters.correlate(x, k, shape="valid", stride=500), full[:1])


def test_complex_kernel_conjugated(rng):
    x = rng.standard_normal((8, 9))
    k = rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3))
    np.testing.assert_allclose(filters.correlate(x, k, shape="valid"),
                               reference(x, np.conj(k), "valid"), atol=1e-12)
    np.testing.assert_allclose(filters.convolve(x, k, shape="valid"),
                               reference(x, k, "valid", convolve=True), atol=1e-12)


def test_classic_6x6_vertical_edge():
    # The classic example: a 6x6 image bright on the left, dark on the right,
    # convolved ('valid', no flip as in CNN courses) with the vertical-edge
    # kernel gives a 4x4 map with the edge in the middle columns.
    img = np.array([[10, 10, 10, 0, 0, 0]] * 6, dtype=np.float64)
    k = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]])
    out = filters.correlate(img, k, shape="valid")
    np.testing.assert_array_equal(out, reference(img, k.astype(float), "valid"))
    np.testing.assert_array_equal(out, np.array([[0, 30, 30, 0]] * 4))
