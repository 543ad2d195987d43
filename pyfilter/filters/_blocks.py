"""scikit-image's block_reduce on the window-reduction engine."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._common import validate as V
from .._common.docs import docfiller
from .._common.errors import ArgumentError
from .._common.typing import IntOrSeq, Plan, Scalar, Workers
from .._ops import plans as P
from .._ops import reduce as _reduce

__all__ = ["block_reduce"]

_CACHE = P.Cache(64)


_FAST_FUNCS = {np.max: "max", np.amax: "max", np.min: "min", np.amin: "min",
               np.mean: "mean", np.sum: "sum"}


def _fast_kind(func: Callable[..., Any], dtype: np.dtype[Any],
               func_kwargs: Mapping[str, Any], nblock: int) -> str | None:
    """Which engine path serves ``func`` on ``dtype`` exactly, or None."""
    try:
        kind = _FAST_FUNCS.get(func)
    except TypeError:  # unhashable callable
        return None
    if kind is None or func_kwargs:
        return None
    if dtype.kind not in "biuf" or dtype == np.float16 or not dtype.isnative:
        return None
    if kind in ("sum", "mean") and dtype.kind in "iu":
        # sums are accumulated in float64: exact while |sum| < 2**53
        if dtype.itemsize > 4 or (dtype.itemsize == 4 and nblock > 2 ** 21):
            return None
    return kind


@docfiller
def block_reduce(image: ArrayLike, block_size: IntOrSeq = 2,
                 func: Callable[..., Any] = np.sum, cval: Scalar = 0,
                 func_kwargs: Mapping[str, Any] | None = None, *,
                 workers: Workers = None) -> NDArray[Any]:
    """Downsample by applying ``func`` to non-overlapping blocks
    (skimage.measure.block_reduce).

    The image is padded at the end of every axis with ``cval`` to a
    multiple of the block size (as ``np.pad(mode='constant')`` casts it),
    then ``func(blocks, axis=<block axes>, **func_kwargs)`` reduces each
    block.  ``np.max``, ``np.min``, ``np.mean`` and ``np.sum`` (without
    ``func_kwargs``) run on the window-reduction engine, with numpy's
    result dtypes; any other callable is applied to a block view of the
    padded image, exactly as scikit-image does.

    Parameters
    ----------
    image : array_like
        N-dimensional input image.
    block_size : int or sequence of int, optional
        Block length per axis (>= 1); an int applies to every axis.
    func : callable, optional
        Reduction taking an ``axis`` argument.  Default ``np.sum``.
    cval : scalar, optional
        Padding value where the image is not a multiple of the block size.
    func_kwargs : dict, optional
        Extra keyword arguments for ``func`` (e.g. ``{'dtype': np.float32}``);
        any given send the call to the generic path.
    %(workers)s
        Only the engine paths use it.

    Returns
    -------
    image : ndarray
        Of shape ``ceil(image.shape / block_size)``, in the dtype ``func``
        returns (the engine paths give numpy's result dtypes).

    See Also
    --------
    pyfilter.nn.max_pool2d, pyfilter.nn.avg_pool2d

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> image = np.arange(3 * 3 * 4).reshape(3, 3, 4)
    >>> filters.block_reduce(image, block_size=(3, 3, 1), func=np.mean)
    array([[[16., 17., 18., 19.]]])
    >>> filters.block_reduce(image, block_size=(1, 3, 4), func=np.max)
    array([[[11]],
    <BLANKLINE>
           [[23]],
    <BLANKLINE>
           [[35]]])
    >>> filters.block_reduce(np.arange(5.0), 2, func=np.median)
    array([0.5, 2.5, 2. ])
    """
    V.check_callable(func, "func")
    try:
        kind = _FAST_FUNCS.get(func)
    except TypeError:  # unhashable callable
        kind = None
    if kind is not None and not func_kwargs:
        # np.max, np.amax, ... : the signature (with the kind, not the
        # function object) determines the plan
        def plan(arr: NDArray[Any]) -> Plan:
            return _plan(arr, block_size, func, cval, {})
        return P.run_cached(_CACHE, "block_reduce", image, None, (block_size, kind, cval),
                            plan, workers, np.asarray)
    return _plan(np.asarray(image), block_size, func, cval, func_kwargs)(image, None, workers)


class _Generic:
    """``func`` applied to a block view of the padded image, as
    scikit-image does (no plan of its own)."""

    def __init__(self, func: Callable[..., Any], blocks: Sequence[int], cval: Scalar,
                 func_kwargs: Mapping[str, Any]) -> None:
        self.func = func
        self.blocks = blocks
        self.cval = cval
        self.func_kwargs = func_kwargs

    def __call__(self, image: ArrayLike, output: None, workers: Workers) -> Any:
        P.not_planned()
        arr = np.asarray(image)
        ndim = arr.ndim
        blocks = self.blocks
        pad = [(-n) % b for n, b in zip(arr.shape, blocks)]
        if any(pad):
            arr = np.pad(arr, [(0, p) for p in pad], mode="constant",
                         constant_values=self.cval)
        shape = tuple(n // b for n, b in zip(arr.shape, blocks)) + tuple(blocks)
        strides = tuple(st * b for st, b in zip(arr.strides, blocks)) + arr.strides
        view = np.lib.stride_tricks.as_strided(arr, shape, strides, writeable=False)
        return self.func(view, axis=tuple(range(ndim, 2 * ndim)), **self.func_kwargs)


def _plan(arr: NDArray[Any], block_size: Any, func: Callable[..., Any], cval: Scalar,
          func_kwargs: Mapping[str, Any] | None) -> Plan:
    """Validate a call and plan it: the engine's planned call, or the
    generic path."""
    ndim = arr.ndim
    if np.ndim(block_size) == 0:
        blocks = V.int_sequence(block_size, ndim, "block_size")
    else:
        blocks = list(block_size)
        if len(blocks) != ndim:
            raise ArgumentError(f"block_size must be an int or have one entry per axis of "
                                f"image ({ndim}), got {block_size!r}")
        blocks = V.int_sequence(blocks, ndim, "block_size")
    for b, n in zip(blocks, arr.shape):
        if b < 1:
            raise ArgumentError(f"block_size entries must be >= 1, got {block_size!r} "
                                "(use skimage.transform.resize to upsample)")
        if b > max(n, V.MAX_SPAN):
            raise ArgumentError(f"block_size={block_size!r}: a block of {b} along an axis "
                                f"of {n} would pad it to {b}; at most {V.MAX_SPAN} "
                                "(or the axis length) is supported")
    if func_kwargs is None:
        func_kwargs = {}
    pad = [(-n) % b for n, b in zip(arr.shape, blocks)]
    kind = _fast_kind(func, arr.dtype, func_kwargs, int(np.prod(blocks)))
    # the padding value as np.pad stores it in the image's dtype
    fill = V.pad_value(cval, arr.dtype) if any(pad) else 0
    if kind is None or ndim == 0:
        return _Generic(func, blocks, cval, func_kwargs)
    return _reduce.block_call(arr, blocks, kind, fill)
