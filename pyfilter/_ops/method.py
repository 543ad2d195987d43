"""Method choice for correlation: the direct N-D engine, the line engine
for rank-1 kernels, or an FFT (``method='auto'|'direct'|'separable'|'fft'``
of ``pyfilter.ndimage.correlate`` and ``pyfilter.filters.correlate``)."""
import numpy as np

from .._common import dtypes as D
from .._common import validate as V
from .._common import workers as W
from .._common.errors import ArgumentError
from . import correlate as _core
from . import fft as _fft
from . import bank as B
from . import line as L
from .kernel import (AUTO_RTOL, DBL_EPSILON, EXPLICIT_RTOL, rank1_factors,
                     separable_faithful)

# Measured on the development machine (2-core AMD EPYC, AVX2; scipy.fft
# overlap-save with 2 workers against the direct N-D engine; see
# benchmarks/bench_separable.py): on 2048^2 images the FFT wins from about
# 25x25 taps (float32: 19x19 direct 62 ms vs FFT 84 ms, 31x31 167 ms vs
# 81 ms; float64 crosses slightly later), on 128^3 volumes from about 8^3
# (7^3: 62 ms vs 82 ms, 9^3: 124 ms vs 60 ms).  'auto' uses the FFT when a
# non-separable kernel has at least FFT_MIN_TAPS[ndim of the kernel] taps
# and the output at least FFT_MIN_SIZE elements.
FFT_MIN_TAPS = {2: 625, 3: 512}
FFT_MIN_TAPS_DEFAULT = 512
FFT_MIN_SIZE = 1 << 16
# The line engine beats the direct engine for rank-1 kernels spanning at
# least two axes once the kernel has this many taps.
SEPARABLE_MIN_TAPS = 9



def correlate_method(method, input, w, output, modes, cval, base, stride,
                     dilation, out_shape, workers, skip_small=True):
    """Correlate with ``method`` in 'auto', 'direct', 'separable', 'fft'.

    Arguments as :func:`pyfilter._ops.correlate.correlate_nd` (``w`` has
    ``input.ndim`` dimensions; one mode code per axis).
    """
    method = V.check_method(method)
    if method == "direct":
        return _core.correlate_nd(input, w, output, modes, cval, base, stride,
                                  dilation, out_shape, workers, skip_small=skip_small)
    complex_case = input.dtype.kind == "c" or w.dtype.kind == "c"
    faxes = [a for a in range(w.ndim) if w.shape[a] > 1]
    if method == "auto":
        choice = _auto_choice(input, w, output, faxes, out_shape, complex_case,
                              skip_small)
        if choice == "direct":
            return _core.correlate_nd(input, w, output, modes, cval, base, stride,
                                      dilation, out_shape, workers,
                                      skip_small=skip_small)
        method = choice
    if method == "separable":
        return _correlate_separable(input, w, output, modes, cval, base, stride,
                                    dilation, out_shape, workers, skip_small)
    return _fft.correlate_fft(input, w, output, modes, cval, base, stride, dilation,
                          out_shape, workers)


def _target_dtype(output, input, w):
    if isinstance(output, np.ndarray):
        return output.dtype
    complex_out = input.dtype.kind == "c" or w.dtype.kind == "c"
    return V.output_dtype(output, input.dtype, complex_out)


def _auto_choice(input, w, output, faxes, out_shape, complex_case, skip_small):
    if complex_case or input.size == 0:
        return "direct"
    try:
        tdt = _target_dtype(output, input, w)
    except Exception:
        return "direct"   # let the direct path raise the error
    if tdt.kind not in "fc":
        return "direct"   # integer outputs: the direct engine's exact rounding
    if not np.all(np.isfinite(w)):
        return "direct"
    ntaps = int(np.count_nonzero(np.abs(w) > DBL_EPSILON)) if skip_small else w.size
    if len(faxes) >= 2 and w.size >= SEPARABLE_MIN_TAPS:
        f = rank1_factors(w.reshape([w.shape[a] for a in faxes]),
                           AUTO_RTOL[D.work_dtype(input.dtype, tdt)])
        if f is not None and (not skip_small or separable_faithful(
                w.reshape([w.shape[a] for a in faxes]), f)):
            return "separable"
    size = int(np.prod(out_shape)) if len(out_shape) else 1
    nf = max(len(faxes), 1)
    min_taps = FFT_MIN_TAPS.get(nf, FFT_MIN_TAPS_DEFAULT)
    if ntaps >= min_taps and size >= FFT_MIN_SIZE:
        if np.all(np.isfinite(input)):
            return "fft"
    return "direct"


def _correlate_separable(input, w, output, modes, cval, base, stride, dilation,
                         out_shape, workers, skip_small):
    if w.dtype.kind == "c":
        raise ArgumentError("method='separable' supports real kernels only; got a "
                            "complex kernel (use method='direct' or 'fft')")
    nd = input.ndim
    faxes = [a for a in range(nd) if w.shape[a] > 1]
    if len(faxes) == 0:
        faxes = [nd - 1]
    wf = w.reshape([w.shape[a] for a in faxes])
    factors = rank1_factors(wf, EXPLICIT_RTOL) if len(faxes) > 1 else [wf.reshape(-1)]
    if factors is None:
        raise ArgumentError(f"method='separable' needs a separable (rank-1) kernel; the "
                            f"kernel of shape {w.shape} is not (see pyfilter.kernels.separate)")
    complex_out = input.dtype.kind == "c"
    result, target, cval = V.prepare_output(output, input, out_shape, complex_out, cval)
    if target.size == 0:
        return result
    dtype = D.work_dtype(input.dtype, target.dtype)
    # axes that are not filtered but strided/shifted get an identity pass
    paxes = list(faxes)
    pfac = list(factors)
    for a in range(nd):
        if a not in faxes and (stride[a] != 1 or base[a] != 0
                               or out_shape[a] != input.shape[a]):
            paxes.append(a)
            pfac.append(np.ones(1))
    order = sorted(range(len(paxes)), key=lambda i: paxes[i])
    passes = []
    for i in order:
        a = paxes[i]
        passes.append(L.make_pass(a, pfac[i], modes[a], 0.0, input.shape[a],
                                  base=base[a], stride=stride[a], dilation=dilation[a],
                                  n_out=out_shape[a], skip_zero=skip_small))
    plan = B.plan(input, (target,), [passes], (B.Out("term", [0]),), cval=cval,
                  semantics="nd", dtype=dtype)
    ntaps = sum(max(p.ntaps, 1) for p in passes)
    nthreads = W.threads_for(workers, target.size * ntaps)
    plan.run(input, (target,), nthreads)
    W.call_done(nthreads)
    return V.finish_output(result, target)


