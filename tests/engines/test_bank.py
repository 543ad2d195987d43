"""The filter-bank op against an independent reference: every term is a
cascade of scipy.ndimage.correlate1d calls (float64), every output the
numpy combination of its terms.  Covers the one-stage (fused) path, the
chain path and the general path (N-D terms), both boundary semantics,
several outputs at once and channel-interleaved (HWC) images."""
import numpy as np
import pytest
import scipy.ndimage as ndi

from pyfilter._common import codes as C
from pyfilter._ops import bank as B
from pyfilter._ops import line as L

MODES = {"reflect": C.MODE_REFLECT, "constant": C.MODE_CONSTANT,
         "nearest": C.MODE_NEAREST, "mirror": C.MODE_MIRROR, "wrap": C.MODE_WRAP}


def _term_ref(x, specs, mode, cval, semantics):
    """specs: [(axis, weights)] applied in order."""
    y = x.astype(np.float64)
    if semantics == "nd":
        # only the input is extended: correlate with the full outer-product
        # kernel at once
        k = np.ones([1] * x.ndim)
        origins = [0] * x.ndim
        for a, w in specs:
            shape = [1] * x.ndim
            shape[a] = len(w)
            k = k * np.asarray(w, np.float64).reshape(shape)
        return ndi.correlate(y, k, mode=mode, cval=cval, origin=origins)
    for a, w in specs:
        y = ndi.correlate1d(y, w, axis=a, mode=mode, cval=cval)
    return y


def _combine_ref(comb, terms, which=0, div=None):
    t = terms
    if comb == "term":
        r = t[0]
    elif comb == "sum":
        r = sum(t[1:], t[0])
    elif comb == "hypot":
        r = np.sqrt(sum(v * v for v in t))
    elif comb == "atan2":
        r = np.arctan2(t[0], t[1])
    elif comb == "prod":
        r = t[0] * t[1]
    elif comb == "diff":
        r = t[0] - t[1]
    elif comb == "eig2":
        a, b, c = t
        d = np.sqrt(4 * b * b + (a - c) ** 2) / 2
        r = (a + c) / 2 + (d if which == 0 else -d)
    return r if div is None else r / div


def _run(x, term_specs, outs, mode, cval, semantics, dtype, out_dtype=None):
    out_dtype = out_dtype or dtype
    terms = [[L.make_pass(a, w, MODES[mode], 0.0, x.shape[a]) for a, w in t]
             for t in term_specs]
    dsts = tuple(np.full(x.shape, np.nan, out_dtype) for _ in outs)
    plan = B.plan(x, dsts, terms, outs, cval=cval, semantics=semantics,
                  dtype=np.dtype(dtype))
    plan.run(x, dsts, 2)
    return plan, dsts


def _weights(rng, n):
    return list(rng.standard_normal(n))


@pytest.mark.parametrize("mode", ["reflect", "constant", "wrap", "nearest"])
@pytest.mark.parametrize("semantics", ["cascade", "nd"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_many_outputs_one_read(rng, mode, semantics, dtype):
    x = rng.standard_normal((37, 45)).astype(dtype)
    specs = [[(1, _weights(rng, 3)), (0, _weights(rng, 5))],
             [(1, _weights(rng, 5)), (0, _weights(rng, 3))],
             [(0, _weights(rng, 3))],
             [(1, _weights(rng, 7))]]
    outs = [B.Out("term", [0]), B.Out("sum", [0, 1, 2]), B.Out("hypot", [0, 3], div=1.7),
            B.Out("atan2", [1, 2]), B.Out("prod", [0, 3]), B.Out("diff", [2, 3]),
            B.Out("eig2", [0, 1, 3], which=0), B.Out("eig2", [0, 1, 3], which=1)]
    cval = 0.75
    plan, dsts = _run(x, specs, outs, mode, cval, semantics, dtype)
    if semantics == "cascade" and mode == "constant":
        assert plan.kind == "general"     # a non-zero cval does not commute
    else:
        assert plan.kind == "fused"
    refs = [_term_ref(x, s, mode, cval, semantics) for s in specs]
    tol = 1e-4 if dtype == np.float32 else 1e-10
    for o, d in zip(outs, dsts):
        ref = _combine_ref(o.comb, [refs[i] for i in o.args], o.which, o.div)
        np.testing.assert_allclose(d, ref, rtol=tol, atol=tol * 10, err_msg=o.comb)


@pytest.mark.parametrize("semantics", ["cascade", "nd"])
def test_nd_terms_general_path(rng, semantics):
    x = rng.standard_normal((11, 13, 17))
    specs = [[(0, _weights(rng, 3)), (1, _weights(rng, 3)), (2, _weights(rng, 5))],
             [(2, _weights(rng, 3)), (0, _weights(rng, 5))],
             [(1, _weights(rng, 3))]]
    outs = [B.Out("hypot", [0, 1, 2]), B.Out("sum", [2, 0])]
    plan, dsts = _run(x, specs, outs, "mirror", 0.0, semantics, np.float64)
    assert plan.kind == "general"
    refs = [_term_ref(x, s, "mirror", 0.0, semantics) for s in specs]
    for o, d in zip(outs, dsts):
        np.testing.assert_allclose(d, _combine_ref(o.comb, [refs[i] for i in o.args]),
                                   rtol=1e-10, atol=1e-10)


def test_single_term_chain_bitwise_scipy(rng):
    # one term, one output: the chain path, in scipy's pass order (bitwise)
    x = rng.standard_normal((40, 33, 7))
    spec = [(0, _weights(rng, 5)), (2, _weights(rng, 3)), (1, _weights(rng, 7))]
    plan, (d,) = _run(x, [spec], [B.Out("term", [0])], "reflect", 0.0, "cascade",
                      np.float64)
    assert plan.kind == "chain"
    np.testing.assert_array_equal(d, _term_ref(x, spec, "reflect", 0.0, "cascade"))


@pytest.mark.parametrize("channels", [2, 3, 4, 8])
@pytest.mark.parametrize("mode", ["reflect", "wrap", "constant", "mirror"])
def test_channel_interleaved_hwc(rng, channels, mode):
    x = rng.standard_normal((19, 23, channels))
    specs = [[(1, _weights(rng, 5)), (0, _weights(rng, 3))],
             [(0, _weights(rng, 5)), (1, _weights(rng, 3))]]
    outs = [B.Out("hypot", [0, 1]), B.Out("term", [1])]
    plan, dsts = _run(x, specs, outs, mode, 0.0, "nd", np.float64)
    assert plan.kind == "fused" and plan.parts.block == channels
    refs = [_term_ref(x, s, mode, 0.0, "nd") for s in specs]
    for o, d in zip(outs, dsts):
        np.testing.assert_allclose(d, _combine_ref(o.comb, [refs[i] for i in o.args]),
                                   rtol=1e-10, atol=1e-10)
    # one term: the chain path interleaves too
    plan, (d,) = _run(x, specs[:1], [B.Out("term", [0])], mode, 0.0, "cascade",
                      np.float64)
    assert plan.parts.block == channels
    np.testing.assert_allclose(d, _term_ref(x, specs[0], mode, 0.0, "cascade"),
                               rtol=1e-12, atol=1e-12)


def test_complex_input_and_output(rng):
    x = rng.standard_normal((20, 21)) + 1j * rng.standard_normal((20, 21))
    spec = [(0, _weights(rng, 3)), (1, _weights(rng, 5))]
    terms = [[L.make_pass(a, w, C.MODE_CONSTANT, 0.0, x.shape[a]) for a, w in spec]]
    d = np.empty(x.shape, np.complex128)
    B.plan(x, (d,), terms, [B.Out("term", [0])], cval=1 + 2j, semantics="cascade",
           dtype=np.dtype(np.float64)).run(x, (d,), 1)
    ref = (_term_ref(x.real, spec, "constant", 1.0, "cascade")
           + 1j * _term_ref(x.imag, spec, "constant", 2.0, "cascade"))
    np.testing.assert_allclose(d, ref, rtol=1e-12, atol=1e-12)


def test_results_do_not_depend_on_threads(rng):
    x = rng.standard_normal((301, 257)).astype(np.float32)
    specs = [[(1, _weights(rng, 9)), (0, _weights(rng, 9))], [(0, _weights(rng, 9))]]
    outs = [B.Out("hypot", [0, 1]), B.Out("atan2", [0, 1])]
    terms = [[L.make_pass(a, w, C.MODE_REFLECT, 0.0, x.shape[a]) for a, w in t]
             for t in specs]
    res = []
    for n in (1, 2, 3, 4):
        dsts = tuple(np.empty(x.shape, np.float32) for _ in outs)
        B.plan(x, dsts, terms, outs, semantics="nd", dtype=np.dtype(np.float32)).run(
            x, dsts, n)
        res.append(dsts)
    for r in res[1:]:
        for a, b in zip(r, res[0]):
            np.testing.assert_array_equal(a, b)


def test_elementwise_combine_kernel(rng):
    a = rng.standard_normal((7, 9, 11))
    b = rng.standard_normal((7, 9, 11)).astype(np.float32)[:, ::-1]
    c = (rng.standard_normal((7, 9, 11)) * 100).astype(np.int16)
    outs = [np.empty(a.shape), np.empty(a.shape, np.float32), np.empty(a.shape, np.int32)]
    L.combine([a, b, c], outs, [(C.COMB_HYPOT, [0, 1, 2], 0, None),
                                (C.COMB_DIFF, [2, 0], 0, None),
                                (C.COMB_SUM, [0, 1, 2], 0, 2.0)],
              dtype=np.dtype(np.float64), nthreads=2)
    ref = [np.sqrt(a * a + b.astype(np.float64) ** 2 + c.astype(np.float64) ** 2),
           (c - a).astype(np.float32),
           ((a + b + c) / 2.0).astype(np.int32)]
    np.testing.assert_allclose(outs[0], ref[0], rtol=1e-12)
    np.testing.assert_allclose(outs[1], ref[1], rtol=1e-6)
    np.testing.assert_array_equal(outs[2], ref[2])
