"""scikit-image style filters, plus correlation with CNN-course extras.

Functions here take ``image`` first and keyword-only options.  Every
function accepts ``channel_axis``: that axis is not filtered (each channel
gets the same kernel).
"""
import numpy as np

from . import _core
from . import _reduce
from . import _validate as V
from ._docs import docfiller
from ._shapes import conv_output_length
from . import _separable
from . import _sk_separable
from ._sk_separable import (  # noqa: F401  (issue 3: edges, smoothing, gradients)
    sobel, sobel_h, sobel_v, scharr, scharr_h, scharr_v, prewitt, prewitt_h,
    prewitt_v, farid, farid_h, farid_v, gaussian, difference_of_gaussians, laplace,
    gradient, gradient_magnitude_orientation)

__all__ = ["correlate", "convolve", "block_reduce"] + _sk_separable.__all__

_SHAPES = ("same", "valid", "full")


def _geometry(image_shape, kshape, faxes, shape, stride, dilation, origin,
              convolution):
    """Per-filtered-axis base offset and output length.

    With the dilated kernel length ``Ld = d (L - 1) + 1`` and output index
    ``o``, tap ``k`` reads input ``o * s + b + k * d`` where
    ``b = -(Ld // 2 + origin)`` ('same'), ``0`` ('valid') or
    ``-(Ld - 1)`` ('full').
    """
    bases, lengths = [], []
    for i, a in enumerate(faxes):
        n, L, s, d, o = image_shape[a], kshape[i], stride[i], dilation[i], origin[i]
        Ld = d * (L - 1) + 1
        if shape == "same":
            V.check_origins([o], [Ld])
            if convolution:
                o = -o - (1 - (Ld & 1))
            b = -(Ld // 2 + o)
            pad = (Ld // 2 + o, Ld - 1 - (Ld // 2 + o))
        elif shape == "valid":
            if n < Ld:
                raise ValueError(
                    f"shape='valid' needs the (dilated) kernel to fit inside the image: "
                    f"kernel length {Ld} > image length {n} along axis {a}")
            b = 0
            pad = (0, 0)
        else:
            b = -(Ld - 1)
            pad = (Ld - 1, Ld - 1)
        length = conv_output_length(n, L, s, pad, d)
        bases.append(b)
        lengths.append(length)
    return bases, lengths


def _filter(image, kernel, mode, cval, origin, shape, stride, dilation,
            channel_axis, output, workers, convolution, method="auto"):
    image = V.check_array(image, "image")
    kernel = V.check_weights(kernel, "kernel")
    ndim = image.ndim
    if channel_axis is not None:
        channel_axis = V.normalize_axis(channel_axis, ndim, "channel_axis")
        faxes = [a for a in range(ndim) if a != channel_axis]
    else:
        faxes = list(range(ndim))
    if kernel.ndim != len(faxes):
        raise ValueError(
            f"kernel has {kernel.ndim} dimension(s) (shape {kernel.shape}), but the image "
            f"has {len(faxes)} spatial dimension(s) (image shape {image.shape}, "
            f"channel_axis={channel_axis})")
    if not isinstance(shape, str) or shape not in _SHAPES:
        raise ValueError(f"shape must be one of {_SHAPES}, got {shape!r}")
    nf = len(faxes)
    stride = V.int_sequence(stride, nf, "stride", minimum=1)
    dilation = V.int_sequence(dilation, nf, "dilation", minimum=1)
    origin = V.int_sequence(origin, nf, "origin")
    if shape != "same" and any(origin):
        raise ValueError(f"origin is only meaningful with shape='same'; got origin={origin!r} "
                         f"with shape={shape!r}")
    code = V.mode_codes(mode, 1, "mode", allow_sequence=False)[0]
    if convolution:
        kernel = kernel[(slice(None, None, -1),) * kernel.ndim]
    elif kernel.dtype.kind == "c":
        kernel = kernel.conj()
    bases, lengths = _geometry(image.shape, kernel.shape, faxes, shape, stride,
                               dilation, origin, convolution)
    kshape = [1] * ndim
    full_base, full_stride, full_dil = [0] * ndim, [1] * ndim, [1] * ndim
    out_shape = list(image.shape)
    for i, a in enumerate(faxes):
        kshape[a] = kernel.shape[i]
        full_base[a], full_stride[a], full_dil[a] = bases[i], stride[i], dilation[i]
        out_shape[a] = lengths[i]
    w = kernel.reshape(kshape)
    return _separable.correlate_method(method, image, w, output, [code] * ndim, cval,
                                       full_base, full_stride, full_dil, out_shape,
                                       workers)


_FILTER_DOC = """{summary}

    {formula}

    Parameters
    ----------
    image : array_like
        Input image (bool, integer, float32/64 or complex), any strides.
    kernel : array_like
        The kernel, one dimension per spatial axis of ``image``.
    mode : str, optional
        Boundary mode (scipy's names, default 'reflect'); see
        :func:`pyfilter.ndimage.correlate`.  Ignored for ``shape='valid'``.
    cval : scalar, optional
        Fill value for mode 'constant'.
    origin : int or sequence of int, optional
        Placement shift of the (dilated) kernel, as scipy's ``origin``;
        only with ``shape='same'``.
    shape : {{'same', 'valid', 'full'}}, optional
        'same': scipy's result (length ``n`` per axis before striding);
        'valid': only positions where the dilated kernel lies inside the
        image (``n - d (L - 1)``); 'full': every position where it overlaps
        the image (``n + d (L - 1)``), the outside filled by ``mode``.
        A kernel larger than the image with 'valid' raises ValueError.
    stride : int or sequence of int, optional
        Keep every s-th output along each axis, starting at the first:
        output length ``floor((n + 2p - d (L - 1) - 1) / s) + 1`` with
        ``2p`` = ``d (L - 1)`` ('same'), 0 ('valid') or ``2 d (L - 1)``
        ('full').  Only the kept outputs are computed.
    dilation : int or sequence of int, optional
        Spacing between kernel taps (atrous).  Equals filtering with the
        kernel that has ``d - 1`` zeros inserted between taps, centred as
        scipy centres that longer kernel.
    channel_axis : int or None, optional
        An axis that is not filtered (each channel gets the same kernel).
    output : ndarray or dtype, optional
        Output array or dtype (default: the dtype of ``image``, with scipy's
        casting rules).
    workers : int, optional
        Number of threads (scipy.fft semantics).
    method : {{'auto', 'direct', 'separable', 'fft'}}, optional
        How to compute; see :func:`pyfilter.ndimage.correlate`.  Strides
        and dilations are computed directly by every method: the line
        engine reads only the kept positions (polyphase along the
        contiguous axis), and the FFT path folds the spectrum so its
        inverse transform has the strided size; dilation inserts zeros in
        the FFT's kernel.

    Returns
    -------
    result : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from pyfilter import filters
    >>> x = np.arange(36, dtype=np.float64).reshape(6, 6)
    >>> k = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]])
    >>> filters.{name}(x, k, shape='valid').shape
    (4, 4)
    >>> filters.{name}(x, k, shape='full', stride=2).shape
    (4, 4)
    >>> filters.{name}(x, k, dilation=2, shape='valid').shape
    (2, 2)
    >>> filters.{name}(np.ones((4, 4, 3)), np.ones((3, 3)), channel_axis=-1,
    ...                shape='valid')[..., 0]
    array([[9., 9.],
           [9., 9.]])
    """


def correlate(image, kernel, *, mode="reflect", cval=0.0, origin=0, shape="same",
              stride=1, dilation=1, channel_axis=None, output=None, workers=None,
              method="auto"):
    return _filter(image, kernel, mode, cval, origin, shape, stride, dilation,
                   channel_axis, output, workers, False, method)


def convolve(image, kernel, *, mode="reflect", cval=0.0, origin=0, shape="same",
             stride=1, dilation=1, channel_axis=None, output=None, workers=None,
             method="auto"):
    return _filter(image, kernel, mode, cval, origin, shape, stride, dilation,
                   channel_axis, output, workers, True, method)


correlate.__doc__ = _FILTER_DOC.format(
    name="correlate",
    summary="Correlate an image with a kernel, with output shape, stride and dilation.",
    formula="``out[o] = sum_k kernel[k] * x~[o * stride + b + k * dilation]`` "
            "(no kernel flip; complex kernels are conjugated).")
convolve.__doc__ = _FILTER_DOC.format(
    name="convolve",
    summary="True convolution of an image with a kernel, with output shape, stride and dilation.",
    formula="The kernel is flipped along every axis; with shape='same' the "
            "placement follows scipy.ndimage.convolve (even dilated lengths shift "
            "by one).")


# ---------------------------------------------------------------- block_reduce
_FAST_FUNCS = {np.max: "max", np.amax: "max", np.min: "min", np.amin: "min",
               np.mean: "mean", np.sum: "sum"}


def _fast_kind(func, dtype, func_kwargs, nblock):
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


def block_reduce(image, block_size=2, func=np.sum, cval=0, func_kwargs=None, *,
                 workers=None):
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
    workers : int, optional
        Number of threads for the engine paths (scipy.fft semantics).

    Returns
    -------
    image : ndarray
        Of shape ``ceil(image.shape / block_size)``.

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
    arr = np.asarray(image)
    ndim = arr.ndim
    if np.ndim(block_size) == 0:
        blocks = V.int_sequence(block_size, ndim, "block_size")
    else:
        blocks = list(block_size)
        if len(blocks) != ndim:
            raise ValueError(f"block_size must be an int or have one entry per axis of "
                             f"image ({ndim}), got {block_size!r}")
        blocks = V.int_sequence(blocks, ndim, "block_size")
    for b in blocks:
        if b < 1:
            raise ValueError(f"block_size entries must be >= 1, got {block_size!r} "
                             "(use skimage.transform.resize to upsample)")
    if func_kwargs is None:
        func_kwargs = {}
    pad = [(-n) % b for n, b in zip(arr.shape, blocks)]
    kind = _fast_kind(func, arr.dtype, func_kwargs, int(np.prod(blocks)))
    if kind is None or ndim == 0:
        if any(pad):
            arr = np.pad(arr, [(0, p) for p in pad], mode="constant", constant_values=cval)
        shape = tuple(n // b for n, b in zip(arr.shape, blocks)) + tuple(blocks)
        strides = tuple(st * b for st, b in zip(arr.strides, blocks)) + arr.strides
        view = np.lib.stride_tricks.as_strided(arr, shape, strides, writeable=False)
        return func(view, axis=tuple(range(ndim, 2 * ndim)), **func_kwargs)
    # the padding value as np.pad stores it in the image's dtype
    fill = np.pad(np.zeros(1, arr.dtype), (0, 1), constant_values=cval)[1] if any(pad) else 0
    out_shape = tuple(-(-n // b) for n, b in zip(arr.shape, blocks))
    modes = [V.MODE_CONSTANT] * ndim
    ones = [1] * ndim
    zeros = [0] * ndim
    if kind in ("max", "min"):
        out = np.empty(out_shape, dtype=arr.dtype)
        op = _reduce.OP_MAX if kind == "max" else _reduce.OP_MIN
        cdt = np.dtype(np.uint8) if arr.dtype == np.bool_ else arr.dtype
        cv = int(fill) if arr.dtype.kind in "biu" else float(fill)
        _reduce.box(arr, out, op, blocks, blocks, ones, zeros, modes, cv, workers, cdt)
        return out
    res_dtype = (np.sum if kind == "sum" else np.mean)(np.zeros(1, arr.dtype)).dtype
    out = np.empty(out_shape, dtype=res_dtype)
    cdt = np.dtype(np.float32) if (arr.dtype == np.float32 and res_dtype == np.float32) \
        else np.dtype(np.float64)
    _reduce.box(arr, out, _reduce.OP_SUM, blocks, blocks, ones, zeros, modes, float(fill),
                workers, cdt, mean=(kind == "mean"), div_const=float(np.prod(blocks)))
    return out
