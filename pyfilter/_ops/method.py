"""Method choice for correlation: the direct N-D engine, the line engine
for rank-1 kernels, or an FFT (``method='auto'|'direct'|'separable'|'fft'``
of ``pyfilter.ndimage.correlate`` and ``pyfilter.filters.correlate``).

:func:`call` makes the choice once per planned call (the kernel analysis,
an SVD for 'auto', is part of the plan); only what depends on the data is
decided per call: 'auto' uses the FFT only for a finite input.  Each
method runs through a module-level function (:func:`run_direct`,
:func:`run_separable`, :func:`pyfilter._ops.fft.correlate_fft`), looked up
when the call runs."""
import numpy as np

from .._common import dtypes as D
from .._common import validate as V
from .._common.errors import ArgumentError
from . import correlate as _core
from . import fft as _fft
from . import bank as B
from . import line as L
from . import plans as P
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


def call(method, input, w, output, modes, cval, base, stride, dilation, out_shape,
         skip_small=True):
    """The planned call (:class:`pyfilter._ops.plans.Call`) of a correlation
    with ``method`` in 'auto', 'direct', 'separable', 'fft'.

    Arguments as :func:`pyfilter._ops.correlate.call` (``w`` has
    ``input.ndim`` dimensions; one mode code per axis).
    """
    method = V.check_method(method)
    # along an axis of one output position the stride is never applied (and
    # must not size the engines' tables: a stride of 10**15)
    stride = [1 if n == 1 else s for s, n in zip(stride, out_shape)]
    geo = (modes, cval, base, stride, dilation, out_shape)
    if method == "direct":
        return _direct(input, w, output, geo, skip_small)
    factors = None
    if method == "auto":
        method, factors = _auto_choice(input, w, output, out_shape, skip_small)
        if method == "direct":
            return _direct(input, w, output, geo, skip_small)
        if method == "fft?":
            if not _finite_cval(modes, cval):
                # a NaN/inf cval would reach every output through the FFT
                return _direct(input, w, output, geo, skip_small)
            return _fft_if_finite(input, w, output, geo, skip_small)
    if method == "separable":
        return _separable(input, w, output, geo, skip_small, factors)
    return _fft_call(input, w, output, geo)


# ---------------------------------------------------------------- the choice
def _finite_cval(modes, cval):
    if V.MODE_CONSTANT not in [int(m) for m in modes]:
        return True
    return bool(np.isfinite(cval))


def _target_dtype(output, input, w):
    complex_out = input.dtype.kind == "c" or w.dtype.kind == "c"
    return _core.result_dtype(output, input.dtype, complex_out)[0]


def _auto_choice(input, w, output, out_shape, skip_small):
    """'direct', 'separable' (with the rank-1 factors) or 'fft?' (the FFT
    for a finite input, else direct: decided per call)."""
    complex_case = input.dtype.kind == "c" or w.dtype.kind == "c"
    if complex_case or input.size == 0:
        return "direct", None
    try:
        tdt = _target_dtype(output, input, w)
    except Exception:
        return "direct", None   # let the direct path raise the error
    if tdt.kind not in "fc":
        return "direct", None   # integer outputs: the direct engine's exact rounding
    if not np.all(np.isfinite(w)):
        return "direct", None
    faxes = [a for a in range(w.ndim) if w.shape[a] > 1]
    ntaps = int(np.count_nonzero(np.abs(w) > DBL_EPSILON)) if skip_small else w.size
    if len(faxes) >= 2 and w.size >= SEPARABLE_MIN_TAPS:
        wf = w.reshape([w.shape[a] for a in faxes])
        f = rank1_factors(wf, AUTO_RTOL[D.work_dtype(input.dtype, tdt)])
        if f is not None and (not skip_small or separable_faithful(wf, f)):
            return "separable", f
    size = int(np.prod(out_shape)) if len(out_shape) else 1
    nf = max(len(faxes), 1)
    min_taps = FFT_MIN_TAPS.get(nf, FFT_MIN_TAPS_DEFAULT)
    if ntaps >= min_taps and size >= FFT_MIN_SIZE:
        return "fft?", None
    return "direct", None


# ---------------------------------------------------------------- the methods
def run_direct(call, plan, input, target, nthreads):
    """Run a direct (N-D engine) call's plan."""
    call.run(plan, input, target, nthreads)


def run_separable(call, plan, input, target, nthreads):
    """Run a separable (line-engine bank) call's plan."""
    call.run(plan, input, target, nthreads)


def _wrap(inner, name):
    """``inner`` (a Call) run through the module-level function ``name``
    (looked up when the call runs)."""
    def run(plan, input, target, nthreads):
        globals()[name](inner, plan, input, target, nthreads)
    return P.Call(inner.build, run, inner.out_shape, inner.out_dtype, inner.work,
                  inner.halo)


def _direct(input, w, output, geo, skip_small):
    modes, cval, base, stride, dilation, out_shape = geo
    return _wrap(_core.call(input, w, output, modes, cval, base, stride, dilation,
                            out_shape, skip_small=skip_small), "run_direct")


def _fft_call(input, w, output, geo):
    modes, cval, base, stride, dilation, out_shape = geo
    return _fft.call(input, w, output, modes, cval, base, stride, dilation, out_shape)


def _fft_if_finite(input, w, output, geo, skip_small):
    """'auto' with a kernel large enough for the FFT: the FFT when the input
    is finite (checked on every call), else the direct engine."""
    direct = _direct(input, w, output, geo, skip_small)
    fft = _fft_call(input, w, output, geo)

    def build(inp, tgt):
        return [None]          # the direct plan, built when first needed

    def run(holder, inp, tgt, nthreads):
        if np.all(np.isfinite(inp)):
            fft.run(None, inp, tgt, nthreads)
            return
        if holder[0] is None:
            holder[0] = direct.build(inp, tgt)
        direct.run(holder[0], inp, tgt, nthreads)

    return P.Call(build, run, direct.out_shape, direct.out_dtype, direct.work, direct.halo)


def _separable(input, w, output, geo, skip_small, factors=None):
    modes, cval, base, stride, dilation, out_shape = geo
    if w.dtype.kind == "c":
        raise ArgumentError("method='separable' supports real kernels only; got a "
                            "complex kernel (use method='direct' or 'fft')")
    nd = input.ndim
    faxes = [a for a in range(nd) if w.shape[a] > 1]
    if len(faxes) == 0:
        faxes = [nd - 1]
    wf = w.reshape([w.shape[a] for a in faxes])
    if factors is None:
        factors = rank1_factors(wf, EXPLICIT_RTOL) if len(faxes) > 1 else [wf.reshape(-1)]
    if factors is None:
        raise ArgumentError(f"method='separable' needs a separable (rank-1) kernel; the "
                            f"kernel of shape {w.shape} is not (see pyfilter.kernels.separate)")
    complex_out = input.dtype.kind == "c"
    tdt, cval, warn = _core.check_output(output, input, out_shape, complex_out, cval)
    dtype = D.work_dtype(input.dtype, tdt)
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
    like = np.broadcast_to(np.zeros((), tdt), tuple(out_shape))
    bank = B.call(input, like, [passes], (B.Out("term", [0]),), cval=cval, semantics="nd",
                  dtype=dtype)
    if warn:
        run0 = bank.run

        def run(plan, inp, tgt, nthreads):
            _core.warn_complex()
            run0(plan, inp, tgt, nthreads)
        bank = P.Call(bank.build, run, bank.out_shape, bank.out_dtype, bank.work,
                      bank.halo)
    if not all(s == 1 for s in stride):
        bank.halo = None
    return _wrap(bank, "run_separable")
