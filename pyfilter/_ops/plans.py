"""Plans: validated, planned calls cached on what determines them.

A dialect function validates its arguments and plans its op once per
distinct call signature; a repeated call (the same input layout and dtype,
the same parameters) finds the plan in a :class:`Cache` keyed by
:func:`call_key` on the raw arguments, and skips validation and planning
(kernel analysis, method choice, boundary and tap tables).  Keys are built
only from arguments whose value fully determines the plan: native arrays
by layout (shape, dtype, strides; outputs also by writeability), small
kernels by content, and scalars, strings and sequences of them by type
and value.  Anything else (array-likes, callables, objects) gives no key,
and the call is validated and planned afresh.

:class:`Call` is what a cache holds for one signature: the result's shape
and dtype, the amount of work (for the thread count), and the op plan per
layout of the array the engines write.
"""
import threading
from collections import OrderedDict

import numpy as np

from .._common import workers as W
from .._common.codes import TYPECODES

_SIMPLE = {int, float, str, bool, type(None), complex}
_NUMPY_SCALARS = (np.generic,)
# kernels up to this many bytes are keyed by content
_CONTENT_MAX = 1 << 14


class Cache:
    """A small LRU map from call keys to :class:`Call` objects (safe to use
    from several Python threads)."""

    def __init__(self, maxsize=64):
        self.maxsize = maxsize
        self._d = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        if key is None:
            return None
        try:
            v = self._d[key]
        except KeyError:
            return None
        except TypeError:      # an unhashable part slipped in: no caching
            return None
        return v

    def put(self, key, value):
        if key is None:
            return value
        with self._lock:
            try:
                self._d[key] = value
            except TypeError:
                return value
            if len(self._d) > self.maxsize:
                self._d.popitem(last=False)
        return value

    def clear(self):
        with self._lock:
            self._d.clear()

    def __len__(self):
        return len(self._d)


def _value(v):
    t = type(v)
    if t in _SIMPLE:
        return (t, v)
    if t is tuple or t is list:
        out = [t]
        for e in v:
            k = _value(e)
            if k is None:
                return None
            out.append(k)
        return tuple(out)
    if t is np.ndarray:
        if v.dtype.hasobject or v.nbytes > _CONTENT_MAX:
            return None
        return (t, v.shape, v.dtype.str, v.tobytes())
    if isinstance(v, _NUMPY_SCALARS):
        return (t, v.item()) if v.dtype.kind in "biufc" else None
    if isinstance(v, np.dtype):
        return (np.dtype, v.str)
    if isinstance(v, type) and issubclass(v, np.generic):
        return (type, np.dtype(v).str)
    return None


def call_key(tag, input, output, args):
    """The cache key of a call, or None when it cannot be keyed.

    ``input`` must be a native ndarray of a supported dtype (keyed by
    layout); ``output`` None, a dtype or an ndarray (keyed by layout and
    writeability); ``args`` the other parameters (keyed by value)."""
    if type(input) is not np.ndarray:
        return None
    dt = input.dtype
    if dt not in TYPECODES or not dt.isnative:
        return None
    if output is None:
        ok = None
    elif type(output) is np.ndarray:
        ok = (output.shape, output.dtype.str, output.strides, output.flags.writeable)
    else:
        ok = _value(output)
        if ok is None:
            return None
    parts = [tag, input.shape, dt.str, input.strides, ok]
    for v in args:
        t = type(v)
        if t in _SIMPLE:
            parts.append((t, v))
            continue
        k = _value(v)
        if k is None:
            return None
        parts.append(k)
    return tuple(parts)


_tls = threading.local()
# captures open in any Python thread (a planned call looks for its own
# thread's capture only when one is open somewhere)
_CAPTURING = [0]
_CAPTURING_LOCK = threading.Lock()


def run_cached(cache, tag, input, output, args, plan_fn, workers, check):
    """Run a dialect call: the :class:`Call` of its signature from ``cache``,
    or ``plan_fn(check(input))`` (validation and planning) stored there."""
    key = call_key(tag, input, output, args)
    call = cache.get(key)
    if call is None:
        input = check(input)
        call = cache.put(key, plan_fn(input))
    return call(input, output, workers)


class Captured(Exception):
    """Raised inside :class:`capture` to stop a call once it is planned."""


def not_planned():
    """Called by functions that compose user callables (no plan of their
    own): under :class:`capture` they stop with no plan."""
    cap = getattr(_tls, "capture", None)
    if cap is not None:
        cap.call = None
        raise Captured()


class capture:
    """Within ``with capture() as c:``, the first planned call made by this
    Python thread stops before running, leaving its :class:`Call` in
    ``c.call``: how :func:`pyfilter._ops.halo.halo` asks a public function
    for its plan without computing anything."""

    def __enter__(self):
        self.call = None
        self._prev = getattr(_tls, "capture", None)
        _tls.capture = self
        with _CAPTURING_LOCK:
            _CAPTURING[0] += 1
        return self

    def __exit__(self, exc_type, exc, tb):
        _tls.capture = self._prev
        with _CAPTURING_LOCK:
            _CAPTURING[0] -= 1
        return exc_type is Captured


class Call:
    """A validated call of one signature.

    ``build(input, target)`` plans the op for a target of a given layout
    (the result array, or a temporary when the caller's output overlaps
    the input); ``run(plan, input, target, nthreads)`` runs it.
    ``out_shape``/``out_dtype``: the result; ``work``: element operations
    (for the thread threshold); ``halo``: per input axis (below, above),
    how far an output position reads (None when not known); ``prep``: a
    conversion of the input made on every call (a dialect's dtype rule,
    e.g. scikit-image's conversion to float).
    """

    __slots__ = ("build", "run", "out_shape", "out_dtype", "work", "plans", "halo", "prep")

    def __init__(self, build, run, out_shape, out_dtype, work, halo=None, prep=None):
        self.build = build
        self.run = run
        self.out_shape = tuple(out_shape)
        self.out_dtype = np.dtype(out_dtype)
        self.work = work
        self.plans = {}
        self.halo = halo
        self.prep = prep

    def __call__(self, input, output, workers):
        if _CAPTURING[0]:
            cap = getattr(_tls, "capture", None)
            if cap is not None:
                cap.call = self
                raise Captured()
        if self.prep is not None:
            input = self.prep(input)
        if type(output) is np.ndarray:
            result = output
            if output.dtype.isnative and not np.may_share_memory(output, input):
                target = output
            else:
                target = np.empty(self.out_shape, output.dtype.newbyteorder("="))
        else:
            result = target = np.empty(self.out_shape, self.out_dtype)
        if target.size:
            nthreads = W.threads_for(workers, self.work)
            lay = target.strides
            plan = self.plans.get(lay)
            if plan is None:
                plan = self.plans.setdefault(lay, self.build(input, target))
            self.run(plan, input, target, nthreads)
            W.call_done(nthreads)
        if result is not target:
            np.copyto(result, target, casting="unsafe")
        return result


class MultiCall:
    """A validated call with several fresh outputs (of ``shapes`` and
    ``dtypes``, returned as a tuple); the op is planned on the first call
    (the outputs are always new, C-contiguous arrays)."""

    __slots__ = ("build", "run", "shapes", "dtypes", "work", "plan", "halo", "prep")

    def __init__(self, build, run, shapes, dtypes, work, halo=None, prep=None):
        self.build = build
        self.run = run
        self.shapes = [tuple(s) for s in shapes]
        self.dtypes = [np.dtype(d) for d in dtypes]
        self.work = work
        self.plan = None
        self.halo = halo
        self.prep = prep

    def __call__(self, input, output, workers):
        if _CAPTURING[0]:
            cap = getattr(_tls, "capture", None)
            if cap is not None:
                cap.call = self
                raise Captured()
        if self.prep is not None:
            input = self.prep(input)
        outs = tuple(np.empty(s, d) for s, d in zip(self.shapes, self.dtypes))
        if outs and outs[0].size:
            nthreads = W.threads_for(workers, self.work)
            plan = self.plan
            if plan is None:
                plan = self.plan = self.build(input, outs)
            self.run(plan, input, outs, nthreads)
            W.call_done(nthreads)
        return outs
