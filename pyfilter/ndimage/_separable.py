"""scipy.ndimage drop-ins built on the 1-D line engine.

sobel, prewitt, laplace, uniform_filter(1d), gaussian_filter(1d),
gaussian_laplace, gaussian_gradient_magnitude, generic_gradient_magnitude,
generic_laplace: scipy's signatures and results (docs/semantics.md),
plus keyword-only ``workers``.  Re-exported by :mod:`pyfilter.ndimage`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Optional

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._common import dtypes as D
from .._common import validate as V
from .._common.docs import docfiller
from .._common.errors import ArgumentError
from .._common.typing import (Axes, FloatOrSeq, IntOrSeq, Mode, ModeOrSeq, Output, Plan,
                              Radius, Scalar, Workers)
from .._ops import bank as B
from .._ops import kernel as _kernel
from .._ops import line as L
from .._ops import plans as P

__all__ = ["sobel", "prewitt", "laplace", "uniform_filter", "uniform_filter1d",
           "gaussian_filter", "gaussian_filter1d", "gaussian_laplace",
           "gaussian_gradient_magnitude", "generic_gradient_magnitude",
           "generic_laplace"]

SIGMA_SKIP = 1e-15   # scipy skips axes with sigma <= 1e-15

# one 1-D pass of a filter: (axis, weights, mode code, origin, divisor or None)
_Spec = tuple[int, Any, int, int, Optional[float]]


# ---------------------------------------------------------------- plumbing
def _passes(specs: Iterable[_Spec], shape: Sequence[int], dtype: np.dtype[Any],
            fold: bool = True) -> list[Any]:
    """Line passes of ``specs`` = [(axis, weights, mode, origin, div)]; in
    float32 a division is folded into the weights unless ``fold`` is False
    (float32 results are not scipy's bits anyway, and it saves a sweep per
    pass; integer data filtered exactly in float32 keeps the division)."""
    out = []
    for a, w, m, o, dv in specs:
        if fold and dv is not None and dtype == np.float32:
            w, dv = np.asarray(w, dtype=np.float64) / dv, None
        out.append(L.make_pass(a, w, m, 0.0, shape[a], origin=o, div=dv))
    return out


def _int_sums(in_dtype: np.dtype[Any], out_dtype: np.dtype[Any],
              terms: Sequence[Sequence[_Spec]], cval: Any) -> float | None:
    """The largest partial sum magnitude of integer-weight filters on
    integer data (intermediates in the output type), or None when a
    weight, divisor or ``cval`` is not an integer or the types are not
    small integers (see :func:`pyfilter._common.dtypes.work_dtype`)."""
    if in_dtype.kind not in "biu" or out_dtype.kind not in "biu":
        return None
    if in_dtype.itemsize > 2 or out_dtype.itemsize > 2:
        return None
    if not float(cval).is_integer():
        return None
    v_in = max(D.int_range(in_dtype), abs(int(cval)))
    v_q = max(D.int_range(out_dtype), abs(int(cval)))
    worst = 0
    for t in terms:
        v = v_in
        for a, w, m, o, dv in t:
            w = np.asarray(w, dtype=np.float64)
            if not np.all(np.mod(w, 1) == 0) or (dv is not None
                                                 and not float(dv).is_integer()):
                return None
            worst = max(worst, float(np.abs(w).sum()) * v)
            v = v_q
    return worst


_TERM = (B.Out("term", [0]),)
_CACHE = P.Cache(128)


def _check_input(input: ArrayLike) -> NDArray[Any]:
    return V.check_array(input, "input")


def _planned(tag: str, input: ArrayLike, output: Output, args: tuple[Any, ...],
             plan_fn: Callable[[NDArray[Any]], Plan], workers: Workers) -> NDArray[Any]:
    return P.run_cached(_CACHE, tag, input, output, args, plan_fn, workers, _check_input)


def _bank_call(x: NDArray[Any], output: Output, terms: Sequence[Sequence[_Spec]],
               outputs: Sequence[Any], cval: Any) -> Plan:
    """The planned call of a bank: ``terms`` (each a list of specs applied
    in order with scipy's semantics: every pass extends its own input with
    ``cval``; integer outputs keep the intermediates in the output type)
    combined by ``outputs``."""
    result, target = V.get_output(output, x, x.shape, x.dtype.kind == "c")
    cval = V.check_cval(cval, x.dtype.kind == "c")
    if any(terms) and target.size and x.size == 0:
        raise ArgumentError(f"input has shape {x.shape}: nothing to filter")
    sums = _int_sums(x.dtype, target.dtype, terms, np.real(cval)) if \
        x.dtype.kind != "c" else None
    dtype = D.work_dtype(x.dtype, target.dtype, sums)
    if _int16_ok(x.dtype, target.dtype, terms, cval, sums):
        passes = [_int16_passes(t, x.shape, x.dtype, target.dtype, cval) for t in terms]
        return B.call(x, target, passes, outputs, cval=cval, semantics="cascade",
                      dtype=np.dtype(np.int16), quantize=D.quantized(target.dtype))
    verify = None
    if dtype == np.float64 and _small_ints(x.dtype, target.dtype, cval):
        # non-integer weights on 8/16-bit data into 8/16-bit results:
        # float32 with every truncated result verified against float64
        v_in = max(D.int_range(x.dtype), abs(float(cval)))
        v_q = max(D.int_range(target.dtype), abs(float(cval)))
        p32 = [_passes(t, x.shape, np.dtype(np.float32), fold=False) for t in terms]
        if all(L.chain_verifiable(t, v_in, v_q) for t in p32):
            dtype, verify = np.dtype(np.float32), (v_in, v_q)
    passes = [_passes(t, x.shape, dtype, fold=sums is None and verify is None)
              for t in terms]
    return B.call(x, target, passes, outputs, cval=cval, semantics="cascade", dtype=dtype,
                  quantize=D.quantized(target.dtype), verify=verify)


def _int16_ok(in_dtype: np.dtype[Any], out_dtype: np.dtype[Any],
              terms: Sequence[Sequence[_Spec]], cval: Any, sums: float | None) -> bool:
    """8-bit images under integer kernels into 8/16-bit results whose every
    partial sum fits int16: computed exactly in int16 (16 lanes); a term
    with divisions (box means) only over non-negative data and weights."""
    if sums is None or sums > L.INT16_MAX or in_dtype.itemsize != 1:
        return False
    if len(terms) != 1:
        return False
    if any(dv is not None for t in terms for (_, _, _, _, dv) in t):
        if in_dtype.kind == "i" or out_dtype.kind == "i" or np.real(cval) < 0:
            return False
        if any(np.any(np.asarray(w) < 0) for t in terms for (_, w, _, _, _) in t):
            return False
        # every division needs its multiply-and-shift
        v = max(D.int_range(in_dtype), abs(int(np.real(cval))))
        for a, w, m, o, dv in terms[0]:
            if dv is not None:
                try:
                    L.divide_by_multiply(int(dv), int(np.abs(np.asarray(w)).sum() * v))
                except ValueError:
                    return False
            v = max(D.int_range(out_dtype), abs(int(np.real(cval))))
    return True


def _int16_passes(specs: Iterable[_Spec], shape: Sequence[int], in_dtype: np.dtype[Any],
                  out_dtype: np.dtype[Any], cval: Any) -> list[Any]:
    """The passes of an int16 plan, each with the largest sum it reaches."""
    out = []
    v = max(D.int_range(in_dtype), abs(int(np.real(cval))))
    c = int(np.real(cval))
    lo_in = min(0 if in_dtype.kind != "i" else -D.int_range(in_dtype), c)
    hi_in = max(int(np.iinfo(in_dtype).max) if in_dtype != np.bool_ else 1, c)
    info = np.iinfo(out_dtype) if out_dtype != np.bool_ else None
    for a, w, m, o, dv in specs:
        wa = np.asarray(w, np.float64)
        p = L.make_pass(a, w, m, 0.0, shape[a], origin=o, div=dv)
        bound = int(np.abs(wa).sum() * v)
        # the exact results' range: do they survive the output type as is?
        pos, neg = wa[wa > 0].sum(), wa[wa < 0].sum()
        hi = (pos * hi_in + neg * lo_in) / (dv or 1)
        lo = (pos * lo_in + neg * hi_in) / (dv or 1)
        fits = info is not None and info.min <= np.floor(lo) and np.ceil(hi) <= info.max
        out.append(p.replace(int_bound=bound, fits=bool(fits)))
        v = max(D.int_range(out_dtype), abs(c))
        if info is not None:
            lo_in, hi_in = min(int(info.min), c), max(int(info.max), c)
    return out


def _small_ints(in_dtype: np.dtype[Any], out_dtype: np.dtype[Any], cval: Any) -> bool:
    """8/16-bit integer data into 8/16-bit integers, with a ``cval`` that
    float32 holds exactly."""
    return (in_dtype.kind in "biu" and out_dtype.kind in "biu" and in_dtype.itemsize <= 2
            and out_dtype.itemsize <= 2 and float(np.float32(np.real(cval))) == np.real(cval))


def _cascade(tag: str, input: ArrayLike, output: Output, args: tuple[Any, ...],
             specs_fn: Callable[[NDArray[Any]], Sequence[_Spec]], cval: Scalar,
             workers: Workers) -> NDArray[Any]:
    """One separable filter: ``specs_fn(validated input)`` gives its specs."""
    return _planned(tag, input, output, args,
                    lambda x: _bank_call(x, output, [specs_fn(x)], _TERM, cval), workers)


def _modes(mode: ModeOrSeq, n: int) -> list[int]:
    return V.mode_codes(mode, n, "mode")


# ---------------------------------------------------------------- edges
def _edge(tag: str, input: ArrayLike, axis: int, output: Output, mode: ModeOrSeq,
          cval: Scalar, workers: Workers, smooth: list[float]) -> NDArray[Any]:
    def specs(x: NDArray[Any]) -> Sequence[_Spec]:
        ax = V.normalize_axis(axis, x.ndim)
        modes = _modes(mode, x.ndim)
        out = [(ax, [-1.0, 0.0, 1.0], modes[ax], 0, None)]
        out += [(a, smooth, modes[a], 0, None) for a in range(x.ndim) if a != ax]
        return out
    return _cascade(tag, input, output, (axis, mode, cval), specs, cval, workers)


@docfiller
def sobel(input: ArrayLike, axis: int = -1, output: Output = None,
          mode: ModeOrSeq = "reflect", cval: Scalar = 0.0, *,
          workers: Workers = None) -> NDArray[Any]:
    """Sobel derivative along ``axis`` (scipy.ndimage.sobel).

    ``correlate1d`` with ``[-1, 0, 1]`` along ``axis``, then with
    ``[1, 2, 1]`` along every other axis, unnormalised; each pass extends
    its own input by the mode, and integer outputs keep the intermediates
    in the output type (uint8: a 0 -> 100 step gives 144), as scipy does.

    Parameters
    ----------
    %(input)s
    axis : int, optional
        The axis of the derivative.  Default -1.
    %(output)s
    %(mode_multiple)s
        Every axis of ``input`` is filtered, so a sequence has one entry
        per axis.
    %(cval)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    See Also
    --------
    prewitt, pyfilter.filters.sobel

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.array([[0, 0, 100, 100]] * 3, dtype=np.uint8)
    >>> ndimage.sobel(x, axis=1)[0]
    array([  0, 144, 144,   0], dtype=uint8)
    >>> ndimage.sobel(x.astype(np.float32), axis=1)[0]
    array([  0., 400., 400.,   0.], dtype=float32)
    """
    return _edge("sobel", input, axis, output, mode, cval, workers, [1.0, 2.0, 1.0])


@docfiller
def prewitt(input: ArrayLike, axis: int = -1, output: Output = None,
            mode: ModeOrSeq = "reflect", cval: Scalar = 0.0, *,
            workers: Workers = None) -> NDArray[Any]:
    """Prewitt derivative along ``axis`` (scipy.ndimage.prewitt).

    ``correlate1d`` with ``[-1, 0, 1]`` along ``axis``, then ``[1, 1, 1]``
    along every other axis (scipy's cascade, see :func:`sobel`).

    Parameters
    ----------
    %(input)s
    axis : int, optional
        The axis of the derivative.  Default -1.
    %(output)s
    %(mode_multiple)s
        Every axis of ``input`` is filtered, so a sequence has one entry
        per axis.
    %(cval)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.array([[0., 0., 1., 1.]] * 3)
    >>> ndimage.prewitt(x, axis=1)[1]
    array([0., 3., 3., 0.])
    """
    return _edge("prewitt", input, axis, output, mode, cval, workers, [1.0, 1.0, 1.0])


@docfiller
def laplace(input: ArrayLike, output: Output = None, mode: ModeOrSeq = "reflect",
            cval: Scalar = 0.0, *, axes: Axes = None,
            workers: Workers = None) -> NDArray[Any]:
    """Discrete Laplacian: the sum over ``axes`` of ``correlate1d`` with
    ``[1, -2, 1]`` (scipy.ndimage.laplace).

    Two axes with a float output run fused in one sweep; otherwise the
    terms are summed in the output type, as scipy does.

    Parameters
    ----------
    %(input)s
    %(output)s
    %(mode_multiple)s
        A sequence has one entry per axis in ``axes``.
    %(cval)s
    %(axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.zeros((5, 5)); x[2, 2] = 1
    >>> ndimage.laplace(x)[1:4, 1:4]
    array([[ 0.,  1.,  0.],
           [ 1., -4.,  1.],
           [ 0.,  1.,  0.]])
    """
    def plan(x: NDArray[Any]) -> Plan:
        axs = V.normalize_axes(axes, x.ndim)
        modes = _modes(mode, len(axs))
        d2 = [1.0, -2.0, 1.0]
        terms = [[(a, d2, m, 0, None)] for a, m in zip(axs, modes)]
        return _bank_call(x, output, terms, (B.Out("sum", range(len(terms))),), cval)
    return _planned("laplace", input, output, (mode, cval, axes), plan, workers)


# ---------------------------------------------------------------- uniform
def _integral(size: Any) -> Any:
    """scipy's uniform_filter accepts float sizes (it applies int()); we
    accept integral floats and reject the others instead of truncating."""
    def conv(v: Any) -> Any:
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return int(v)
        if isinstance(v, (float, np.floating)):
            raise ArgumentError(f"size must contain integers, got {size!r}")
        return v
    if isinstance(size, (str, bytes)):
        return size
    if np.ndim(size) == 0:
        return conv(size)
    return [conv(v) for v in np.asarray(size, dtype=object).ravel()]


@docfiller
def uniform_filter1d(input: ArrayLike, size: int, axis: int = -1, output: Output = None,
                     mode: Mode = "reflect", cval: Scalar = 0.0, origin: int = 0, *,
                     workers: Workers = None) -> NDArray[Any]:
    """Mean over ``size`` consecutive elements along ``axis``
    (scipy.ndimage.uniform_filter1d).

    Computed as the sum of the window divided by ``size``, which for
    integer data and an integer ``cval`` (window sums below 2**53) is
    exactly scipy's running sum.
    Differences from scipy: a NaN or inf affects only the windows that
    contain it (scipy's running sum carries it to the end of the line),
    and float results can differ in the last bits (scipy's running sum
    accumulates rounding along the line).

    Parameters
    ----------
    %(input)s
    size : int
        Length of the window (>= 1).
    axis : int, optional
        The axis of ``input`` to filter along.  Default -1.
    %(output)s
    %(mode_reflect)s
    %(cval)s
    %(origin)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> ndimage.uniform_filter1d(np.array([2, 8, 0, 4, 1, 9, 9, 0]), size=3)
    array([4, 3, 4, 1, 4, 6, 6, 3])
    """
    def specs(x: NDArray[Any]) -> list[_Spec]:
        ax = V.normalize_axis(axis, x.ndim)
        s = V.int_sequence(size, 1, "size", minimum=1)[0]
        o = V.as_int(origin, "origin")
        V.check_origins([o], [s])
        m = _modes(mode, 1)[0] if isinstance(mode, str) else V.mode_code(mode)
        w, o = L.box_weights(s, o, x.shape[ax], m)
        return [(ax, w, m, o, float(s))]
    return _cascade("uniform_filter1d", input, output, (size, axis, mode, cval, origin),
                    specs, cval, workers)


@docfiller
def uniform_filter(input: ArrayLike, size: IntOrSeq = 3, output: Output = None,
                   mode: ModeOrSeq = "reflect", cval: Scalar = 0.0, origin: IntOrSeq = 0,
                   *, axes: Axes = None, workers: Workers = None) -> NDArray[Any]:
    """Multidimensional mean filter (scipy.ndimage.uniform_filter).

    A :func:`uniform_filter1d` along each axis in ``axes`` (axes with size
    1 are skipped); integer outputs keep the intermediates in the output
    type, as scipy does.

    Parameters
    ----------
    %(input)s
    size : int or sequence of int, optional
        Window length per axis (>= 1).  Default 3.
    %(output)s
    %(mode_multiple)s
        A sequence has one entry per axis in ``axes``.
    %(cval)s
    %(origin_multiple)s
    %(axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    Notes
    -----
    A size < 1 raises ValueError (scipy silently skips such axes).  NaN
    and inf stay in the windows that contain them; see
    :func:`uniform_filter1d`.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.arange(25, dtype=np.float64).reshape(5, 5)
    >>> ndimage.uniform_filter(x, size=3)[2]
    array([10.33333333, 11.        , 12.        , 13.        , 13.66666667])
    """
    def specs(x: NDArray[Any]) -> list[_Spec]:
        axs = V.normalize_axes(axes, x.ndim)
        sizes = V.int_sequence(_integral(size), len(axs), "size", minimum=1)
        origins = V.int_sequence(origin, len(axs), "origin")
        V.check_origins(origins, sizes)
        modes = _modes(mode, len(axs))
        out: list[_Spec] = []
        for a, s, o, m in zip(axs, sizes, origins, modes):
            if s > 1:
                w, o = L.box_weights(s, o, x.shape[a], m)
                out.append((a, w, m, o, float(s)))
        return out
    return _cascade("uniform_filter", input, output, (size, mode, cval, origin, axes),
                    specs, cval, workers)


# ---------------------------------------------------------------- gaussian
def _gauss_specs(ndim: int, axes: Iterable[int], sigmas: Iterable[float],
                 orders: Iterable[int], modes: Iterable[int], truncate: float,
                 radii: Iterable[int | None]) -> list[_Spec]:
    out: list[_Spec] = []
    for a, s, o, m, r in zip(axes, sigmas, orders, modes, radii):
        if s > SIGMA_SKIP:
            out.append((a, _kernel.gaussian_weights(s, o, truncate, r), m, 0, None))
    return out


@docfiller
def gaussian_filter1d(input: ArrayLike, sigma: float, axis: int = -1, order: int = 0,
                      output: Output = None, mode: Mode = "reflect", cval: Scalar = 0.0,
                      truncate: float = 4.0, *, radius: int | None = None,
                      workers: Workers = None) -> NDArray[Any]:
    """1-D Gaussian filter or Gaussian derivative (scipy.ndimage.gaussian_filter1d).

    Correlation with the sampled Gaussian (normalised to sum 1) or its
    ``order``-th derivative, of radius ``int(truncate * sigma + 0.5)``
    unless ``radius`` is given; bitwise equal to scipy in float64.

    Parameters
    ----------
    %(input)s
    sigma : scalar
        Standard deviation (>= 0; 0 leaves the input unchanged).
    axis : int, optional
        The axis of ``input`` to filter along.  Default -1.
    order : int, optional
        Derivative order, 0 to 3.  Default 0.
    %(output)s
    %(mode_reflect)s
    %(cval)s
    truncate : float, optional
        Radius in standard deviations (>= 0).  Default 4.0.
    radius : int, optional
        Kernel radius, overriding ``truncate``.
    %(workers)s

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    Notes
    -----
    A negative sigma or truncate, or an order outside 0..3, raises
    ValueError (scipy accepts some of these).  sigma <= 1e-15 leaves the
    input unchanged (as :func:`gaussian_filter` does).

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> ndimage.gaussian_filter1d(np.array([1.0, 2, 3, 4, 5]), 1)
    array([1.42704095, 2.06782203, 3.        , 3.93217797, 4.57295905])
    """
    def specs(x: NDArray[Any]) -> list[_Spec]:
        ax = V.normalize_axis(axis, x.ndim)
        s = V.check_sigma(sigma, 1)[0]
        o = V.check_orders(order, 1)[0]
        t = V.check_truncate(truncate)
        r = V.check_radius(radius, 1)[0]
        m = V.mode_code(mode)
        return _gauss_specs(x.ndim, [ax], [s], [o], [m], t, [r])
    return _cascade("gaussian_filter1d", input, output,
                    (sigma, axis, order, mode, cval, truncate, radius), specs, cval, workers)


@docfiller
def gaussian_filter(input: ArrayLike, sigma: FloatOrSeq, order: IntOrSeq = 0,
                    output: Output = None, mode: ModeOrSeq = "reflect", cval: Scalar = 0.0,
                    truncate: float = 4.0, *, radius: Radius = None, axes: Axes = None,
                    workers: Workers = None) -> NDArray[Any]:
    """Multidimensional Gaussian filter (scipy.ndimage.gaussian_filter).

    A :func:`gaussian_filter1d` along each axis in ``axes`` in order (axes
    with sigma <= 1e-15 are skipped); a 2-D filter runs in one fused sweep
    over the image (rows into a ring buffer, columns from it).  Integer
    outputs keep the intermediates in the output type, as scipy does.

    Parameters
    ----------
    %(input)s
    sigma : scalar or sequence of scalars
        Standard deviation per axis in ``axes`` (>= 0).
    order : int or sequence of int, optional
        Derivative order per axis, 0 to 3.  Default 0.
    %(output)s
    %(mode_multiple)s
        A sequence has one entry per axis in ``axes``.
    %(cval)s
    truncate : float, optional
        Radius in standard deviations (>= 0).  Default 4.0.
    radius : int or sequence of int, optional
        Kernel radius per axis, overriding ``truncate``.
    %(axes)s
    %(workers)s

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> a = np.arange(50, step=2).reshape((5, 5))
    >>> ndimage.gaussian_filter(a, sigma=1)
    array([[ 4,  6,  8,  9, 11],
           [10, 12, 14, 15, 17],
           [20, 22, 24, 25, 27],
           [29, 31, 33, 34, 36],
           [35, 37, 39, 40, 42]])
    """
    def specs(x: NDArray[Any]) -> list[_Spec]:
        axs = V.normalize_axes(axes, x.ndim)
        n = len(axs)
        sig = V.check_sigma(sigma, n)
        ords = V.check_orders(order, n)
        t = V.check_truncate(truncate)
        rad = V.check_radius(radius, n)
        modes = _modes(mode, n)
        return _gauss_specs(x.ndim, axs, sig, ords, modes, t, rad)
    return _cascade("gaussian_filter", input, output,
                    (sigma, order, mode, cval, truncate, radius, axes), specs, cval, workers)


def _gauss_kwargs(kwargs: Mapping[str, Any]) -> tuple[float, Any]:
    extra = set(kwargs) - {"truncate", "radius"}
    if extra:
        raise TypeError(f"unexpected keyword argument(s) {sorted(extra)}; the extra "
                        "keywords are passed to gaussian_filter (truncate, radius)")
    t = V.check_truncate(kwargs.get("truncate", 4.0))
    return t, kwargs.get("radius")


@docfiller
def gaussian_laplace(input: ArrayLike, sigma: FloatOrSeq, output: Output = None,
                     mode: ModeOrSeq = "reflect", cval: Scalar = 0.0, *, axes: Axes = None,
                     workers: Workers = None, **kwargs: Any) -> NDArray[Any]:
    """Laplacian of Gaussian (scipy.ndimage.gaussian_laplace).

    The sum over ``axes`` of :func:`gaussian_filter` with order 2 along
    that axis (``sigma`` per axis in ``axes``; the other axes are not
    smoothed).  2-D float results run in one fused sweep.

    Parameters
    ----------
    %(input)s
    sigma : scalar or sequence of scalars
        Standard deviation per axis in ``axes`` (>= 0).
    %(output)s
    %(mode_multiple)s
        A sequence has one entry per axis in ``axes``; the term of axis
        ``axes[i]`` then uses ``mode[i]`` on every axis, as scipy does.
    %(cval)s
    %(axes)s
    %(workers)s
    **kwargs
        ``truncate`` and ``radius``, passed to :func:`gaussian_filter`.

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.zeros((7, 7)); x[3, 3] = 1
    >>> float(ndimage.gaussian_laplace(x, 1.0)[3, 3]) < 0
    True
    """
    def plan(x: NDArray[Any]) -> Plan:
        axs = V.normalize_axes(axes, x.ndim)
        sig = V.check_sigma(sigma, len(axs))
        modes = _modes(mode, len(axs))
        t, radius = _gauss_kwargs(kwargs)
        full = [0.0] * x.ndim
        for a, s in zip(axs, sig):
            full[a] = s
        rad = V.check_radius(radius, x.ndim)
        terms: list[list[_Spec]] = []
        for a, m in zip(axs, modes):
            orders = [2 if b == a else 0 for b in range(x.ndim)]
            terms.append(_gauss_specs(x.ndim, range(x.ndim), full, orders, [m] * x.ndim,
                                      t, rad))
        return _bank_call(x, output, terms, (B.Out("sum", range(len(terms))),), cval)
    return _planned("gaussian_laplace", input, output,
                    (sigma, mode, cval, axes, tuple(sorted(kwargs.items()))), plan, workers)


@docfiller
def gaussian_gradient_magnitude(input: ArrayLike, sigma: FloatOrSeq, output: Output = None,
                                mode: ModeOrSeq = "reflect", cval: Scalar = 0.0, *,
                                axes: Axes = None, workers: Workers = None,
                                **kwargs: Any) -> NDArray[Any]:
    """Gradient magnitude with Gaussian derivatives
    (scipy.ndimage.gaussian_gradient_magnitude).

    ``sqrt(sum_a d_a**2)`` over ``axes``, where ``d_a`` is
    :func:`gaussian_filter` with order 1 along ``a`` and ``sigma`` applied
    to every axis (as scipy does).  2-D float results run in one fused
    sweep.

    Parameters
    ----------
    %(input)s
    sigma : scalar or sequence of scalars
        Standard deviation, one value or one per axis of ``input``.
    %(output)s
    %(mode_multiple)s
        A sequence has one entry per axis in ``axes``; the derivative
        along ``axes[i]`` then uses ``mode[i]`` on every axis, as scipy
        does.
    %(cval)s
    %(axes)s
    %(workers)s
    **kwargs
        ``truncate`` and ``radius``, passed to :func:`gaussian_filter`.

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.tile(np.arange(8.0), (8, 1))
    >>> round(float(ndimage.gaussian_gradient_magnitude(x, 1.0)[4, 4]), 4)
    0.9994
    """
    def plan(x: NDArray[Any]) -> Plan:
        axs = V.normalize_axes(axes, x.ndim)
        sig = V.check_sigma(sigma, x.ndim)
        modes = _modes(mode, len(axs))
        t, radius = _gauss_kwargs(kwargs)
        rad = V.check_radius(radius, x.ndim)
        terms: list[list[_Spec]] = []
        for a, m in zip(axs, modes):
            orders = [1 if b == a else 0 for b in range(x.ndim)]
            terms.append(_gauss_specs(x.ndim, range(x.ndim), sig, orders, [m] * x.ndim,
                                      t, rad))
        return _bank_call(x, output, terms, (B.Out("hypot", range(len(terms))),), cval)
    return _planned("gaussian_gradient_magnitude", input, output,
                    (sigma, mode, cval, axes, tuple(sorted(kwargs.items()))), plan, workers)


# ---------------------------------------------------------------- generic
def _call_derivative(func: Callable[..., Any], name: str, input: NDArray[Any], axis: int,
                     out: Any, mode: Mode, cval: Scalar, extra_arguments: Sequence[Any],
                     extra_keywords: Mapping[str, Any], shape: Sequence[int]) -> NDArray[Any]:
    r = func(input, axis, out, mode, cval, *extra_arguments, **extra_keywords)
    if isinstance(out, np.ndarray):
        if r is not None and np.shape(r) != tuple(shape):
            raise ArgumentError(f"{name} returned an array of shape {np.shape(r)}, but "
                                f"the input has shape {tuple(shape)}")
        return out
    if r is None or np.shape(r) != tuple(shape):
        raise ArgumentError(f"{name} must return an array of the input's shape "
                            f"{tuple(shape)}, got {None if r is None else np.shape(r)}")
    return np.asarray(r)


def _known(func: Callable[..., Any], names: Sequence[str]) -> str | None:
    import scipy.ndimage as sndi
    for n in names:
        if func is globals()[n] or func is getattr(sndi, n, None):
            return n
    return None


@docfiller
def generic_gradient_magnitude(input: ArrayLike, derivative: Callable[..., Any],
                               output: Output = None, mode: ModeOrSeq = "reflect",
                               cval: Scalar = 0.0, extra_arguments: Sequence[Any] = (),
                               extra_keywords: Mapping[str, Any] | None = None, *,
                               axes: Axes = None, workers: Workers = None) -> NDArray[Any]:
    """Gradient magnitude with a derivative callable
    (scipy.ndimage.generic_gradient_magnitude).

    ``derivative(input, axis, output, mode, cval, *extra_arguments,
    **extra_keywords)`` is called per axis in ``axes``; the result is
    ``sqrt(sum_a d_a**2)`` computed in the output type, as scipy does.
    With ``derivative`` = :func:`sobel` or :func:`prewitt` (pyfilter's or
    scipy's) on a 2-D float problem, both derivatives and the magnitude
    are computed in one fused sweep.

    Parameters
    ----------
    %(input)s
    derivative : callable
        See above; the first call writes into ``output``, later calls
        receive the output dtype and must return an array of the input's
        shape.
    %(output)s
    %(mode_multiple)s
        A sequence has one entry per axis in ``axes``: ``mode[i]`` is
        passed to the call for ``axes[i]``.
    %(cval)s
    extra_arguments : sequence, optional
        Extra positional arguments passed to the callable.
    extra_keywords : dict, optional
        Extra keyword arguments passed to the callable.
    %(axes)s
    workers : int, optional
        Threads for the fused path (the callable controls its own).

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> x = np.tile(np.arange(5.0), (5, 1))
    >>> ndimage.generic_gradient_magnitude(x, ndimage.sobel)[2]
    array([4., 8., 8., 8., 4.])
    """
    if extra_keywords is None:
        extra_keywords = {}
    V.check_callable(derivative, "derivative")
    input = V.check_array(input, "input")
    axs = V.normalize_axes(axes, input.ndim)
    modes = _modes(mode, len(axs))
    known = _known(derivative, ("sobel", "prewitt"))
    if known and not extra_arguments and not extra_keywords and input.dtype.kind != "c":
        # the derivative is scipy's (or our) sobel / prewitt: a bank
        smooth = [1.0, 2.0, 1.0] if known == "sobel" else [1.0, 1.0, 1.0]
        terms: list[Sequence[_Spec]] = []
        for a, m in zip(axs, modes):
            terms.append([(a, [-1.0, 0.0, 1.0], m, 0, None)]
                         + [(o, smooth, m, 0, None) for o in range(input.ndim) if o != a])
        return _bank_call(input, output, terms, (B.Out("hypot", range(len(terms))),),
                          cval)(input, output, workers)
    P.not_planned()
    result, target = V.get_output(output, input, input.shape, input.dtype.kind == "c")
    if not axs:
        np.copyto(target, input, casting="unsafe")
        return V.finish_output(result, target)
    mode_names = [mode] * len(axs) if isinstance(mode, str) else list(mode)
    _call_derivative(derivative, "derivative", input, axs[0], target, mode_names[0],
                     cval, extra_arguments, extra_keywords, input.shape)
    np.multiply(target, target, target)
    for a, name in zip(axs[1:], mode_names[1:]):
        tmp = _call_derivative(derivative, "derivative", input, a, target.dtype, name,
                               cval, extra_arguments, extra_keywords, input.shape)
        np.multiply(tmp, tmp, tmp)
        target += tmp
    np.sqrt(target, target, casting="unsafe")
    return V.finish_output(result, target)


@docfiller
def generic_laplace(input: ArrayLike, derivative2: Callable[..., Any], output: Output = None,
                    mode: ModeOrSeq = "reflect", cval: Scalar = 0.0,
                    extra_arguments: Sequence[Any] = (),
                    extra_keywords: Mapping[str, Any] | None = None, *, axes: Axes = None,
                    workers: Workers = None) -> NDArray[Any]:
    """Laplace filter with a second-derivative callable
    (scipy.ndimage.generic_laplace).

    ``derivative2(input, axis, output, mode, cval, *extra_arguments,
    **extra_keywords)`` is called per axis in ``axes`` and the results are
    summed in the output type, as scipy does.

    Parameters
    ----------
    %(input)s
    derivative2 : callable
        The first call writes into ``output``; later calls receive the
        output dtype and must return an array of the input's shape.
    %(output)s
    %(mode_multiple)s
        A sequence has one entry per axis in ``axes``: ``mode[i]`` is
        passed to the call for ``axes[i]``.
    %(cval)s
    extra_arguments : sequence, optional
        Extra positional arguments passed to the callable.
    extra_keywords : dict, optional
        Extra keyword arguments passed to the callable.
    %(axes)s
    workers : int, optional
        Accepted for uniformity (the callable controls its own threads).

    Returns
    -------
    result : ndarray
        The filtered array, of the shape of ``input``.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import ndimage
    >>> def d2(input, axis, output, mode, cval):
    ...     return ndimage.correlate1d(input, [1, -2, 1], axis, output, mode, cval)
    >>> x = np.zeros((5, 5)); x[2, 2] = 1
    >>> ndimage.generic_laplace(x, d2)[2, 1:4]
    array([ 1., -4.,  1.])
    """
    if extra_keywords is None:
        extra_keywords = {}
    V.check_callable(derivative2, "derivative2")
    input = V.check_array(input, "input")
    axs = V.normalize_axes(axes, input.ndim)
    _modes(mode, len(axs))
    P.not_planned()
    result, target = V.get_output(output, input, input.shape, input.dtype.kind == "c")
    if not axs:
        np.copyto(target, input, casting="unsafe")
        return V.finish_output(result, target)
    mode_names = [mode] * len(axs) if isinstance(mode, str) else list(mode)
    _call_derivative(derivative2, "derivative2", input, axs[0], target, mode_names[0],
                     cval, extra_arguments, extra_keywords, input.shape)
    for a, m in zip(axs[1:], mode_names[1:]):
        tmp = _call_derivative(derivative2, "derivative2", input, a, target.dtype, m,
                               cval, extra_arguments, extra_keywords, input.shape)
        target += tmp
    return V.finish_output(result, target)
