"""Independent numpy references for the CNN layers (pyfilter.nn).

Written from the definitions only (np.pad + sliding_window_view + einsum
for convolutions, an explicit per-tap scatter for transposed convolutions,
loops for unfold/fold), in float64, sharing no code with pyfilter.
"""
import itertools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# padding_mode -> numpy.pad mode (docs/semantics.md: torch's reflect is scipy's
# mirror is numpy's reflect; scipy's reflect is numpy's symmetric).
NP_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge",
           "circular": "wrap", "constant": "constant", "grid-constant": "constant",
           "nearest": "edge", "mirror": "reflect", "wrap": "wrap", "grid-wrap": "wrap",
           "grid-mirror": "symmetric", "symmetric": "symmetric"}
# padding_mode -> scipy.ndimage mode
SCIPY_MODE = {"zeros": "constant", "reflect": "mirror", "replicate": "nearest",
              "circular": "wrap"}



def resolve_padding(padding, kernel, dilation):
    """(left, right) per axis for torch's padding forms."""
    n = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * n
        if padding == "same":
            return [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
                    for k, d in zip(kernel, dilation)]
        if padding == "full":
            return [(d * (k - 1),) * 2 for k, d in zip(kernel, dilation)]
        raise ValueError(padding)
    if np.ndim(padding) == 0:
        padding = [padding] * n
    return [(int(p), int(p)) for p in padding]


def tup(v, n):
    return [int(v)] * n if np.ndim(v) == 0 else [int(a) for a in v]


def conv(x, w, b=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"):
    """conv{n}d: x (N, C, *sp), w (C_out, C_in / groups, *k), float64 result."""
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    nsp = x.ndim - 2
    k = list(w.shape[2:])
    s, d = tup(stride, nsp), tup(dilation, nsp)
    pads = resolve_padding(padding, k, d)
    xp = np.pad(x, [(0, 0), (0, 0)] + pads, mode=NP_MODE[padding_mode])
    span = [dd * (kk - 1) + 1 for kk, dd in zip(k, d)]
    win = sliding_window_view(xp, span, axis=tuple(range(2, 2 + nsp)))
    sl = ((slice(None),) * 2 + tuple(slice(None, None, ss) for ss in s)
          + tuple(slice(None, None, dd) for dd in d))
    win = win[sl]                              # (N, C, *out, *k)
    N, C = x.shape[:2]
    O = w.shape[0]
    G = groups
    osp = win.shape[2:2 + nsp]
    win = win.reshape((N, G, C // G) + osp + tuple(k))
    wg = w.reshape((G, O // G, C // G) + tuple(k))
    sp = "pqr"[:nsp]
    kk = "uvw"[:nsp]
    out = np.einsum(f"ngc{sp}{kk},goc{kk}->ngo{sp}", win, wg)
    out = out.reshape((N, O) + osp)
    if b is not None:
        out = out + np.asarray(b, np.float64).reshape((1, O) + (1,) * nsp)
    return out


def conv_transpose(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1,
                   dilation=1):
    """conv_transpose{n}d by explicit scatter-add of every tap, then cropping."""
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    nsp = x.ndim - 2
    N, C = x.shape[:2]
    G = groups
    og = w.shape[1]
    k = list(w.shape[2:])
    s, p, op, d = (tup(v, nsp) for v in (stride, padding, output_padding, dilation))
    n = x.shape[2:]
    full_len = [(a - 1) * ss + dd * (kk - 1) + 1 + o for a, ss, dd, kk, o in zip(n, s, d, k, op)]
    full = np.zeros((N, G * og) + tuple(full_len))
    for g in range(G):
        xs = x[:, g * (C // G):(g + 1) * (C // G)]
        for tap in itertools.product(*[range(kk) for kk in k]):
            wt = w[(slice(g * (C // G), (g + 1) * (C // G)), slice(None)) + tap]  # (C/G, og)
            contrib = np.einsum("nc...,co->no...", xs, wt)
            sl = tuple(slice(t * dd, t * dd + (a - 1) * ss + 1, ss)
                       for t, dd, a, ss in zip(tap, d, n, s))
            full[(slice(None), slice(g * og, (g + 1) * og)) + sl] += contrib
    out_len = [(a - 1) * ss - 2 * pp + dd * (kk - 1) + o + 1
               for a, ss, pp, dd, kk, o in zip(n, s, p, d, k, op)]
    crop = tuple(slice(pp, pp + L) for pp, L in zip(p, out_len))
    out = full[(slice(None), slice(None)) + crop]
    if b is not None:
        out = out + np.asarray(b, np.float64).reshape((1, -1) + (1,) * nsp)
    return out


def unfold(x, kernel, dilation=1, padding=0, stride=1):
    """im2col by loops: rows (c, i, j), columns block positions row-major."""
    x = np.asarray(x, np.float64)
    N, C, H, W = x.shape
    kh, kw = tup(kernel, 2)
    dh, dw = tup(dilation, 2)
    ph, pw = tup(padding, 2)
    sh, sw = tup(stride, 2)
    xp = np.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
    oh = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    cols = np.zeros((N, C * kh * kw, oh * ow))
    for c in range(C):
        for i in range(kh):
            for j in range(kw):
                r = (c * kh + i) * kw + j
                for a in range(oh):
                    for bb in range(ow):
                        cols[:, r, a * ow + bb] = xp[:, c, a * sh + i * dh, bb * sw + j * dw]
    return cols


def fold(cols, output_size, kernel, dilation=1, padding=0, stride=1):
    """col2im by loops: add every column entry at its pixel, drop the padding."""
    cols = np.asarray(cols, np.float64)
    N = cols.shape[0]
    kh, kw = tup(kernel, 2)
    dh, dw = tup(dilation, 2)
    ph, pw = tup(padding, 2)
    sh, sw = tup(stride, 2)
    H, W = tup(output_size, 2)
    C = cols.shape[1] // (kh * kw)
    oh = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    for c in range(C):
        for i in range(kh):
            for j in range(kw):
                r = (c * kh + i) * kw + j
                for a in range(oh):
                    for bb in range(ow):
                        out[:, c, a * sh + i * dh, bb * sw + j * dw] += cols[:, r, a * ow + bb]
    return out[:, :, ph:ph + H, pw:pw + W]


def dilate_kernel(k, d):
    """Insert d-1 zeros between taps along every axis."""
    k = np.asarray(k, np.float64)
    shape = [dd * (n - 1) + 1 for n, dd in zip(k.shape, d)]
    out = np.zeros(shape)
    out[tuple(slice(None, None, dd) for dd in d)] = k
    return out


def conv_weight(x, grad, weight_shape, stride=1, padding=0, dilation=1, groups=1,
                padding_mode="zeros"):
    """Gradient of conv with respect to the weight, from the same windows:
    dw[o, c, k] = sum_{n, i} grad[n, o, i] * window[n, c, i, k]."""
    x = np.asarray(x, np.float64)
    grad = np.asarray(grad, np.float64)
    nsp = x.ndim - 2
    k = list(weight_shape[2:])
    s, d = tup(stride, nsp), tup(dilation, nsp)
    pads = resolve_padding(padding, k, d)
    xp = np.pad(x, [(0, 0), (0, 0)] + pads, mode=NP_MODE[padding_mode])
    span = [dd * (kk - 1) + 1 for kk, dd in zip(k, d)]
    win = sliding_window_view(xp, span, axis=tuple(range(2, 2 + nsp)))
    sl = ((slice(None),) * 2 + tuple(slice(None, None, ss) for ss in s)
          + tuple(slice(None, None, dd) for dd in d))
    win = win[sl]
    N, C = x.shape[:2]
    O = weight_shape[0]
    G = groups
    osp = win.shape[2:2 + nsp]
    win = win.reshape((N, G, C // G) + osp + tuple(k))
    gg = grad.reshape((N, G, O // G) + osp)
    sp = "pqr"[:nsp]
    kk = "uvw"[:nsp]
    dw = np.einsum(f"ngc{sp}{kk},ngo{sp}->goc{kk}", win, gg)
    return dw.reshape(tuple(weight_shape))
