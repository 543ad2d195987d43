"""pyfilter.nn: im2col (unfold/fold), channel shuffle, relu, batch-norm
folding, conv arithmetic (with the worked examples of the CNN course) and
every bad-input case."""
import numpy as np
import pytest

from pyfilter import nn

from tests.nn import conv_ref as ref


# ------------------------------------------------------------ unfold / fold
@pytest.mark.parametrize("args", [(3,), ((2, 3), 1, 0, 1), (3, 2, 1, 2),
                                  ((3, 2), (1, 2), (2, 1), (2, 3)), (1, 1, 0, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unfold_and_fold_against_reference(args, dtype, rng):
    x = rng.standard_normal((2, 3, 9, 8)).astype(dtype)
    cols = nn.unfold(x, *args)
    assert cols.dtype == dtype
    np.testing.assert_array_equal(cols, ref.unfold(x, *args).astype(dtype))
    c = rng.standard_normal(cols.shape).astype(dtype)
    out = nn.fold(c, (9, 8), *args)
    np.testing.assert_allclose(out, ref.fold(c, (9, 8), *args), rtol=1e-6, atol=1e-6)
    # adjointness: <unfold(x), c> = <x, fold(c)>
    np.testing.assert_allclose(np.vdot(cols.astype(np.float64), c.astype(np.float64)),
                               np.vdot(x.astype(np.float64), out.astype(np.float64)),
                               rtol=1e-5)


def test_unfold_unbatched_and_row_order(rng):
    x = np.arange(2 * 3 * 3, dtype=np.float64).reshape(2, 3, 3)
    cols = nn.unfold(x, 2)
    assert cols.shape == (2 * 4, 4)
    # rows (c, i, j) with c slowest; columns positions row-major
    np.testing.assert_array_equal(cols[4 + 1], [10, 11, 13, 14])   # c=1, i=0, j=1
    np.testing.assert_array_equal(nn.fold(cols, 3, 2), x * [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


def test_fold_of_unfold_of_ones_counts_overlaps():
    ones = np.ones((1, 1, 5, 5))
    counts = nn.fold(nn.unfold(ones, 3, padding=1), 5, 3, padding=1)
    expect = np.array([[4, 6, 6, 6, 4], [6, 9, 9, 9, 6], [6, 9, 9, 9, 6], [6, 9, 9, 9, 6],
                       [4, 6, 6, 6, 4]], dtype=float)
    np.testing.assert_array_equal(counts[0, 0], expect)


# ------------------------------------------------------------ channel shuffle
def test_channel_shuffle_order():
    x = np.arange(6).reshape(1, 6, 1, 1)
    np.testing.assert_array_equal(nn.channel_shuffle(x, 2).ravel(), [0, 3, 1, 4, 2, 5])
    np.testing.assert_array_equal(nn.channel_shuffle(x, 3).ravel(), [0, 2, 4, 1, 3, 5])
    y = np.arange(24.0).reshape(2, 12, 1)
    s = nn.channel_shuffle(y, 4)
    for k in range(12):
        np.testing.assert_array_equal(s[:, k], y[:, (k % 4) * 3 + k // 4])
    # shuffling with g then with C / g restores the order
    np.testing.assert_array_equal(nn.channel_shuffle(s, 3), y)


# ------------------------------------------------------------ relu / batch norm
def test_relu():
    x = np.array([-2.0, -0.0, 0.0, 3.5, np.nan, -np.inf, np.inf], dtype=np.float32)
    r = nn.relu(x)
    assert r.dtype == np.float32
    np.testing.assert_array_equal(r, [0, 0, 0, 3.5, np.nan, 0, np.inf])
    x0 = x.copy()
    nn.relu(x)
    np.testing.assert_array_equal(x, x0)


@pytest.mark.parametrize("bias", [True, False])
def test_fuse_conv_bn_equals_conv_then_batch_norm(bias, rng):
    x = rng.standard_normal((2, 4, 10, 9))
    w = rng.standard_normal((6, 2, 3, 3))
    b = rng.standard_normal(6) if bias else None
    mean, var = rng.standard_normal(6), rng.random(6) + 0.1
    gamma, beta = rng.standard_normal(6), rng.standard_normal(6)
    eps = 1e-3
    y = nn.conv2d(x, w, b, padding=1, groups=2)
    bn = ((y - mean[:, None, None]) / np.sqrt(var[:, None, None] + eps) * gamma[:, None, None]
          + beta[:, None, None])
    wf, bf = nn.fuse_conv_bn(w, b, mean, var, gamma, beta, eps)
    assert wf.shape == w.shape and bf.shape == (6,)
    np.testing.assert_allclose(nn.conv2d(x, wf, bf, padding=1, groups=2), bn, rtol=1e-12,
                               atol=1e-12)
    # affine=False batch norm: gamma 1, beta 0
    wf2, bf2 = nn.fuse_conv_bn(w, b, mean, var, None, None, eps)
    np.testing.assert_allclose(nn.conv2d(x, wf2, bf2, padding=1, groups=2),
                               (y - mean[:, None, None]) / np.sqrt(var[:, None, None] + eps),
                               rtol=1e-12, atol=1e-12)


def test_fuse_conv_bn_float32_keeps_dtype(rng):
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    v = rng.random(3).astype(np.float32) + 1
    wf, bf = nn.fuse_conv_bn(w, None, v, v, v, v)
    assert wf.dtype == np.float32 and bf.dtype == np.float32


# ------------------------------------------------------------ depthwise separable
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mult,stride,padding,dilation,mode", [
    (1, 1, 1, 1, "zeros"), (2, 2, 1, 1, "reflect"), (3, 1, "same", 2, "replicate"),
    (1, (2, 1), 0, 1, "circular")])
def test_depthwise_separable_equals_two_convolutions(dtype, mult, stride, padding, dilation,
                                                     mode, rng):
    C = 5
    x = rng.standard_normal((2, C, 17, 14)).astype(dtype)
    dw = rng.standard_normal((C * mult, 1, 3, 3)).astype(dtype)
    pw = rng.standard_normal((7, C * mult, 1, 1)).astype(dtype)
    bd = rng.standard_normal(C * mult).astype(dtype)
    bp = rng.standard_normal(7).astype(dtype)
    out = nn.depthwise_separable_conv2d(x, dw, pw, bd, bp, stride, padding, dilation,
                                        padding_mode=mode)
    mid = ref.conv(x, dw, bd, stride, padding, dilation, C, mode)
    expect = ref.conv(mid, pw, bp)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, expect, rtol=tol, atol=tol * 10)
    # 2-D pointwise weights and unbatched input are accepted
    np.testing.assert_allclose(nn.depthwise_separable_conv2d(
        x[0], dw, pw[:, :, 0, 0], bd, bp, stride, padding, dilation, padding_mode=mode),
        out[0], rtol=tol, atol=tol)
    outs = [nn.depthwise_separable_conv2d(x, dw, pw, bd, bp, stride, padding, dilation,
                                          padding_mode=mode, workers=n) for n in (1, 2, 3)]
    for o in outs[1:]:
        np.testing.assert_array_equal(o, outs[0])


# ------------------------------------------------------------ arithmetic
def test_worked_examples():
    # 3x32x32 input, ten 5x5 filters, stride 1, pad 2 -> 10x32x32, 760 parameters,
    # 768K multiply-adds
    assert nn.conv_output_shape((32, 32), 5, 1, 2) == (32, 32)
    assert nn.conv_params(3, 10, 5) == 760
    cost = nn.conv_flops((3, 32, 32), 10, 5, 1, 2)
    assert cost.macs == 768_000 == 10 * 32 * 32 * 3 * 5 * 5
    assert cost.flops == 2 * 768_000 + 10 * 32 * 32
    assert nn.conv_flops((3, 32, 32), 10, 5, 1, 2, bias=False).flops == 2 * 768_000
    # 32x32x3 with six 5x5 filters -> 28x28x6.  The often-quoted 156 parameters:
    # that is LeNet-5's C1 on a single-channel 32x32 input, 6 * (5*5 + 1); with
    # 3 input channels the same layer has 6 * (3*5*5) + 6 = 456.
    assert nn.conv_output_shape((32, 32), (5, 5)) == (28, 28)
    assert nn.conv2d(np.zeros((3, 32, 32)), np.zeros((6, 3, 5, 5))).shape == (6, 28, 28)
    assert nn.conv_params(1, 6, (5, 5)) == 156
    assert nn.conv_params(3, 6, (5, 5)) == 456
    # the output of a real layer has the computed shape
    y = nn.conv2d(np.zeros((3, 32, 32)), np.zeros((10, 3, 5, 5)), padding=2)
    assert y.shape == (10, 32, 32)


def test_conv_output_shape_forms():
    assert nn.conv_output_shape(10, 3) == (8,)
    assert nn.conv_output_shape((7, 8), 3, 2, 1) == (4, 4)
    assert nn.conv_output_shape((7, 8), 3, padding="same") == (7, 8)
    assert nn.conv_output_shape((7, 8), (3, 2), padding="full", dilation=2) == (11, 10)
    assert nn.conv_output_shape((5,), 3, 2, 1, ceil_mode=True) == (3,)
    assert nn.conv_output_shape((6,), 2, 2, 1, ceil_mode=True) == (4,)  # torch keeps 4
    assert nn.conv_output_shape((5,), 2, 2, 1, ceil_mode=True) == (3,)  # last would start in pad
    # agrees with the layer for random settings
    rng = np.random.default_rng(3)
    for _ in range(20):
        n, k, s, p, d = (int(v) for v in rng.integers(1, 5, size=5))
        n = n + d * (k - 1)
        y = nn.conv1d(np.zeros((1, 1, n)), np.zeros((1, 1, k)), None, s, p, d)
        assert nn.conv_output_shape(n, k, s, p, d) == y.shape[2:]


def test_conv_transpose_output_shape():
    assert nn.conv_transpose_output_shape((16, 16), 4, 2, 1) == (32, 32)
    assert nn.conv_transpose_output_shape(5, 3, 2, 1, 1) == (10,)
    assert nn.conv_transpose_output_shape(5, 3, 1, 0, 1, 2) == (10,)


def test_conv_params_and_flops_groups():
    assert nn.conv_params(32, 32, 3, groups=32, bias=False) == 288
    assert nn.conv_params(8, 16, (3, 3, 3)) == 16 * 8 * 27 + 16
    assert nn.conv_params(8, 16, 3, ndim=3) == 16 * 8 * 27 + 16
    c = nn.conv_flops((2, 64, 128, 128), 64, (3, 3), padding=1, groups=4)
    assert c.macs == 2 * 64 * 128 * 128 * 16 * 9
    assert nn.conv_flops((64, 128, 128), 64, 3, stride=2, padding=1).macs == \
        64 * 64 * 64 * 64 * 9


def test_receptive_field():
    assert nn.receptive_field([3] * 5) == 1 + 5 * 2
    assert nn.receptive_field([(5, 1)] * 3) == 13
    assert nn.receptive_field([(3, 2), (3, 2)]) == 7
    assert nn.receptive_field([(7, 2), (3, 2), (3, 1), (3, 1)]) == 27
    assert nn.receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4)]) == 15
    assert nn.receptive_field([((3, 5), (1, 2)), (3, 1)]) == (5, 9)
    # matches the support of a stacked convolution's impulse response
    x = np.zeros((1, 1, 61))
    x[0, 0, 30] = 1
    layers = [(3, 1, 2), (5, 1, 1), (3, 1, 3)]
    y = x
    for k, s, d in layers:
        y = nn.conv1d(y, np.ones((1, 1, k)), None, s, "same", d)
    assert int((y[0, 0] != 0).sum()) == nn.receptive_field(layers)


# ------------------------------------------------------------ bad input
X = np.zeros((1, 4, 8, 8))
W = np.zeros((6, 2, 3, 3))


@pytest.mark.parametrize("call,exc,match", [
    (lambda: nn.conv2d(X, np.zeros((6, 4, 3, 3)), groups=3), ValueError, "groups"),
    (lambda: nn.conv2d(X, np.zeros((5, 2, 3, 3)), groups=2), ValueError, "groups"),
    (lambda: nn.conv2d(X, np.zeros((6, 3, 3, 3)), groups=2), ValueError, "weight"),
    (lambda: nn.conv2d(X, np.zeros((6, 4, 3)), groups=1), ValueError, "weight"),
    (lambda: nn.conv2d(X, np.zeros((6, 4, 3, 3, 3))), ValueError, "weight"),
    (lambda: nn.conv2d(np.zeros((8, 8)), W), ValueError, "input"),
    (lambda: nn.conv2d(X, W, stride=2, padding="same", groups=2), ValueError, "same"),
    (lambda: nn.conv2d(X, W, padding=-1, groups=2), ValueError, "padding"),
    (lambda: nn.conv2d(X, W, padding=(1, -1), groups=2), ValueError, "padding"),
    (lambda: nn.conv2d(X, W, padding="half", groups=2), ValueError, "padding"),
    (lambda: nn.conv2d(X, W, stride=0, groups=2), ValueError, "stride"),
    (lambda: nn.conv2d(X, W, dilation=0, groups=2), ValueError, "dilation"),
    (lambda: nn.conv2d(X, W, stride=(1, 2, 3), groups=2), ValueError, "stride"),
    (lambda: nn.conv2d(X, W, stride=1.5, groups=2), TypeError, "stride"),
    (lambda: nn.conv2d(X, W, groups=0), ValueError, "groups"),
    (lambda: nn.conv2d(X, W, groups=2.0), TypeError, "groups"),
    (lambda: nn.conv2d(X, W, np.zeros(5), groups=2), ValueError, "bias"),
    (lambda: nn.conv2d(X, W, np.zeros((6, 1)), groups=2), ValueError, "bias"),
    (lambda: nn.conv2d(X, np.zeros((6, 2, 9, 3)), groups=2), ValueError, "too small"),
    (lambda: nn.conv2d(X, W, dilation=4, groups=2), ValueError, "too small"),
    (lambda: nn.conv2d(X, W, padding=8, groups=2, padding_mode="reflect"), ValueError,
     "reflect"),
    (lambda: nn.conv2d(X, W, padding=9, groups=2, padding_mode="circular"), ValueError,
     "circular"),
    (lambda: nn.conv2d(X, W, padding=1, groups=2, padding_mode="edge"), ValueError,
     "padding_mode"),
    (lambda: nn.conv2d(X.astype(np.int64), W, groups=2), TypeError, "int64"),
    (lambda: nn.conv2d(X.astype(np.float16), W.astype(np.float16), groups=2), TypeError,
     "float16"),
    (lambda: nn.conv2d(X.astype(np.complex128), W, groups=2), TypeError, "complex128"),
    (lambda: nn.conv2d(X.astype(np.float32), W, groups=2), TypeError,
     "weight has dtype float64 but input has dtype float32"),
    (lambda: nn.conv2d(X, W.astype(np.float32), groups=2), TypeError,
     "weight has dtype float32 but input has dtype float64"),
    (lambda: nn.conv2d(X, W, np.zeros(6, np.float32), groups=2), TypeError, "bias"),
    (lambda: nn.conv_transpose2d(X, np.zeros((4, 3, 3, 3)), stride=2, output_padding=2),
     ValueError, "output_padding"),
    (lambda: nn.conv_transpose2d(X, np.zeros((4, 3, 3, 3)), dilation=3, output_padding=3),
     ValueError, "output_padding"),
    (lambda: nn.conv_transpose2d(X, np.zeros((4, 3, 3, 3)), output_padding=-1),
     ValueError, "output_padding"),
    (lambda: nn.conv_transpose2d(X, np.zeros((3, 3, 3, 3))), ValueError, "weight"),
    (lambda: nn.conv_transpose2d(X, np.zeros((4, 3, 3, 3)), groups=3), ValueError, "groups"),
    (lambda: nn.conv_transpose2d(X, np.zeros((4, 3, 3, 3)), padding=-1), ValueError,
     "padding"),
    (lambda: nn.conv_transpose2d(X, np.zeros((4, 3, 3, 3)), padding="same"), ValueError,
     "padding"),
    (lambda: nn.conv_transpose2d(X, np.zeros((4, 3, 3, 3)), padding=6), ValueError,
     "output size"),
    (lambda: nn.conv_transpose2d(X, np.zeros((4, 3, 3, 3)), np.zeros(4)), ValueError, "bias"),
    (lambda: nn.conv2d_input((1, 4, 8, 8), W, np.zeros((1, 6, 5, 5)), groups=2), ValueError,
     "grad_output"),
    (lambda: nn.conv2d_input((4, 8, 8), W, np.zeros((1, 6, 6, 6)), groups=2), ValueError,
     "input_size"),
    (lambda: nn.conv2d_weight(X, (6, 2, 3, 3), np.zeros((1, 6, 6, 5)), groups=2), ValueError,
     "grad_output"),
    (lambda: nn.conv2d_weight(X, (6, 3, 3, 3), np.zeros((1, 6, 6, 6)), groups=2), ValueError,
     "weight_size"),
    (lambda: nn.conv2d_weight(X, (6, 2, 3, 3), np.zeros((1, 6, 6, 6), np.float32), groups=2),
     TypeError, "grad_output"),
    (lambda: nn.unfold(X, 9), ValueError, "too small"),
    (lambda: nn.unfold(X, 0), ValueError, "kernel_size"),
    (lambda: nn.fold(np.zeros((1, 10, 4)), 3, 2), ValueError, "divisible"),
    (lambda: nn.fold(np.zeros((1, 8, 5)), 3, 2), ValueError, "blocks"),
    (lambda: nn.channel_shuffle(np.zeros((1, 6, 2)), 4), ValueError, "groups"),
    (lambda: nn.channel_shuffle(np.zeros((6, 2)), 2), ValueError, "input"),
    (lambda: nn.relu(np.array([1, 2])), TypeError, "int64"),
    (lambda: nn.fuse_conv_bn(W, None, np.zeros(6), -np.ones(6), None, None), ValueError,
     "running_var"),
    (lambda: nn.fuse_conv_bn(W, None, np.zeros(5), np.ones(6), None, None), ValueError,
     "running_mean"),
    (lambda: nn.depthwise_separable_conv2d(X, np.zeros((6, 1, 3, 3)), np.zeros((2, 6, 1, 1))),
     ValueError, "depthwise_weight"),
    (lambda: nn.depthwise_separable_conv2d(X, np.zeros((8, 1, 3, 3)), np.zeros((2, 4, 1, 1))),
     ValueError, "pointwise_weight"),
    (lambda: nn.conv_output_shape((4, 4), 5), ValueError, "too small"),
    (lambda: nn.conv_output_shape((8, 8), 3, 2, "same"), ValueError, "same"),
    (lambda: nn.conv_transpose_output_shape((4,), 3, 2, 0, 2), ValueError, "output_padding"),
    (lambda: nn.conv_params(3, 10, 5, groups=2), ValueError, "groups"),
    (lambda: nn.conv_flops((3, 32, 32), 10, (5, 5, 5)), ValueError, "input_shape"),
    (lambda: nn.receptive_field([(3, 1, 1, 1)]), ValueError, "layers"),
    (lambda: nn.receptive_field([(3, 0)]), ValueError, "stride"),
    (lambda: nn.receptive_field(3), TypeError, "layers"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
