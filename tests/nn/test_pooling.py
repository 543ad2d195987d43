"""pyfilter.nn pooling against an independent numpy reference
(sliding_window_view) for every parameter, and against
torch.nn.functional (forward and autograd) when torch is installed."""
import math

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from pyfilter import nn

from tests.helpers import requires_torch, torch

if torch is not None:
    import torch.nn.functional as F


# ---------------------------------------------------------------- the reference
def torch_len(n, k, s, p, d, ceil_mode):
    """torch's pooling output length, written out independently."""
    eff = d * (k - 1) + 1
    if ceil_mode:
        m = math.ceil((n + 2 * p - eff) / s) + 1
        if (m - 1) * s >= n + p:
            m -= 1
    else:
        m = (n + 2 * p - eff) // s + 1
    return m


def _windows(a, k, s, d, m, fill):
    """Windows of ``a`` (N, C, *spatial, already padded on the left by p):
    shape (N, C, *m, K) with K = prod(k), taps in row-major order."""
    nd = len(k)
    pads = [(0, 0), (0, 0)]
    for ax in range(nd):
        need = (m[ax] - 1) * s[ax] + (k[ax] - 1) * d[ax] + 1
        pads.append((0, max(0, need - a.shape[2 + ax])))
    a = np.pad(a, pads, constant_values=fill)
    span = [(ki - 1) * di + 1 for ki, di in zip(k, d)]
    w = sliding_window_view(a, span, axis=tuple(range(2, 2 + nd)))
    sel = (slice(None), slice(None))
    sel += tuple(slice(0, (mi - 1) * si + 1, si) for mi, si in zip(m, s))
    sel += tuple(slice(None, None, di) for di in d)
    w = w[sel]
    return w.reshape(w.shape[:2 + nd] + (-1,))


def ref_pool(x, k, s, p, d, ceil_mode, count_include_pad=True, divisor=None):
    """(max values, argmax flat indices, avg values) of (N, C, *spatial) x."""
    sp = x.shape[2:]
    m = [torch_len(n, ki, si, pi, di, ceil_mode) for n, ki, si, pi, di in zip(sp, k, s, p, d)]
    left = [(0, 0), (0, 0)] + [(pi, 0) for pi in p]
    flat = np.arange(int(np.prod(sp))).reshape(sp)
    flat = np.broadcast_to(flat, x.shape)
    vals = _windows(np.pad(x, left), k, s, d, m, 0)
    valid = _windows(np.pad(np.ones(x.shape, bool), left), k, s, d, m, False)
    pos = _windows(np.pad(flat, left, constant_values=-1), k, s, d, m, -1)
    # positions inside the p-padded input (they count in the avg divisor)
    inpad = _windows(np.pad(np.ones(x.shape, bool), [(0, 0), (0, 0)] + [(pi, pi) for pi in p],
                            constant_values=True), k, s, d, m, False)
    neg = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    v = np.where(valid, vals, neg)
    vmax = v.max(axis=-1)
    # argmax: the last NaN if any, else the first valid maximum
    if x.dtype.kind == "f":
        isn = np.isnan(v) & valid
        has_nan = isn.any(axis=-1)
        last_nan = isn.shape[-1] - 1 - np.argmax(isn[..., ::-1], axis=-1)
    else:
        has_nan = np.zeros(vmax.shape, bool)
        last_nan = np.zeros(vmax.shape, int)
    cand = valid & (v == vmax[..., None])
    first = np.argmax(cand, axis=-1)
    choice = np.where(has_nan, last_nan, first)
    idx = np.take_along_axis(pos, choice[..., None], axis=-1)[..., 0]
    avg = None
    if x.dtype.kind == "f":
        total = np.where(valid, vals, 0).astype(np.float64).sum(axis=-1)
        if divisor is not None:
            div = divisor
        elif count_include_pad:
            div = inpad.sum(axis=-1)
        else:
            div = valid.sum(axis=-1)
        avg = total / div
    return vmax.astype(x.dtype), idx, avg


def _params(nd, rng, n):
    for _ in range(n):
        k = tuple(int(v) for v in rng.integers(1, 5, nd))
        s = tuple(int(v) for v in rng.integers(1, 4, nd))
        p = tuple(int(rng.integers(0, ki // 2 + 1)) for ki in k)
        d = tuple(int(v) for v in rng.integers(1, 3, nd))
        yield k, s, p, d


def _spatial(nd):
    return {1: (13,), 2: (9, 11), 3: (6, 7, 8)}[nd]


# ---------------------------------------------------------------- max pooling
@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_max_pool_matches_reference(rng, nd, ceil_mode):
    fn = getattr(nn, f"max_pool{nd}d")
    for trial, (k, s, p, d) in enumerate(_params(nd, rng, 25)):
        x = rng.standard_normal((2, 3) + _spatial(nd))
        if trial % 2:
            x = np.round(x)  # many ties
        sp = x.shape[2:]
        if any(torch_len(n, ki, si, pi, di, ceil_mode) < 1
               for n, ki, si, pi, di in zip(sp, k, s, p, d)):
            with pytest.raises(ValueError):
                fn(x, k, s, p, d, ceil_mode)
            continue
        vref, iref, _ = ref_pool(x, k, s, p, d, ceil_mode)
        v, i = fn(x, k, s, p, d, ceil_mode, return_indices=True)
        np.testing.assert_array_equal(v, vref)
        np.testing.assert_array_equal(i, iref)
        np.testing.assert_array_equal(fn(x, k, s, p, d, ceil_mode), vref)
        assert i.dtype == np.int64


@pytest.mark.parametrize("dtype", [np.float32, np.int8, np.uint8, np.int16, np.int32,
                                   np.uint32, np.int64])
def test_max_pool_dtypes(rng, dtype):
    x = (rng.standard_normal((2, 3, 10, 9)) * 40).astype(dtype)
    vref, iref, _ = ref_pool(x, (3, 2), (2, 1), (1, 1), (1, 2), True)
    v, i = nn.max_pool2d(x, (3, 2), (2, 1), (1, 1), (1, 2), True, True)
    assert v.dtype == dtype
    np.testing.assert_array_equal(v, vref)
    np.testing.assert_array_equal(i, iref)
    np.testing.assert_array_equal(nn.max_pool2d(x, (3, 2), (2, 1), (1, 1), (1, 2), True), vref)


def test_max_pool_nan_and_ties(rng):
    x = np.round(rng.standard_normal((2, 2, 9, 9)))
    x[0, 0, 1, 1] = x[0, 0, 2, 2] = np.nan
    x[1, 1, :4, :4] = np.nan
    x[0, 1] = 1.0  # all ties
    x[1, 0, :3, :] = -np.inf
    for k, s, p in [(2, 2, 0), (3, 2, 1), (3, 1, 1), (4, 3, 2)]:
        vref, iref, _ = ref_pool(x, (k, k), (s, s), (p, p), (1, 1), False)
        v, i = nn.max_pool2d(x, k, s, p, return_indices=True)
        np.testing.assert_array_equal(v, vref)
        np.testing.assert_array_equal(i, iref)
        np.testing.assert_array_equal(nn.max_pool2d(x, k, s, p), vref)


def test_unbatched_and_empty_batch(rng):
    x = rng.standard_normal((3, 8, 10)).astype(np.float32)
    np.testing.assert_array_equal(nn.max_pool2d(x, 2), nn.max_pool2d(x[None], 2)[0])
    np.testing.assert_allclose(nn.avg_pool2d(x, 3, 2, 1), nn.avg_pool2d(x[None], 3, 2, 1)[0])
    assert nn.max_pool2d(np.zeros((0, 3, 8, 8)), 2).shape == (0, 3, 4, 4)
    assert nn.avg_pool1d(np.zeros((0, 3, 8)), 2).shape == (0, 3, 4)


def test_window_without_valid_tap():
    # torch: -inf (the dtype's minimum for integers) and the first
    # position >= 0 of the dilated window as index
    v, i = nn.max_pool2d(np.arange(4.0).reshape(1, 1, 2, 2), 2, 1, 1, dilation=3,
                         return_indices=True)
    assert v[0, 0, 0, 0] == -np.inf and i[0, 0, 0, 0] == 6
    v, i = nn.max_pool1d(np.arange(2).reshape(1, 1, 2) - 5, 2, 1, 1, dilation=3,
                         return_indices=True)
    assert v[0, 0, 0] == np.iinfo(np.int64).min and i[0, 0, 0] == 2


# ---------------------------------------------------------------- average pooling
@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool_matches_reference(rng, nd, ceil_mode, count_include_pad):
    fn = getattr(nn, f"avg_pool{nd}d")
    for k, s, p, _ in _params(nd, rng, 20):
        x = rng.standard_normal((2, 3) + _spatial(nd))
        ones = (1,) * nd
        if any(torch_len(n, ki, si, pi, 1, ceil_mode) < 1
               for n, ki, si, pi in zip(x.shape[2:], k, s, p)):
            continue
        _, _, ref = ref_pool(x, k, s, p, ones, ceil_mode, count_include_pad)
        np.testing.assert_allclose(fn(x, k, s, p, ceil_mode, count_include_pad), ref,
                                   rtol=1e-12, atol=1e-12)
        if nd > 1:
            _, _, ref = ref_pool(x, k, s, p, ones, ceil_mode, count_include_pad, divisor=-3)
            np.testing.assert_allclose(fn(x, k, s, p, ceil_mode, count_include_pad, -3), ref,
                                       rtol=1e-12, atol=1e-12)
        r32 = fn(x.astype(np.float32), k, s, p, ceil_mode, count_include_pad)
        assert r32.dtype == np.float32
        _, _, ref = ref_pool(x.astype(np.float32), k, s, p, ones, ceil_mode, count_include_pad)
        np.testing.assert_allclose(r32, ref, rtol=2e-6, atol=2e-6)


def test_avg_pool_torch_example():
    # arange(25).reshape(5, 5), k=3, s=2, p=1: first row 12/9, 27/9, 24/9
    # (count_include_pad) and 12/4, 27/6, 24/4 (without)
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    np.testing.assert_allclose(nn.avg_pool2d(x, 3, 2, 1)[0, 0, 0], [12 / 9, 27 / 9, 24 / 9])
    np.testing.assert_allclose(nn.avg_pool2d(x, 3, 2, 1, count_include_pad=False)[0, 0, 0],
                               [3.0, 4.5, 6.0])


# ---------------------------------------------------------------- adaptive / global
def _adaptive_ref(x, m, reduce):
    H, W = x.shape[-2:]
    out = np.empty(x.shape[:-2] + tuple(m), dtype=np.float64)
    for i in range(m[0]):
        h0, h1 = (i * H) // m[0], -((-(i + 1) * H) // m[0])
        for j in range(m[1]):
            w0, w1 = (j * W) // m[1], -((-(j + 1) * W) // m[1])
            out[..., i, j] = reduce(x[..., h0:h1, w0:w1], axis=(-2, -1))
    return out


@pytest.mark.parametrize("size", [1, 3, (2, 5), (7, 11), (10, 13), (None, 4), (0, 3)])
def test_adaptive_pools(rng, size):
    x = rng.standard_normal((2, 3, 7, 11))
    m = [x.shape[2 + a] if v is None else v for a, v in
         enumerate((size, size) if np.isscalar(size) else size)]
    np.testing.assert_allclose(nn.adaptive_avg_pool2d(x, size), _adaptive_ref(x, m, np.mean),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(nn.adaptive_max_pool2d(x, size), _adaptive_ref(x, m, np.max))
    v, i = nn.adaptive_max_pool2d(x, size, return_indices=True)
    flat = x.reshape(2, 3, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, i.reshape(2, 3, -1), -1).reshape(v.shape)
                                  if v.size else v, v)


def test_global_pools(rng):
    x = rng.standard_normal((2, 3, 5, 6, 4))
    np.testing.assert_allclose(nn.global_avg_pool(x), x.mean(axis=(2, 3, 4)), rtol=1e-12)
    np.testing.assert_array_equal(nn.global_max_pool(x), x.max(axis=(2, 3, 4)))
    assert nn.global_avg_pool(x, keepdims=True).shape == (2, 3, 1, 1, 1)
    xi = rng.integers(-100, 100, (2, 3, 9)).astype(np.int16)
    np.testing.assert_array_equal(nn.global_max_pool(xi), xi.max(axis=2))
    x[0, 1, 2, 2, 2] = np.nan
    assert np.isnan(nn.global_max_pool(x)[0, 1]) and np.isnan(nn.global_avg_pool(x)[0, 1])


# ---------------------------------------------------------------- unpooling
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_unpool_inverts_the_argmax(rng, nd):
    x = rng.standard_normal((2, 3) + {1: (12,), 2: (8, 10), 3: (4, 6, 6)}[nd])
    y, i = getattr(nn, f"max_pool{nd}d")(x, 2, return_indices=True)
    u = getattr(nn, f"max_unpool{nd}d")(y, i, 2, output_size=x.shape[2:])
    ref = np.zeros_like(x).reshape(2, 3, -1)
    np.put_along_axis(ref, i.reshape(2, 3, -1), y.reshape(2, 3, -1), axis=-1)
    np.testing.assert_array_equal(u, ref.reshape(x.shape))
    # every window of the unpooled map holds its maximum and zeros
    np.testing.assert_array_equal(getattr(nn, f"max_pool{nd}d")(u, 2), np.maximum(y, 0))


def test_unpool_output_size_rules(rng):
    y, i = nn.max_pool2d(rng.standard_normal((1, 1, 4, 4)), 2, return_indices=True)
    assert nn.max_unpool2d(y, i, 2).shape == (1, 1, 4, 4)
    assert nn.max_unpool2d(y, i, 2, output_size=(5, 5)).shape == (1, 1, 5, 5)
    assert nn.max_unpool2d(y, i, 2, output_size=(1, 1, 5, 5)).shape == (1, 1, 5, 5)
    assert nn.max_unpool2d(y[0], i[0], 2).shape == (1, 4, 4)
    for bad in [(6, 6), (2, 2), (4, 4, 4)]:
        with pytest.raises(ValueError, match="output_size"):
            nn.max_unpool2d(y, i, 2, output_size=bad)
    with pytest.raises(ValueError, match="indices"):
        nn.max_unpool2d(y, i, 2, output_size=(3, 3))   # index 15 does not fit 3x3
    with pytest.raises(ValueError, match="indices"):
        nn.max_unpool2d(y, np.full_like(i, -1), 2)


def test_unpool_indices_shape_and_dtype(rng):
    y, i = nn.max_pool2d(rng.standard_normal((1, 1, 4, 4)), 2, return_indices=True)
    with pytest.raises(ValueError, match="indices"):
        nn.max_unpool2d(y, i[..., :1], 2)
    with pytest.raises(TypeError, match="indices"):
        nn.max_unpool2d(y, i.astype(float), 2)


# ---------------------------------------------------------------- backward passes
def _numeric_grad(f, x, g, eps=1e-6):
    """d<f(x), g>/dx by central differences."""
    out = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        ix = it.multi_index
        xp, xm = x.copy(), x.copy()
        xp[ix] += eps
        xm[ix] -= eps
        out[ix] = (np.sum(f(xp) * g) - np.sum(f(xm) * g)) / (2 * eps)
    return out


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_pool_backward_finite_differences(rng, nd):
    sp = {1: (9,), 2: (6, 7), 3: (4, 5, 4)}[nd]
    x = rng.permutation(np.prod((2, 2) + sp)).reshape((2, 2) + sp).astype(np.float64)
    for k, s, p, d, cm in [(2, 1, 0, 1, False), (3, 2, 1, 1, True), (2, 1, 1, 2, False)]:
        fwd = lambda a: getattr(nn, f"max_pool{nd}d")(a, k, s, p, d, cm)
        g = rng.standard_normal(fwd(x).shape)
        num = _numeric_grad(fwd, x, g)
        ours = getattr(nn, f"max_pool{nd}d_backward")(g, x, k, s, p, d, cm)
        np.testing.assert_allclose(ours, num, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_avg_pool_backward_finite_differences_and_adjoint(rng, nd):
    sp = {1: (9,), 2: (6, 7), 3: (4, 5, 4)}[nd]
    x = rng.standard_normal((2, 2) + sp)
    for k, s, p, cm, cip in [(2, 1, 0, False, True), (3, 2, 1, True, True),
                             (3, 2, 1, True, False), (2, 3, 1, True, False)]:
        fwd = lambda a: getattr(nn, f"avg_pool{nd}d")(a, k, s, p, cm, cip)
        y = fwd(x)
        g = rng.standard_normal(y.shape)
        back = getattr(nn, f"avg_pool{nd}d_backward")(g, x.shape, k, s, p, cm, cip)
        np.testing.assert_allclose(back, _numeric_grad(fwd, x, g), rtol=1e-6, atol=1e-6)
        # adjointness: <pool(x), g> == <x, pool_backward(g)>
        np.testing.assert_allclose(np.vdot(y, g), np.vdot(x, back), rtol=1e-12)
    if nd > 1:
        y = getattr(nn, f"avg_pool{nd}d")(x, 3, 2, 1, divisor_override=5)
        g = rng.standard_normal(y.shape)
        back = getattr(nn, f"avg_pool{nd}d_backward")(g, x.shape, 3, 2, 1, divisor_override=5)
        np.testing.assert_allclose(np.vdot(y, g), np.vdot(x, back), rtol=1e-12)


def test_backward_shapes_and_dtypes(rng):
    x = rng.standard_normal((3, 8, 8)).astype(np.float32)
    g = np.ones((3, 4, 4), np.float32)
    assert nn.max_pool2d_backward(g, x, 2).shape == x.shape
    assert nn.avg_pool2d_backward(g, x.shape, 2).dtype == np.float32
    with pytest.raises(ValueError, match="grad_output"):
        nn.max_pool2d_backward(np.ones((3, 5, 4)), x, 2)
    with pytest.raises(ValueError, match="grad_output"):
        nn.avg_pool2d_backward(np.ones((3, 5, 4)), x.shape, 2)
    with pytest.raises(TypeError, match="grad_output"):
        nn.max_pool2d_backward(np.ones((3, 4, 4), int), x, 2)


# ---------------------------------------------------------------- torch
@requires_torch
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_forward_matches_torch(rng, nd):
    for trial, (k, s, p, d) in enumerate(_params(nd, rng, 30)):
        cm, cip = bool(trial % 2), bool(trial % 3)
        dt = np.float32 if trial % 2 else np.float64
        x = rng.standard_normal((2, 3) + _spatial(nd)).astype(dt)
        if trial % 4 == 0:
            x = np.round(x)
        xt = torch.from_numpy(x)
        try:
            vt, it = getattr(F, f"max_pool{nd}d")(xt, k, s, p, d, cm, True)
        except RuntimeError:
            with pytest.raises(ValueError):
                getattr(nn, f"max_pool{nd}d")(x, k, s, p, d, cm)
            continue
        v, i = getattr(nn, f"max_pool{nd}d")(x, k, s, p, d, cm, True)
        np.testing.assert_array_equal(v, vt.numpy())
        np.testing.assert_array_equal(i, it.numpy())
        try:
            at = getattr(F, f"avg_pool{nd}d")(xt, k, s, p, cm, cip).numpy()
        except RuntimeError:
            continue
        tol = 2e-6 if dt == np.float32 else 1e-12
        np.testing.assert_allclose(getattr(nn, f"avg_pool{nd}d")(x, k, s, p, cm, cip), at,
                                   rtol=tol, atol=tol)
        if nd > 1:
            at = getattr(F, f"avg_pool{nd}d")(xt, k, s, p, cm, cip, 2).numpy()
            np.testing.assert_allclose(getattr(nn, f"avg_pool{nd}d")(x, k, s, p, cm, cip, 2),
                                       at, rtol=tol, atol=tol)


@requires_torch
def test_nan_and_integers_match_torch(rng):
    x = rng.standard_normal((2, 3, 9, 11)).astype(np.float32)
    x[0, 0, 1, 2] = x[1, 2, 4, 4] = x[1, 2, 5, 5] = np.nan
    x[0, 1, :3, :3] = np.nan
    vt, it = F.max_pool2d(torch.from_numpy(x), 3, 2, 1, return_indices=True)
    v, i = nn.max_pool2d(x, 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(v, vt.numpy())
    np.testing.assert_array_equal(i, it.numpy())
    for dt in (np.int8, np.uint8, np.int16, np.int32, np.int64):
        xi = rng.integers(-50, 50, (2, 3, 9, 11)).astype(dt) if dt != np.uint8 else \
            rng.integers(0, 250, (2, 3, 9, 11)).astype(dt)
        vt, it = F.max_pool2d(torch.from_numpy(xi), (2, 3), (1, 2), 1, return_indices=True)
        v, i = nn.max_pool2d(xi, (2, 3), (1, 2), 1, return_indices=True)
        np.testing.assert_array_equal(v, vt.numpy())
        np.testing.assert_array_equal(i, it.numpy())


@requires_torch
@pytest.mark.parametrize("size", [(3, 4), 5, (1, 1), (12, 13), (None, 3)])
def test_adaptive_matches_torch(rng, size):
    x = rng.standard_normal((2, 3, 9, 11)).astype(np.float32)
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = np.nan
    xt = torch.from_numpy(x)
    vt, it = F.adaptive_max_pool2d(xt, size, return_indices=True)
    v, i = nn.adaptive_max_pool2d(x, size, return_indices=True)
    np.testing.assert_array_equal(v, vt.numpy())
    np.testing.assert_array_equal(i, it.numpy())
    np.testing.assert_allclose(nn.adaptive_avg_pool2d(x, size),
                               F.adaptive_avg_pool2d(xt, size).numpy(), rtol=2e-6, atol=2e-6)


@requires_torch
def test_unpool_matches_torch(rng):
    x = rng.standard_normal((2, 3, 8, 9)).astype(np.float32)
    yt, it = F.max_pool2d(torch.from_numpy(x), 2, return_indices=True)
    for osz in [(8, 9), (9, 9), None]:
        try:
            ref = F.max_unpool2d(yt, it, 2, output_size=osz).numpy()
        except (RuntimeError, ValueError):
            with pytest.raises(ValueError):
                nn.max_unpool2d(yt.numpy(), it.numpy(), 2, output_size=osz)
            continue
        np.testing.assert_array_equal(nn.max_unpool2d(yt.numpy(), it.numpy(), 2,
                                                      output_size=osz), ref)


@requires_torch
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_backward_matches_torch_autograd(rng, nd):
    sp = (7, 8, 9)[:nd]
    x = rng.standard_normal((2, 3) + sp)
    x[..., 0] = x[..., 1]  # ties
    xt = torch.from_numpy(x).requires_grad_()
    for k, s, p, d, cm in [(2, 1, 0, 1, False), (3, 2, 1, 1, True), (3, 1, 1, 2, False),
                           (2, 2, 1, 1, True)]:
        y = getattr(F, f"max_pool{nd}d")(xt, k, s, p, d, cm)
        g = torch.from_numpy(rng.standard_normal(tuple(y.shape)))
        gt, = torch.autograd.grad(y, xt, g)
        ours = getattr(nn, f"max_pool{nd}d_backward")(g.numpy(), x, k, s, p, d, cm)
        np.testing.assert_allclose(ours, gt.numpy(), rtol=1e-12, atol=1e-12)
        for cip in (True, False):
            y = getattr(F, f"avg_pool{nd}d")(xt, k, s, p, cm, cip)
            g = torch.from_numpy(rng.standard_normal(tuple(y.shape)))
            gt, = torch.autograd.grad(y, xt, g)
            ours = getattr(nn, f"avg_pool{nd}d_backward")(g.numpy(), x.shape, k, s, p, cm, cip)
            np.testing.assert_allclose(ours, gt.numpy(), rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- shapes, threads
def test_pool_output_shape():
    assert nn.pool_output_shape((1, 64, 512, 512), 2) == (1, 64, 256, 256)
    assert nn.pool_output_shape((2, 3, 5, 5), 3, 2, 1, ceil_mode=True) == (2, 3, 3, 3)
    # torch's rule: the last window would start in the right padding -> dropped
    assert nn.pool_output_shape((1, 1, 6, 6), 3, 2, 1, ceil_mode=True) == (1, 1, 4, 4)
    assert nn.pool_output_shape((1, 1, 5), (2,), 2, 1, ceil_mode=True) == (1, 1, 3)
    assert nn.pool_output_shape((4, 7, 9), (2, 3)) == (4, 3, 3)


@pytest.mark.parametrize("case", ["max", "max_idx", "avg", "adaptive", "backward", "unpool"])
def test_workers_agnostic(rng, case):
    x = rng.standard_normal((2, 8, 64, 70)).astype(np.float32)
    call = {
        "max": lambda w: nn.max_pool2d(x, 3, 2, 1, workers=w),
        "max_idx": lambda w: nn.max_pool2d(x, 2, return_indices=True, workers=w)[1],
        "avg": lambda w: nn.avg_pool2d(x, 3, 2, 1, workers=w),
        "adaptive": lambda w: nn.adaptive_avg_pool2d(x, (5, 7), workers=w),
        "backward": lambda w: nn.avg_pool2d_backward(np.ones((2, 8, 32, 35), np.float32),
                                                     x.shape, 3, 2, 1, workers=w),
        "unpool": lambda w: nn.max_unpool2d(*nn.max_pool2d(x, 2, return_indices=True), 2,
                                            workers=w),
    }[case]
    ref = call(1)
    for w in (2, 3):
        np.testing.assert_array_equal(call(w), ref)


def test_input_not_modified(rng):
    x = rng.standard_normal((2, 3, 8, 8))
    x.flags.writeable = False
    keep = x.copy()
    nn.max_pool2d(x, 2, return_indices=True)
    nn.avg_pool2d(x, 3, 1, 1)
    nn.max_pool2d_backward(np.ones((2, 3, 4, 4)), x, 2)
    np.testing.assert_array_equal(x, keep)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs,match", [
    (dict(kernel_size=0), "kernel_size"), (dict(kernel_size=(2, -1)), "kernel_size"),
    (dict(kernel_size=2, stride=0), "stride"), (dict(kernel_size=2, dilation=0), "dilation"),
    (dict(kernel_size=3, padding=2), "padding"), (dict(kernel_size=2, padding=-1), "padding"),
    (dict(kernel_size=(2, 2, 2)), "kernel_size"), (dict(kernel_size=9), "too small")])
def test_bad_pool_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nn.max_pool2d(np.ones((1, 1, 6, 6)), **kwargs)


def test_bad_avg_arguments():
    with pytest.raises(ValueError, match="padding"):
        nn.avg_pool2d(np.ones((1, 1, 6, 6)), 2, 1, 2)
    with pytest.raises(ValueError, match="divisor_override"):
        nn.avg_pool2d(np.ones((1, 1, 6, 6)), 2, divisor_override=0)
    with pytest.raises(TypeError, match="dtype"):
        nn.avg_pool2d(np.ones((1, 1, 6, 6), int), 2)
    with pytest.raises(TypeError, match="kernel_size"):
        nn.avg_pool1d(np.ones((1, 6)), 2.0)


@pytest.mark.parametrize("fn,shape", [(nn.max_pool1d, (6,)), (nn.max_pool2d, (6, 6)),
                                      (nn.max_pool3d, (6, 6, 6)), (nn.avg_pool2d, (4,)),
                                      (nn.max_pool2d, (1, 1, 1, 6, 6))])
def test_wrong_number_of_dimensions(fn, shape):
    with pytest.raises(ValueError, match="dimensions"):
        fn(np.ones(shape), 2)


def test_bad_input_dtype_and_empty_axes():
    with pytest.raises(TypeError, match="dtype"):
        nn.max_pool2d(np.ones((1, 4, 4), bool), 2)
    with pytest.raises(TypeError, match="dtype"):
        nn.max_pool2d(np.ones((1, 4, 4), complex), 2)
    with pytest.raises(ValueError, match="batch"):
        nn.max_pool2d(np.ones((1, 0, 4, 4)), 2)
    with pytest.raises(ValueError, match="output_size"):
        nn.adaptive_avg_pool2d(np.ones((1, 4, 4)), -1)
    with pytest.raises(ValueError, match="spatial"):
        nn.global_avg_pool(np.ones((2, 3)))


# ---------------------------------------------------------------- the plan cache
def _cache():
    from pyfilter.nn import _pool
    return _pool._CACHE


def test_cached_pooling_gives_the_fresh_answers(rng):
    _cache().clear()
    for trial in range(3):
        # new data of one layout on every trial: cached plans, fresh values
        x = rng.standard_normal((2, 3, 9, 11))
        if trial == 2:
            x = np.round(x)
        vref, iref, aref = ref_pool(x, (3, 2), (2, 1), (1, 1), (1, 2), True)
        np.testing.assert_array_equal(nn.max_pool2d(x, (3, 2), (2, 1), (1, 1), (1, 2), True),
                                      vref)
        v, i = nn.max_pool2d(x, (3, 2), (2, 1), (1, 1), (1, 2), True, True)
        np.testing.assert_array_equal(v, vref)
        np.testing.assert_array_equal(i, iref)
        _, _, aref = ref_pool(x, (3, 2), (2, 1), (1, 1), (1, 1), True)
        np.testing.assert_allclose(nn.avg_pool2d(x, (3, 2), (2, 1), (1, 1), True), aref,
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(nn.adaptive_avg_pool2d(x, (4, 5)),
                                   _adaptive_ref(x, (4, 5), np.mean), rtol=1e-12)
        np.testing.assert_array_equal(nn.adaptive_max_pool2d(x, (4, 5)),
                                      _adaptive_ref(x, (4, 5), np.max))
        np.testing.assert_array_equal(nn.global_max_pool(x), x.max(axis=(2, 3)))
        np.testing.assert_allclose(nn.global_avg_pool(x, keepdims=True),
                                   x.mean(axis=(2, 3), keepdims=True), rtol=1e-12)
        # backward passes: new gradients of one layout
        g = rng.standard_normal(vref.shape)
        ref = np.zeros(x.shape).reshape(2, 3, -1)
        np.add.at(ref, (np.arange(2)[:, None, None], np.arange(3)[None, :, None],
                        iref.reshape(2, 3, -1)), g.reshape(2, 3, -1))
        np.testing.assert_allclose(
            nn.max_pool2d_backward(g, x, (3, 2), (2, 1), (1, 1), (1, 2), True),
            ref.reshape(x.shape), rtol=1e-12, atol=1e-12)
        y = nn.avg_pool2d(x, 3, 2, 1)
        g = rng.standard_normal(y.shape)
        back = nn.avg_pool2d_backward(g, x.shape, 3, 2, 1)
        np.testing.assert_allclose(np.vdot(y, g), np.vdot(x, back), rtol=1e-12)
        # unpooling: new indices of one layout
        y, i = nn.max_pool2d(x, 2, return_indices=True)
        u = nn.max_unpool2d(y, i, 2, output_size=x.shape[2:])
        ref = np.zeros_like(x).reshape(2, 3, -1)
        np.put_along_axis(ref, i.reshape(2, 3, -1), y.reshape(2, 3, -1), axis=-1)
        np.testing.assert_array_equal(u, ref.reshape(x.shape))
    # one entry per signature, reused by the later trials
    assert len(_cache()) == 12


def test_pool_cache_never_serves_another_signature(rng):
    x = rng.standard_normal((2, 3, 10, 9)).astype(np.float32)
    for _ in range(2):
        for k, s, p in [(2, None, 0), (3, 2, 1), ((2, 3), 1, 0), (3, 2, 0), (3, (2, 1), 1)]:
            ss = k if s is None else s
            kk, ss, pp = (k if np.ndim(k) else (k, k)), (ss if np.ndim(ss) else (ss, ss)), (p, p)
            vref, iref, aref = ref_pool(x, kk, ss, pp, (1, 1), False)
            np.testing.assert_array_equal(nn.max_pool2d(x, k, s, p), vref)
            np.testing.assert_array_equal(nn.max_pool2d(x, k, s, p, return_indices=True)[1],
                                          iref)
            np.testing.assert_allclose(nn.avg_pool2d(x, k, s, p), aref, rtol=2e-6, atol=2e-6)
            np.testing.assert_allclose(nn.avg_pool2d(x, k, s, p, count_include_pad=False),
                                       ref_pool(x, kk, ss, pp, (1, 1), False, False)[2],
                                       rtol=2e-6, atol=2e-6)
        # the same values in other layouts and dtypes
        for v in (x[0], x.astype(np.float64), np.asfortranarray(x), x[:, :, ::-1],
                  x.astype(np.int16)):
            vb = v if v.ndim == 4 else v[None]
            ref = ref_pool(vb, (2, 2), (2, 2), (0, 0), (1, 1), False)[0]
            np.testing.assert_array_equal(nn.max_pool2d(v, 2), ref if v.ndim == 4 else ref[0])
        assert nn.global_max_pool(x, keepdims=True).shape == (2, 3, 1, 1)
        assert nn.global_max_pool(x).shape == (2, 3)
        y, i = nn.max_pool2d(x, 2, return_indices=True)
        assert nn.max_unpool2d(y, i, 2, output_size=(10, 9)).shape == (2, 3, 10, 9)
        assert nn.max_unpool2d(y, i, 2, output_size=(11, 9)).shape == (2, 3, 11, 9)
        with pytest.raises(ValueError, match="indices"):
            nn.max_unpool2d(y, i, 2)    # (10, 8): indices from row 9 do not fit


def test_pool_bad_input_raises_the_same_error_twice(rng):
    x = rng.standard_normal((1, 2, 6, 6))
    _cache().clear()
    bad = [lambda: nn.max_pool2d(x, 9), lambda: nn.max_pool2d(x, 3, padding=2),
           lambda: nn.avg_pool2d(x.astype(int), 2), lambda: nn.max_pool2d(x[0, 0], 2),
           lambda: nn.max_pool2d_backward(np.ones((1, 2, 2, 3)), x, 2),
           lambda: nn.max_pool2d_backward(np.ones((1, 2, 3, 3), int), x, 2),
           lambda: nn.avg_pool2d_backward(np.ones((1, 2, 2, 3)), x.shape, 2),
           lambda: nn.max_unpool2d(np.ones((1, 2, 3, 3)), np.full((1, 2, 3, 3), 99), 2),
           lambda: nn.max_unpool2d(np.ones((1, 2, 3, 3)), np.zeros((1, 2, 3, 3)), 2),
           lambda: nn.adaptive_avg_pool2d(x, -1), lambda: nn.global_avg_pool(x.astype(int))]
    for call in bad:
        msgs = []
        for _ in range(2):
            with pytest.raises((ValueError, TypeError)) as e:
                call()
            msgs.append((type(e.value), str(e.value)))
        assert msgs[0] == msgs[1]
    # only max_unpool2d's signature with out-of-range indices is valid (the
    # indices are checked when they are scattered)
    assert len(_cache()) == 1


@requires_torch
@pytest.mark.parametrize("k, p", [(1, 0), (2, 1), (3, 1)])
def test_length_one_inputs_and_their_gradients_match_torch(k, p):
    x = np.array([[[2.5]], [[-1.0]]], np.float32)          # (N=2, C=1, L=1)
    tx = torch.from_numpy(x.copy()).requires_grad_()
    ty, ti = torch.nn.functional.max_pool1d(tx, k, 1, p, return_indices=True)
    y, idx = nn.max_pool1d(x, k, 1, p, return_indices=True)
    np.testing.assert_array_equal(y, ty.detach().numpy())
    np.testing.assert_array_equal(idx, ti.numpy())
    g = np.arange(1, ty.numel() + 1, dtype=np.float32).reshape(ty.shape)
    ty.backward(torch.from_numpy(g))
    np.testing.assert_array_equal(nn.max_pool1d_backward(g, x, k, 1, p), tx.grad.numpy())


@requires_torch
def test_backward_of_an_empty_batch_matches_torch():
    import torch.nn.functional as F
    x = np.zeros((0, 2, 6, 6), np.float32)
    tx = torch.zeros(x.shape, requires_grad=True)
    for fwd, bwd, arg in ((F.max_pool2d, nn.max_pool2d_backward, x),
                          (F.avg_pool2d, nn.avg_pool2d_backward, x.shape)):
        ty = fwd(tx, 2)
        g = np.zeros(ty.shape, np.float32)
        ours = bwd(g, arg, 2)
        ref = torch.autograd.grad(ty, tx, torch.from_numpy(g), allow_unused=True)[0]
        assert ours.shape == tuple(ref.shape) == x.shape and ours.dtype == np.float32
