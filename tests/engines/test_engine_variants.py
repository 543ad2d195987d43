"""Both SIMD builds of the engine agree with scipy; large outputs (the
streaming-store path) and the serial/parallel paths agree too."""
import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.ndimage as ndi

from pyfilter import ndimage as pnd
from pyfilter._cext import available_variants, selected_variant
from pyfilter._common import validate as V

from tests.helpers import random_array


def _run(mod, x, w, mode="reflect"):
    out = np.empty(x.shape, x.dtype)
    ctype = np.float32 if x.dtype == np.float32 else np.float64
    base = [-(k // 2) for k in w.shape]
    geom = np.array([[1, 1, b, V.MODES[mode]] for b in base], dtype=np.intp)
    keep = (np.abs(w) > np.finfo(np.float64).eps).astype(np.uint8).reshape(-1)
    plan = mod.CorrelatePlan(np.array(x.shape, np.intp), np.array(out.shape, np.intp),
                             np.array(w.shape, np.intp), np.ascontiguousarray(w).reshape(-1),
                             np.zeros(0), keep, geom, False, 0, V.typecode(x.dtype),
                             V.typecode(out.dtype), V.typecode(ctype))
    plan.run(x, out, 0.0, 2)
    return out


@pytest.mark.parametrize("variant", available_variants("correlate"))
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8, np.int32])
def test_each_variant_matches_scipy(rng, variant, dtype):
    import importlib
    mod = importlib.import_module(f"pyfilter._cext._correlate_{variant}")
    for shape, kshape in [((37, 300), (3, 3)), ((7, 8, 90), (3, 2, 5)), ((500,), (7,))]:
        x = random_array(rng, shape, dtype)
        w = rng.standard_normal(kshape)
        for mode in ("reflect", "constant", "wrap"):
            ours = _run(mod, x, w, mode)
            ref = ndi.correlate(x, w, mode=mode)
            if dtype == np.float32:
                np.testing.assert_allclose(ours, ref, rtol=2e-5, atol=2e-5)
            elif dtype == np.float64:
                np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)
            else:
                ref64 = ndi.correlate(x, w, mode=mode, output=np.float64)
                near = np.abs(ref64 - np.round(ref64)) < 1e-9
                np.testing.assert_array_equal(ours[~near], ref[~near])


def test_forcing_the_portable_variant():
    code = ("from pyfilter._cext import selected_variant; print(selected_variant('correlate'))")
    env = dict(os.environ, PYFILTER_SIMD="base")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "base"
    assert selected_variant("correlate") in available_variants("correlate")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_output_streaming_path(rng, dtype):
    # >= 32 MiB of output takes the non-temporal-store path
    n = 2900 if dtype == np.float32 else 2050
    x = rng.standard_normal((n, n)).astype(dtype)
    w = rng.standard_normal((3, 3))
    ours = pnd.correlate(x, w, mode="mirror")
    assert ours.nbytes >= 32 << 20
    tol = 2e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ours, ndi.correlate(x, w, mode="mirror"), rtol=tol, atol=tol)
    np.testing.assert_array_equal(ours, pnd.correlate(x, w, mode="mirror", workers=1))


def test_direct_interior_reads_every_edge_case(rng):
    # widths around the direct-read threshold, kernels wider than the line;
    # the reference is np.pad (scipy's N-D correlate misreads memory for
    # 'reflect' kernels many times longer than the array: see
    # test_correlate_scipy.test_scipy_nd_reflect_long_kernel_bug)
    from tests.helpers import correlate_reference as reference
    # (float32 lines accumulating in the output read their interior from
    # the input from 4000 bytes of interior, about 1000 positions; lines
    # into another output type from 512)
    for width in (1, 2, 63, 64, 65, 66, 200, 513, 520, 1001, 1002, 1003, 1070, 1100):
        for kw in (1, 3, 8, 70):
            x = rng.standard_normal((5, width)).astype(np.float32)
            np.testing.assert_allclose(pnd.correlate(x.astype(np.float64), np.ones((3, kw)),
                                                     output=np.float32, mode="wrap"),
                                       reference(x.astype(np.float64), np.ones((3, kw)),
                                                 mode="wrap"), rtol=1e-4, atol=1e-4)
            w = rng.standard_normal((3, kw))
            for mode in ("reflect", "constant", "nearest", "mirror", "wrap"):
                np.testing.assert_allclose(pnd.correlate(x, w, mode=mode),
                                           reference(x.astype(np.float64), w, mode=mode),
                                           rtol=1e-4, atol=1e-4)


_HASH_SCRIPT = r"""
import hashlib, numpy as np
from pyfilter import ndimage as pnd, filters
rng = np.random.default_rng(3)
h = hashlib.sha256()
for dt in (np.float32, np.float64, np.uint8):
    x = (rng.standard_normal((67, 301)) * 40).astype(dt)
    w = rng.standard_normal((3, 3))
    h.update(pnd.correlate(x, w, mode="wrap").tobytes())
    h.update(pnd.convolve(x, w, mode="constant", cval=2.0, output=np.float32).tobytes())
    h.update(filters.correlate(x, w, dilation=(1, 2)).tobytes())
    img = (rng.standard_normal((40, 300, 3)) * 40).astype(dt)
    h.update(pnd.correlate(img, w, axes=(0, 1)).tobytes())
    h.update(pnd.gaussian_filter(x, 1.5).tobytes())
    h.update(pnd.gaussian_filter(img, (2, 2, 0), output=np.float32).tobytes())
    h.update(pnd.sobel(x, mode="mirror").tobytes())
    h.update(pnd.uniform_filter(img, (5, 5, 1)).tobytes())
    h.update(pnd.maximum_filter(x, (3, 5)).tobytes())
    h.update(filters.gaussian(x, 2.0).tobytes())
    h.update(np.asarray(filters.sobel(x)).tobytes())
from pyfilter import nn
xb = rng.standard_normal((2, 8, 20, 24)).astype(np.float32)
wb = rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
h.update(nn.conv2d(xb, wb, padding=1).tobytes())
h.update(nn.max_pool2d(xb, 2).tobytes())
print(h.hexdigest())
"""


def test_vector_builds_give_the_same_bits():
    """The AVX2 and AVX-512 builds run the same operations in the same order
    (only the vector width differs), so every engine gives the same bits."""
    vector = [v for v in available_variants("correlate") if v != "base"]
    if len(vector) < 2:
        pytest.skip(f"needs a CPU with AVX-512 (vector builds here: {vector})")
    outs = []
    for var in vector:
        env = dict(os.environ, PYFILTER_SIMD=var)
        outs.append(subprocess.run([sys.executable, "-c", _HASH_SCRIPT], env=env,
                                   capture_output=True, text=True, check=True).stdout)
    assert all(o == outs[0] for o in outs) and len(outs[0].strip()) == 64
