"""Mathematical morphology with flat structuring elements, composed from
the window-reduction op (:mod:`pyfilter._ops.reduce`).

Dialect-neutral: the callers pass validated arrays and callables that run
one planned erosion or dilation (``step(src, output) -> result``).  What
happens here is composition only:

* the reflection of a structuring element and of its origins, which turns
  a dilation into a maximum over the reflected window;
* the iteration of a binary step (a fixed count, or until the result
  stops changing), with a mask that keeps the input where it is False;
* the differences of the composite grey operators (gradient, Laplacian,
  top-hats), written with numpy's ufuncs in the order and dtypes that
  scipy.ndimage uses, so that wrap-around in integer types and the
  ufuncs' casting errors are scipy's.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: one planned erosion or dilation, ``step(src, output) -> result``
_Step: TypeAlias = Callable[[ArrayLike, Any], NDArray[Any]]


def cross(rank: int) -> NDArray[np.bool_]:
    """The rank-``rank`` structuring element of connectivity one (the
    centre and its 2 * rank direct neighbours), as a bool array of shape
    (3,) * rank; a 0-d True for rank 0."""
    if rank < 1:
        return np.array(True)
    idx = np.indices((3,) * rank)
    return np.abs(idx - 1).sum(axis=0) <= 1


def reflect(window: ArrayLike) -> NDArray[Any]:
    """``window`` reversed along every axis (a small parameter array)."""
    window = np.asarray(window)
    return window[(slice(None, None, -1),) * window.ndim]


def reflected_origins(origins: Sequence[int], lengths: Sequence[int]) -> list[int]:
    """The origins of a reflected window: ``-o``, and one less where the
    window length is even (a reflection maps the centre ``L // 2`` of an
    even window to ``L // 2 - 1``)."""
    return [-o - (0 if L & 1 else 1) for o, L in zip(origins, lengths)]


def iterate(step: Callable[[NDArray[np.bool_]], NDArray[np.bool_]], x: NDArray[np.bool_],
            iterations: int, mask: NDArray[np.bool_] | None) -> NDArray[np.bool_]:
    """Repeat the binary ``step`` (``step(src) -> new bool array``) from the
    bool array ``x``: ``iterations`` times, or, when ``iterations < 1``,
    until a repetition changes nothing (at least once).  Where ``mask``
    (bool, x's shape, or None) is False every repetition keeps the value
    of ``x``.  Returns a new bool array."""
    keep = None if mask is None else ~mask

    def once(src: NDArray[np.bool_]) -> NDArray[np.bool_]:
        out = step(src)
        if keep is not None:
            np.copyto(out, x, where=keep)
        return out

    cur = once(x)
    if iterations < 1:
        changed = not np.array_equal(cur, x)
        while changed:
            nxt = once(cur)
            changed = not np.array_equal(nxt, cur)
            cur = nxt
    else:
        for _ in range(iterations - 1):
            cur = once(cur)
    return cur


def gradient(dilate: _Step, erode: _Step, x: ArrayLike, output: Any) -> NDArray[Any]:
    """dilation - erosion (scipy's morphological_gradient): into
    ``output`` when it is an array (the erosion written there first), else
    in the dtype of the results."""
    tmp = dilate(x, None)
    if isinstance(output, np.ndarray):
        erode(x, output)
        return np.subtract(tmp, output, output)
    return tmp - erode(x, None)


def laplace(dilate: _Step, erode: _Step, x: NDArray[Any], output: Any) -> NDArray[Any]:
    """dilation + erosion - 2 x (scipy's morphological_laplace, in its
    order: the sum and both subtractions in the result's dtype)."""
    tmp1 = dilate(x, None)
    if isinstance(output, np.ndarray):
        erode(x, output)
        np.add(tmp1, output, output)
        np.subtract(output, x, output)
        return np.subtract(output, x, output)
    tmp2 = erode(x, None)
    np.add(tmp1, tmp2, tmp2)
    np.subtract(tmp2, x, tmp2)
    np.subtract(tmp2, x, tmp2)
    return tmp2


def white_tophat(opening: NDArray[Any], x: NDArray[Any]) -> NDArray[Any]:
    """x - opening (in place in ``opening``, the result's array); for bool
    x and a bool result the exclusive or (scipy's rule)."""
    if x.dtype == np.bool_ and opening.dtype == np.bool_:
        return np.bitwise_xor(x, opening, out=opening)
    return np.subtract(x, opening, out=opening)


def black_tophat(closing: NDArray[Any], x: NDArray[Any]) -> NDArray[Any]:
    """closing - x (in place in ``closing``); for bool x and a bool result
    the exclusive or (scipy's rule)."""
    if x.dtype == np.bool_ and closing.dtype == np.bool_:
        return np.bitwise_xor(closing, x, out=closing)
    return np.subtract(closing, x, out=closing)
