"""pyfilter.nn against torch.nn.functional, torch.nn.grad and autograd
(skipped when PyTorch is not installed)."""
import numpy as np
import pytest

from pyfilter import nn

from tests.helpers import requires_torch

pytestmark = requires_torch

TORCH_MODES = ["zeros", "reflect", "replicate", "circular"]


def _t(a):
    import torch
    return torch.from_numpy(np.ascontiguousarray(a))


def _torch_conv(nsp, x, w, b, stride, padding, dilation, groups, padding_mode):
    """torch.nn.ConvNd's forward (F.pad for non-zero modes, as the module does)."""
    import torch.nn.functional as F
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nsp]
    if padding_mode == "zeros":
        return conv(x, w, b, stride, padding, dilation, groups)
    k = w.shape[2:]
    d = [dilation] * nsp if np.ndim(dilation) == 0 else list(dilation)
    if padding == "same":
        pads = []
        for kk, dd in zip(k, d):
            tot = dd * (kk - 1)
            pads.append((tot // 2, tot - tot // 2))
    elif isinstance(padding, str):
        pads = [(0, 0)] * nsp
    else:
        p = [padding] * nsp if np.ndim(padding) == 0 else list(padding)
        pads = [(a, a) for a in p]
    flat = []
    for lo, hi in reversed(pads):
        flat += [lo, hi]
    return conv(F.pad(x, flat, mode=padding_mode), w, b, stride, 0, dilation, groups)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("padding_mode", TORCH_MODES)
@pytest.mark.parametrize("nsp", [1, 2, 3])
@pytest.mark.parametrize("seed", range(4))
def test_forward_and_autograd_match_torch(nsp, padding_mode, dtype, seed):
    rng = np.random.default_rng(90 + seed + 10 * nsp)
    groups = [1, 2, 4, 1][seed]
    cin, cout = 4, 4 * (1 + seed % 2)
    k = [3, 2, 3][:nsp]
    stride = [1, 2, 1, 3][seed]
    dilation = [1, 1, 2, 1][seed]
    padding = [1, 2, "same", (1,) * nsp][seed]
    if padding == "same":
        stride = 1
    sp = [9, 8, 7][:nsp]
    x = rng.standard_normal((2, cin) + tuple(sp)).astype(dtype)
    w = rng.standard_normal((cout, cin // groups) + tuple(k)).astype(dtype)
    b = rng.standard_normal(cout).astype(dtype)
    conv = {1: nn.conv1d, 2: nn.conv2d, 3: nn.conv3d}[nsp]
    out = conv(x, w, b, stride, padding, dilation, groups, padding_mode=padding_mode)
    tx, tw, tb = (_t(a).requires_grad_() for a in (x, w, b))
    ty = _torch_conv(nsp, tx, tw, tb, stride, padding, dilation, groups, padding_mode)
    tol = dict(rtol=2e-5, atol=2e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out, ty.detach().numpy(), **tol)
    g = rng.standard_normal(out.shape).astype(dtype)
    ty.backward(_t(g))
    gw = {1: nn.conv1d_weight, 2: nn.conv2d_weight, 3: nn.conv3d_weight}[nsp](
        x, w.shape, g, stride, padding, dilation, groups, padding_mode=padding_mode)
    np.testing.assert_allclose(gw, tw.grad.numpy(), **tol)
    np.testing.assert_allclose(nn.conv_bias_grad(g), tb.grad.numpy(), **tol)
    if padding_mode == "zeros":
        gx = {1: nn.conv1d_input, 2: nn.conv2d_input, 3: nn.conv3d_input}[nsp](
            x.shape, w, g, stride, padding, dilation, groups)
        np.testing.assert_allclose(gx, tx.grad.numpy(), **tol)


@pytest.mark.parametrize("nsp", [1, 2, 3])
@pytest.mark.parametrize("seed", range(5))
def test_conv_transpose_matches_torch(nsp, seed):
    import torch.nn.functional as F
    rng = np.random.default_rng(40 + seed)
    groups = [1, 2, 1, 4, 2][seed]
    stride = [1, 2, 3, 2, 2][seed]
    dilation = [1, 1, 2, 1, 3][seed]
    padding = [0, 1, 2, 1, 0][seed]
    op = [0, 1, 1, 0, 2][seed]
    k = [3, 4, 3][:nsp]
    x = rng.standard_normal((2, 4) + (5, 6, 4)[:nsp])
    w = rng.standard_normal((4, 3) + tuple(k))
    b = rng.standard_normal(3 * groups)
    convt = {1: nn.conv_transpose1d, 2: nn.conv_transpose2d, 3: nn.conv_transpose3d}[nsp]
    tconvt = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[nsp]
    out = convt(x, w, b, stride, padding, op, groups, dilation)
    expect = tconvt(_t(x), _t(w), _t(b), stride, padding, op, groups, dilation).numpy()
    np.testing.assert_allclose(out, expect, rtol=1e-12, atol=1e-12)


def test_torch_nn_grad_functions():
    import torch.nn.grad as G
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 6, 11, 10))
    w = rng.standard_normal((8, 3, 3, 2))
    g = rng.standard_normal((2, 8, 5, 6))
    args = (2, 1, (2, 1), 2)
    np.testing.assert_allclose(nn.conv2d_input(x.shape, w, g, *args),
                               G.conv2d_input(x.shape, _t(w), _t(g), *args).numpy(),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(nn.conv2d_weight(x, w.shape, g, *args),
                               G.conv2d_weight(_t(x), w.shape, _t(g), *args).numpy(),
                               rtol=1e-12, atol=1e-12)


def test_unfold_fold_channel_shuffle_match_torch():
    import torch
    import torch.nn.functional as F
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 9, 8))
    for args in [(3,), ((2, 3), 1, 0, 1), (3, 2, 1, 2), ((3, 2), (1, 2), (2, 1), (2, 3))]:
        cols = nn.unfold(x, *args)
        np.testing.assert_array_equal(cols, F.unfold(_t(x), *args).numpy())
        np.testing.assert_allclose(nn.fold(cols, (9, 8), *args),
                                   F.fold(_t(cols), (9, 8), *args).numpy(), rtol=1e-12,
                                   atol=1e-12)
    y = rng.standard_normal((2, 12, 3, 3))
    np.testing.assert_array_equal(nn.channel_shuffle(y, 3),
                                  F.channel_shuffle(_t(y), 3).numpy())
    np.testing.assert_array_equal(nn.relu(y), torch.relu(_t(y)).numpy())


def test_fuse_conv_bn_matches_torch_batchnorm():
    import torch
    rng = np.random.default_rng(7)
    conv = torch.nn.Conv2d(3, 5, 3, padding=1).double().eval()
    bn = torch.nn.BatchNorm2d(5).double().eval()
    with torch.no_grad():
        bn.running_mean.copy_(_t(rng.standard_normal(5)))
        bn.running_var.copy_(_t(rng.random(5) + 0.5))
        bn.weight.copy_(_t(rng.standard_normal(5)))
        bn.bias.copy_(_t(rng.standard_normal(5)))
        x = rng.standard_normal((2, 3, 8, 8))
        expect = bn(conv(_t(x))).numpy()
        wf, bf = nn.fuse_conv_bn(conv.weight.numpy(), conv.bias.numpy(),
                                 bn.running_mean.numpy(), bn.running_var.numpy(),
                                 bn.weight.numpy(), bn.bias.numpy(), bn.eps)
    np.testing.assert_allclose(nn.conv2d(x, wf, bf, padding=1), expect, rtol=1e-12,
                               atol=1e-12)


def test_depthwise_separable_matches_torch():
    import torch.nn.functional as F
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 4, 13, 12)).astype(np.float32)
    dw = rng.standard_normal((8, 1, 3, 3)).astype(np.float32)
    pw = rng.standard_normal((10, 8, 1, 1)).astype(np.float32)
    bd = rng.standard_normal(8).astype(np.float32)
    bp = rng.standard_normal(10).astype(np.float32)
    out = nn.depthwise_separable_conv2d(x, dw, pw, bd, bp, 2, 1, 1)
    expect = F.conv2d(F.conv2d(_t(x), _t(dw), _t(bd), 2, 1, 1, 4), _t(pw), _t(bp))
    np.testing.assert_allclose(out, expect.numpy(), rtol=1e-5, atol=1e-4)


def test_output_shape_errors_match_torch():
    import torch
    import torch.nn.functional as F
    x = np.zeros((1, 1, 2, 2))
    w = np.zeros((1, 1, 3, 3))
    with pytest.raises(RuntimeError):
        F.conv2d(_t(x), _t(w))
    with pytest.raises(ValueError, match="too small"):
        nn.conv2d(x, w)
    # torch accepts the same output sizes for transposed convolutions
    for kw in (dict(stride=3, padding=1, output_padding=2), dict(stride=1, padding=1,
                                                                dilation=2, output_padding=1)):
        t = F.conv_transpose2d(torch.zeros(1, 1, 4, 4, dtype=torch.float64),
                               torch.zeros(1, 1, 3, 3, dtype=torch.float64), **kw)
        assert nn.conv_transpose2d(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)),
                                   **kw).shape == tuple(t.shape)
