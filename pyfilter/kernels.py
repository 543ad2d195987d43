"""Filter kernels as arrays, and kernel utilities.

Every kernel here is in *correlation* orientation: passing it to
:func:`pyfilter.ndimage.correlate` (or ``cv2.filter2D``) gives the named
filter.  Derivative kernels are unnormalised unless stated (the scipy and
OpenCV convention).

Functions
---------
sobel, scharr, prewitt, farid
    N-D first-derivative kernels (derivative along ``axis``, smoothing
    along the others).
deriv_kernels
    OpenCV's ``getDerivKernels`` 1-D kernels (Sobel ksize 1, 3, 5, 7 and
    Scharr, ksize -1).
gaussian1d
    scipy.ndimage's sampled Gaussian (and derivatives).
laplacian
    OpenCV's Laplacian kernels (ksize 1 and 3), N-D.
box
    Normalised box (mean) kernel.
separate
    The 1-D factors of a rank-1 kernel, or None.
dilate
    A kernel with zeros inserted between its taps.
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._common import validate as V
from ._common.errors import ArgumentError
from ._common.typing import IntOrSeq
from ._ops import kernel as _kernel

__all__ = ["sobel", "scharr", "prewitt", "farid", "deriv_kernels", "gaussian1d",
           "laplacian", "box", "separate", "dilate"]


def __dir__() -> list[str]:
    return sorted(__all__)


FARID_SMOOTH, FARID_EDGE = _kernel.FARID_SMOOTH, _kernel.FARID_EDGE


def _binomial(n: int) -> NDArray[np.float64]:
    """Binomial smoothing kernel of length n (n >= 1)."""
    k = np.ones(1)
    for _ in range(n - 1):
        k = np.convolve(k, [1.0, 1.0])
    return k


def _sobel_1d(ksize: int, order: int) -> NDArray[np.float64]:
    """OpenCV's Sobel kernel of length ``ksize`` and derivative ``order``:
    binomial smoothing of length ``ksize - order`` convolved ``order``
    times with the difference ``[-1, 1]`` (correlation orientation)."""
    k = _binomial(ksize - order)
    for _ in range(order):
        k = np.convolve(k, [-1.0, 1.0])
    return k


def _outer_nd(ndim: int, axis: int, edge: ArrayLike, smooth: ArrayLike) -> NDArray[np.float64]:
    k = np.ones([1] * ndim)
    for a in range(ndim):
        v = np.asarray(edge if a == axis else smooth, dtype=np.float64)
        shape = [1] * ndim
        shape[a] = v.shape[0]
        k = k * v.reshape(shape)
    return k


def _check_ndim_axis(ndim: int, axis: int) -> tuple[int, int]:
    ndim = V.as_int(ndim, "ndim")
    if ndim < 1:
        raise ArgumentError(f"ndim must be >= 1, got {ndim}")
    axis = V.normalize_axis(axis, ndim)
    return ndim, axis


def sobel(ndim: int = 2, axis: int = -1, size: int = 3) -> NDArray[np.float64]:
    """N-D Sobel derivative kernel (correlation orientation, unnormalised).

    The derivative ``[-1, 0, 1]`` (size 3; OpenCV's larger apertures for 5
    and 7) along ``axis`` times the binomial smoothing ``[1, 2, 1]`` (size
    3) along every other axis: ``correlate(x, sobel(x.ndim, a))`` equals
    ``scipy.ndimage.sobel(x, a)`` for modes other than 'constant', and
    ``cv2.Sobel`` for 2-D.

    Parameters
    ----------
    ndim : int, optional
        Number of dimensions (>= 1).  Default 2.
    axis : int, optional
        Axis of the derivative.  Default -1.
    size : {3, 5, 7}, optional
        Aperture (OpenCV's ksize).  Default 3.

    Returns
    -------
    kernel : ndarray of float64, shape ``(size,) * ndim``

    See Also
    --------
    scharr, prewitt, farid, deriv_kernels, pyfilter.ndimage.sobel

    Examples
    --------
    >>> from pyfilter import kernels
    >>> kernels.sobel(2, axis=1)
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    """
    ndim, axis = _check_ndim_axis(ndim, axis)
    size = V.as_int(size, "size")
    if size not in (3, 5, 7):
        raise ArgumentError(f"size must be 3, 5 or 7 (OpenCV's Sobel apertures), got {size}")
    return _outer_nd(ndim, axis, _sobel_1d(size, 1), _sobel_1d(size, 0))


def scharr(ndim: int = 2, axis: int = -1, size: int = 3) -> NDArray[np.float64]:
    """N-D Scharr derivative kernel: ``[-1, 0, 1]`` along ``axis`` times
    ``[3, 10, 3]`` along the others (unnormalised, as ``cv2.Scharr``).

    Parameters
    ----------
    ndim : int, optional
        Number of dimensions (>= 1).  Default 2.
    axis : int, optional
        Axis of the derivative.  Default -1.
    size : int, optional
        Only 3.

    Returns
    -------
    kernel : ndarray of float64, shape ``(3,) * ndim``

    See Also
    --------
    sobel, pyfilter.filters.scharr

    Examples
    --------
    >>> from pyfilter import kernels
    >>> kernels.scharr(2, axis=0)
    array([[ -3., -10.,  -3.],
           [  0.,   0.,   0.],
           [  3.,  10.,   3.]])
    """
    ndim, axis = _check_ndim_axis(ndim, axis)
    if V.as_int(size, "size") != 3:
        raise ArgumentError(f"size must be 3 for the Scharr kernel, got {size}")
    return _outer_nd(ndim, axis, [-1.0, 0.0, 1.0], [3.0, 10.0, 3.0])


def prewitt(ndim: int = 2, axis: int = -1, size: int = 3) -> NDArray[np.float64]:
    """N-D Prewitt derivative kernel: ``[-1, 0, 1]`` along ``axis`` times
    ``[1, 1, 1]`` along the others (as scipy.ndimage.prewitt).

    Parameters
    ----------
    ndim : int, optional
        Number of dimensions (>= 1).  Default 2.
    axis : int, optional
        Axis of the derivative.  Default -1.
    size : int, optional
        Only 3.

    Returns
    -------
    kernel : ndarray of float64, shape ``(3,) * ndim``

    See Also
    --------
    sobel, pyfilter.ndimage.prewitt

    Examples
    --------
    >>> from pyfilter import kernels
    >>> kernels.prewitt(2, axis=1)
    array([[-1.,  0.,  1.],
           [-1.,  0.,  1.],
           [-1.,  0.,  1.]])
    """
    ndim, axis = _check_ndim_axis(ndim, axis)
    if V.as_int(size, "size") != 3:
        raise ArgumentError(f"size must be 3 for the Prewitt kernel, got {size}")
    return _outer_nd(ndim, axis, [-1.0, 0.0, 1.0], [1.0, 1.0, 1.0])


def farid(ndim: int = 2, axis: int = -1, size: int = 5) -> NDArray[np.float64]:
    """N-D Farid & Simoncelli derivative kernel (5 taps): the optimised
    derivative along ``axis`` times the matching interpolator along the
    others (the weights scikit-image uses, correlation orientation).

    Parameters
    ----------
    ndim : int, optional
        Number of dimensions (>= 1).  Default 2.
    axis : int, optional
        Axis of the derivative.  Default -1.
    size : int, optional
        Only 5.

    Returns
    -------
    kernel : ndarray of float64, shape ``(5,) * ndim``

    See Also
    --------
    sobel, pyfilter.filters.farid

    Examples
    --------
    >>> from pyfilter import kernels
    >>> kernels.farid(2, axis=1).shape
    (5, 5)
    """
    ndim, axis = _check_ndim_axis(ndim, axis)
    if V.as_int(size, "size") != 5:
        raise ArgumentError(f"size must be 5 for the Farid kernel, got {size}")
    return _outer_nd(ndim, axis, FARID_EDGE, FARID_SMOOTH)


def deriv_kernels(dx: int, dy: int, ksize: int,
                  normalize: bool = False) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """OpenCV's ``getDerivKernels``: 1-D kernels ``(kx, ky)`` whose outer
    product ``ky[:, None] * kx[None, :]`` is the Sobel (or Scharr)
    derivative of orders ``dx`` (along x, the columns) and ``dy``.

    Parameters
    ----------
    dx, dy : int
        Derivative orders (>= 0, not both 0).
    ksize : {1, 3, 5, 7, -1}
        Aperture: 1 (no smoothing, a 3-tap derivative), 3, 5, 7, or -1 for
        the 3x3 Scharr kernels (then ``dx + dy == 1``).  Each order must be
        smaller than the aperture (3 for ksize 1).
    normalize : bool, optional
        Scale each kernel as OpenCV does (Sobel: ``2 ** -(k - order - 1)``;
        Scharr smoothing ``1/32``).  Default False.

    Returns
    -------
    kx, ky : ndarray of float64

    Examples
    --------
    >>> from pyfilter import kernels
    >>> kernels.deriv_kernels(1, 0, 3)
    (array([-1.,  0.,  1.]), array([1., 2., 1.]))
    >>> kernels.deriv_kernels(0, 1, -1)
    (array([ 3., 10.,  3.]), array([-1.,  0.,  1.]))
    """
    dx = V.as_int(dx, "dx")
    dy = V.as_int(dy, "dy")
    ksize = V.as_int(ksize, "ksize")
    if ksize not in (1, 3, 5, 7, -1):
        raise ArgumentError(f"ksize must be one of 1, 3, 5, 7 or -1 (Scharr), got {ksize}")
    if dx < 0 or dy < 0 or dx + dy == 0:
        raise ArgumentError(f"derivative orders must be >= 0 with dx + dy > 0 (as OpenCV), "
                            f"got dx={dx}, dy={dy}")
    if ksize == -1:
        if not (dx + dy == 1):
            raise ArgumentError(f"the Scharr kernels (ksize=-1) need dx + dy == 1, got "
                                f"dx={dx}, dy={dy}")
        out = []
        for order in (dx, dy):
            if order == 1:
                out.append(np.array([-1.0, 0.0, 1.0]))
            else:
                smooth = np.array([3.0, 10.0, 3.0])
                out.append(smooth / 32.0 if normalize else smooth)
        return out[0], out[1]
    out = []
    for name, order in (("dx", dx), ("dy", dy)):
        k = ksize
        if k == 1 and order > 0:
            k = 3
        if order >= k:
            raise ArgumentError(f"{name}={order} is too large for ksize={ksize}: the order "
                                f"must be < {k}")
        kern = _sobel_1d(k, order)
        if normalize:
            kern = kern / float(1 << (k - order - 1))
        out.append(kern)
    return out[0], out[1]


def gaussian1d(sigma: float, order: int = 0, truncate: float = 4.0,
               radius: int | None = None) -> NDArray[np.float64]:
    """scipy.ndimage's 1-D Gaussian kernel (convolution orientation).

    Samples of the Gaussian of standard deviation ``sigma`` normalised to
    sum 1, or of its ``order``-th derivative, on ``-r..r`` with
    ``r = int(truncate * sigma + 0.5)`` unless ``radius`` is given.
    ``convolve1d(x, gaussian1d(s, n))`` equals
    ``gaussian_filter1d(x, s, order=n)``.

    Parameters
    ----------
    sigma : float
        Standard deviation (> 0).
    order : int, optional
        Derivative order, 0 to 3.  Default 0.
    truncate : float, optional
        Radius in standard deviations (>= 0).  Default 4.0.
    radius : int, optional
        The radius ``r``, overriding ``truncate``.

    Returns
    -------
    kernel : ndarray of float64, shape ``(2 r + 1,)``

    See Also
    --------
    pyfilter.ndimage.gaussian_filter1d

    Examples
    --------
    >>> from pyfilter import kernels
    >>> kernels.gaussian1d(1.0, truncate=1.0)
    array([0.27406862, 0.45186276, 0.27406862])
    """
    s = V.check_sigma(sigma, 1)[0]
    if s <= 0:
        raise ArgumentError(f"sigma must be > 0 for a Gaussian kernel, got {sigma!r}")
    order = V.check_orders(order, 1)[0]
    t = V.check_truncate(truncate)
    r = V.check_radius(radius, 1)[0]
    return _kernel.gaussian_kernel1d(s, order, _kernel.gaussian_radius(s, t, r))


def laplacian(ndim: int = 2, ksize: int = 1) -> NDArray[np.float64]:
    """OpenCV's Laplacian kernel, N-D.

    ksize 1: the sum of ``[1, -2, 1]`` along each axis (2-D:
    ``[[0, 1, 0], [1, -4, 1], [0, 1, 0]]``); ksize 3: the sum over axes of
    ``[1, -2, 1]`` along that axis times ``[1, 2, 1]`` along the others
    (2-D: ``[[2, 0, 2], [0, -8, 0], [2, 0, 2]]``).

    Parameters
    ----------
    ndim : int, optional
        Number of dimensions (>= 1).  Default 2.
    ksize : {1, 3}, optional
        OpenCV's aperture.  Default 1.

    Returns
    -------
    kernel : ndarray of float64, shape ``(3,) * ndim``

    See Also
    --------
    pyfilter.ndimage.laplace, pyfilter.filters.laplace

    Examples
    --------
    >>> from pyfilter import kernels
    >>> kernels.laplacian(2, ksize=3)
    array([[ 2.,  0.,  2.],
           [ 0., -8.,  0.],
           [ 2.,  0.,  2.]])
    """
    ndim = V.as_int(ndim, "ndim")
    if ndim < 1:
        raise ArgumentError(f"ndim must be >= 1, got {ndim}")
    ksize = V.as_int(ksize, "ksize")
    if ksize not in (1, 3):
        raise ArgumentError(f"ksize must be 1 or 3 (OpenCV's Laplacian apertures), got {ksize}")
    smooth = [0.0, 1.0, 0.0] if ksize == 1 else [1.0, 2.0, 1.0]
    k = np.zeros([3] * ndim)
    for a in range(ndim):
        k = k + _outer_nd(ndim, a, [1.0, -2.0, 1.0], smooth)
    return k


def box(size: IntOrSeq, normalize: bool = True) -> NDArray[np.float64]:
    """Box kernel of shape ``size`` (an int gives a 1-D kernel), summing to
    1 when ``normalize`` (the mean filter of ``uniform_filter`` /
    ``cv2.blur``).

    Parameters
    ----------
    size : int or sequence of int
        The kernel's shape (entries >= 1).
    normalize : bool, optional
        Divide by the number of taps.  Default True.

    Returns
    -------
    kernel : ndarray of float64, shape ``size``

    See Also
    --------
    pyfilter.ndimage.uniform_filter

    Examples
    --------
    >>> from pyfilter import kernels
    >>> kernels.box((2, 2))
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    if np.ndim(size) == 0:
        shape = [V.as_int(size, "size")]
    else:
        shape = [V.as_int(s, "size") for s in cast("Sequence[int]", size)]
    if not shape or any(s < 1 for s in shape):
        raise ArgumentError(f"size must contain integers >= 1, got {size!r}")
    k = np.ones(shape)
    if normalize:
        k /= k.size
    return k


def separate(kernel: ArrayLike,
             rtol: float = 1e-6) -> tuple[NDArray[np.float64 | np.complex128], ...] | None:
    """The 1-D factors of a separable (rank-1) kernel, or None.

    Returns a tuple of one 1-D array per dimension of ``kernel`` whose
    outer product equals it to within ``rtol`` (relative to the largest
    singular value, via an SVD of each unfolding), or None when the kernel
    is not rank 1.  Factors are taken from the kernel's own largest-pivot
    row and column, so integer kernels get exact factors.

    Parameters
    ----------
    kernel : array_like
        A numeric, non-empty kernel with at least one dimension.
    rtol : float, optional
        Tolerance (>= 0) relative to the largest singular value.  Default
        1e-6.

    Returns
    -------
    factors : tuple of ndarray, or None
        One float64 (complex128 for a complex kernel) 1-D array per
        dimension, or None when the kernel is not rank 1 (or not finite).

    See Also
    --------
    pyfilter.ndimage.correlate : ``method='separable'`` uses these factors.

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import kernels
    >>> u, v = kernels.separate(kernels.sobel(2, axis=1))
    >>> np.allclose(np.outer(u, v), kernels.sobel(2, axis=1))
    True
    >>> kernels.separate(np.eye(3)) is None
    True
    """
    k = np.asarray(kernel)
    if k.dtype.kind not in "biufc":
        raise TypeError(f"kernel must be numeric, got dtype {k.dtype}")
    if k.ndim == 0 or k.size == 0:
        raise ArgumentError(f"kernel must be a non-empty array with ndim >= 1, got shape {k.shape}")
    if (isinstance(rtol, (bool, np.bool_)) or not isinstance(rtol, numbers.Real)
            or not float(rtol) >= 0):
        raise ArgumentError(f"rtol must be a number >= 0, got {rtol!r}")
    k = k.astype(np.complex128 if k.dtype.kind == "c" else np.float64)
    return _kernel.separate(k, float(rtol))


def dilate(kernel: ArrayLike, dilation: IntOrSeq) -> NDArray[Any]:
    """The kernel with ``dilation - 1`` zeros inserted between taps along
    each axis.

    Correlating with ``dilate(k, d)`` equals correlating with ``k`` and
    ``dilation=d`` in :func:`pyfilter.filters.correlate`.

    Parameters
    ----------
    kernel : array_like
        A kernel with at least one dimension.
    dilation : int or sequence of int
        Spacing of the taps, one value for every axis or one per axis
        (>= 1).

    Returns
    -------
    kernel : ndarray
        Of length ``(n - 1) * d + 1`` along each axis, the dtype of
        ``kernel``.

    See Also
    --------
    pyfilter.filters.correlate

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import kernels
    >>> kernels.dilate(np.array([1.0, 2.0, 3.0]), 2)
    array([1., 0., 2., 0., 3.])
    """
    k = np.asarray(kernel)
    if k.ndim == 0:
        raise ArgumentError("kernel must have at least one dimension")
    d = V.int_sequence(dilation, k.ndim, "dilation", minimum=1)
    shape = [(n - 1) * di + 1 if n > 0 else 0 for n, di in zip(k.shape, d)]
    for n, di in zip(shape, d):
        if n > V.MAX_SPAN:
            raise ArgumentError(f"dilation={dilation!r} makes a kernel of {n} taps along an "
                                f"axis; at most {V.MAX_SPAN} are supported")
    out = np.zeros(shape, dtype=k.dtype)
    out[tuple(slice(None, None, di) for di in d)] = k
    return out
