"""scikit-image style grey morphology (skimage.morphology: erosion,
dilation, opening, closing, white_tophat, black_tophat) with flat
footprints, on the window-reduction op.

scikit-image's rules, reproduced step for step:

* every footprint (or element of a footprint sequence) is padded to odd
  lengths with a False entry at the start of an even axis;
* an erosion is the minimum over the footprint; a dilation the maximum
  over the same footprint, *not* reflected (scikit-image mirrors it
  before scipy's grey_dilation mirrors it back); opening and closing
  reflect the footprint for their second step;
* a footprint sequence runs its elements in order, each its number of
  times (the first at least once), every repetition after the first
  reading the result so far (in the output's dtype);
* mode 'max' / 'min' is mode 'constant' with the dtype's extreme value;
  'ignore' is 'max' for an erosion and 'min' for a dilation;
* an all-True footprint is scipy's separable path (a box on the
  reduction op, the fill value compared as a float), any other
  footprint its N-D path (the fill value converted to an integer
  image's type first).
"""
from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._common import validate as V
from .._common.docs import docfiller
from .._common.errors import ArgumentError, ArgumentTypeError
from .._common.typing import Footprint, MorphMode, Plan, Scalar, Workers
from .._ops import morphology as M
from .._ops import plans as P
from .._ops import reduce as _reduce

__all__ = ["erosion", "dilation", "opening", "closing", "white_tophat", "black_tophat"]

_CACHE = P.Cache(128)
_MODES = ("reflect", "constant", "nearest", "mirror", "wrap", "max", "min", "ignore")

#: footprints as the steps use them: (bool array of odd lengths, repetitions)
_Steps = list[tuple[NDArray[np.bool_], int]]


def _check_image(image: ArrayLike) -> NDArray[Any]:
    x = V.check_array(image, "image", min_ndim=1)
    if x.dtype.kind == "c":
        raise ArgumentTypeError(f"image has dtype {x.dtype}: complex images are not "
                                "supported")
    return x


def _is_sequence(footprint: Any) -> bool:
    """scikit-image's test for a decomposed footprint: a sequence (not an
    array) of (ndarray, integer) pairs."""
    if hasattr(footprint, "__array_interface__") or not isinstance(footprint, Sequence):
        return False
    return len(footprint) > 0 and all(
        isinstance(t, Sequence) and len(t) == 2 and hasattr(t[0], "__array_interface__")
        and isinstance(t[1], Integral) for t in footprint)


def _pad(fp: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """``fp`` padded with False at the start of every even axis."""
    if all(k & 1 for k in fp.shape):
        return fp
    return np.pad(fp, [((1, 0) if not k & 1 else (0, 0)) for k in fp.shape])


def _footprints(footprint: Footprint | None, ndim: int) -> _Steps:
    """The validated, padded footprints of a call with their repetitions."""
    if footprint is None:
        return [(M.cross(ndim), 1)]
    if _is_sequence(footprint):
        pairs = cast("Sequence[tuple[NDArray[Any], int]]", footprint)
        return [(_pad(V.check_footprint(fp, ndim, f"footprint[{k}][0]")), int(n))
                for k, (fp, n) in enumerate(pairs)]
    return [(_pad(V.check_footprint(footprint, ndim, "footprint")), 1)]


def _mirrored(fps: _Steps) -> _Steps:
    return [(np.ascontiguousarray(M.reflect(fp)), n) for fp, n in fps]


def _mode(mode: Any, dtype: np.dtype[Any], cval: Any, ignore: str) -> tuple[int, float]:
    """(mode code, fill value): 'ignore' becomes ``ignore``; 'max' / 'min'
    become 'constant' with the extreme value of ``dtype``."""
    if not isinstance(mode, str) or mode not in _MODES:
        raise ArgumentError(f"mode={mode!r} is not supported; expected one of "
                            f"{list(_MODES)}")
    cv = V.check_cval(cval, False)
    if mode == "ignore":
        mode = ignore
    if mode in ("max", "min"):
        big = mode == "max"
        if dtype == np.bool_:
            cv = 1.0 if big else 0.0
        elif dtype.kind in "iu":
            info = np.iinfo(dtype)
            cv = float(info.max if big else info.min)
        else:
            cv = np.inf if big else -np.inf
        mode = "constant"
    return V.mode_code(mode), cv


def _out(out: NDArray[Any] | None, x: NDArray[Any]) -> NDArray[Any]:
    """The array every step writes: ``out`` (checked) or a new one like
    the image."""
    if out is None:
        return np.empty_like(x)
    if not isinstance(out, np.ndarray):
        raise ArgumentTypeError(f"out must be an ndarray or None, got {type(out).__name__}")
    if out.dtype.kind == "c":
        raise ArgumentTypeError(f"out has dtype {out.dtype}: a complex output is not "
                                "supported")
    V.get_output(out, x, x.shape, name="out")
    return out


def _plan_step(src: NDArray[Any], target: NDArray[Any], fp: NDArray[np.bool_], code: int,
               cval: float, op: int) -> Plan:
    bases = [-(k // 2) for k in fp.shape]
    if fp.all():
        return _reduce.minmax_call(src, target, list(fp.shape), bases, [code] * src.ndim,
                                   cval, op)
    return _reduce.footprint_call(src, target, fp, bases, code, cval, op)


def _step(src: NDArray[Any], fp: NDArray[np.bool_], out: NDArray[Any], code: int,
          cval: float, op: int, workers: Workers) -> NDArray[Any]:
    """One planned minimum (erosion) or maximum (dilation) of ``src`` over
    ``fp`` (centred: odd lengths) into ``out``."""
    def plan(src: NDArray[Any]) -> Plan:
        return _plan_step(src, out, fp, code, cval, op)
    result: NDArray[Any] = P.run_cached(_CACHE, "step", src, out, (fp, code, cval, op), plan,
                                        workers, _check_image)
    return result


def _apply(x: NDArray[Any], fps: _Steps, out: NDArray[Any], code: int, cval: float, op: int,
           workers: Workers) -> NDArray[Any]:
    """scikit-image's iteration over a footprint sequence: the first
    element reads the image, every later repetition the result so far."""
    if len(fps) > 1 or fps[0][1] > 1:
        P.not_planned()     # several steps: no single halo
    fp, n = fps[0]
    _step(x, fp, out, code, cval, op, workers)
    for _ in range(1, n):
        _step(out, fp, out, code, cval, op, workers)
    for fp, n in fps[1:]:
        for _ in range(n):
            _step(out, fp, out, code, cval, op, workers)
    return out


def _erode(x: NDArray[Any], fps: _Steps, out: NDArray[Any] | None, mode: Any, cval: Any,
           workers: Workers) -> NDArray[Any]:
    code, cv = _mode(mode, x.dtype, cval, "max")
    return _apply(x, fps, _out(out, x), code, cv, _reduce.OP_MIN, workers)


def _dilate(x: NDArray[Any], fps: _Steps, out: NDArray[Any] | None, mode: Any, cval: Any,
            workers: Workers) -> NDArray[Any]:
    code, cv = _mode(mode, x.dtype, cval, "min")
    return _apply(x, fps, _out(out, x), code, cv, _reduce.OP_MAX, workers)


def _open(x: NDArray[Any], fps: _Steps, out: NDArray[Any] | None, mode: Any, cval: Any,
          workers: Workers) -> NDArray[Any]:
    _mode(mode, x.dtype, cval, "max")
    _out(out, x)
    P.not_planned()
    eroded = _erode(x, fps, None, mode, cval, workers)
    return _dilate(eroded, _mirrored(fps), out, mode, cval, workers)


def _close(x: NDArray[Any], fps: _Steps, out: NDArray[Any] | None, mode: Any, cval: Any,
           workers: Workers) -> NDArray[Any]:
    _mode(mode, x.dtype, cval, "max")
    _out(out, x)
    P.not_planned()
    dilated = _dilate(x, fps, None, mode, cval, workers)
    return _erode(dilated, _mirrored(fps), out, mode, cval, workers)


@docfiller
def erosion(image: ArrayLike, footprint: Footprint | None = None,
            out: NDArray[Any] | None = None, *, mode: MorphMode = "reflect",
            cval: Scalar = 0.0, workers: Workers = None) -> NDArray[Any]:
    """Grey erosion with a flat footprint (skimage.morphology.erosion).

    ``out[i]`` is the minimum of the image over the footprint centred at
    ``i`` (the image extended by ``mode``): bright regions shrink, dark
    ones grow.  The result has the image's dtype (or ``out``'s).

    Parameters
    ----------
    %(morph_image)s
    %(morph_footprint)s
    %(morph_out)s
    %(morph_mode)s
    %(morph_cval)s
    %(workers)s

    Returns
    -------
    eroded : ndarray
        The eroded image (``out`` when given).

    See Also
    --------
    dilation, opening, pyfilter.ndimage.grey_erosion

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import morphology
    >>> img = np.array([[0, 0, 0, 0, 0],
    ...                 [0, 1, 1, 1, 0],
    ...                 [0, 1, 1, 1, 0],
    ...                 [0, 1, 1, 1, 0],
    ...                 [0, 0, 0, 0, 0]], dtype=np.uint8)
    >>> morphology.erosion(img, np.ones((3, 3)))
    array([[0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 0, 1, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0]], dtype=uint8)
    >>> morphology.erosion(np.full((2, 3), 7.0), mode="constant", cval=1.0)
    array([[1., 1., 1.],
           [1., 1., 1.]])
    """
    x = _check_image(image)
    return _erode(x, _footprints(footprint, x.ndim), out, mode, cval, workers)


@docfiller
def dilation(image: ArrayLike, footprint: Footprint | None = None,
             out: NDArray[Any] | None = None, *, mode: MorphMode = "reflect",
             cval: Scalar = 0.0, workers: Workers = None) -> NDArray[Any]:
    """Grey dilation with a flat footprint (skimage.morphology.dilation).

    ``out[i]`` is the maximum of the image over the footprint centred at
    ``i`` (the image extended by ``mode``): bright regions grow.  As in
    scikit-image the footprint is not reflected (unlike
    :func:`pyfilter.ndimage.grey_dilation`): for an asymmetric footprint
    ``dilation(x, fp)`` is ``ndimage.grey_dilation(x, footprint=fp[::-1, ::-1])``.
    The result has the image's dtype (or ``out``'s).

    Parameters
    ----------
    %(morph_image)s
    %(morph_footprint)s
    %(morph_out)s
    %(morph_mode)s
    %(morph_cval)s
    %(workers)s

    Returns
    -------
    dilated : ndarray
        The dilated image (``out`` when given).

    See Also
    --------
    erosion, closing, pyfilter.ndimage.grey_dilation

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import morphology
    >>> img = np.zeros((5, 5), dtype=np.uint8)
    >>> img[2, 2] = 1
    >>> morphology.dilation(img)
    array([[0, 0, 0, 0, 0],
           [0, 0, 1, 0, 0],
           [0, 1, 1, 1, 0],
           [0, 0, 1, 0, 0],
           [0, 0, 0, 0, 0]], dtype=uint8)
    >>> morphology.dilation(img, np.array([[1, 1, 0], [0, 1, 0], [0, 0, 0]]))
    array([[0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 0, 1, 0, 0],
           [0, 0, 1, 1, 0],
           [0, 0, 0, 0, 0]], dtype=uint8)
    """
    x = _check_image(image)
    return _dilate(x, _footprints(footprint, x.ndim), out, mode, cval, workers)


@docfiller
def opening(image: ArrayLike, footprint: Footprint | None = None,
            out: NDArray[Any] | None = None, *, mode: MorphMode = "reflect",
            cval: Scalar = 0.0, workers: Workers = None) -> NDArray[Any]:
    """Grey opening: erosion, then dilation (skimage.morphology.opening).

    The erosion with the footprint (into an array like the image), then
    the dilation of that with the reflected footprint into ``out``: it
    removes bright details smaller than the footprint.  With mode
    'ignore' the erosion uses 'max' and the dilation 'min'.

    Parameters
    ----------
    %(morph_image)s
    %(morph_footprint)s
    %(morph_out)s
    %(morph_mode)s
    %(morph_cval)s
    %(workers)s

    Returns
    -------
    opening : ndarray
        The opened image (``out`` when given).

    See Also
    --------
    closing, white_tophat, pyfilter.ndimage.grey_opening

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import morphology
    >>> img = np.array([[1, 0, 0, 0, 1],
    ...                 [1, 1, 0, 1, 1],
    ...                 [1, 1, 1, 1, 1],
    ...                 [1, 1, 0, 1, 1],
    ...                 [1, 0, 0, 0, 1]], dtype=np.uint8)
    >>> morphology.opening(img, np.ones((3, 3)))
    array([[0, 0, 0, 0, 0],
           [1, 1, 0, 1, 1],
           [1, 1, 0, 1, 1],
           [1, 1, 0, 1, 1],
           [0, 0, 0, 0, 0]], dtype=uint8)
    """
    x = _check_image(image)
    return _open(x, _footprints(footprint, x.ndim), out, mode, cval, workers)


@docfiller
def closing(image: ArrayLike, footprint: Footprint | None = None,
            out: NDArray[Any] | None = None, *, mode: MorphMode = "reflect",
            cval: Scalar = 0.0, workers: Workers = None) -> NDArray[Any]:
    """Grey closing: dilation, then erosion (skimage.morphology.closing).

    The dilation with the footprint (into an array like the image), then
    the erosion of that with the reflected footprint into ``out``: it
    fills dark details smaller than the footprint.  With mode 'ignore'
    the dilation uses 'min' and the erosion 'max'.

    Parameters
    ----------
    %(morph_image)s
    %(morph_footprint)s
    %(morph_out)s
    %(morph_mode)s
    %(morph_cval)s
    %(workers)s

    Returns
    -------
    closing : ndarray
        The closed image (``out`` when given).

    See Also
    --------
    opening, black_tophat, pyfilter.ndimage.grey_closing

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import morphology
    >>> img = np.array([[1, 0, 0, 0, 1],
    ...                 [1, 1, 0, 1, 1],
    ...                 [1, 1, 1, 1, 1],
    ...                 [1, 1, 0, 1, 1],
    ...                 [1, 0, 0, 0, 1]], dtype=np.uint8)
    >>> morphology.closing(img, np.ones((3, 3)))
    array([[1, 1, 1, 1, 1],
           [1, 1, 1, 1, 1],
           [1, 1, 1, 1, 1],
           [1, 1, 1, 1, 1],
           [1, 1, 1, 1, 1]], dtype=uint8)
    """
    x = _check_image(image)
    return _close(x, _footprints(footprint, x.ndim), out, mode, cval, workers)


@docfiller
def white_tophat(image: ArrayLike, footprint: Footprint | None = None,
                 out: NDArray[Any] | None = None, *, mode: MorphMode = "reflect",
                 cval: Scalar = 0.0, workers: Workers = None) -> NDArray[Any]:
    """White top-hat: image - opening (skimage.morphology.white_tophat).

    The bright details smaller than the footprint.  Computed as
    scikit-image does: the opening into ``out``, then
    ``np.subtract(image, out, out=out)`` (integer types wrap, numpy's
    casting rules); a bool ``out`` takes the exclusive or instead.  When
    ``out`` is the image itself, the opening goes to a temporary and is
    subtracted in place.

    Parameters
    ----------
    %(morph_image)s
    %(morph_footprint)s
    %(morph_out)s
    %(morph_mode)s
    %(morph_cval)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The top-hat (``out`` when given).

    See Also
    --------
    black_tophat, opening, pyfilter.ndimage.white_tophat

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import morphology
    >>> img = np.array([[0, 0, 0, 0, 0],
    ...                 [0, 2, 3, 2, 0],
    ...                 [0, 3, 9, 3, 0],
    ...                 [0, 2, 3, 2, 0],
    ...                 [0, 0, 0, 0, 0]], dtype=np.uint8)
    >>> morphology.white_tophat(img)
    array([[0, 0, 0, 0, 0],
           [0, 2, 0, 2, 0],
           [0, 0, 6, 0, 0],
           [0, 2, 0, 2, 0],
           [0, 0, 0, 0, 0]], dtype=uint8)
    """
    x = _check_image(image)
    fps = _footprints(footprint, x.ndim)
    if out is image:
        opened = _open(x, fps, None, mode, cval, workers)
        if opened.dtype == np.bool_:
            np.logical_xor(out, opened, out=out)
        else:
            out -= opened
        return out
    res = _open(x, fps, out, mode, cval, workers)
    if res.dtype == np.bool_:
        np.logical_xor(x, res, out=res)
    else:
        np.subtract(x, res, out=res)
    return res


@docfiller
def black_tophat(image: ArrayLike, footprint: Footprint | None = None,
                 out: NDArray[Any] | None = None, *, mode: MorphMode = "reflect",
                 cval: Scalar = 0.0, workers: Workers = None) -> NDArray[Any]:
    """Black top-hat: closing - image (skimage.morphology.black_tophat).

    The dark details smaller than the footprint (as bright values).
    Computed as scikit-image does: the closing into ``out``, then
    ``out -= image`` (integer types wrap, numpy's casting rules); a bool
    ``out`` takes the exclusive or instead.  When ``out`` is the image
    itself, the closing goes to a temporary.

    Parameters
    ----------
    %(morph_image)s
    %(morph_footprint)s
    %(morph_out)s
    %(morph_mode)s
    %(morph_cval)s
    %(workers)s

    Returns
    -------
    out : ndarray
        The top-hat (``out`` when given).

    See Also
    --------
    white_tophat, closing, pyfilter.ndimage.black_tophat

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import morphology
    >>> img = np.array([[7, 7, 7, 7, 7],
    ...                 [7, 6, 5, 6, 7],
    ...                 [7, 5, 0, 5, 7],
    ...                 [7, 6, 5, 6, 7],
    ...                 [7, 7, 7, 7, 7]], dtype=np.uint8)
    >>> morphology.black_tophat(img)
    array([[0, 0, 0, 0, 0],
           [0, 1, 0, 1, 0],
           [0, 0, 5, 0, 0],
           [0, 1, 0, 1, 0],
           [0, 0, 0, 0, 0]], dtype=uint8)
    """
    x = _check_image(image)
    fps = _footprints(footprint, x.ndim)
    if out is image:
        closed = _close(x, fps, None, mode, cval, workers)
        if closed.dtype == np.bool_:
            np.logical_xor(closed, out, out=out)
        else:
            np.subtract(closed, out, out=out)
        return out
    res = _close(x, fps, out, mode, cval, workers)
    if res.dtype == np.bool_:
        np.logical_xor(res, x, out=res)
    else:
        res -= x
    return res
