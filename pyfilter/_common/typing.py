"""Type aliases for the annotations of the public functions (one place).

The dialect modules import these at run time (they are plain aliases), so
``typing.get_type_hints`` resolves every public signature.  The mode and
padding-mode literals list the names ``pyfilter._common.codes.MODES`` and
``pyfilter.nn._args.NN_PADDING_MODES`` accept (tests/test_typing.py checks
that they agree).
"""
from collections.abc import Callable, Sequence
from typing import Any, Literal, Optional, TypeAlias, Union

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

__all__ = ["ArrayLike", "DTypeLike", "NDArray", "Mode", "ModeOrSeq", "Method", "IntOrSeq",
           "FloatOrSeq", "Axes", "Radius", "Workers", "Scalar", "Output", "FloatArray",
           "FloatOutput", "Padding", "PaddingMode", "Plan", "MorphMode", "Footprint"]

# ---------------------------------------------------------------- boundaries
#: scipy.ndimage's boundary mode names
Mode: TypeAlias = Literal["reflect", "constant", "nearest", "mirror", "wrap",
                          "grid-constant", "grid-mirror", "grid-wrap"]
#: one mode for every axis, or one per filtered axis
ModeOrSeq: TypeAlias = Union[Mode, Sequence[Mode]]
#: pyfilter.nn's padding_mode names: torch's (their meaning wins for
#: 'reflect'), the other scipy names, and 'symmetric' for scipy's 'reflect'
PaddingMode: TypeAlias = Literal["zeros", "reflect", "replicate", "circular", "constant",
                                 "nearest", "mirror", "wrap", "grid-constant",
                                 "grid-mirror", "grid-wrap", "symmetric"]
#: pyfilter.nn's convolution padding: per-axis amounts or a named rule
Padding: TypeAlias = Union[int, Sequence[int], Literal["valid", "same", "full"]]
#: skimage.morphology's grey-morphology modes (scipy's five, and 'max',
#: 'min', 'ignore': the outside never wins)
MorphMode: TypeAlias = Literal["reflect", "constant", "nearest", "mirror", "wrap", "max",
                               "min", "ignore"]
#: the correlation methods (pyfilter._common.validate.METHODS)
Method: TypeAlias = Literal["auto", "direct", "separable", "fft"]

# ---------------------------------------------------------------- per-axis values
IntOrSeq: TypeAlias = Union[int, Sequence[int]]
FloatOrSeq: TypeAlias = Union[float, Sequence[float]]
#: scipy.ndimage's ``axes``: None (all), one axis, or several
Axes: TypeAlias = Union[int, Sequence[int], None]
#: gaussian radius: None (from truncate), one value, or one per axis (None
#: entries: from truncate)
Radius: TypeAlias = Union[int, Sequence[Optional[int]], None]
#: a flat structuring element, or scikit-image's decomposed form: a
#: sequence of (footprint, number of repetitions) pairs applied in turn
Footprint: TypeAlias = Union[ArrayLike, Sequence[tuple[NDArray[Any], int]]]
#: a thread count with scipy.fft's semantics (None: the default)
Workers: TypeAlias = Optional[int]

# ---------------------------------------------------------------- values and outputs
#: a fill value (complex only for complex inputs)
Scalar: TypeAlias = Union[complex, np.number[Any], np.bool_]
#: an output array, or the dtype of the result (None: the default)
Output: TypeAlias = Union[NDArray[Any], DTypeLike, None]
#: a float32 or float64 result
FloatArray: TypeAlias = NDArray[np.floating[Any]]
#: a float output array or float dtype (None: the default)
FloatOutput: TypeAlias = Union[NDArray[np.floating[Any]], DTypeLike, None]

#: a planned call, ``plan(input, output, workers) -> result``
#: (pyfilter._ops.plans.Call and its kin)
Plan: TypeAlias = Callable[[Any, Any, Any], Any]
