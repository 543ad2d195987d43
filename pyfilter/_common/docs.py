"""Shared numpydoc fragments and the one mechanism that fills them in.

Every public function is a literal ``def`` with its own literal docstring;
a parameter block that several functions share is written once here and
referenced as ``%(name)s`` in the docstring of a function decorated with
:func:`docfiller` (the way scipy.ndimage's ``_ni_docstrings.docfiller``
works).  Fragments are literal text (no per-function placeholders), written
at column 0; :func:`docfiller` indents them like the docstring.  A literal
``%`` in a docfilled docstring must be written ``%%``.
"""
from collections.abc import Callable
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])

_MODE_PATTERNS = """\
    - 'reflect' / 'grid-mirror': ``d c b a | a b c d | d c b a``
    - 'constant' / 'grid-constant': ``k k k k | a b c d | k k k k`` (k = cval)
    - 'nearest': ``a a a a | a b c d | d d d d``
    - 'mirror': ``d c b | a b c d | c b a``
    - 'wrap' / 'grid-wrap': ``a b c d | a b c d | a b c d``"""

_FRAGMENTS = {
    # ------------------------------------------------------------ ndimage
    "input": """input : array_like
    The input array: bool, int8..uint64, float32, float64, complex64 or
    complex128, any shape, strides and byte order (it is never modified).""",
    "output": """output : ndarray or dtype, optional
    The array in which to place the output, or the dtype of the returned
    array.  By default an array of the same dtype as ``input`` is created
    (complex when the input or the weights are).  Integer outputs store
    the result truncated toward zero and wrapped, as scipy does
    (docs/semantics.md lists the out-of-range cases).  An output that
    shares memory with the input is handled (the result is computed into a
    temporary first).""",
    "mode_reflect": """mode : {'reflect', 'constant', 'nearest', 'mirror', 'wrap', 'grid-constant', 'grid-mirror', 'grid-wrap'}, optional
    How the input is extended beyond its boundaries (default 'reflect'):

""" + _MODE_PATTERNS + """

    The extension repeats when the kernel is longer than the array.""",
    "mode_multiple": """mode : str or sequence of str, optional
    How the input is extended beyond its boundaries (default 'reflect'),
    one name for every axis or one per filtered axis:

""" + _MODE_PATTERNS + """

    The extension repeats when the window is longer than the array.""",
    "cval": """cval : scalar, optional
    Value to fill past the edges of the input with mode 'constant'.
    Default 0.0.  A complex value needs a complex input.""",
    "origin_multiple": """origin : int or sequence of int, optional
    Shifts the filter placement, per axis (or one value for all).  Each must
    satisfy ``-(L // 2) <= origin <= (L - 1) // 2`` for a kernel of length
    ``L`` along that axis.  Default 0.""",
    "origin": """origin : int, optional
    Shifts the filter placement; must satisfy
    ``-(L // 2) <= origin <= (L - 1) // 2``.  Default 0.""",
    "axes": """axes : tuple of int or None, optional
    The axes to filter (default: all axes); the other axes are not
    filtered.  Repeated axes are an error.""",
    "method": """method : {'auto', 'direct', 'separable', 'fft'}, optional
    How to compute (every method gives the same result to float rounding):

    - 'direct': the N-D correlation engine (scipy's exact arithmetic
      order is not promised, its tap skipping and NaN/inf behaviour are).
    - 'separable': 1-D passes on the line engine with the factors of a
      rank-1 kernel (:func:`pyfilter.kernels.separate` with rtol 1e-6);
      ValueError if the kernel is not separable.  Zero factor taps are
      skipped and the 'constant' boundary is applied to the input only,
      as the N-D correlation does.
    - 'fft': scipy.fft (with ``workers``) on the input extended by
      ``mode``; float64 transforms (float32 for float32 data).  NaN or inf
      in the input spreads to the whole result.
    - 'auto' (default): 'separable' for a real kernel over at least two
      axes with at least 9 taps, rank 1 to the working precision
      (relative 1e-10 in float64, 1e-7 in float32), whose zero taps are
      exactly those of its factors (so NaN/inf propagate as with
      'direct'), when the result is float; 'fft' for a float result from
      a finite real input when the kernel has at least 625 nonzero taps
      (kernels over two axes, about 25x25) or 512 (other kernels, about
      8x8x8) and the output at least 65536 elements; 'direct' otherwise
      (always for integer outputs, complex data and non-finite kernels).
      The thresholds (``FFT_MIN_TAPS``, ``FFT_MIN_SIZE`` and
      ``SEPARABLE_MIN_TAPS`` in ``pyfilter/_ops/method.py``) were measured
      on a 2-core AMD EPYC (AVX2); docs/performance.md gives the
      timings.""",
    "workers": """workers : int, optional
    Number of threads (scipy.fft's semantics).  None uses the default:
    the innermost :func:`pyfilter.set_workers` value of this Python
    thread, else ``min(omp_get_max_threads(), usable CPUs)`` (so
    ``OMP_NUM_THREADS`` and threadpoolctl are honoured).  A positive value
    is capped at the number of usable CPUs; a negative value counts back
    from it (-1: all of them); 0 is an error.  Small calls run on one
    thread.  The result does not depend on the number of threads.""",
    # ------------------------------------------------------------ filters (scikit-image style)
    "image_float": """image : array_like
    Input image.  float32 and float64 images are filtered in their own
    precision (float16 becomes float32); other real dtypes are converted
    as scikit-image's ``img_as_float`` does (unsigned integers divided by
    their maximum, signed integers divided by their maximum and clipped
    at -1, bool as 0/1).  Complex images are rejected.""",
    "mask": """mask : array_like, optional
    Restricts the result to a region: the mask (nonzero = inside) is
    eroded by one pixel with full connectivity and a zero border, and the
    result is set to 0 outside the eroded mask (scikit-image's rule).  Its
    shape is the image's spatial shape (the image's shape without the
    channel axis).""",
    "edge_axis": """axis : int or sequence of int, optional
    The axis of the derivative, or several axes for the gradient
    magnitude ``sqrt(sum_a g_a**2 / ndim)``, where ``ndim`` counts the
    spatial axes.  Default (None): all spatial axes.""",
    "mode_sk": """mode : str, optional
    How the image is extended beyond its boundaries: one of
    scipy.ndimage's mode names ('reflect', 'constant', 'nearest',
    'mirror', 'wrap' and the 'grid-' aliases; see
    :func:`pyfilter.ndimage.correlate`).""",
    "cval_nd": """cval : float, optional
    Value outside the image with mode 'constant'.  Default 0.0.  Only the
    image is extended by it, as a correlation with the full N-D kernel
    does (the smoothing passes do not re-pad their intermediates).""",
    "channel_axis": """channel_axis : int or None, optional
    The axis of channels: it is not filtered, and every channel is
    filtered independently in the same way.  None (default): every axis is
    spatial (a channel axis is never guessed from the shape).""",
    "output_float": """output : ndarray or dtype, optional
    A float array to store the result in, or a float dtype for it (other
    dtypes are an error).  Default: the dtype of the converted image.""",
    # ------------------------------------------------------------ nn: convolutions
    "conv_stride": """stride : int or tuple of int, optional
    Step between output positions, one value for every spatial axis or
    one per axis (>= 1).  Default 1.""",
    "conv_padding": """padding : int, tuple of int, 'valid', 'same' or 'full', optional
    Padding of the input on both sides of each spatial axis (>= 0, one
    value for all axes or one per axis), or: 'valid' (no padding);
    'same' (stride 1 only: a total of ``d (k - 1)`` per axis, the odd
    extra on the right/bottom, as torch); 'full' (``d (k - 1)`` on both
    sides).  The padded values follow ``padding_mode``.  Default 0.""",
    "conv_dilation": """dilation : int or tuple of int, optional
    Spacing between kernel taps, one value for every spatial axis or one
    per axis (>= 1).  Default 1.""",
    "conv_groups": """groups : int, optional
    Split the channels into ``groups`` groups (C_in and C_out must be
    divisible by it); output channel ``o`` of group ``g`` reads only the
    input channels of group ``g``.  ``groups = C_in`` with
    ``C_out = M * C_in`` is a depthwise convolution with channel
    multiplier M (output channel ``o`` reads input channel ``o // M``).
    Default 1.""",
    "conv_padding_mode": """padding_mode : str, optional
    How the padding is filled: torch's 'zeros' (default), 'reflect'
    (scipy's 'mirror'; the padding must be smaller than the input size),
    'replicate' (scipy's 'nearest') or 'circular' (scipy's 'wrap'; the
    padding must be at most the input size); or a scipy.ndimage mode name
    ('constant', 'nearest', 'mirror', 'wrap', 'grid-constant',
    'grid-mirror', 'grid-wrap'; these repeat periodically for any
    padding), or 'symmetric' for scipy's 'reflect' (in this namespace
    'reflect' has torch's meaning).""",
    "conv_grad_params": """stride, padding, dilation, groups :
    Those of the forward convolution (zero padding; ``padding`` also
    accepts 'valid', 'same' and 'full').""",
    # ------------------------------------------------------------ nn: pooling
    "pool_kernel_size": """kernel_size : int or tuple of int
    Window size, one value for every spatial axis or one per axis (>= 1).""",
    "pool_stride": """stride : int or tuple of int, optional
    Step between windows, one value for every spatial axis or one per
    axis (>= 1).  Default (None): ``kernel_size``.""",
    "pool_padding_max": """padding : int or tuple of int, optional
    Implicit padding on both sides of each spatial axis, at most
    ``kernel_size // 2`` (torch's limit).  Padded positions count as
    -inf: they never win.  Default 0.""",
    "pool_padding_avg": """padding : int or tuple of int, optional
    Implicit zero padding on both sides of each spatial axis, at most
    ``kernel_size // 2`` (torch's limit).  Default 0.""",
    "pool_dilation": """dilation : int or tuple of int, optional
    Spacing between the taps of a window (>= 1).  Default 1.""",
    "pool_ceil_mode": """ceil_mode : bool, optional
    Round the number of windows up instead of down; a last window that
    would start in the right padding is dropped (torch's rule).  Default
    False.""",
    "pool_count_include_pad": """count_include_pad : bool, optional
    Whether padded zeros count in the divisor (the ``ceil_mode`` overhang
    past the padding never does).  Default True.""",
    "pool_divisor_override": """divisor_override : int, optional
    Divide every window sum by this nonzero value instead of the window
    size.""",
    # ------------------------------------------------------------ max / min
    "minmax_window": """size : int or sequence of int, optional
    Window length per filtered axis (>= 1).  Ignored, with a
    UserWarning, when ``footprint`` is given.
footprint : array_like of bool, optional
    The window shape, one dimension per filtered axis (nonzero entries
    count as True).  It must contain a True entry; an all-True
    footprint is the box of its shape.
output : ndarray or dtype, optional
    Output array or dtype (default: the input's dtype, with scipy's
    casting rules).  When it differs from the input's dtype, the first
    filtered axis (in the order of ``axes``) is reduced and cast before
    the others, as scipy does.""",
    "minmax_axes": """axes : tuple of int or None, optional
    The axes to filter (default: all).  ``size``, ``origin``, a mode
    sequence and an all-True footprint follow the order of ``axes``;
    the dimensions of any other footprint apply to the filtered axes
    in increasing order, and so does ``origin`` with such a footprint
    when every axis is filtered (scipy's rules).""",
    "rank_window": """size : int or sequence of int, optional
    Box window length per filtered axis (>= 1).  Ignored, with a
    UserWarning, when ``footprint`` is given.
footprint : array_like of bool, optional
    The window shape, one dimension per filtered axis (nonzero entries
    count as True); it must contain a True entry.  One of ``size`` and
    ``footprint`` is required.
output : ndarray or dtype, optional
    Output array or dtype (default: the input's dtype, with scipy's
    casting rules).""",
    "rank_mode": """mode : {'reflect', 'constant', 'nearest', 'mirror', 'wrap', 'grid-constant', 'grid-mirror', 'grid-wrap'}, optional
    How the input is extended beyond its edges (default 'reflect').  A
    sequence of modes is accepted only when the rank is the window's
    smallest or largest and the window is a box (then the filter is a
    separable minimum or maximum, as in scipy).""",
    "rank_axes": """axes : tuple of int or None, optional
    The axes to filter (default: all).  The footprint's dimensions (a
    box's too) apply to the filtered axes in increasing order; ``origin``
    follows the order of ``axes``, except when every axis is filtered:
    then it applies by position (scipy's rules).""",
    "rank_args": """image : ([P,] M, N) array_like of uint8 or uint16
    Input image (2-D or 3-D).  Float images (values in [-1, 1]) and 3-D
    bool images are converted to uint8 as ``skimage.util.img_as_ubyte``
    does, with scikit-image's precision-loss UserWarning; 2-D bool images
    raise ValueError and other dtypes TypeError.
footprint : array_like
    The neighbourhood (nonzero entries count), as many dimensions as the
    image.
out : ndarray, optional
    Array of the image's shape (uint8, uint16, float32 or float64) to
    write the result into; it is returned.
mask : array_like, optional
    Only pixels where ``mask`` is nonzero count in the histograms (the
    whole image by default; a float mask is first converted as
    ``img_as_ubyte`` does, so values below 1/510 do not count).
shift_x, shift_y, shift_z : int, optional
    Offsets added to the footprint's centre ``footprint.shape // 2``
    (scikit-image's axes: for 2-D images ``shift_y`` moves along axis 0
    and ``shift_x`` along axis 1; for 3-D ones ``shift_x``, ``shift_y``
    and ``shift_z`` along axes 0, 1 and 2); the centre must stay inside
    the footprint's box.  ``shift_z`` is ignored for 2-D images.""",
    "rank_window": """Only pixels inside the image (and inside ``mask``) count: the window
shrinks at the borders; where none counts the output is 0.  8-bit
images use 256 histogram bins, 16-bit ones ``max(3, image.max()) + 1``
(a UserWarning above 1024, as scikit-image's).""",
    "rank_notes": """Integer and bool inputs follow scipy's two rules: an N-D input is
ranked in its own type, a constant-mode ``cval`` first converted to
that type (for uint8, 300 becomes 44); a 1-D input (unless much
shorter than the window) is ranked in int64, with ``cval`` converted
to int64.  Floats are ranked in their own type.  int64 values are
exact (no rounding through float64).  NaN ranks above every number
(as in ``numpy.sort``): a window with ``m`` NaNs gives NaN for its
``m`` highest ranks; scipy's result for windows with NaN depends on
the order of its selection, so pyfilter deliberately differs there.
The smallest and largest ranks are minimum and maximum filters (with
their NaN rule: NaN propagates).  The median of a window of 9, 25 or
27 entries (3x3, 5x5, 3x3x3 boxes or any footprint of that many
entries) runs a selection network vectorised across the row; 8-bit
inputs with windows of 40 entries or more, and 16-bit inputs with 1000
or more, rank from a histogram slid along the row (two updates per run
of the footprint's rows and a scan of coarse and fine bins per
element); other windows and ranks take a quickselect per element (O(n)
for a window of ``n`` entries).""",
    "minmax_notes": """Integer inputs are reduced exactly in their own type (scipy goes
through float64, which rounds int64 values beyond 2**53).  NaN
propagates: a window that contains NaN gives NaN.  scipy's result for
such windows depends on where the NaN sits in the window (a by-product
of its algorithms), so pyfilter deliberately differs there.""",
    "grey_window": """size : int or sequence of int, optional
    Window length per filtered axis (>= 1), a flat box.  Ignored, with a
    UserWarning, when ``footprint`` is given, and ignored when
    ``structure`` is given.
footprint : array_like of bool, optional
    The flat structuring element, one dimension per filtered axis
    (nonzero entries count as True); it must contain a True entry.
structure : array_like, optional
    The values of a non-flat structuring element, one dimension per
    filtered axis (the shape of ``footprint`` when both are given; with
    no footprint, every entry is in the window): a dilation is the
    maximum of ``input + structure``, an erosion the minimum of
    ``input - structure``, in scipy's arithmetic (the first entry in
    float64, the others summed in the input's type).  One of ``size``,
    ``footprint`` and ``structure`` must be given.""",
    "grey_axes": """axes : tuple of int or None, optional
    The axes to filter (default: all).  ``size``, ``origin``, a mode
    sequence and an all-True footprint follow the order of ``axes``;
    the dimensions of any other footprint (and of ``structure``) apply
    to the filtered axes in increasing order, and so does ``origin``
    with such a footprint when every axis is filtered (scipy's rules).""",
    "grey_mode": """mode : str or sequence of str, optional
    How the input is extended beyond its boundaries (default 'reflect'),
    one name for every axis or one per filtered axis (a sequence only
    with ``size`` or an all-True ``footprint``, as in scipy):

""" + _MODE_PATTERNS + """""",
    "grey_notes": """A dilation is the maximum over the reflected footprint, with scipy's
reflected origin (``-origin``, and one less along an axis of even
length), so that opening and closing are idempotent.  Integer inputs
are reduced exactly in their own type.  NaN propagates through the
maximum and minimum (scipy's result for a window holding NaN depends
on the NaN's position: docs/semantics.md).""",
    # ------------------------------------------------------------ morphology (scikit-image style)
    "morph_image": """image : array_like
    Input image: bool, any integer or float dtype, at least one
    dimension (complex images are rejected).""",
    "morph_footprint": """footprint : array_like or sequence of (ndarray, int), optional
    The flat neighbourhood, one dimension per image dimension (nonzero
    entries count).  Default: the cross of connectivity one
    (``scipy.ndimage.generate_binary_structure(image.ndim, 1)``).  An axis
    of even length is padded with a False entry at its start, so the
    centre is ``L // 2`` (scikit-image's ``pad_footprint(pad_end=False)``).
    A sequence of ``(footprint, n)`` pairs (scikit-image's decomposed
    footprints, e.g. ``footprint_rectangle(shape,
    decomposition='sequence')``) applies each footprint ``n`` times in
    order (the first at least once, as scikit-image does).""",
    "morph_out": """out : ndarray, optional
    Array to write the result into (the image's shape; another dtype is
    filled with numpy's casting, and later repetitions of a footprint
    sequence run in that dtype, as in scikit-image).  Default: a new
    array like the image.""",
    "morph_mode": """mode : {'reflect', 'constant', 'nearest', 'mirror', 'wrap', 'max', 'min', 'ignore'}, optional
    How the image is extended beyond its edges (default 'reflect'):
    scipy.ndimage's names, or 'max' / 'min' (the outside is the largest /
    smallest value of the image's dtype: True / False, the integer
    limits, +-inf), or 'ignore' (the outside never wins: 'max' for an
    erosion, 'min' for a dilation).""",
    "morph_cval": """cval : scalar, optional
    Value outside the image with mode 'constant'.  Default 0.0.""",
    "binary_params": """structure : array_like, optional
    The structuring element, one dimension per filtered axis (nonzero
    entries count as True).  Default: the cross of connectivity one
    (``generate_binary_structure(len(axes), 1)``).  An element with no
    True entry gives all True (erosion) or all False (dilation), as in
    scipy.
iterations : int, optional
    The number of repetitions (default 1); below 1, the operation is
    repeated until the result stops changing (as in scipy, a structure
    whose centre is False may never stabilise).
mask : array_like, optional
    Where it is False the result keeps the input (at every
    repetition).  Of the input's shape.""",
    "binary_output": """output : ndarray, optional
    The array to write the result into (0 and 1 in its dtype; not
    complex).  As in scipy, anything that is not an array (a dtype
    included) is ignored: the result is then a new bool array.""",
    "binary_tail": """border_value : int, optional
    The value (its truth) of the positions outside the array.  Default 0.
origin : int or sequence of int, optional
    Shifts the structuring element, per filtered axis; each must satisfy
    ``-(L // 2) <= origin <= (L - 1) // 2``.  Default 0.
brute_force : bool, optional
    Accepted for compatibility: it selects scipy's algorithm, never its
    result.
axes : tuple of int or None, optional
    The axes to filter (default: all); the structure's dimensions apply
    to them in increasing order.""",
}


def docfiller(func: _F) -> _F:
    """Substitute ``%(name)s`` fragments in ``func.__doc__`` (the function
    itself is returned, with its signature and annotations)."""
    if func.__doc__:
        func.__doc__ = func.__doc__ % _indented(func.__doc__)
    return func


def _indented(doc: str) -> dict[str, str]:
    # Fragments are written at column 0; indent them like the docstring.
    lines = [ln for ln in doc.splitlines()[1:] if ln.strip()]
    indent = min((len(ln) - len(ln.lstrip()) for ln in lines), default=0)
    pad = " " * indent
    return {k: _indent(v, pad) for k, v in _FRAGMENTS.items()}


def _indent(text: str, pad: str) -> str:
    # every line but the first (which follows the placeholder), blank lines
    # left empty
    first, *rest = text.split("\n")
    return "\n".join([first] + [pad + ln if ln else ln for ln in rest])
