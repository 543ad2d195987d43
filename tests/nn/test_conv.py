"""pyfilter.nn convolutions against an independent numpy reference
(np.pad + sliding_window_view + einsum, tests/_conv_ref.py) and against
compositions of scipy.ndimage.correlate / pyfilter.ndimage.correlate."""
import numpy as np
import pytest
import scipy.ndimage as ndi

import pyfilter
from pyfilter._ops import channel as _conv
from pyfilter import nn
from pyfilter import ndimage as pnd

from tests.nn import conv_ref as ref

CONV = {1: nn.conv1d, 2: nn.conv2d, 3: nn.conv3d}
TORCH_MODES = ["zeros", "reflect", "replicate", "circular"]
SCIPY_NAMES = ["constant", "nearest", "mirror", "wrap", "grid-constant", "grid-mirror",
               "grid-wrap", "symmetric"]
PATHS = {"gemm": _conv.PATH_GEMM, "direct": _conv.PATH_DIRECT, "1x1": _conv.PATH_1X1}


@pytest.fixture
def force_path(monkeypatch):
    """Force one engine path (the 1x1 path only where it applies)."""
    def force(name):
        if name is None:
            return
        p = PATHS[name]

        def choose(cin_g, cout_g, taps, is_1x1, *args):
            if p == _conv.PATH_1X1 and not is_1x1:
                return _conv.PATH_GEMM
            return p
        monkeypatch.setattr(_conv, "choose_path", choose)
    return force


def random_config(rng, nsp, small=False):
    """A random valid convolution: shapes, stride, padding form, dilation,
    groups, padding mode."""
    groups = int(rng.choice([1, 1, 2, 3]))
    cin_g = int(rng.integers(1, 4))
    cout_g = int(rng.integers(1, 4))
    kmax = 3 if nsp == 3 else 5
    k = [int(rng.integers(1, kmax + 1)) for _ in range(nsp)]
    s = [int(rng.integers(1, 4)) for _ in range(nsp)]
    d = [int(rng.integers(1, 3 if nsp == 3 else 4)) for _ in range(nsp)]
    form = rng.choice(["int", "tuple", "valid", "same", "full"])
    if form == "same":
        s = [1] * nsp
    mode = str(rng.choice(TORCH_MODES + SCIPY_NAMES))
    span = [dd * (kk - 1) + 1 for kk, dd in zip(k, d)]
    if form == "int":
        padding = int(rng.integers(0, 3))
    elif form == "tuple":
        padding = tuple(int(rng.integers(0, 3)) for _ in range(nsp))
    else:
        padding = str(form)
    pads = ref.resolve_padding(padding, k, d)
    nmax = 9 if nsp == 3 else (14 if nsp == 2 else 30)
    sp = []
    for a in range(nsp):
        lo = max(1, span[a] - pads[a][0] - pads[a][1])
        if mode == "reflect":
            lo = max(lo, max(pads[a]) + 1)
        if mode == "circular":
            lo = max(lo, max(pads[a]))
        sp.append(int(rng.integers(lo, max(lo, nmax) + 1)))
    batched = bool(rng.integers(0, 2))
    N = int(rng.integers(1, 3)) if batched else 1
    return dict(groups=groups, cin=groups * cin_g, cout=groups * cout_g, k=k, stride=s,
                dilation=d, padding=padding, mode=mode, spatial=sp, N=N, batched=batched)


def make(rng, cfg, nsp, dtype=np.float64, bias=True):
    x = rng.standard_normal((cfg["N"], cfg["cin"]) + tuple(cfg["spatial"])).astype(dtype)
    w = rng.standard_normal((cfg["cout"], cfg["cin"] // cfg["groups"])
                            + tuple(cfg["k"])).astype(dtype)
    b = rng.standard_normal(cfg["cout"]).astype(dtype) if bias else None
    return x, w, b


def run_ours(nsp, x, w, b, cfg, **kw):
    xin = x if cfg["batched"] else x[0]
    out = CONV[nsp](xin, w, b, cfg["stride"], cfg["padding"], cfg["dilation"],
                    cfg["groups"], padding_mode=cfg["mode"], **kw)
    return out if cfg["batched"] else out[None]


@pytest.mark.parametrize("path", [None, "gemm", "direct", "1x1"])
@pytest.mark.parametrize("nsp", [1, 2, 3])
@pytest.mark.parametrize("seed", range(12))
def test_random_against_reference(nsp, seed, path, force_path):
    rng = np.random.default_rng(1000 * nsp + seed)
    cfg = random_config(rng, nsp)
    x, w, b = make(rng, cfg, nsp, bias=bool(seed % 3))
    force_path(path)
    ours = run_ours(nsp, x, w, b, cfg)
    expect = ref.conv(x, w, b, cfg["stride"], cfg["padding"], cfg["dilation"],
                      cfg["groups"], cfg["mode"])
    assert ours.dtype == np.float64 and ours.flags.c_contiguous
    assert ours.shape == expect.shape, cfg
    np.testing.assert_allclose(ours, expect, rtol=1e-12, atol=1e-12, err_msg=str(cfg))


@pytest.mark.parametrize("nsp", [1, 2, 3])
@pytest.mark.parametrize("seed", range(8))
def test_random_float32_within_float32_tolerance(nsp, seed):
    rng = np.random.default_rng(5000 + 100 * nsp + seed)
    cfg = random_config(rng, nsp)
    x, w, b = make(rng, cfg, nsp, np.float32)
    ours = run_ours(nsp, x, w, b, cfg)
    expect = ref.conv(x, w, b, cfg["stride"], cfg["padding"], cfg["dilation"],
                      cfg["groups"], cfg["mode"])
    assert ours.dtype == np.float32
    K = w[0].size
    np.testing.assert_allclose(ours, expect, rtol=1e-5, atol=2e-6 * K, err_msg=str(cfg))


@pytest.mark.parametrize("padding_mode", TORCH_MODES + SCIPY_NAMES)
@pytest.mark.parametrize("padding", [0, 1, 2, (2, 0), "valid", "same", "full"])
def test_padding_forms_and_modes(padding, padding_mode, rng):
    x = rng.standard_normal((2, 4, 7, 9))
    w = rng.standard_normal((6, 2, 3, 2))
    b = rng.standard_normal(6)
    out = nn.conv2d(x, w, b, 1, padding, 2, 2, padding_mode=padding_mode)
    expect = ref.conv(x, w, b, 1, padding, 2, 2, padding_mode)
    np.testing.assert_allclose(out, expect, rtol=1e-12, atol=1e-12)


def test_same_padding_puts_the_odd_extra_on_the_right(rng):
    # even kernel: total d(k-1) = 3 -> 1 left, 2 right (torch's rule)
    x = np.arange(6.0).reshape(1, 1, 6)
    w = np.array([[[1.0, 0.0, 0.0, 0.0]]])
    out = nn.conv1d(x, w, padding="same")
    np.testing.assert_array_equal(out[0, 0], [0, 0, 1, 2, 3, 4])
    np.testing.assert_array_equal(nn.conv1d(x, w[..., ::-1], padding="same")[0, 0],
                                  [2, 3, 4, 5, 0, 0])


def test_full_padding_length(rng):
    x = rng.standard_normal((1, 2, 10))
    w = rng.standard_normal((3, 2, 4))
    out = nn.conv1d(x, w, padding="full", dilation=2)
    assert out.shape == (1, 3, 10 + 2 * 3)
    np.testing.assert_allclose(out, ref.conv(x, w, None, 1, "full", 2), rtol=1e-12, atol=1e-12)


def test_padding_modes_wider_than_the_input_repeat_like_scipy(rng):
    # scipy-named modes extend periodically for any padding (np.pad does too)
    x = rng.standard_normal((1, 1, 3, 4))
    w = rng.standard_normal((2, 1, 3, 3))
    for mode in ["mirror", "wrap", "nearest", "grid-mirror", "symmetric", "replicate"]:
        out = nn.conv2d(x, w, padding=5, padding_mode=mode)
        np.testing.assert_allclose(out, ref.conv(x, w, None, 1, 5, 1, 1, mode),
                                   rtol=1e-12, atol=1e-12, err_msg=mode)


@pytest.mark.parametrize("path", [None, "gemm", "direct"])
@pytest.mark.parametrize("mult", [1, 2, 3])
def test_depthwise_with_channel_multiplier(mult, path, rng, force_path):
    C = 5
    x = rng.standard_normal((2, C, 13, 11))
    w = rng.standard_normal((C * mult, 1, 3, 3))
    b = rng.standard_normal(C * mult)
    force_path(path)
    out = nn.conv2d(x, w, b, stride=(1, 2), padding=1, groups=C, padding_mode="reflect")
    np.testing.assert_allclose(out, ref.conv(x, w, b, (1, 2), 1, 1, C, "reflect"),
                               rtol=1e-12, atol=1e-12)
    # output channel o reads input channel o // M
    for o in range(C * mult):
        single = nn.conv2d(x[:, o // mult:o // mult + 1], w[o:o + 1], b[o:o + 1],
                           stride=(1, 2), padding=1, padding_mode="reflect")
        np.testing.assert_allclose(out[:, o:o + 1], single, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("path", [None, "gemm", "direct", "1x1"])
def test_1x1_convolutions(path, rng, force_path):
    force_path(path)
    x = rng.standard_normal((2, 16, 9, 7))
    w = rng.standard_normal((24, 8, 1, 1))
    b = rng.standard_normal(24)
    out = nn.conv2d(x, w, b, groups=2)
    np.testing.assert_allclose(out, ref.conv(x, w, b, groups=2), rtol=1e-12, atol=1e-12)
    # a 1x1 convolution is a matrix product over channels
    np.testing.assert_allclose(nn.conv2d(x, w[:, :, :, :].repeat(2, 1)[:, :16]),
                               np.einsum("oc,nchw->nohw", w[:, :, 0, 0].repeat(2, 1)[:, :16],
                                         x), rtol=1e-12, atol=1e-12)
    # strided 1x1
    np.testing.assert_allclose(nn.conv2d(x, w, b, stride=2, groups=2),
                               ref.conv(x, w, b, stride=2, groups=2), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("path", ["gemm", "direct"])
def test_large_channel_counts_split_into_tiles(dtype, path, rng, force_path):
    # K = 64 * 9 = 576 rows: the im2col tile is built in row chunks, and the
    # output positions in several tiles
    force_path(path)
    x = rng.standard_normal((1, 64, 23, 29)).astype(dtype)
    w = rng.standard_normal((20, 64, 3, 3)).astype(dtype)
    b = rng.standard_normal(20).astype(dtype)
    out = nn.conv2d(x, w, b, padding=1, dilation=(1, 2))
    expect = ref.conv(x, w, b, 1, 1, (1, 2))
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(out, expect, rtol=tol, atol=tol * 30)


def test_unbatched_input(rng):
    x = rng.standard_normal((3, 8, 8))
    w = rng.standard_normal((4, 3, 3, 3))
    out = nn.conv2d(x, w, padding=1)
    assert out.shape == (4, 8, 8)
    np.testing.assert_allclose(out, nn.conv2d(x[None], w, padding=1)[0], rtol=0, atol=0)


def test_empty_batch_and_zero_output_channels(rng):
    x = np.zeros((0, 3, 8, 8))
    w = rng.standard_normal((4, 3, 3, 3))
    assert nn.conv2d(x, w).shape == (0, 4, 6, 6)
    assert nn.conv2d(rng.standard_normal((1, 3, 8, 8)), np.zeros((0, 3, 3, 3))).shape == \
        (1, 0, 6, 6)


def test_caller_arrays_not_modified_and_strided_inputs(rng):
    x = rng.standard_normal((2, 6, 20, 20))[:, ::2, ::2, 1::2]      # non-contiguous
    w = rng.standard_normal((8, 3, 6, 6))[:, :, ::2, ::2]                  # non-contiguous
    x0, w0 = x.copy(), w.copy()
    out = nn.conv2d(x, w, padding=1)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)
    np.testing.assert_allclose(out, ref.conv(x0, w0, None, 1, 1), rtol=1e-12, atol=1e-12)


def test_big_endian_input(rng):
    x = rng.standard_normal((1, 2, 6, 6))
    w = rng.standard_normal((3, 2, 3, 3))
    out = nn.conv2d(x.astype(">f8"), w.astype(">f8"))
    np.testing.assert_allclose(out, ref.conv(x, w), rtol=1e-12, atol=1e-12)


def test_nan_and_inf_propagate(rng):
    x = rng.standard_normal((1, 2, 6, 6))
    x[0, 1, 3, 3] = np.nan
    w = rng.standard_normal((2, 2, 3, 3))
    out = nn.conv2d(x, w, padding=1)
    expect = ref.conv(x, w, None, 1, 1)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(expect))
    assert np.isnan(out[0, :, 2:5, 2:5]).all() and np.isfinite(out[0, :, 0, 0]).all()


# ------------------------------------------------------------ compositions
@pytest.mark.parametrize("correlate", [ndi.correlate, pnd.correlate],
                         ids=["scipy.ndimage", "pyfilter.ndimage"])
@pytest.mark.parametrize("padding_mode", TORCH_MODES)
@pytest.mark.parametrize("stride,dilation", [(1, 1), (2, 1), (1, 2), (3, 2)])
def test_channels_are_sums_of_per_channel_correlations(correlate, padding_mode, stride,
                                                       dilation, rng):
    # out[n, o] = bias[o] + sum_c correlate(x[n, c], w[o, c]) ('same' placement
    # for an odd dilated kernel, then every stride-th sample)
    C, O = 3, 4
    x = rng.standard_normal((2, C, 15, 12))
    w = rng.standard_normal((O, C, 3, 3))
    b = rng.standard_normal(O)
    pad = dilation * 1
    out = nn.conv2d(x, w, b, stride, pad, dilation, padding_mode=padding_mode)
    mode = ref.SCIPY_MODE[padding_mode]
    expect = np.empty_like(out)
    for n in range(2):
        for o in range(O):
            acc = np.full(x.shape[2:], b[o])
            for c in range(C):
                acc = acc + correlate(x[n, c], ref.dilate_kernel(w[o, c], (dilation,) * 2),
                                      mode=mode)
            expect[n, o] = acc[::stride, ::stride]
    np.testing.assert_allclose(out, expect, rtol=1e-12, atol=1e-12)


def test_depthwise_is_a_per_channel_correlation_3d(rng):
    x = rng.standard_normal((1, 3, 8, 9, 10))
    w = rng.standard_normal((3, 1, 3, 3, 3))
    out = nn.conv3d(x, w, padding=1, groups=3, padding_mode="replicate")
    for c in range(3):
        np.testing.assert_allclose(out[0, c], ndi.correlate(x[0, c], w[c, 0], mode="nearest"),
                                   rtol=1e-12, atol=1e-12)


def test_conv2d_equals_weight_matrix_times_unfold(rng):
    x = rng.standard_normal((2, 3, 9, 8))
    w = rng.standard_normal((5, 3, 3, 2))
    cols = nn.unfold(x, (3, 2), dilation=(1, 2), padding=1, stride=(2, 1))
    out = nn.conv2d(x, w, None, (2, 1), 1, (1, 2))
    np.testing.assert_allclose(out.reshape(2, 5, -1), w.reshape(5, -1) @ cols,
                               rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------ threads
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("path", ["gemm", "direct", "1x1"])
def test_results_do_not_depend_on_workers(dtype, path, rng, force_path):
    force_path(path)
    k = 1 if path == "1x1" else 3
    x = rng.standard_normal((2, 16, 40, 37)).astype(dtype)
    w = rng.standard_normal((24, 8, k, k)).astype(dtype)
    b = rng.standard_normal(24).astype(dtype)
    outs = [nn.conv2d(x, w, b, padding=k // 2, groups=2, workers=n) for n in (1, 2, 3)]
    for o in outs[1:]:
        np.testing.assert_array_equal(o, outs[0])
    with pyfilter.set_workers(2):
        np.testing.assert_array_equal(nn.conv2d(x, w, b, padding=k // 2, groups=2), outs[0])


def test_threads_from_many_python_threads_match_serial(rng):
    from concurrent.futures import ThreadPoolExecutor
    x = rng.standard_normal((2, 16, 32, 32)).astype(np.float32)
    w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    serial = nn.conv2d(x, w, padding=1, workers=1)
    with ThreadPoolExecutor(4) as ex:
        outs = list(ex.map(lambda _: nn.conv2d(x, w, padding=1), range(8)))
    for o in outs:
        np.testing.assert_array_equal(o, serial)


def test_workers_argument_validated(rng):
    x = rng.standard_normal((1, 2, 5, 5))
    w = rng.standard_normal((2, 2, 3, 3))
    with pytest.raises(ValueError, match="workers"):
        nn.conv2d(x, w, workers=0)
    with pytest.raises(TypeError, match="workers"):
        nn.conv2d(x, w, workers=1.5)


def test_blas_pools_restored_after_calls(rng):
    from threadpoolctl import threadpool_info
    from pyfilter._common import blas as _blas

    def sizes():
        return [(i["filepath"], i["num_threads"]) for i in threadpool_info()
                if i["user_api"] == "blas"]
    before = sizes()
    x = rng.standard_normal((1, 16, 20, 20)).astype(np.float32)
    w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    nn.conv2d(x, w, padding=1)
    assert sizes() == before
    with _blas.single_thread():
        with _blas.single_thread():           # re-entrant
            inside = sizes()
        assert sizes() == inside
    assert all(n == 1 for _, n in inside)
    assert sizes() == before
