"""CNN layers: pyfilter.nn against torch.nn.functional (oneDNN, the
same number of threads) and a numpy im2col reference (np.pad +
sliding_window_view + matmul), float32, fresh outputs for every library
(torch's functional API has no ``out=``).  GFLOP/s = 2 x multiply-adds /
time.  Targets: within 1.5x of torch's time (speed-up >= 0.667)
for the dense cases and conv3d; no slower (>= 1.0) for depthwise and the
transposed convolution."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import pyfilter
from pyfilter import nn

from ._harness import Case
from ._peers import torch

WITHIN_1_5X = 1 / 1.5


def _rand(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _np_conv(x, w, stride=1, padding=0, dilation=1, groups=1):
    """numpy im2col reference: windows of the zero-padded input, one matmul
    per group."""
    nsp = x.ndim - 2
    s = (stride,) * nsp if np.ndim(stride) == 0 else tuple(stride)
    d = (dilation,) * nsp if np.ndim(dilation) == 0 else tuple(dilation)
    k = w.shape[2:]
    xp = np.pad(x, [(0, 0), (0, 0)] + [(padding, padding)] * nsp)
    span = [dd * (kk - 1) + 1 for kk, dd in zip(k, d)]
    win = sliding_window_view(xp, span, axis=tuple(range(2, 2 + nsp)))
    win = win[(slice(None),) * 2 + tuple(slice(None, None, a) for a in s)
              + tuple(slice(None, None, a) for a in d)]
    N, C = x.shape[:2]
    osp = win.shape[2:2 + nsp]
    cg, og = C // groups, w.shape[0] // groups
    out = np.empty((N, w.shape[0]) + osp, dtype=x.dtype)
    for n in range(N):
        for g in range(groups):
            wn = win[n, g * cg:(g + 1) * cg]                       # (cg, *osp, *k)
            cols = np.moveaxis(wn, tuple(range(1, 1 + nsp)),
                               tuple(range(-nsp, 0))).reshape(-1, int(np.prod(osp)))
            out[n, g * og:(g + 1) * og] = (w[g * og:(g + 1) * og].reshape(og, -1)
                                           @ cols).reshape((og,) + osp)
    return out


def _np_conv_transpose(x, w, stride, padding):
    """numpy reference: columns W^T x, then a per-tap scatter-add (col2im)."""
    N, C, H, W = x.shape
    co, kh, kw = w.shape[1:]
    Ho, Wo = (H - 1) * stride + kh, (W - 1) * stride + kw
    cols = np.einsum("cokl,nchw->nklohw", w, x, optimize=True)
    full = np.zeros((N, co, Ho, Wo), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            full[:, :, i:i + (H - 1) * stride + 1:stride,
                 j:j + (W - 1) * stride + 1:stride] += cols[:, i, j]
    return full[:, :, padding:Ho - padding, padding:Wo - padding]


def _conv_case(name, x, w, kw, target, torch_fn="conv", nsp=2):
    fn = {1: nn.conv1d, 2: nn.conv2d, 3: nn.conv3d}[nsp]
    y = fn(x, w, **kw)
    flops = 2.0 * w[0].size * y[0, 0].size * y.shape[0] * y.shape[1]
    peers = {"numpy im2col": lambda: _np_conv(x, w, **kw)}
    targets = {}
    check_ref = None
    if torch is not None:
        import torch.nn.functional as F
        tf = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nsp]
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)

        def run_torch():
            with torch.no_grad():
                return tf(tx, tw, **kw)
        peers["torch"] = run_torch
        targets["torch"] = target
        check_ref = lambda: run_torch().numpy()   # noqa: E731
    else:
        check_ref = lambda: _np_conv(x, w, **kw)  # noqa: E731

    def check():
        ref = check_ref()
        np.testing.assert_allclose(fn(x, w, **kw), ref, rtol=1e-4,
                                   atol=1e-4 * float(np.abs(ref).max()))
    return Case(name, "conv", lambda: fn(x, w, **kw), peers, targets=targets,
                preallocated=False, flops=flops, check=check)


def cases():
    workers = pyfilter.get_workers()
    if torch is not None:
        torch.set_num_threads(workers)
    x = _rand((1, 64, 128, 128), 0)
    w3 = _rand((64, 64, 3, 3), 1) / 24
    out = [
        _conv_case("conv2d 64->64 3x3 p1 (1,64,128,128)", x, w3, dict(padding=1),
                   WITHIN_1_5X),
        _conv_case("conv2d 64->64 3x3 dilation 2", x, w3, dict(padding=2, dilation=2),
                   WITHIN_1_5X),
        _conv_case("conv2d 64->64 3x3 stride 2", x, w3, dict(padding=1, stride=2),
                   WITHIN_1_5X),
        _conv_case("conv2d 64->64 3x3 groups 4", x, _rand((64, 16, 3, 3), 2) / 12,
                   dict(padding=1, groups=4), WITHIN_1_5X),
        _conv_case("conv2d 1x1 64->128", x, _rand((128, 64, 1, 1), 3) / 8, {}, WITHIN_1_5X),
        _conv_case("depthwise 3x3 (1,64,128,128)", x, _rand((64, 1, 3, 3), 4) / 3,
                   dict(padding=1, groups=64), 1.0),
        _conv_case("conv3d 8->16 3x3x3 p1 (1,8,64,64,64)", _rand((1, 8, 64, 64, 64), 5),
                   _rand((16, 8, 3, 3, 3), 6) / 15, dict(padding=1), WITHIN_1_5X, nsp=3),
    ]
    # transposed convolution 64 -> 32, 4x4, stride 2, padding 1 (2x upsampling)
    wt = _rand((64, 32, 4, 4), 7) / 32
    kw = dict(stride=2, padding=1)
    peers = {"numpy col2im": lambda: _np_conv_transpose(x, wt, 2, 1)}
    targets = {}
    if torch is not None:
        import torch.nn.functional as F
        tx, twt = torch.from_numpy(x), torch.from_numpy(wt)

        def run_t():
            with torch.no_grad():
                return F.conv_transpose2d(tx, twt, **kw)
        peers["torch"] = run_t
        targets["torch"] = 1.0
        ref_t = lambda: run_t().numpy()          # noqa: E731
    else:
        ref_t = lambda: _np_conv_transpose(x, wt, 2, 1)  # noqa: E731

    def check_t():
        ref = ref_t()
        np.testing.assert_allclose(nn.conv_transpose2d(x, wt, **kw), ref, rtol=1e-4,
                                   atol=1e-4 * float(np.abs(ref).max()))
    out.append(Case("conv_transpose2d 64->32 4x4 s2 p1", "conv",
                    lambda: nn.conv_transpose2d(x, wt, **kw), peers, targets=targets,
                    preallocated=False, flops=2.0 * wt.size * 128 * 128, check=check_t))
    # backward passes (no targets): weight and input gradients of the 3x3 layer
    g = _rand((1, 64, 128, 128), 8)
    peers_w, peers_i = {}, {}
    if torch is not None:
        import torch.nn.grad as G
        tg = torch.from_numpy(g)
        tw3 = torch.from_numpy(w3)
        peers_w["torch.nn.grad"] = lambda: G.conv2d_weight(tx, w3.shape, tg, padding=1)
        peers_i["torch.nn.grad"] = lambda: G.conv2d_input(x.shape, tw3, tg, padding=1)
    flops3 = 2.0 * w3.size * 128 * 128
    out.append(Case("conv2d_weight 64->64 3x3 (backward)", "conv",
                    lambda: nn.conv2d_weight(x, w3.shape, g, padding=1), peers_w,
                    preallocated=False, flops=flops3))
    out.append(Case("conv2d_input 64->64 3x3 (backward)", "conv",
                    lambda: nn.conv2d_input(x.shape, w3, g, padding=1), peers_i,
                    preallocated=False, flops=flops3))
    # depthwise-separable block (MobileNet): fused vs two separate convolutions
    dw = _rand((64, 1, 3, 3), 9) / 3
    pw = _rand((128, 64, 1, 1), 10) / 8
    peers_s = {"pyfilter dw + 1x1": lambda: nn.conv2d(nn.conv2d(x, dw, padding=1, groups=64),
                                                       pw)}
    if torch is not None:
        tdw, tpw = torch.from_numpy(dw), torch.from_numpy(pw)

        def run_s():
            with torch.no_grad():
                return F.conv2d(F.conv2d(tx, tdw, padding=1, groups=64), tpw)
        peers_s["torch"] = run_s
    out.append(Case("depthwise-separable 64->128 3x3", "conv",
                    lambda: nn.depthwise_separable_conv2d(x, dw, pw, padding=1), peers_s,
                    preallocated=False,
                    flops=2.0 * (dw.size + pw.size) * 128 * 128))
    # thread scaling: "peer" is pyfilter on one thread
    out.append(Case("conv2d 3x3 64->64: workers 2 vs 1", "conv",
                    lambda: nn.conv2d(x, w3, padding=1, workers=2),
                    {"pyfilter workers=1": lambda: nn.conv2d(x, w3, padding=1, workers=1)},
                    targets={"pyfilter workers=1": 1.6}, preallocated=False,
                    flops=flops3))
    return out
