# Element conversion shared by the engines (included by _common.pxi).
#
# Loading converts an input element to the compute type; storing converts a
# computed value to the output element type with scipy.ndimage's rules,
# measured on scipy 1.17 (tests/ndimage/test_correlate.py
# ::test_integer_casting_extremes; docs/semantics.md, section 1.6).  scipy
# has two rules, one per code path:
#
# CAST_LINE: the 1-D line filters (correlate1d, convolve1d, uniform,
#   gaussian, sobel, ... and every filter built from line passes): x86
#   cvttsd2si semantics.
#   * int8/uint8/int16/uint16/int32: truncate toward zero to int32 (NaN and
#     values outside int32 give INT32_MIN), then wrap to the narrower type;
#   * uint32/int64: the same through int64 (INT64_MIN);
#   * uint64: [2**63, 2**64) truncates, >= 2**64 gives 0, [-2**63, 2**63)
#     truncates through int64 and wraps, anything else (NaN, -inf,
#     < -2**63) gives 2**63.
# CAST_ND: the N-D correlate/convolve: as CAST_LINE except that uint64
#   truncates and wraps any finite |x| < 2**64 (sign and magnitude) and
#   gives 0 for other values but NaN.  NaN stores as in CAST_LINE (INT32_MIN
#   wrapped, INT64_MIN, 2**63).  (scipy skips NaN weights; a NaN computed
#   from NaN or inf data is what reaches the store.)
# bool (both rules): the uint8 result, then != 0 (scipy stores the raw
# byte; we keep its truth value and a valid bool).
# Type codes and cast rules: _codes.pxd.

from libc.stdint cimport (int8_t, uint8_t, int16_t, uint16_t, int32_t,
                          uint32_t, int64_t, uint64_t, INT32_MIN, INT64_MIN)

ctypedef float complex cfloat_t
ctypedef double complex cdouble_t

# Compute (accumulation) types.
ctypedef fused ctype:
    float
    double
    cdouble_t

# Element types of arrays the engines read and write (bool is read as uint8).
ctypedef fused etype:
    int8_t
    uint8_t
    int16_t
    uint16_t
    int32_t
    uint32_t
    int64_t
    uint64_t
    float
    double
    cfloat_t
    cdouble_t


cdef inline int32_t _d2i32(double x, int rule) noexcept nogil:
    if x != x:
        return INT32_MIN
    if -2147483649.0 < x < 2147483648.0:
        return <int32_t>x
    return INT32_MIN


cdef inline int64_t _d2i64(double x, int rule) noexcept nogil:
    if x != x:
        return INT64_MIN
    if -9223372036854775808.0 <= x < 9223372036854775808.0:
        return <int64_t>x
    return INT64_MIN


cdef inline uint64_t _d2u64(double x, int rule) noexcept nogil:
    cdef uint64_t r
    if rule == CAST_ND:
        if x != x:
            return (<uint64_t>1) << 63
        if x >= 0:
            return <uint64_t>x if x < 18446744073709551616.0 else 0
        r = <uint64_t>(-x) if -x < 18446744073709551616.0 else 0
        return (<uint64_t>0) - r
    if x >= 9223372036854775808.0:
        return <uint64_t>x if x < 18446744073709551616.0 else 0
    if x >= -9223372036854775808.0:
        return <uint64_t>(<int64_t>x)
    return (<uint64_t>1) << 63


cdef inline ctype _to_c(etype v, ctype dummy) noexcept nogil:
    """Convert one element to the compute type (complex->real never asked)."""
    if ctype is cdouble_t:
        if etype is cfloat_t or etype is cdouble_t:
            return <cdouble_t>v
        else:
            return <cdouble_t>(<double>v)
    else:
        if etype is cfloat_t or etype is cdouble_t:
            return 0
        else:
            return <ctype>v


cdef inline void _from_c(etype* dst, ctype v, bint is_bool, int rule) noexcept nogil:
    """Store one computed value with scipy's casting rule ``rule``."""
    cdef double x
    if etype is cfloat_t or etype is cdouble_t:
        if ctype is cdouble_t:
            dst[0] = <etype>v
        else:
            dst[0] = <etype>(<double>v)
    elif ctype is cdouble_t:
        return  # complex into real: rejected before the engine runs
    else:
        if etype is float or etype is double:
            dst[0] = <etype>v
        else:
            x = <double>v
            if etype is uint8_t:
                if is_bool:
                    dst[0] = <uint8_t>(<uint8_t>_d2i32(x, rule) != 0)
                else:
                    dst[0] = <uint8_t>_d2i32(x, rule)
            elif etype is int8_t or etype is int16_t or etype is uint16_t or etype is int32_t:
                dst[0] = <etype>_d2i32(x, rule)
            elif etype is uint32_t or etype is int64_t:
                dst[0] = <etype>_d2i64(x, rule)
            else:
                dst[0] = <etype>_d2u64(x, rule)


cdef inline void _load_run(ctype* buf, Py_ssize_t bstep, const char* src,
                           Py_ssize_t sstep, Py_ssize_t n, etype* kind) noexcept nogil:
    """buf[m*bstep] = src[m*sstep] (byte step) converted, for m < n."""
    cdef Py_ssize_t m
    cdef const etype* p = <const etype*>src
    cdef ctype dummy = 0
    if bstep == 1 and sstep == <Py_ssize_t>sizeof(etype):
        for m in range(n):
            buf[m] = _to_c(p[m], dummy)
    else:
        for m in range(n):
            buf[m * bstep] = _to_c((<const etype*>(src + m * sstep))[0], dummy)


cdef inline void load_run(ctype* buf, Py_ssize_t bstep, const char* src,
                          Py_ssize_t sstep, Py_ssize_t n, int tc) noexcept nogil:
    """Converted strided copy of ``n`` elements of type code ``tc``."""
    if tc == TC_FLOAT32:
        _load_run(buf, bstep, src, sstep, n, <float*>NULL)
    elif tc == TC_FLOAT64:
        _load_run(buf, bstep, src, sstep, n, <double*>NULL)
    elif tc == TC_UINT8 or tc == TC_BOOL:
        _load_run(buf, bstep, src, sstep, n, <uint8_t*>NULL)
    elif tc == TC_INT8:
        _load_run(buf, bstep, src, sstep, n, <int8_t*>NULL)
    elif tc == TC_INT16:
        _load_run(buf, bstep, src, sstep, n, <int16_t*>NULL)
    elif tc == TC_UINT16:
        _load_run(buf, bstep, src, sstep, n, <uint16_t*>NULL)
    elif tc == TC_INT32:
        _load_run(buf, bstep, src, sstep, n, <int32_t*>NULL)
    elif tc == TC_UINT32:
        _load_run(buf, bstep, src, sstep, n, <uint32_t*>NULL)
    elif tc == TC_INT64:
        _load_run(buf, bstep, src, sstep, n, <int64_t*>NULL)
    elif tc == TC_UINT64:
        _load_run(buf, bstep, src, sstep, n, <uint64_t*>NULL)
    elif tc == TC_COMPLEX64:
        _load_run(buf, bstep, src, sstep, n, <cfloat_t*>NULL)
    elif tc == TC_COMPLEX128:
        _load_run(buf, bstep, src, sstep, n, <cdouble_t*>NULL)


cdef inline int32_t _i32_line(ctype v) noexcept nogil:
    """CAST_LINE to int32 without branches (the loops over it vectorise):
    in range truncates toward zero, anything else (NaN included) is
    INT32_MIN."""
    cdef bint ok
    cdef double xd
    cdef float xf
    if ctype is float:
        xf = v
        ok = (xf >= <float>-2147483648.0) & (xf < <float>2147483648.0)
        return <int32_t>(xf if ok else <float>0) if ok else INT32_MIN
    else:
        xd = <double>v
        ok = (xd > -2147483649.0) & (xd < 2147483648.0)
        return <int32_t>(xd if ok else 0.0) if ok else INT32_MIN


cdef inline void _store_run(char* dst, Py_ssize_t dstep, const ctype* buf,
                            Py_ssize_t n, bint is_bool, int rule, etype* kind) noexcept nogil:
    cdef Py_ssize_t m
    cdef etype* p = <etype*>dst
    if ctype is not cdouble_t and (etype is int8_t or etype is uint8_t or etype is int16_t
                                   or etype is uint16_t or etype is int32_t):
        # the common integer outputs: branch-free, vectorised when contiguous
        if dstep == <Py_ssize_t>sizeof(etype):
            if etype is uint8_t and is_bool:
                for m in range(n):
                    p[m] = <uint8_t>(<uint8_t>_i32_line(buf[m]) != 0)
            else:               # both rules agree below 64 bits
                for m in range(n):
                    p[m] = <etype>_i32_line(buf[m])
        else:
            for m in range(n):
                _from_c(<etype*>(dst + m * dstep), buf[m], is_bool, rule)
    elif dstep == <Py_ssize_t>sizeof(etype):
        for m in range(n):
            _from_c(p + m, buf[m], is_bool, rule)
    else:
        for m in range(n):
            _from_c(<etype*>(dst + m * dstep), buf[m], is_bool, rule)


cdef inline void store_run(char* dst, Py_ssize_t dstep, const ctype* buf,
                           Py_ssize_t n, int tc, int rule) noexcept nogil:
    """Store ``n`` computed values into a strided run of type code ``tc``
    with casting rule ``rule`` (CAST_ND or CAST_LINE)."""
    if tc == TC_FLOAT32:
        _store_run(dst, dstep, buf, n, False, rule, <float*>NULL)
    elif tc == TC_FLOAT64:
        _store_run(dst, dstep, buf, n, False, rule, <double*>NULL)
    elif tc == TC_UINT8:
        _store_run(dst, dstep, buf, n, False, rule, <uint8_t*>NULL)
    elif tc == TC_BOOL:
        _store_run(dst, dstep, buf, n, True, rule, <uint8_t*>NULL)
    elif tc == TC_INT8:
        _store_run(dst, dstep, buf, n, False, rule, <int8_t*>NULL)
    elif tc == TC_INT16:
        _store_run(dst, dstep, buf, n, False, rule, <int16_t*>NULL)
    elif tc == TC_UINT16:
        _store_run(dst, dstep, buf, n, False, rule, <uint16_t*>NULL)
    elif tc == TC_INT32:
        _store_run(dst, dstep, buf, n, False, rule, <int32_t*>NULL)
    elif tc == TC_UINT32:
        _store_run(dst, dstep, buf, n, False, rule, <uint32_t*>NULL)
    elif tc == TC_INT64:
        _store_run(dst, dstep, buf, n, False, rule, <int64_t*>NULL)
    elif tc == TC_UINT64:
        _store_run(dst, dstep, buf, n, False, rule, <uint64_t*>NULL)
    elif tc == TC_COMPLEX64:
        _store_run(dst, dstep, buf, n, False, rule, <cfloat_t*>NULL)
    elif tc == TC_COMPLEX128:
        _store_run(dst, dstep, buf, n, False, rule, <cdouble_t*>NULL)


cdef inline int ctype_code(ctype* kind) noexcept nogil:
    """The type code whose elements have exactly the compute type's layout."""
    if ctype is float:
        return TC_FLOAT32
    elif ctype is double:
        return TC_FLOAT64
    else:
        return TC_COMPLEX128
