"""Transposed convolutions and the backward passes of pyfilter.nn against
an explicit scatter-add reference, adjointness identities and finite
differences."""
import numpy as np
import pytest

from pyfilter._ops import channel as _conv
from pyfilter import nn

from tests.nn import conv_ref as ref

CONV = {1: nn.conv1d, 2: nn.conv2d, 3: nn.conv3d}
CONVT = {1: nn.conv_transpose1d, 2: nn.conv_transpose2d, 3: nn.conv_transpose3d}
CINPUT = {1: nn.conv1d_input, 2: nn.conv2d_input, 3: nn.conv3d_input}
CWEIGHT = {1: nn.conv1d_weight, 2: nn.conv2d_weight, 3: nn.conv3d_weight}
PATHS = {"gemm": _conv.PATH_GEMM, "direct": _conv.PATH_DIRECT}


@pytest.fixture
def force_path(monkeypatch):
    def force(name):
        if name is None:
            return
        p = PATHS[name]
        monkeypatch.setattr(_conv, "choose_path", lambda *a, **k: p)
    return force


def random_transpose_config(rng, nsp):
    groups = int(rng.choice([1, 1, 2, 3]))
    cin_g = int(rng.integers(1, 4))
    cout_g = int(rng.integers(1, 4))
    k = [int(rng.integers(1, 4 if nsp == 3 else 5)) for _ in range(nsp)]
    s = [int(rng.integers(1, 4)) for _ in range(nsp)]
    d = [int(rng.integers(1, 3)) for _ in range(nsp)]
    op = [int(rng.integers(0, max(ss, dd))) for ss, dd in zip(s, d)]
    n = [int(rng.integers(1, 6 if nsp == 3 else 8)) for _ in range(nsp)]
    p = []
    for nn_, kk, ss, dd, o in zip(n, k, s, d, op):
        full = (nn_ - 1) * ss + dd * (kk - 1) + o + 1
        p.append(int(rng.integers(0, max(1, (full - 1) // 2 + 1))))
    return dict(groups=groups, cin=groups * cin_g, cout_g=cout_g, k=k, stride=s,
                dilation=d, output_padding=op, padding=p, spatial=n,
                N=int(rng.integers(1, 3)))


@pytest.mark.parametrize("path", [None, "gemm", "direct"])
@pytest.mark.parametrize("nsp", [1, 2, 3])
@pytest.mark.parametrize("seed", range(10))
def test_conv_transpose_against_scatter_reference(nsp, seed, path, force_path):
    rng = np.random.default_rng(300 + 10 * nsp + seed)
    c = random_transpose_config(rng, nsp)
    x = rng.standard_normal((c["N"], c["cin"]) + tuple(c["spatial"]))
    w = rng.standard_normal((c["cin"], c["cout_g"]) + tuple(c["k"]))
    b = rng.standard_normal(c["cout_g"] * c["groups"]) if seed % 2 else None
    force_path(path)
    out = CONVT[nsp](x, w, b, c["stride"], c["padding"], c["output_padding"], c["groups"],
                     c["dilation"])
    expect = ref.conv_transpose(x, w, b, c["stride"], c["padding"], c["output_padding"],
                                c["groups"], c["dilation"])
    assert out.shape == expect.shape, c
    np.testing.assert_allclose(out, expect, rtol=1e-12, atol=1e-12, err_msg=str(c))
    assert nn.conv_transpose_output_shape(c["spatial"], c["k"], c["stride"], c["padding"],
                                          c["output_padding"], c["dilation"]) == out.shape[2:]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_transpose_unbatched_and_float32(dtype, rng):
    x = rng.standard_normal((4, 6, 5)).astype(dtype)
    w = rng.standard_normal((4, 3, 4, 4)).astype(dtype)
    out = nn.conv_transpose2d(x, w, stride=2, padding=1)
    assert out.shape == (3, 12, 10) and out.dtype == dtype
    expect = ref.conv_transpose(x[None], w, stride=2, padding=1)[0]
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, expect, rtol=tol, atol=tol * 10)


def test_conv_transpose_stride_2_upsamples_by_scatter():
    # each input value scatters the kernel, shifted by the stride
    x = np.array([[[1.0, 2.0, 3.0]]])
    w = np.array([[[1.0, 1.0, 1.0]]])
    out = nn.conv_transpose1d(x, w, stride=2)
    np.testing.assert_array_equal(out[0, 0], [1, 1, 3, 2, 5, 3, 3])
    np.testing.assert_array_equal(nn.conv_transpose1d(x, w, stride=2, padding=1)[0, 0],
                                  [1, 3, 2, 5, 3])
    np.testing.assert_array_equal(
        nn.conv_transpose1d(x, w, stride=2, padding=1, output_padding=1)[0, 0],
        [1, 3, 2, 5, 3, 3])


def test_conv_transpose_is_the_adjoint_of_conv(rng):
    x = rng.standard_normal((2, 4, 11, 9))
    w = rng.standard_normal((6, 2, 3, 4))
    y = nn.conv2d(x, w, None, (2, 3), (1, 2), (2, 1), 2)
    g = rng.standard_normal(y.shape)
    # conv_transpose with the conv's weight maps grad_output back to the
    # input space; output_padding picks the input size
    op = [a - b for a, b in zip(x.shape[2:], nn.conv_transpose_output_shape(
        y.shape[2:], (3, 4), (2, 3), (1, 2), 0, (2, 1)))]
    back = nn.conv_transpose2d(g, w, None, (2, 3), (1, 2), op, 2, (2, 1))
    np.testing.assert_allclose(np.vdot(y, g), np.vdot(x, back), rtol=1e-12)


# ------------------------------------------------------------ backward
def random_conv_config(rng, nsp):
    groups = int(rng.choice([1, 2, 3]))
    cin_g, cout_g = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    k = [int(rng.integers(1, 4)) for _ in range(nsp)]
    s = [int(rng.integers(1, 4)) for _ in range(nsp)]
    d = [int(rng.integers(1, 3)) for _ in range(nsp)]
    form = rng.choice(["int", "tuple", "valid", "same", "full"])
    if form == "same":
        s = [1] * nsp
    padding = {"int": int(rng.integers(0, 3)),
               "tuple": tuple(int(rng.integers(0, 3)) for _ in range(nsp))}.get(form, str(form))
    pads = ref.resolve_padding(padding, k, d)
    sp = [int(rng.integers(max(1, dd * (kk - 1) + 1 - pl - pr), 9 if nsp < 3 else 6))
          for kk, dd, (pl, pr) in zip(k, d, pads)]
    return dict(groups=groups, cin=groups * cin_g, cout=groups * cout_g, k=k, stride=s,
                dilation=d, padding=padding, spatial=sp, N=int(rng.integers(1, 3)))


@pytest.mark.parametrize("path", [None, "gemm", "direct"])
@pytest.mark.parametrize("nsp", [1, 2, 3])
@pytest.mark.parametrize("seed", range(10))
def test_gradients_adjointness_and_reference(nsp, seed, path, force_path):
    # <conv(x, w), g> = <x, conv_input(g)> = <w, conv_weight(x, g)>
    rng = np.random.default_rng(700 + 10 * nsp + seed)
    c = random_conv_config(rng, nsp)
    x = rng.standard_normal((c["N"], c["cin"]) + tuple(c["spatial"]))
    w = rng.standard_normal((c["cout"], c["cin"] // c["groups"]) + tuple(c["k"]))
    args = (c["stride"], c["padding"], c["dilation"], c["groups"])
    y = CONV[nsp](x, w, None, *args)
    g = rng.standard_normal(y.shape)
    force_path(path)
    gx = CINPUT[nsp](x.shape, w, g, *args)
    gw = CWEIGHT[nsp](x, w.shape, g, *args)
    assert gx.shape == x.shape and gw.shape == w.shape
    lhs = np.vdot(y, g)
    np.testing.assert_allclose(np.vdot(x, gx), lhs, rtol=1e-11, atol=1e-11, err_msg=str(c))
    np.testing.assert_allclose(np.vdot(w, gw), lhs, rtol=1e-11, atol=1e-11, err_msg=str(c))
    np.testing.assert_allclose(gw, ref.conv_weight(x, g, w.shape, *args), rtol=1e-11,
                               atol=1e-11, err_msg=str(c))


@pytest.mark.parametrize("padding_mode", ["reflect", "replicate", "circular", "grid-mirror"])
def test_weight_gradient_with_padding_modes(padding_mode, rng):
    x = rng.standard_normal((2, 4, 9, 8))
    w = rng.standard_normal((6, 2, 3, 3))
    y = nn.conv2d(x, w, None, 1, 2, 1, 2, padding_mode=padding_mode)
    g = rng.standard_normal(y.shape)
    gw = nn.conv2d_weight(x, w.shape, g, 1, 2, 1, 2, padding_mode=padding_mode)
    np.testing.assert_allclose(np.vdot(w, gw), np.vdot(y, g), rtol=1e-12)
    np.testing.assert_allclose(gw, ref.conv_weight(x, g, w.shape, 1, 2, 1, 2, padding_mode),
                               rtol=1e-12, atol=1e-12)


def test_finite_differences(rng):
    x = rng.standard_normal((1, 3, 7, 6))
    w = rng.standard_normal((4, 3, 3, 2))
    b = rng.standard_normal(4)
    g = rng.standard_normal(nn.conv2d(x, w, b, 2, 1).shape)

    def loss(x_, w_, b_):
        return float(np.vdot(nn.conv2d(x_, w_, b_, 2, 1), g))

    eps = 1e-6
    for _ in range(3):
        vx, vw, vb = (rng.standard_normal(a.shape) for a in (x, w, b))
        fd_x = (loss(x + eps * vx, w, b) - loss(x - eps * vx, w, b)) / (2 * eps)
        fd_w = (loss(x, w + eps * vw, b) - loss(x, w - eps * vw, b)) / (2 * eps)
        fd_b = (loss(x, w, b + eps * vb) - loss(x, w, b - eps * vb)) / (2 * eps)
        np.testing.assert_allclose(fd_x, np.vdot(nn.conv2d_input(x.shape, w, g, 2, 1), vx),
                                   rtol=1e-6)
        np.testing.assert_allclose(fd_w, np.vdot(nn.conv2d_weight(x, w.shape, g, 2, 1), vw),
                                   rtol=1e-6)
        np.testing.assert_allclose(fd_b, np.vdot(nn.conv_bias_grad(g), vb), rtol=1e-6)


def test_conv_input_equals_conv_transpose_with_matching_output_padding(rng):
    # stride 2, padding 1, 3x3: inputs 7x9 and 8x10 both give 4x5 outputs;
    # the input gradient is the transposed convolution sized to each
    w = rng.standard_normal((6, 4, 3, 3))
    g = rng.standard_normal((2, 6, 4, 5))
    for size, op in (((2, 4, 7, 9), (0, 0)), ((2, 4, 8, 10), (1, 1))):
        np.testing.assert_allclose(nn.conv2d_input(size, w, g, 2, 1),
                                   nn.conv_transpose2d(g, w, None, 2, 1, op), rtol=0, atol=0)


def test_bias_gradient(rng):
    g = rng.standard_normal((3, 5, 4, 6)).astype(np.float32)
    gb = nn.conv_bias_grad(g)
    assert gb.dtype == np.float32
    np.testing.assert_allclose(gb, g.astype(np.float64).sum(axis=(0, 2, 3)), rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_backward_results_do_not_depend_on_workers(dtype, rng):
    x = rng.standard_normal((3, 16, 33, 30)).astype(dtype)
    w = rng.standard_normal((24, 8, 3, 3)).astype(dtype)
    g = rng.standard_normal((3, 24, 17, 15)).astype(dtype)
    gws = [nn.conv2d_weight(x, w.shape, g, 2, 1, 1, 2, workers=n) for n in (1, 2, 3)]
    gxs = [nn.conv2d_input(x.shape, w, g, 2, 1, 1, 2, workers=n) for n in (1, 2, 3)]
    ts = [nn.conv_transpose2d(g, w, None, 2, 1, 0, 2, workers=n) for n in (1, 2, 3)]
    for a in (gws, gxs, ts):
        for o in a[1:]:
            np.testing.assert_array_equal(o, a[0])


def test_weight_gradient_large_batch_many_partials(rng):
    # more units than the fixed number of partial sums; float32 within tolerance
    x = rng.standard_normal((9, 32, 20, 20)).astype(np.float32)
    g = rng.standard_normal((9, 16, 20, 20)).astype(np.float32)
    gw = nn.conv2d_weight(x, (16, 32, 3, 3), g, padding=1)
    expect = ref.conv_weight(x, g, (16, 32, 3, 3), 1, 1)
    np.testing.assert_allclose(gw, expect, rtol=1e-4, atol=1e-3)
