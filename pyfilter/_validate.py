"""Input validation, mode names and output handling for every public function.

All errors name the parameter and the value received.  Nothing here modifies
the caller's arrays.
"""
import numbers
import operator
import warnings

import numpy as np

# ---------------------------------------------------------------- modes
# Codes shared with pyfilter/_cext/_boundary.pxd.
MODE_CONSTANT, MODE_NEAREST, MODE_REFLECT, MODE_MIRROR, MODE_WRAP = range(5)

MODES = {
    "constant": MODE_CONSTANT,
    "grid-constant": MODE_CONSTANT,
    "nearest": MODE_NEAREST,
    "reflect": MODE_REFLECT,
    "grid-mirror": MODE_REFLECT,
    "mirror": MODE_MIRROR,
    "wrap": MODE_WRAP,
    "grid-wrap": MODE_WRAP,
}

# torch padding_mode names -> scipy mode names (REFERENCE.md).
TORCH_PADDING_MODES = {"zeros": "constant", "reflect": "mirror",
                       "replicate": "nearest", "circular": "wrap"}

# OpenCV border types -> scipy mode names.
CV_BORDERS = {0: "constant", 1: "nearest", 2: "reflect", 3: "wrap", 4: "mirror"}


def mode_code(mode, name="mode"):
    """Code of one scipy mode name."""
    if not isinstance(mode, str):
        raise TypeError(f"{name} must be a string naming a boundary mode, got {mode!r}")
    try:
        return MODES[mode]
    except KeyError:
        raise ValueError(f"{name}={mode!r} is not a boundary mode; expected one of "
                         f"{sorted(MODES)}") from None


def mode_codes(mode, n, name="mode", allow_sequence=True):
    """One mode code per axis from a mode name or a sequence of names."""
    if isinstance(mode, str):
        return [mode_code(mode, name)] * n
    if not isinstance(mode, (list, tuple, np.ndarray)):
        raise TypeError(f"{name} must be a string naming a boundary mode, got {mode!r}")
    if not allow_sequence:
        raise ValueError(f"{name} must be a single mode name for this function "
                         f"(a sequence of modes is not supported), got {mode!r}")
    try:
        modes = list(mode)
    except TypeError:
        raise TypeError(f"{name} must be a mode name or a sequence of them, got {mode!r}") from None
    if len(modes) != n:
        raise ValueError(f"{name} must have one entry per filtered axis ({n}), got {mode!r}")
    return [mode_code(m, name) for m in modes]


# ---------------------------------------------------------------- dtypes
# Codes shared with pyfilter/_cext/_convert.pxi.
TYPECODES = {
    np.dtype(np.bool_): 0, np.dtype(np.int8): 1, np.dtype(np.uint8): 2,
    np.dtype(np.int16): 3, np.dtype(np.uint16): 4, np.dtype(np.int32): 5,
    np.dtype(np.uint32): 6, np.dtype(np.int64): 7, np.dtype(np.uint64): 8,
    np.dtype(np.float32): 9, np.dtype(np.float64): 10,
    np.dtype(np.complex64): 11, np.dtype(np.complex128): 12,
}


def typecode(dtype):
    dtype = np.dtype(dtype)
    if not dtype.isnative:
        dtype = dtype.newbyteorder("=")
    return TYPECODES[dtype]


def _supported(dtype):
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        return False
    if dtype.isnative:
        return dtype in TYPECODES
    return dtype.newbyteorder("=") in TYPECODES


def check_array(x, name="input", min_ndim=1, allow_float16=False):
    """``x`` as a native-byte-order ndarray of a supported dtype.

    Non-native byte order is converted (a copy); the caller's array is
    never modified.  float16 is promoted to float32 when ``allow_float16``
    (scikit-image's rule), else rejected like scipy.ndimage does.
    """
    if isinstance(x, np.ndarray):
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except Exception as exc:
            raise TypeError(f"{name} must be array-like, got {type(x).__name__}: {exc}") from None
    if arr.dtype == np.float16 and allow_float16:
        arr = arr.astype(np.float32)
    if not _supported(arr.dtype) or arr.dtype.kind not in "biufc":
        raise TypeError(f"{name} has dtype {arr.dtype}, which is not supported; use "
                        "bool, int8..uint64, float32, float64, complex64 or complex128")
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    if arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), "
                         f"got an array of shape {arr.shape}")
    return arr


def check_weights(weights, name="weights"):
    """Kernel as a native float64 or complex128 array (non-empty)."""
    w = check_array(weights, name, min_ndim=0)
    if w.size == 0:
        raise ValueError(f"{name} is empty (shape {w.shape}); no filter weights given")
    if w.dtype.kind == "c":
        return w.astype(np.complex128, copy=False)
    return w.astype(np.float64, copy=False)


def check_footprint(footprint, n, name="footprint"):
    """Boolean window mask with one dimension per filtered axis (``n``) and
    at least one True entry (nonzero values count as True, as in scipy)."""
    try:
        fp = np.asarray(footprint)
    except Exception as exc:
        raise TypeError(f"{name} must be array-like, got {type(footprint).__name__}: {exc}") from None
    if fp.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a boolean (or numeric) array, got dtype {fp.dtype}")
    fp = fp.astype(bool)
    if fp.ndim != n:
        raise ValueError(f"{name} has {fp.ndim} dimension(s) (shape {fp.shape}), but it "
                         f"must have one per filtered axis ({n})")
    if fp.size == 0:
        raise ValueError(f"{name} is empty (shape {fp.shape})")
    if not fp.any():
        raise ValueError(f"{name} has no True entry (an all-False footprint selects "
                         "nothing); shape {fp.shape}".replace("{fp.shape}", str(fp.shape)))
    return fp


# ---------------------------------------------------------------- sequences
def as_int(value, name):
    """``value`` as a Python int (bool and non-integers rejected)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {value!r}") from None


def int_sequence(value, n, name, minimum=None):
    """An int or a sequence of n ints -> list of n ints (>= minimum)."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an integer or a sequence of integers, got {value!r}")
    if type(value) is int:  # fast path
        vals = [value] * n
    elif np.ndim(value) == 0:
        vals = [as_int(value, name)] * n
    else:
        vals = [as_int(v, name) for v in np.asarray(value, dtype=object).ravel()]
        if len(vals) != n:
            raise ValueError(f"{name} must be an integer or have one entry per "
                             f"filtered axis ({n}), got {value!r}")
    if minimum is not None:
        for v in vals:
            if v < minimum:
                raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return vals


def per_axis(value, n, name, what="a number"):
    """A scalar repeated n times, or a sequence of exactly n entries."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be {what} or a sequence of them, got {value!r}")
    if np.ndim(value) == 0:
        return [value] * n
    vals = list(np.asarray(value, dtype=object).ravel())
    if len(vals) != n:
        raise ValueError(f"{name} must be {what} or have one entry per "
                         f"filtered axis ({n}), got {value!r}")
    return vals


def float_sequence(value, n, name):
    vals = per_axis(value, n, name)
    out = []
    for v in vals:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(f"{name} must contain real numbers, got {value!r}")
        out.append(float(v))
    return out


def normalize_axes(axes, ndim, name="axes"):
    """scipy.ndimage's axes rule: None -> all; ints wrap; duplicates rejected."""
    if axes is None:
        return list(range(ndim))
    if np.ndim(axes) == 0:
        axes = [axes]
    out = []
    for a in axes:
        a = as_int(a, name)
        if not -ndim <= a < ndim:
            raise ValueError(f"{name} entry {a} is out of range for an input with "
                             f"{ndim} dimension(s)")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must be unique, got {tuple(axes)!r}")
    return out


def normalize_axis(axis, ndim, name="axis"):
    a = as_int(axis, name)
    if not -ndim <= a < ndim:
        raise ValueError(f"{name}={axis!r} is out of range for an input with {ndim} dimension(s)")
    return a % ndim


def check_origins(origins, lengths, name="origin"):
    """scipy's origin rule: -(L // 2) <= origin <= (L - 1) // 2 per axis."""
    for o, L in zip(origins, lengths):
        if not -(L // 2) <= o <= (L - 1) // 2:
            raise ValueError(f"{name}={o} is invalid for a kernel of length {L}; it must "
                             f"satisfy -(L // 2) <= origin <= (L - 1) // 2, i.e. "
                             f"{-(L // 2)} .. {(L - 1) // 2}")


def check_cval(cval, complex_ok, name="cval"):
    if type(cval) is float or type(cval) is int:  # fast path
        return float(cval)
    if isinstance(cval, (bool, np.bool_)):
        return float(cval)
    if isinstance(cval, numbers.Complex) and not isinstance(cval, numbers.Real):
        if not complex_ok:
            raise TypeError(f"{name} must be a real number for a real computation, got {cval!r}")
        return complex(cval)
    if not isinstance(cval, numbers.Real):
        try:
            return float(cval)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a number, got {cval!r}") from None
    return float(cval)


# ---------------------------------------------------------------- outputs
def output_dtype(output, input_dtype, complex_output=False, name="output"):
    """Dtype of the result for ``output`` None / a dtype (scipy's rules)."""
    if output is None:
        if complex_output:
            return np.promote_types(input_dtype, np.complex64)
        return np.dtype(input_dtype)
    try:
        dt = np.dtype(output)
    except TypeError:
        raise TypeError(f"{name} must be None, a dtype or an ndarray, got {output!r}") from None
    if complex_output and dt.kind != "c":
        warnings.warn("promoting specified output dtype to complex", UserWarning, stacklevel=4)
        dt = np.promote_types(dt, np.complex64)
    if not _supported(dt):
        raise TypeError(f"{name} dtype {dt} is not supported")
    return dt.newbyteorder("=")


def get_output(output, input, shape, complex_output=False, name="output"):
    """Allocate or check the output array.

    Returns ``(result, target)``: ``result`` is what the function returns;
    ``target`` is the array the engine writes (a temporary when ``output``
    shares memory with ``input`` or has a non-native byte order; copy it
    into ``result`` afterwards with :func:`finish_output`).
    """
    shape = tuple(shape)
    if isinstance(output, np.ndarray):
        if output.shape != shape:
            raise ValueError(f"{name} has shape {output.shape}, but the result has shape {shape}")
        if complex_output and output.dtype.kind != "c":
            raise TypeError(f"{name} has dtype {output.dtype}, but the result is complex; "
                            "pass a complex output")
        if not _supported(output.dtype):
            raise TypeError(f"{name} has dtype {output.dtype}, which is not supported")
        if not output.flags.writeable:
            raise ValueError(f"{name} is read-only")
        if (not output.dtype.isnative) or np.may_share_memory(output, input):
            return output, np.empty(shape, dtype=output.dtype.newbyteorder("="))
        return output, output
    dt = output_dtype(output, input.dtype, complex_output, name)
    arr = np.empty(shape, dtype=dt)
    return arr, arr


def prepare_output(output, input, shape, complex_output, cval, complex_cval=None):
    """:func:`get_output` and :func:`check_cval` together, rejecting a
    non-empty result from an empty input.  Returns (result, target, cval);
    the caller returns ``result`` at once when ``target.size == 0``."""
    result, target = get_output(output, input, shape, complex_output)
    if complex_cval is None:
        complex_cval = complex_output
    cval = check_cval(cval, complex_cval or target.dtype.kind == "c")
    if target.size and input.size == 0:
        raise ValueError(f"input has shape {input.shape}: cannot produce a non-empty "
                         f"output of shape {tuple(shape)} from an empty input")
    return result, target, cval


def finish_output(result, target):
    if result is not target:
        np.copyto(result, target, casting="unsafe")
    return result


# ---------------------------------------------------------------- separable filters
def check_sigma(sigma, n, name="sigma"):
    """One finite, non-negative standard deviation per axis."""
    vals = float_sequence(sigma, n, name)
    for v in vals:
        if not np.isfinite(v) or v < 0:
            raise ValueError(f"{name} must be finite and >= 0, got {sigma!r}")
    return vals


def check_truncate(truncate, name="truncate"):
    if isinstance(truncate, (bool, np.bool_)) or not isinstance(truncate, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {truncate!r}")
    t = float(truncate)
    if not np.isfinite(t) or t < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {truncate!r}")
    return t


def check_orders(order, n, name="order", maximum=3):
    """Derivative orders 0..maximum, one per axis."""
    vals = int_sequence(order, n, name)
    for v in vals:
        if not 0 <= v <= maximum:
            raise ValueError(f"{name} must be in 0..{maximum}, got {order!r}")
    return vals


def check_radius(radius, n, name="radius"):
    """None, or a non-negative integer (or one per axis)."""
    if radius is None:
        return [None] * n
    vals = per_axis(radius, n, name, "None or a non-negative integer")
    out = []
    for v in vals:
        if v is None:
            out.append(None)
            continue
        v = as_int(v, name)
        if v < 0:
            raise ValueError(f"{name} must be >= 0, got {radius!r}")
        out.append(v)
    return out


METHODS = ("auto", "direct", "separable", "fft")


def check_method(method, name="method"):
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"{name} must be one of {METHODS}, got {method!r}")
    return method


def check_mask(mask, shape, name="mask"):
    """None, or a boolean-convertible array of exactly ``shape``."""
    if mask is None:
        return None
    m = np.asarray(mask)
    if m.shape != tuple(shape):
        raise ValueError(f"{name} has shape {m.shape}, but it must have the image's "
                         f"(spatial) shape {tuple(shape)}")
    if m.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a boolean or numeric array, got dtype {m.dtype}")
    return m.astype(bool, copy=False)


# ---------------------------------------------------------------- pooling
def check_pool_input(x, nd, name="input", floats_only=False):
    """A pooling input: (N, C, *spatial) or unbatched (C, *spatial) with
    ``nd`` spatial axes, float32/float64 (or an integer dtype unless
    ``floats_only``).  Returns the array and whether it was batched."""
    arr = check_array(x, name, min_ndim=0)
    if arr.ndim not in (nd + 1, nd + 2):
        raise ValueError(f"{name} must have shape (N, C, *spatial) or (C, *spatial) with "
                         f"{nd} spatial axis/axes, i.e. {nd + 1} or {nd + 2} dimensions; "
                         f"got an array of shape {arr.shape}")
    kinds = "f" if floats_only else "fiu"
    if arr.dtype.kind not in kinds or arr.dtype == np.float16:
        allowed = "float32 or float64" if floats_only else "float32, float64 or an integer dtype"
        raise TypeError(f"{name} has dtype {arr.dtype}; this operation needs {allowed}")
    batched = arr.ndim == nd + 2
    dims = arr.shape[1:] if batched else arr.shape
    if any(s == 0 for s in dims):
        raise ValueError(f"{name} has shape {arr.shape}: only the batch axis may be empty")
    return arr, batched


def pool_args(nd, kernel_size, stride, padding, dilation=1):
    """kernel_size, stride (None: the kernel), padding and dilation as
    lists of ``nd`` ints, checked as torch checks them (padding at most
    half the kernel size)."""
    k = int_sequence(kernel_size, nd, "kernel_size", minimum=1)
    s = k if stride is None else int_sequence(stride, nd, "stride", minimum=1)
    p = int_sequence(padding, nd, "padding", minimum=0)
    d = int_sequence(dilation, nd, "dilation", minimum=1)
    for pi, ki in zip(p, k):
        if pi > ki // 2:
            raise ValueError(f"padding must be at most half the kernel size (padding <= "
                             f"kernel_size // 2); got padding={padding!r} with "
                             f"kernel_size={kernel_size!r}")
    return k, s, p, d


def check_callable(func, name="func"):
    if not callable(func):
        raise TypeError(f"{name} must be callable, got {func!r} of type {type(func).__name__}")
    return func


# ---------------------------------------------------------------- CNN layers (pyfilter.nn)
NN_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# padding_mode names accepted by pyfilter.nn: torch's names (their meaning
# wins where a name is shared: 'reflect' is torch's reflect = scipy 'mirror'),
# the other scipy names, and numpy's 'symmetric' for scipy's 'reflect'.
NN_PADDING_MODES = dict(TORCH_PADDING_MODES)
NN_PADDING_MODES.update({m: m for m in MODES if m != "reflect"})
NN_PADDING_MODES["symmetric"] = "reflect"


def nn_array(x, name, like=None):
    """``x`` as a float32/float64 ndarray (native byte order).

    With ``like`` (the input array): an ndarray ``x`` of another dtype is a
    TypeError naming both (no silent mixing); a plain sequence adopts the
    dtype of ``like``.
    """
    if isinstance(x, np.ndarray):
        arr = x
    else:
        try:
            arr = np.asarray(x, dtype=like.dtype if like is not None else None)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a float32 or float64 array, got "
                            f"{type(x).__name__}: {exc}") from None
    if arr.dtype.newbyteorder("=") not in NN_DTYPES:
        raise TypeError(f"{name} has dtype {arr.dtype}; pyfilter.nn supports float32 and "
                        f"float64 only (convert with .astype(np.float32))")
    if like is not None and arr.dtype.newbyteorder("=") != like.dtype:
        raise TypeError(f"{name} has dtype {arr.dtype} but input has dtype {like.dtype}; "
                        "pass arrays of one dtype (float32 or float64), e.g. "
                        f"{name}.astype(np.{like.dtype.name})")
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


def nn_padding_mode(padding_mode, name="padding_mode"):
    """(mode code, torch name or None) of a pyfilter.nn padding_mode."""
    if not isinstance(padding_mode, str) or padding_mode not in NN_PADDING_MODES:
        raise ValueError(f"{name}={padding_mode!r} is not supported; expected one of "
                         f"{sorted(NN_PADDING_MODES)} (torch's 'zeros', 'reflect', "
                         "'replicate', 'circular', or a scipy.ndimage mode name)")
    torch_name = padding_mode if padding_mode in TORCH_PADDING_MODES else None
    return MODES[NN_PADDING_MODES[padding_mode]], torch_name


def nn_padding(padding, kernel, dilation, stride, name="padding", strings=True):
    """Per-axis (left, right) padding from torch's forms.

    ``padding``: an int, one int per axis, or (with ``strings``) 'valid',
    'same' (stride 1 only; the extra of an odd total goes right, as torch)
    or 'full' (d (k - 1) on both sides).
    """
    n = len(kernel)
    if isinstance(padding, str):
        if not strings:
            raise ValueError(f"{name}={padding!r}: only integer padding is supported here")
        if padding == "valid":
            return [(0, 0)] * n
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{name}='same' is not supported for strided convolutions "
                                 f"(stride={tuple(stride)}); use an integer padding")
            out = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                out.append((total // 2, total - total // 2))
            return out
        if padding == "full":
            return [(d * (k - 1), d * (k - 1)) for k, d in zip(kernel, dilation)]
        raise ValueError(f"{name}={padding!r} is not a padding; expected an int, a tuple "
                         "of ints, 'valid', 'same' or 'full'")
    vals = int_sequence(padding, n, name)
    for v in vals:
        if v < 0:
            raise ValueError(f"{name} must be non-negative, got {padding!r}")
    return [(v, v) for v in vals]


def nn_output_padding(output_padding, stride, dilation, name="output_padding"):
    """torch's rule: 0 <= output_padding < max(stride, dilation) per axis."""
    op = int_sequence(output_padding, len(stride), name, minimum=0)
    for a, s, d in zip(op, stride, dilation):
        if a >= max(s, d):
            raise ValueError(f"{name} must be smaller than either stride or dilation; "
                             f"got {name}={tuple(op)} with stride={tuple(stride)} "
                             f"and dilation={tuple(dilation)}")
    return op


def nn_groups(groups, c_in, c_out, name="groups"):
    g = as_int(groups, name)
    if g < 1:
        raise ValueError(f"{name} must be >= 1, got {groups!r}")
    if c_in % g:
        raise ValueError(f"{name}={g} does not divide the {c_in} input channels")
    if c_out % g:
        raise ValueError(f"{name}={g} does not divide the {c_out} output channels")
    return g
