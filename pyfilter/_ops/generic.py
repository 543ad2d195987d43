"""The generic-filter op: a caller's function over each window (or line),
on the footprint kernel of the reduction engine (``GenericPlan`` in
``pyfilter/_cext/reduce.pxi``).

Callers pass validated arrays, the footprint, the per-axis bases of its
first tap, one mode code and ``function``: a Python callable, or a tuple
``(address, user_data)`` of a C function of scipy's signature.  The
engine loads the rows the footprint reads, extended by the mode, in
float64, gathers each position's taps (the footprint's True entries in C
order) and calls the function; results are stored with scipy's cast
(its N-D rule for windows, its line rule for lines).  A Python callable
runs serially under the GIL; a C function runs in parallel without it
(each position is computed from its own taps, so the result does not
depend on the thread count).  Nothing is cached: a function is not a
plan key.
"""
from typing import Any

import numpy as np

from .._cext import engine
from .._common import codes as C
from . import plans as P
from . import reduce as R

_TC_F64 = C.TYPECODES[np.dtype(np.float64)]
# element operations charged per C-function call (for the thread threshold)
_CALL_COST = 64


def _halo(fp, bases):
    nd = fp.ndim
    halo = []
    for a in range(nd):
        hit = np.nonzero(fp.any(axis=tuple(b for b in range(nd) if b != a)))[0]
        if hit.size == 0:
            halo.append((0, 0))
            continue
        lo, hi = int(hit[0]), int(hit[-1])
        halo.append((max(0, -(bases[a] + lo)), max(0, bases[a] + hi)))
    return halo


def _plan(inp, tgt, fp, bases, mode, line, cast):
    """A GenericPlan for arrays like ``inp`` and ``tgt`` (ndim >= 1)."""
    src = R._Slot(0, inp.shape, inp.dtype, inp.strides)
    dst = R._Slot(1, tgt.shape, tgt.dtype, tgt.strides)
    nd = inp.ndim
    empty = not fp.any()
    if empty:
        fp = np.zeros(fp.shape, bool)
        fp.flat[0] = True
    if line:
        keep, block = list(range(nd)), 1
    else:
        filtered = [fp.shape[a] > 1 for a in range(nd)]
        keep, block = R._layout(inp.shape, filtered, (src, dst))
    esh = R._engine_shape(inp.shape, keep, block)
    kept = keep[:-1] if block > 1 else keep
    efp = fp.reshape([fp.shape[a] for a in kept])
    ebase = [bases[a] if fp.shape[a] > 1 else 0 for a in kept]
    _, in_tc, out_tc = R._codes(inp.dtype, tgt.dtype, np.float64)
    opts = {"op": R.OP_RANK, "ctc": _TC_F64, "in_tc": in_tc, "out_tc": out_tc,
            "block": block, "rank": 0, "cast": cast}
    plan = engine("reduce").GenericPlan(
        R._ip(esh), np.ascontiguousarray(efp, np.uint8).reshape(-1), R._ip(efp.shape),
        R._ip(ebase), np.full(len(esh), mode, np.intc), opts, line, empty)
    return plan, (esh if esh != inp.shape else None)


def _call(x, target, fp, bases, mode, cval, function, args, kwargs, error, line, cast,
          perm=None):
    nd = x.ndim
    fp = np.ascontiguousarray(fp, dtype=bool)
    bases = list(bases)
    halo = _halo(fp, bases)
    ntaps = max(int(np.count_nonzero(fp)), 1)
    c_func = isinstance(function, tuple)
    work = target.size * ntaps * (_CALL_COST if c_func else 1 << 20)
    cval = float(cval)
    args = tuple(args)
    kwargs = dict(kwargs)

    def view(a):
        if nd == 0:
            return a.reshape(1)
        return a if perm is None else a.transpose(perm)

    def build(inp, tgt):
        return _plan(view(inp), view(tgt), fp, bases, mode, line, cast)

    def run(plan, inp, tgt, nthreads):
        gp, shape = plan
        vi, vt = view(inp), view(tgt)
        if shape is not None:
            vi, vt = vi.reshape(shape), vt.reshape(shape)
        gp.run(vi, vt, function, args, kwargs, cval, nthreads, error)
    return P.Call(build, run, target.shape, target.dtype, work, halo)


def generic_call(x, target, fp, bases, mode, cval, function, args, kwargs, error):
    """The planned call of ``function`` over the boolean footprint ``fp``
    (ndim == x.ndim; may be all False: the function then gets empty
    windows) into arrays like ``target``; ``bases[a]``: the virtual index
    of the footprint's first tap for output 0; ``mode``: one code.
    ``function(window, *args, **kwargs) -> number`` (Python) or
    ``(address, user_data)`` of ``int f(double *, intptr_t, double *, void *)``;
    a C function returning 0 raises ``error``."""
    if x.ndim == 0:
        fp = fp.reshape(1)
        bases = [0]
    return _call(x, target, fp, bases, mode, cval, function, args, kwargs, error,
                 False, C.CAST_ND)


def generic1d_call(x, target, axis, size, base, mode, cval, function, args, kwargs, error):
    """The planned call of ``function(input_line, output_line, *args,
    **kwargs)`` (Python) or ``(address, user_data)`` of ``int f(double *,
    intptr_t, double *, intptr_t, void *)`` on every line along ``axis``
    (x.ndim >= 1): input lines of n + size - 1 values, ``x~[base ..
    base + n + size - 2]``, output lines of n values stored with scipy's
    line cast."""
    nd = x.ndim
    perm = [a for a in range(nd) if a != axis] + [axis]
    fp = np.ones([1] * (nd - 1) + [size], bool)
    bases = [0] * (nd - 1) + [base]
    call = _call(x, target, fp, bases, mode, cval, function, args, kwargs, error, True,
                 C.CAST_LINE, perm if perm != list(range(nd)) else None)
    halo: list[Any] = [(0, 0)] * nd
    halo[axis] = (max(0, -base), max(0, base + size - 1))
    call.halo = halo
    return call
