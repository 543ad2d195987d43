"""The dtype policy, in one place: the engines' working precision, the
result dtypes of each dialect, scikit-image's float conversion."""
import numpy as np

from .._cext import _runtime
from . import codes as C
from .validate import check_array

_SMALL_INTS = {np.dtype(t) for t in (np.bool_, np.int8, np.uint8, np.int16, np.uint16)}


def real_dtype(dt):
    dt = np.dtype(dt)
    if dt.kind == "c":
        return np.dtype(np.float32) if dt == np.complex64 else np.dtype(np.float64)
    return dt


# float32 represents every integer below this exactly
_F32_EXACT = 1 << 24


def int_range(dtype):
    """The largest magnitude a value of the (bool or integer) ``dtype`` has."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return 1
    info = np.iinfo(dtype)
    return max(abs(int(info.min)), int(info.max))


def work_dtype(in_dtype, out_dtype, int_sums=None):
    """Working precision: float32 for a float32 result from float32 (or
    small-integer) data, float64 otherwise (scipy computes in float64).

    ``int_sums``: for small-integer data into small-integer results, the
    largest magnitude any partial sum of the filter can reach when every
    weight (and divisor) is an integer, else None.  Below 2**24 every such
    sum is exact in float32 and a true float32 division truncates as
    float64's does (a non-integer quotient lies at least 1/divisor from an
    integer, farther than float32's rounding), so float32 gives scipy's
    result bit for bit, twice as many lanes wide."""
    i = real_dtype(in_dtype)
    o = real_dtype(out_dtype)
    if o == np.float32 and (i == np.float32 or i in _SMALL_INTS):
        return np.dtype(np.float32)
    if (int_sums is not None and int_sums < _F32_EXACT and i in _SMALL_INTS
            and o in _SMALL_INTS):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def quantized(out_dtype):
    return np.dtype(out_dtype).kind in "biu"


def scratch_dtype(out_dtype):
    """Intermediates stored through the output type (bool: scipy keeps the
    raw wrapped byte, so the intermediate is uint8)."""
    dt = np.dtype(out_dtype)
    return np.dtype(np.uint8) if dt == np.bool_ else dt


def compute_dtype(in_dtype, out_dtype, weights_dtype):
    """Accumulation type: float32 only for float32 -> float32, complex if
    anything is complex, float64 otherwise (scipy computes in float64)."""
    if (np.dtype(in_dtype).kind == "c" or np.dtype(out_dtype).kind == "c"
            or np.dtype(weights_dtype).kind == "c"):
        return np.dtype(np.complex128)
    if np.dtype(in_dtype) == np.float32 and np.dtype(out_dtype) == np.float32:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def img_as_float(image, name="image"):
    """``image`` as float: float32/float64 kept (float16 -> float32);
    unsigned integers scaled by 1/max, signed by 1/max and clipped at -1,
    bool as 0/1 (scikit-image's img_as_float)."""
    image = check_array(image, name, allow_float16=True)
    if image.dtype.kind == "c":
        raise TypeError(f"{name} must be real, got dtype {image.dtype}")
    if image.dtype.kind == "f":
        return image
    if image.dtype == np.bool_:
        return image.astype(np.float64)
    imax = np.iinfo(image.dtype).max
    out = np.multiply(image, 1.0 / imax, dtype=np.float64)
    if image.dtype.kind == "i":
        np.maximum(out, -1.0, out=out)
    return out


def float_dtype_of(dtype, preserve_range=False):
    """The float dtype scikit-image converts ``dtype`` to: float32/float64
    kept, float16 -> float32 (done on input), anything else float64."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return np.dtype(np.float32) if dtype.itemsize <= 4 else np.dtype(np.float64)
    return np.dtype(np.float64)


def float_scale(dtype, preserve_range=False):
    """The factor scikit-image's conversion of ``dtype`` to float multiplies
    by, when that conversion is linear (float: 1; unsigned integers and bool:
    1 / max; any integer with ``preserve_range``: 1), else None (signed
    integers are clipped at -1).  A linear filter can fold the factor into
    its weights and read the image as it is."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f" or dtype == np.bool_ or (preserve_range and dtype.kind in "iu"):
        return 1.0
    if dtype.kind == "u":
        return 1.0 / np.iinfo(dtype).max
    return None


def c_cast(value, dtype):
    """``value`` (a float) converted to the integer ``dtype`` the way
    scipy.ndimage's compiled code converts a double (the engines' CAST_LINE
    store, ``pyfilter/_cext/_convert.pxi``, run on one element): 8- to
    32-bit types through int32 (NaN and out-of-range values give
    INT32_MIN) and a wrap, uint32 and int64 through int64, uint64 by the
    x86 rules; bool as uint8.  Returns a Python int."""
    dt = np.dtype(np.uint8) if np.dtype(dtype) == np.bool_ else np.dtype(dtype)
    raw = _runtime.store_bytes(float(value), C.typecode(dt), C.CAST_LINE)
    return int(np.frombuffer(raw[:dt.itemsize], dtype=dt)[0])
