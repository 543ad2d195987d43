"""The N-D correlation op (engine ``pyfilter/_cext/correlate.pxi``)."""
import numpy as np

from .._common import codes as C
from .._common import dtypes as D
from .._common import validate as V
from .._common import workers as W
from .._cext import engine

DBL_EPSILON = np.finfo(np.float64).eps

CAST_ND, CAST_LINE = C.CAST_ND, C.CAST_LINE


def correlate_nd(input, weights, output, modes, cval, base, stride, dilation,
                 out_shape, workers, skip_small=True, cast_rule=CAST_ND):
    """Correlate ``input`` (validated ndarray) with ``weights`` (float64 or
    complex128, ndim == input.ndim) on the engine.

    ``modes``, ``base``, ``stride``, ``dilation``: one entry per axis (axes
    that are not filtered have a kernel of length 1, stride 1, base 0).
    ``skip_small``: drop taps with |w| <= DBL_EPSILON (and NaN weights), as
    scipy.ndimage.correlate does (correlate1d keeps every tap).
    ``cast_rule``: CAST_ND (scipy's correlate/convolve) or CAST_LINE (its
    1-D filters) for NaN and out-of-range values stored into integers.
    """
    complex_out = input.dtype.kind == "c" or weights.dtype.kind == "c"
    result, target, cval = V.prepare_output(output, input, out_shape, complex_out, cval)
    if target.size == 0:
        return result
    cdt = D.compute_dtype(input.dtype, target.dtype, weights.dtype)
    keep = None
    if skip_small:
        keep = np.abs(weights) > DBL_EPSILON
    w = np.ascontiguousarray(weights, dtype=cdt)
    ntaps = int(keep.sum()) if keep is not None else w.size
    nthreads = W.threads_for(workers, target.size * max(ntaps, 1))
    ndim = input.ndim
    inner = 0
    if (ndim >= 2 and w.shape[-1] == 1 and stride[-1] == 1 and dilation[-1] == 1
            and base[-1] == 0 and input.shape[-1] == target.shape[-1]
            and input.shape[-1] <= 32 and target.shape[-2] > 1):
        inner = 1
    engine("correlate").correlate(
        input, target, w, list(stride), list(dilation), list(base), list(modes),
        cval, C.typecode(input.dtype), C.typecode(target.dtype), nthreads,
        keep, inner, cast_rule)
    W.call_done(nthreads)
    return V.finish_output(result, target)
