"""Kernel analysis for the op layer: tap structure of 1-D kernels, rank-1
splitting, scipy.ndimage's Gaussian kernels.  Small arrays only (never
image data)."""
import numpy as np

from .._common import validate as V
from .._common.errors import ArgumentError

DBL_EPSILON = np.finfo(np.float64).eps
# scipy.ndimage skips the axes of a Gaussian with sigma <= this
GAUSS_SIGMA_SKIP = 1e-15

# Farid & Simoncelli (2004) 5-tap interpolator and derivative, in
# correlation orientation (the derivative is x[i+k] - x[i-k] weighted).
FARID_SMOOTH = np.array([0.0376593171958126, 0.249153396177344, 0.426374573253687,
                         0.249153396177344, 0.0376593171958126])
FARID_EDGE = np.array([-0.109603762960254, -0.276690988455557, 0.0,
                       0.276690988455557, 0.109603762960254])


def taps(weights, dilation=1, skip_zero=False):
    """Tap structure of a 1-D correlation kernel.

    Follows scipy.ndimage.correlate1d: an odd kernel whose weights are
    symmetric (or antisymmetric) within DBL_EPSILON is folded, the centre
    first and then the pairs from the outermost inwards, each pair using
    the left weight; other kernels apply the last tap first, then the
    others in order.  With ``skip_zero`` taps with ``|w| <= DBL_EPSILON``
    (and NaN weights) are dropped, as scipy's N-D correlate drops them.
    Returns ``(kind, off1, off2, w, center)``.
    """
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    L = w.shape[0]
    d = dilation

    def keep(v):
        return (not skip_zero) or abs(v) > DBL_EPSILON

    if L & 1:
        c = L // 2
        left = w[:c][::-1]           # w[c-1], ..., w[0]
        right = w[c + 1:]            # w[c+1], ..., w[L-1]
        kind = None
        if np.all(np.abs(right - left) <= DBL_EPSILON):
            kind = "sym"
        elif np.all(np.abs(right + left) <= DBL_EPSILON):
            kind = "anti"
        if kind is not None:
            off1, off2, ws = [], [], []
            for k in range(c, 0, -1):
                if keep(w[c - k]):
                    off1.append((c - k) * d)
                    off2.append((c + k) * d)
                    ws.append(float(w[c - k]))
            center = (c * d, float(w[c])) if keep(w[c]) else None
            return kind, off1, off2, ws, center
    order = [L - 1] + list(range(L - 1))
    off1, ws = [], []
    for i in order:
        if keep(w[i]):
            off1.append(i * d)
            ws.append(float(w[i]))
    return "single", off1, list(off1), ws, None


def gaussian_kernel1d(sigma, order, radius):
    """Samples of the ``order``-th derivative of a Gaussian on
    ``-radius..radius`` (the convolution kernel scipy.ndimage uses).

    The Gaussian is normalised to sum 1; a derivative is the polynomial
    ``q(x)`` times it, with ``q_0 = 1`` and
    ``q_{n+1}(x) = q_n'(x) - x q_n(x) / sigma**2``.
    """
    sigma2 = sigma * sigma
    x = np.arange(-radius, radius + 1)
    phi = np.exp(-0.5 / sigma2 * x ** 2)
    phi = phi / phi.sum()
    if order == 0:
        return phi
    c = np.zeros(order + 1)
    c[0] = 1.0
    inv = -1.0 / sigma2
    for _ in range(order):
        nxt = np.zeros(order + 1)
        for k in range(order + 1):
            v = 0.0
            terms = []
            if k >= 1:
                terms.append(inv * c[k - 1])
            if k + 1 <= order:
                terms.append((k + 1) * c[k + 1])
            for t in terms:
                v = v + t
            nxt[k] = v
        c = nxt
    # q(x) evaluated as a Vandermonde product (numpy's dot, so the rounding
    # is the same as scipy's evaluation of the same polynomial)
    q = np.vander(x, order + 1, increasing=True).dot(c)
    return q * phi


def gaussian_radius(sigma, truncate, radius):
    """scipy's radius ``int(truncate * sigma + 0.5)`` unless ``radius`` is
    given; a kernel of more than MAX_SPAN taps is refused."""
    if radius is None:
        r = truncate * float(sigma) + 0.5
        if not r < V.MAX_SPAN // 2:
            raise ArgumentError(f"sigma={sigma!r} with truncate={truncate!r} needs a kernel "
                                f"radius of {r:.6g}; at most {V.MAX_SPAN // 2 - 1} is "
                                "supported")
        return int(r)
    if radius >= V.MAX_SPAN // 2:
        raise ArgumentError(f"radius={radius!r} is too large; at most {V.MAX_SPAN // 2 - 1} "
                            "is supported")
    return radius


def separate(k, rtol):
    """The 1-D factors of a rank-1 kernel ``k`` (a float64 or complex128
    array, ndim >= 1), each from the kernel's own largest-pivot row and
    column, whose outer product equals ``k`` to within ``rtol`` relative to
    the largest singular value; or None.  See
    :func:`pyfilter.kernels.separate`."""
    if not np.all(np.isfinite(k)):
        return None
    if k.ndim == 1:
        return (k.copy(),)
    factors = _separate(k, float(rtol))
    if factors is None:
        return None
    # final check of the whole reconstruction
    rec = factors[0]
    for f in factors[1:]:
        rec = np.multiply.outer(rec, f)
    scale = np.abs(k).max()
    if scale == 0:
        return tuple(factors)
    err = np.abs(rec - k).max()
    if err > max(rtol, 1e-14) * scale * k.ndim:
        return None
    return tuple(factors)


def _separate(k, rtol):
    n0 = k.shape[0]
    m = k.reshape(n0, -1)
    if m.shape[0] == 1 or m.shape[1] == 1:
        s = None
    else:
        s = np.linalg.svd(m, compute_uv=False)
        if s[0] == 0:
            pass
        elif s[1] > rtol * s[0]:
            return None
    # pivot factors: u = column through the largest entry, v = its row / pivot
    flat = np.argmax(np.abs(m))
    i0, j0 = divmod(int(flat), m.shape[1])
    piv = m[i0, j0]
    if piv == 0:
        u = np.zeros(n0, dtype=k.dtype)
        rest = np.ones(k.shape[1:], dtype=k.dtype)
    else:
        u = m[:, j0].copy()
        rest = (m[i0, :] / piv).reshape(k.shape[1:])
    if rest.ndim == 1:
        return [u, rest]
    sub = _separate(rest, rtol)
    if sub is None:
        return None
    return [u] + sub


def rank1_factors(w, rtol=1e-10):
    """Factors of a rank-1 kernel (None if it is not rank 1 to ``rtol``)."""
    return separate(w, rtol=rtol)


# Rank-1 tolerance: 'auto' accepts a kernel whose rank-1 error is below the
# working precision's rounding; an explicit method='separable' accepts the
# documented 1e-6 (kernels built from float32 factors).
AUTO_RTOL = {np.dtype(np.float32): 1e-7, np.dtype(np.float64): 1e-10}
EXPLICIT_RTOL = 1e-6


def separable_faithful(w, factors):
    """True when running the factors with zero taps skipped applies exactly
    the taps the direct engine applies (|w| > DBL_EPSILON), so NaN and inf
    propagate alike."""
    keep = np.abs(w) > DBL_EPSILON
    fkeep = [np.abs(f) > DBL_EPSILON for f in factors]
    outer = fkeep[0]
    for f in fkeep[1:]:
        outer = np.multiply.outer(outer, f)
    return np.array_equal(outer.reshape(w.shape), keep)


def gaussian_weights(sigma, order, truncate, radius):
    """scipy.ndimage's 1-D Gaussian (derivative) in correlation orientation:
    its convolution kernel of radius ``int(truncate * sigma + 0.5)`` (or
    ``radius``) reversed."""
    r = gaussian_radius(sigma, truncate, radius)
    return gaussian_kernel1d(sigma, order, r)[::-1].copy()
