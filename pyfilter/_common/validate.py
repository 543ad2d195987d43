"""Input validation, mode names and output handling for every public function.

All errors name the parameter and the value received.  Nothing here modifies
the caller's arrays.
"""
from __future__ import annotations

import numbers
import operator
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar, overload

import numpy as np
from numpy.typing import DTypeLike, NDArray

from .errors import (ArgumentError, ArgumentOverflowError, ArgumentTypeError, AxisError,
                     ComplexCvalError, NumberError)
from .codes import (CV_BORDERS, MODE_CONSTANT, MODE_MIRROR, MODE_NEAREST,  # noqa: F401
                    MODE_REFLECT, MODE_WRAP, MODES, TORCH_PADDING_MODES, TYPECODES,
                    typecode)

# The checks take what the caller passed (Any: they are where it gets
# validated) and return it in the form the ops use.
_C = TypeVar("_C", bound=Callable[..., Any])


# ---------------------------------------------------------------- modes
def mode_code(mode: Any, name: str = "mode") -> int:
    """Code of one scipy mode name."""
    if not isinstance(mode, str):
        raise ArgumentTypeError(f"{name} must be a string naming a boundary mode, got {mode!r}")
    try:
        return MODES[mode]
    except KeyError:
        raise ArgumentError(f"{name}={mode!r} is not a boundary mode; expected one of "
                            f"{sorted(MODES)}") from None


def mode_codes(mode: Any, n: int, name: str = "mode", allow_sequence: bool = True) -> list[int]:
    """One mode code per axis from a mode name or a sequence of names."""
    if isinstance(mode, str):
        return [mode_code(mode, name)] * n
    if not isinstance(mode, (list, tuple, np.ndarray)):
        raise ArgumentTypeError(f"{name} must be a string naming a boundary mode, got {mode!r}")
    if not allow_sequence:
        raise ArgumentError(f"{name} must be a single mode name for this function "
                            f"(a sequence of modes is not supported), got {mode!r}")
    try:
        modes = list(mode)
    except TypeError:
        raise ArgumentTypeError(f"{name} must be a mode name or a sequence of them, got {mode!r}") from None
    if len(modes) != n:
        raise ArgumentError(f"{name} must have one entry per filtered axis ({n}), got {mode!r}")
    return [mode_code(m, name) for m in modes]


# ---------------------------------------------------------------- dtypes
def _supported(dtype: Any) -> bool:
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        return False
    if dtype.isnative:
        return dtype in TYPECODES
    return dtype.newbyteorder("=") in TYPECODES


def check_array(x: Any, name: str = "input", min_ndim: int = 1,
                allow_float16: bool = False) -> NDArray[Any]:
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
    if allow_float16 and arr.dtype.kind == "f" and arr.dtype.itemsize == 2:
        arr = arr.astype(np.float32)
    if not _supported(arr.dtype) or arr.dtype.kind not in "biufc":
        raise ArgumentTypeError(f"{name} has dtype {arr.dtype}, which is not supported; use "
                                "bool, int8..uint64, float32, float64, complex64 or complex128")
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    if arr.ndim < min_ndim:
        raise ArgumentError(f"{name} must have at least {min_ndim} dimension(s), "
                            f"got an array of shape {arr.shape}")
    return arr


def check_weights(weights: Any, name: str = "weights") -> NDArray[Any]:
    """Kernel as a native float64 or complex128 array (non-empty); float16
    kernels are accepted, as scipy accepts them."""
    w = check_array(weights, name, min_ndim=0, allow_float16=True)
    if w.size == 0:
        raise ArgumentError(f"{name} is empty (shape {w.shape}); no filter weights given")
    if w.dtype.kind == "c":
        return w.astype(np.complex128, copy=False)
    return w.astype(np.float64, copy=False)


def check_footprint(footprint: Any, n: int, name: str = "footprint") -> NDArray[np.bool_]:
    """Boolean window mask with one dimension per filtered axis (``n``) and
    at least one True entry (nonzero values count as True, as in scipy)."""
    try:
        fp = np.asarray(footprint)
    except Exception as exc:
        raise TypeError(f"{name} must be array-like, got {type(footprint).__name__}: {exc}") from None
    if fp.dtype.kind not in "biuf":
        raise ArgumentTypeError(f"{name} must be a boolean (or numeric) array, got dtype {fp.dtype}")
    fp = fp.astype(bool)
    if fp.ndim != n:
        raise ArgumentError(f"{name} has {fp.ndim} dimension(s) (shape {fp.shape}), but it "
                            f"must have one per filtered axis ({n})")
    if fp.size == 0:
        raise ArgumentError(f"{name} is empty (shape {fp.shape})")
    if not fp.any():
        raise ArgumentError(f"{name} has no True entry (an all-False footprint selects "
                            "nothing); shape {fp.shape}".replace("{fp.shape}", str(fp.shape)))
    return fp


# ---------------------------------------------------------------- sequences
# lengths, offsets and factors beyond this cannot be indexed (sums of two
# stay within a signed 64-bit integer)
INT_LIMIT = 1 << 62


# the longest 1-D kernel (taps, or the span of a dilated kernel) the
# engines build tables for: 2**24 (128 MiB of float64 weights)
MAX_SPAN = 1 << 24


def as_int(value: Any, name: str) -> int:
    """``value`` as a Python int (bool and non-integers rejected)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {value!r}") from None
    if not -INT_LIMIT < v < INT_LIMIT:
        raise ArgumentOverflowError(f"{name}={value!r} is out of range (at most 2**62 "
                                    "in magnitude)")
    return v


def int_sequence(value: Any, n: int, name: str, minimum: int | None = None) -> list[int]:
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
            raise ArgumentError(f"{name} must be an integer or have one entry per "
                                f"filtered axis ({n}), got {value!r}")
    for v in vals:
        if minimum is not None and v < minimum:
            raise ArgumentError(f"{name} must be >= {minimum}, got {value!r}")
        if not -INT_LIMIT < v < INT_LIMIT:
            raise ArgumentOverflowError(f"{name}={value!r} is out of range (at most "
                                        f"2**62 in magnitude)")
    return vals


def per_axis(value: Any, n: int, name: str, what: str = "a number") -> list[Any]:
    """A scalar repeated n times, or a sequence of exactly n entries."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be {what} or a sequence of them, got {value!r}")
    if np.ndim(value) == 0:
        return [value] * n
    vals = list(np.asarray(value, dtype=object).ravel())
    if len(vals) != n:
        raise ArgumentError(f"{name} must be {what} or have one entry per "
                            f"filtered axis ({n}), got {value!r}")
    return vals


def float_sequence(value: Any, n: int, name: str) -> list[float]:
    vals = per_axis(value, n, name)
    out = []
    for v in vals:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(f"{name} must contain real numbers, got {value!r}")
        out.append(float(v))
    return out


def normalize_axes(axes: Any, ndim: int, name: str = "axes") -> list[int]:
    """scipy.ndimage's axes rule: None -> all; ints wrap; duplicates rejected."""
    if axes is None:
        return list(range(ndim))
    if np.ndim(axes) == 0:
        axes = [axes]
    out = []
    for a in axes:
        a = as_int(a, name)
        if not -ndim <= a < ndim:
            raise AxisError(f"{name} entry {a} is out of range for an input with "
                            f"{ndim} dimension(s)")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ArgumentError(f"{name} must be unique, got {tuple(axes)!r}")
    return out


def normalize_axis(axis: Any, ndim: int, name: str = "axis") -> int:
    a = as_int(axis, name)
    if not -ndim <= a < ndim:
        raise AxisError(f"{name}={axis!r} is out of range for an input with {ndim} dimension(s)")
    return a % ndim


def place_window(fp: NDArray[Any], origins: Sequence[int], axes: Sequence[int],
                 ndim: int) -> tuple[NDArray[Any], list[int]]:
    """scipy.ndimage's N-D placement of a window: its dimensions go to the
    filtered ``axes`` in increasing order, ``origins`` follow the order of
    ``axes`` (by position when every axis is filtered).  Returns the window
    reshaped to ``ndim`` dimensions and one origin per axis."""
    shape = [1] * ndim
    for a, k in zip(sorted(axes), fp.shape):
        shape[a] = k
    if len(axes) == ndim:
        full = list(origins)
    else:
        full = [0] * ndim
        for a, o in zip(axes, origins):
            full[a] = o
    return fp.reshape(shape), full


def check_origins(origins: Sequence[int], lengths: Sequence[int],
                  name: str = "origin") -> None:
    """scipy's origin rule: -(L // 2) <= origin <= (L - 1) // 2 per axis."""
    for o, L in zip(origins, lengths):
        if not -(L // 2) <= o <= (L - 1) // 2:
            raise ArgumentError(f"{name}={o} is invalid for a kernel of length {L}; it must "
                                f"satisfy -(L // 2) <= origin <= (L - 1) // 2, i.e. "
                                f"{-(L // 2)} .. {(L - 1) // 2}")


@overload
def check_cval(cval: Any, complex_ok: Literal[False], name: str = ...) -> float: ...
@overload
def check_cval(cval: Any, complex_ok: bool, name: str = ...) -> float | complex: ...


def check_cval(cval: Any, complex_ok: bool, name: str = "cval") -> float | complex:
    """``cval`` as a float, or a complex when ``complex_ok`` (a complex
    input: scipy rejects a complex cval for a real input, even where the
    mode does not use it)."""
    if type(cval) is float or type(cval) is int:  # fast path
        return float(cval)
    if isinstance(cval, (bool, np.bool_)):
        return float(cval)
    if isinstance(cval, numbers.Complex) and not isinstance(cval, numbers.Real):
        if not complex_ok:
            raise ComplexCvalError(f"{name} must be a real number for a real input, got "
                                   f"{cval!r} (a complex cval needs a complex input)")
        return complex(cval)
    if not isinstance(cval, numbers.Real):
        try:
            return float(cval)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a number, got {cval!r}") from None
    return float(cval)


def pad_value(cval: Any, dtype: DTypeLike, name: str = "cval") -> Any:
    """``cval`` as ``np.pad(mode='constant')`` stores it in ``dtype``
    (scikit-image's padding), with errors that name it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.pad(np.zeros(1, dtype), (0, 1), constant_values=cval)[1]
    except OverflowError:
        raise ArgumentOverflowError(f"{name}={cval!r} does not fit the image's dtype "
                                    f"{np.dtype(dtype)}") from None
    except (TypeError, ValueError):
        raise NumberError(f"{name} must be a number, got {cval!r}") from None


# ---------------------------------------------------------------- outputs
def output_dtype(output: Any, input_dtype: DTypeLike, complex_output: bool = False,
                 name: str = "output") -> np.dtype[Any]:
    """Dtype of the result for ``output`` None / a dtype (scipy's rules)."""
    if output is None:
        if complex_output:
            return np.promote_types(input_dtype, np.complex64)
        return np.dtype(input_dtype)
    try:
        dt = np.dtype(output)
    except TypeError:
        raise ArgumentTypeError(f"{name} must be None, a dtype or an ndarray, got {output!r}") from None
    if complex_output and dt.kind != "c":
        warnings.warn("promoting specified output dtype to complex", UserWarning, stacklevel=4)
        dt = np.promote_types(dt, np.complex64)
    if not _supported(dt):
        raise ArgumentTypeError(f"{name} dtype {dt} is not supported")
    return dt.newbyteorder("=")


MAX_BYTES = 1 << 62


def new_array(shape: Sequence[int], dtype: DTypeLike, what: str) -> NDArray[Any]:
    """``np.empty(shape, dtype)``, or an ArgumentError naming ``what`` (the
    arguments that set the shape) when no machine could hold it."""
    shape = tuple(int(n) for n in shape)
    nbytes = np.dtype(dtype).itemsize
    for n in shape:
        nbytes *= max(n, 0)
    if nbytes > MAX_BYTES or any(n > MAX_BYTES for n in shape):
        raise ArgumentError(f"{what} gives a result of shape {shape}, which cannot be "
                            "allocated")
    return np.empty(shape, dtype=dtype)


def get_output(output: Any, input: NDArray[Any], shape: Sequence[int],
               complex_output: bool = False,
               name: str = "output") -> tuple[NDArray[Any], NDArray[Any]]:
    """Allocate or check the output array.

    Returns ``(result, target)``: ``result`` is what the function returns;
    ``target`` is the array the engine writes (a temporary when ``output``
    shares memory with ``input`` or has a non-native byte order; copy it
    into ``result`` afterwards with :func:`finish_output`).
    """
    shape = tuple(shape)
    if isinstance(output, np.ndarray):
        if output.shape != shape:
            raise ArgumentError(f"{name} has shape {output.shape}, but the result has shape {shape}")
        if complex_output and output.dtype.kind != "c":
            raise ArgumentTypeError(f"{name} has dtype {output.dtype}, but the result is complex; "
                                    "pass a complex output")
        if not _supported(output.dtype):
            raise ArgumentTypeError(f"{name} has dtype {output.dtype}, which is not supported")
        if not output.flags.writeable:
            raise ArgumentError(f"{name} is read-only")
        if (not output.dtype.isnative) or np.may_share_memory(output, input):
            return output, np.empty(shape, dtype=output.dtype.newbyteorder("="))
        return output, output
    dt = output_dtype(output, input.dtype, complex_output, name)
    arr = np.empty(shape, dtype=dt)
    return arr, arr


def prepare_output(output: Any, input: NDArray[Any], shape: Sequence[int],
                   complex_output: bool, cval: Any, complex_cval: bool | None = None
                   ) -> tuple[NDArray[Any], NDArray[Any], float | complex]:
    """:func:`get_output` and :func:`check_cval` together, rejecting a
    non-empty result from an empty input.  Returns (result, target, cval);
    the caller returns ``result`` at once when ``target.size == 0``."""
    result, target = get_output(output, input, shape, complex_output)
    if complex_cval is None:
        complex_cval = input.dtype.kind == "c"
    cval = check_cval(cval, complex_cval)
    if target.size and input.size == 0:
        raise ArgumentError(f"input has shape {input.shape}: cannot produce a non-empty "
                            f"output of shape {tuple(shape)} from an empty input")
    return result, target, cval


def finish_output(result: NDArray[Any], target: NDArray[Any]) -> NDArray[Any]:
    if result is not target:
        np.copyto(result, target, casting="unsafe")
    return result


# ---------------------------------------------------------------- separable filters
def check_sigma(sigma: Any, n: int, name: str = "sigma") -> list[float]:
    """One finite, non-negative standard deviation per axis."""
    vals = float_sequence(sigma, n, name)
    for v in vals:
        if not np.isfinite(v) or v < 0:
            raise ArgumentError(f"{name} must be finite and >= 0, got {sigma!r}")
    return vals


def check_truncate(truncate: Any, name: str = "truncate") -> float:
    if isinstance(truncate, (bool, np.bool_)) or not isinstance(truncate, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {truncate!r}")
    t = float(truncate)
    if not np.isfinite(t) or t < 0:
        raise ArgumentError(f"{name} must be finite and >= 0, got {truncate!r}")
    return t


def check_orders(order: Any, n: int, name: str = "order", maximum: int = 3) -> list[int]:
    """Derivative orders 0..maximum, one per axis."""
    vals = int_sequence(order, n, name)
    for v in vals:
        if not 0 <= v <= maximum:
            raise ArgumentError(f"{name} must be in 0..{maximum}, got {order!r}")
    return vals


def check_radius(radius: Any, n: int, name: str = "radius") -> list[int | None]:
    """None, or a non-negative integer (or one per axis)."""
    if radius is None:
        return [None] * n
    vals = per_axis(radius, n, name, "None or a non-negative integer")
    out: list[int | None] = []
    for v in vals:
        if v is None:
            out.append(None)
            continue
        v = as_int(v, name)
        if v < 0:
            raise ArgumentError(f"{name} must be >= 0, got {radius!r}")
        out.append(v)
    return out


METHODS = ("auto", "direct", "separable", "fft")


def check_method(method: Any, name: str = "method") -> str:
    if not isinstance(method, str) or method not in METHODS:
        raise ArgumentError(f"{name} must be one of {METHODS}, got {method!r}")
    return method


def check_mask(mask: Any, shape: Sequence[int], name: str = "mask") -> NDArray[np.bool_] | None:
    """None, or a boolean-convertible array of exactly ``shape``."""
    if mask is None:
        return None
    m = np.asarray(mask)
    if m.shape != tuple(shape):
        raise ArgumentError(f"{name} has shape {m.shape}, but it must have the image's "
                            f"(spatial) shape {tuple(shape)}")
    if m.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a boolean or numeric array, got dtype {m.dtype}")
    return m.astype(bool, copy=False)


def as_index(value: Any, name: str) -> int:
    """``value`` as a Python int via ``operator.index`` (so True counts as
    1, as in scipy.ndimage's morphology); floats and other objects rejected."""
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {value!r}") from None
    if not -INT_LIMIT < v < INT_LIMIT:
        raise ArgumentOverflowError(f"{name}={value!r} is out of range (at most 2**62 "
                                    "in magnitude)")
    return v


def check_structure(structure: Any, n: int, name: str = "structure") -> NDArray[Any]:
    """A structuring element: a non-empty real array with one dimension per
    filtered axis (``n``), returned as given (not converted)."""
    try:
        s = np.asarray(structure)
    except Exception as exc:
        raise TypeError(f"{name} must be array-like, got {type(structure).__name__}: "
                        f"{exc}") from None
    if s.dtype.kind not in "biuf":
        raise ArgumentTypeError(f"{name} must be a boolean or real array, got dtype {s.dtype}")
    if s.ndim != n:
        raise ArgumentError(f"{name} has {s.ndim} dimension(s) (shape {s.shape}), but it "
                            f"must have one per filtered axis ({n})")
    if s.size == 0:
        raise ArgumentError(f"{name} is empty (shape {s.shape})")
    return s


def check_callable(func: _C, name: str = "func") -> _C:
    if not callable(func):
        raise TypeError(f"{name} must be callable, got {func!r} of type {type(func).__name__}")
    return func
