"""Memory layouts give the same answer; the caller's arrays are never modified."""
import numpy as np
import pytest
import scipy.ndimage as ndi

from pyfilter import filters
from pyfilter import ndimage as pnd

from tests.helpers import assert_close_to_peer


def _variants(x):
    yield "c", x
    yield "fortran", np.asfortranarray(x)
    yield "negative strides", x[::-1, ::-1].copy()[::-1, ::-1]
    big = np.zeros((x.shape[0] * 2, x.shape[1] * 3), dtype=x.dtype)
    big[::2, ::3] = x
    yield "non-contiguous", big[::2, ::3]
    ro = x.copy()
    ro.setflags(write=False)
    yield "read-only", ro
    yield "byteswapped", x.astype(x.dtype.newbyteorder("S"))
    yield "broadcast", np.broadcast_to(x[:1], x.shape) if x.shape[0] == 1 else x


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8, np.int32, np.complex128])
def test_layouts_same_answer(rng, dtype):
    x = (rng.standard_normal((13, 17)) * 50).astype(dtype)
    w = rng.standard_normal((3, 4))
    ref = ndi.correlate(x, w, mode="wrap")
    for name, v in _variants(x):
        before = v.copy()
        ours = pnd.correlate(v, w, mode="wrap")
        assert_close_to_peer(ours, ref, dtype_in=dtype)
        np.testing.assert_array_equal(v, before, err_msg=f"{name} input was modified")
        ours1 = pnd.correlate1d(v, w[0], axis=0)
        assert_close_to_peer(ours1, ndi.correlate1d(x, w[0], axis=0), dtype_in=dtype)


def test_true_negative_strides(rng):
    x = rng.standard_normal((10, 12))
    v = x[::-1, ::-2]
    w = rng.standard_normal((3, 3))
    assert_close_to_peer(pnd.correlate(v, w), ndi.correlate(np.ascontiguousarray(v), w))
    v3 = rng.standard_normal((5, 6, 7))[::-1, :, ::-3]
    w3 = rng.standard_normal((2, 3, 2))
    assert_close_to_peer(pnd.convolve(v3, w3), ndi.convolve(np.ascontiguousarray(v3), w3))


def test_weights_layouts_and_not_modified(rng):
    x = rng.standard_normal((9, 9))
    w = rng.standard_normal((4, 5))
    ref = ndi.correlate(x, w)
    for wv in (np.asfortranarray(w), w.astype(">f8"), w[::-1, ::-1].copy()[::-1, ::-1],
               w.tolist()):
        before = np.array(wv, copy=True)
        assert_close_to_peer(pnd.correlate(x, wv), ref)
        np.testing.assert_array_equal(np.asarray(wv), before)
    wc = w + 1j
    before = wc.copy()
    pnd.correlate(x, wc)  # conjugation must not touch the caller's weights
    np.testing.assert_array_equal(wc, before)


def test_output_sharing_memory_with_input(rng):
    x = rng.standard_normal((20, 21))
    w = rng.standard_normal((3, 3))
    ref = ndi.correlate(x, w)
    y = x.copy()
    ret = pnd.correlate(y, w, output=y)  # in place
    assert ret is y
    assert_close_to_peer(y, ref)
    # overlapping views
    z = np.zeros((22, 21))
    z[:20] = x
    out_view = z[2:]
    pnd.correlate(z[:20], w, output=out_view)
    assert_close_to_peer(z[2:], ref)
    y1 = x.copy()
    pnd.correlate1d(y1, [1.0, 2.0, 3.0], axis=0, output=y1)
    assert_close_to_peer(y1, ndi.correlate1d(x, [1.0, 2.0, 3.0], axis=0))


def test_output_non_contiguous_and_byteswapped(rng):
    x = rng.standard_normal((11, 12)).astype(np.float32)
    w = rng.standard_normal((3, 3))
    ref = ndi.correlate(x, w)
    out = np.zeros((11, 24), np.float32)[:, ::2]
    pnd.correlate(x, w, output=out)
    assert_close_to_peer(out, ref, dtype_in=np.float32)
    outf = np.zeros((11, 12), np.float32, order="F")
    pnd.correlate(x, w, output=outf)
    assert_close_to_peer(outf, ref, dtype_in=np.float32)
    outs = np.zeros((11, 12), ">f4")
    ret = pnd.correlate(x, w, output=outs)
    assert ret is outs
    np.testing.assert_allclose(outs, ref, rtol=2e-5, atol=2e-5)


def test_filters_layouts(rng):
    x = rng.standard_normal((16, 18, 3))
    k = rng.standard_normal((3, 3))
    ref = filters.correlate(np.ascontiguousarray(x), k, stride=2, channel_axis=-1)
    for v in (np.asfortranarray(x), x[::-1][::-1], x.astype(">f8")):
        np.testing.assert_allclose(filters.correlate(v, k, stride=2, channel_axis=-1), ref,
                                   atol=1e-12)
