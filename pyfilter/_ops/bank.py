"""The filter-bank op: several separable filters ("terms") of one input,
each a product of 1-D passes over chosen axes, combined into one or more
outputs (a term as is, sums, magnitudes, orientations, products, the
eigenvalues of 2x2 symmetric matrices).

Every separable filter of the dialects is a bank: ``gaussian_filter`` is
one term and one output, a Sobel gradient magnitude two terms and one
``hypot`` output, ``gradient`` one output per term, an orientation a
``hypot`` and an ``atan2`` output of the same two terms.

:func:`plan` picks the execution (all of them in the engines):

* one term into one output: a chain of line-engine stages
  (:func:`pyfilter._ops.line.plan_chain`), any number of axes, scipy's
  integer-output rule included;
* terms over the same (at most) two axes with float outputs: one fused
  stage that reads the input once, filters every term per row and combines
  them into every output (:func:`pyfilter._ops.line.plan_fused`);
* otherwise: each term by a chain into a temporary of the output type,
  then an elementwise combination in the engine (float outputs), or
  numpy's arithmetic in the output type (integer outputs: scipy composes
  its gradient magnitudes and Laplacians that way, and its wrap-around
  and casts are the result).

Boundary semantics: ``'cascade'`` (scipy's: each pass extends its own
input with ``cval``) or ``'nd'`` (the N-D kernel's: only the input is
extended).  The fused path runs the x passes first; it is taken only
where that cannot change the result (the N-D semantics, or modes that
commute: anything but a non-zero 'constant').
"""
import numpy as np

from .._common import codes as C
from . import line as L
from . import plans as P

COMB = {"term": C.COMB_TERM, "sum": C.COMB_SUM, "hypot": C.COMB_HYPOT,
        "atan2": C.COMB_ATAN2, "prod": C.COMB_PROD, "eig2": C.COMB_EIG2,
        "diff": C.COMB_DIFF}


class Out:
    """One output of a bank: ``comb`` ('term', 'sum', 'hypot', 'atan2',
    'prod', 'eig2', 'diff') of the terms ``args``; ``which`` picks an eigenvalue
    (0: the larger); the result is divided by ``div`` (None: not)."""

    __slots__ = ("comb", "args", "which", "div")

    def __init__(self, comb, args, which=0, div=None):
        self.comb = comb
        self.args = tuple(args)
        self.which = which
        self.div = div

    def code(self, args=None):
        return (COMB[self.comb], list(self.args if args is None else args), self.which,
                self.div)


class BankPlan:
    """A planned bank: :meth:`run` on arrays of the planned shapes, dtypes
    and strides.  ``halo``: per axis (below, above), how far an output
    position reads (stride-1 banks)."""

    def __init__(self, kind, parts, halo, zero_imag=False, outputs=None, tmp_dtype=None,
                 dtype=None):
        self.kind = kind
        self.parts = parts
        self.halo = halo
        self.zero_imag = zero_imag
        self.outputs = outputs
        self.tmp_dtype = tmp_dtype
        self.dtype = dtype

    def run(self, src, dsts, nthreads):
        if self.kind == "complex":
            (re, im) = self.parts
            re.run(src.real, tuple(d.real for d in dsts), nthreads)
            im.run(src.imag, tuple(d.imag for d in dsts), nthreads)
            return dsts
        if self.zero_imag:
            for d in dsts:
                d.imag[...] = 0
            dsts_r = tuple(d.real for d in dsts)
        else:
            dsts_r = dsts
        if self.kind == "chain":
            self.parts.run(src, dsts_r[0], nthreads)
        elif self.kind == "fused":
            self.parts.run(src, dsts_r, nthreads)
        else:
            self._run_general(src, dsts_r, nthreads)
        return dsts

    def _run_general(self, src, dsts, nthreads):
        shape = dsts[0].shape
        temps = []
        for chain in self.parts:
            t = np.empty(shape, dtype=self.tmp_dtype)
            chain.run(src, t, nthreads)
            temps.append(t)
        if dsts[0].dtype.kind == "f":
            L.combine(temps, dsts, [o.code() for o in self.outputs], dtype=self.dtype,
                      nthreads=nthreads)
            return
        for d, o in zip(dsts, self.outputs):
            _integer_combine(d, [temps[i] for i in o.args], o)


def _integer_combine(dst, terms, out):
    """scipy's composition for integer outputs (numpy arithmetic in the
    output type: wrap-around sums, the square root cast back unsafely)."""
    if out.comb == "term":
        np.copyto(dst, terms[0])
        return
    if out.comb == "sum":
        np.copyto(dst, terms[0])
        for t in terms[1:]:
            dst += t
        return
    if out.comb == "hypot":
        np.multiply(terms[0], terms[0], out=dst)
        for t in terms[1:]:
            np.multiply(t, t, out=t)
            dst += t
        np.sqrt(dst, dst, casting="unsafe")
        return
    raise ValueError(f"bank: no integer-output rule for {out.comb!r}")


def _set_cvals(passes, cval, semantics):
    if semantics == "nd":
        return L.nd_cvals(passes, cval)
    return [p.replace(cval=cval) for p in passes]


def _fusable(terms, outputs, dsts, cval, semantics, quantize):
    """The axes (x candidates) of a one-stage plan, or None."""
    if quantize or any(d.dtype.kind != "f" for d in dsts) or len(dsts) > L.MAXARG:
        return None
    if any(len(o.args) > L.MAXARG for o in outputs):
        return None
    axes = set()
    for t in terms:
        ax = [p.axis for p in t]
        if len(set(ax)) != len(ax):
            return None
        axes |= set(ax)
    if not 1 <= len(axes) <= 2:
        return None
    if semantics == "cascade" and cval != 0:
        if any(p.mode == C.MODE_CONSTANT and not L._is_identity(p) for t in terms for p in t):
            return None
    for a in axes:
        ps = [p for t in terms for p in t if p.axis == a]
        if len({p.stride for p in ps}) != 1 or len({p.n_out for p in ps}) != 1:
            return None
        if len({p.mode for p in ps if not L._is_identity(p)}) > 1:
            return None
    return sorted(axes)


def plan(src, dsts, terms, outputs, *, cval=0.0, semantics="cascade", dtype,
         quantize=False, x=None, verify=None):
    """Plan a bank from ``src`` into the arrays ``dsts`` (one per output).

    ``terms``: per term an ordered list of :class:`pyfilter._ops.line.Pass`
    (boundary values are set here from ``cval`` and ``semantics``);
    ``outputs``: one :class:`Out` per destination; ``dtype``: the working
    precision (float32 or float64); ``quantize``: scipy's integer-output
    rule (intermediates through the output type; chains only).
    ``x``: the axis to run contiguously (default: from the strides).
    Complex sources are filtered as their real and imaginary parts with the
    parts of ``cval`` (scipy's rule); a real source into complex outputs
    leaves their imaginary parts zero.  ``verify``: see
    :func:`pyfilter._ops.line.plan_chain` (integer data in float32).
    """
    dsts = tuple(dsts)
    if src.dtype.kind == "c":
        c = complex(cval)
        re = plan(src.real, tuple(d.real for d in dsts), terms, outputs, cval=c.real,
                  semantics=semantics, dtype=dtype, quantize=quantize, x=x)
        im = plan(src.imag, tuple(d.imag for d in dsts), terms, outputs, cval=c.imag,
                  semantics=semantics, dtype=dtype, quantize=quantize, x=x)
        return BankPlan("complex", (re, im), re.halo)
    zero_imag = any(d.dtype.kind == "c" for d in dsts)
    if zero_imag:
        dsts = tuple(d.real for d in dsts)
    cval = float(np.real(cval))
    nd = src.ndim
    single = (len(terms) == 1 and len(outputs) == 1 and outputs[0].args == (0,)
              and outputs[0].comb in ("term", "sum") and outputs[0].div is None)
    if single:
        passes = _set_cvals(list(terms[0]), cval, semantics)
        if not passes:
            passes = [L.identity_pass(nd - 1, src.shape[-1])]
        chain = L.plan_chain(src, dsts[0], passes, dtype=dtype, quantize=quantize, x=x,
                             verify=verify)
        return BankPlan("chain", chain, chain.halo, zero_imag)
    axes = _fusable(terms, outputs, dsts, cval, semantics, quantize)
    if axes is not None:
        if x is None or x not in axes:
            # x by the strides alone, so that the pass order (and the
            # rounding) depends on the op, not on the array's shape
            x = min(axes, key=lambda a: (abs(src.strides[a]), -a))
        ca = ([a for a in axes if a != x] or [None])[0]
        pairs = []
        for t in terms:
            along_x = [p for p in t if p.axis == x]
            along_c = [p for p in t if p.axis == ca]
            ordered = _set_cvals(along_x + along_c, cval, semantics)
            pairs.append((ordered[0] if along_x else None, ordered[-1] if along_c else None))
        fused = L.plan_fused(src, dsts, pairs, [o.code() for o in outputs], x, ca,
                             dtype=dtype)
        return BankPlan("fused", fused, fused.halo, zero_imag)
    tmp_dtype = dsts[0].dtype
    chains = []
    for t in terms:
        passes = _set_cvals(list(t), cval, semantics)
        if not passes:
            passes = [L.identity_pass(nd - 1, src.shape[-1])]
        probe = np.empty(dsts[0].shape, tmp_dtype)
        chains.append(L.plan_chain(src, probe, passes, dtype=dtype, quantize=quantize,
                                   x=x, verify=verify))
    halo = [(0, 0)] * nd
    for ch in chains:
        halo = [(max(a[0], b[0]), max(a[1], b[1])) for a, b in zip(halo, ch.halo)]
    return BankPlan("general", chains, halo, zero_imag, list(outputs), tmp_dtype,
                    np.dtype(np.float32) if tmp_dtype == np.float32 else np.dtype(np.float64))


def _copy(plan, input, target, nthreads):
    np.copyto(target, input, casting="unsafe")


def call(x, target, terms, outputs, *, cval, semantics, dtype, quantize=False, verify=None):
    """The planned call (:class:`pyfilter._ops.plans.Call`) of a bank from
    the validated input ``x`` into arrays like ``target`` (the result's
    shape and dtype); ``terms``/``outputs``/``semantics`` as :func:`plan`.
    No passes at all: a copy with numpy's cast (scipy assigns
    ``output[...] = input`` when every axis is skipped)."""
    if not any(terms):
        return P.Call(lambda i, t: None, _copy, target.shape, target.dtype, target.size,
                      [(0, 0)] * x.ndim)
    ntaps = sum(max(p.ntaps, 1) for t in terms for p in t) or 1

    def build(inp, tgt):
        return plan(inp, (tgt,), terms, outputs, cval=cval, semantics=semantics,
                    dtype=dtype, quantize=quantize, verify=verify)

    def run(pl, inp, tgt, nthreads):
        pl.run(inp, (tgt,), nthreads)

    return P.Call(build, run, target.shape, target.dtype, target.size * ntaps,
                  _halo(terms, x.ndim))


def _halo(terms, ndim):
    halo = [(0, 0)] * ndim
    for t in terms:
        r = L.chain_reach(t, ndim)
        halo = [(max(a[0], b[0]), max(a[1], b[1])) for a, b in zip(halo, r)]
    return halo


def multi_call(x, targets, terms, outputs, *, cval, semantics, dtype):
    """As :func:`call` for several outputs (new arrays like ``targets``),
    returned as a tuple."""
    ntaps = sum(max(p.ntaps, 1) for t in terms for p in t) or 1

    def build(inp, outs):
        return plan(inp, outs, terms, outputs, cval=cval, semantics=semantics, dtype=dtype)

    def run(pl, inp, outs, nthreads):
        pl.run(inp, outs, nthreads)

    return P.MultiCall(build, run, [t.shape for t in targets], [t.dtype for t in targets],
                       targets[0].size * ntaps if targets else 0, _halo(terms, x.ndim))
