"""pyfilter's error classes.

Every error names the parameter and the value received.  Where a peer
raises a different class for the same mistake, ours derives from both, so
that code written against either library catches it:

* :class:`ArgumentError` is a ValueError and a RuntimeError (scipy.ndimage
  raises RuntimeError for wrong sequence lengths, kernel ranks, mode names
  and output shapes; torch raises RuntimeError for bad shapes);
* :class:`ArgumentTypeError` is a TypeError and a RuntimeError (scipy
  raises RuntimeError for unsupported dtypes and non-string modes);
* :class:`AxisError` is numpy's AxisError (a ValueError and an IndexError)
  and a RuntimeError.
"""
import numpy as np

_NpAxisError = np.exceptions.AxisError


class ArgumentError(ValueError, RuntimeError):
    """A bad argument value."""


class ArgumentTypeError(TypeError, RuntimeError):
    """An argument of an unsupported type or dtype."""


class AxisError(_NpAxisError, RuntimeError):
    """An axis out of range for the array."""

    def __init__(self, message):
        super().__init__(message)


class ComplexCvalError(ArgumentTypeError, ValueError):
    """A complex ``cval`` for a real input (scipy raises TypeError, or
    ValueError when the weights are complex)."""


class ArgumentOverflowError(ArgumentError, OverflowError):
    """A number too large for what it is used as (numpy raises
    OverflowError, scipy and scikit-image ValueError or OverflowError)."""


class NumberError(ArgumentTypeError, ValueError):
    """Something that is not a number where one is needed (numpy's
    conversions raise ValueError for strings, TypeError for objects)."""


class FilterFunctionError(RuntimeError):
    """A C filter function (a scipy.LowLevelCallable) returned 0 without
    setting a Python error: scipy raises RuntimeError("unknown error in
    filter function")."""
