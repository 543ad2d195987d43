"""The FFT backend of correlation: scipy.fft (with ``workers``) on the
input extended by the boundary mode, overlap-save tiles for large
kernels, spectrum folding for strided outputs."""
import numpy as np

from .._common import codes as C
from .._common.codes import PadMode
from .._common import dtypes as D
from . import line as L

_NP_PAD = C.NP_PAD


def _extend(x, axis, lo, hi, mode, cval):
    """Virtual positions lo..hi-1 of ``x`` along ``axis`` (mode extension)."""
    n = x.shape[axis]
    before = max(0, -lo)
    after = max(0, hi - n)
    if before or after:
        pad = [(0, 0)] * x.ndim
        pad[axis] = (before, after)
        npmode = _NP_PAD[mode]
        if npmode == "reflect" and n == 1:
            npmode = "edge"
        if npmode == "constant":
            x = np.pad(x, pad, mode="constant", constant_values=cval)
        else:
            x = np.pad(x, pad, mode=npmode)
    sl = [slice(None)] * x.ndim
    sl[axis] = slice(lo + before, hi + before)
    return x[tuple(sl)]


class FftSpec:
    """What an FFT correlation needs besides the arrays (see :func:`call`)."""

    __slots__ = ("w", "modes", "cval", "base", "stride", "dilation", "out_shape",
                 "complex_case")

    def __init__(self, w, modes, cval, base, stride, dilation, out_shape, complex_case):
        self.w = np.array(w)       # a copy: the plan outlives the call
        self.modes = list(modes)
        self.cval = cval
        self.base = list(base)
        self.stride = list(stride)
        self.dilation = list(dilation)
        self.out_shape = tuple(out_shape)
        self.complex_case = complex_case


def spec(x, w, output, modes, cval, base, stride, dilation, out_shape):
    """Validate the output and ``cval`` of an FFT correlation of ``x`` with
    ``w``: its :class:`FftSpec`, the target dtype and the complex-warning
    flag (see :func:`pyfilter._ops.correlate.result_dtype`)."""
    from . import correlate as _core
    complex_case = x.dtype.kind == "c" or w.dtype.kind == "c"
    tdt, cval, warn = _core.check_output(output, x, out_shape, complex_case, cval)
    return (FftSpec(w, modes, cval, base, stride, dilation, out_shape, complex_case),
            tdt, warn)


def call(x, w, output, modes, cval, base, stride, dilation, out_shape):
    """The planned call (:class:`pyfilter._ops.plans.Call`) of an FFT
    correlation; it runs :func:`correlate_fft` (scipy.fft with the caller's
    thread count)."""
    from . import correlate as _core
    from . import plans as P
    sp, tdt, warn = spec(x, w, output, modes, cval, base, stride, dilation, out_shape)

    def run(pl, inp, tgt, nthreads):
        if warn:
            _core.warn_complex()
        correlate_fft(sp, inp, tgt, nthreads)

    size = int(np.prod(out_shape))
    keep = _core.kept_taps(w, True)
    halo = _core.reach(np.ones(w.shape, bool), base, dilation) if all(
        s == 1 for s in stride) else None
    return P.Call(lambda i, t: None, run, out_shape, tdt, size * max(int(keep.sum()), 1),
                  halo)


def correlate_fft(sp, input, target, nworkers):
    """Correlation by FFT into ``target`` (the result's shape, native byte
    order): extend the input per mode over the range the kernel reads,
    multiply spectra, and keep only the strided outputs (the spectrum is
    folded so the inverse transform has the output's size)."""
    import scipy.fft as sfft
    w, modes, cval = sp.w, sp.modes, sp.cval
    base, stride, dilation, out_shape = sp.base, sp.stride, sp.dilation, sp.out_shape
    complex_case = sp.complex_case
    nd = input.ndim
    nworkers = max(1, int(nworkers))
    single = (D.real_dtype(input.dtype) == np.float32
              and D.real_dtype(target.dtype) == np.float32 and w.dtype.kind != "c")
    fdt = np.complex64 if single else np.complex128
    rdt = np.float32 if single else np.float64
    if complex_case:
        x = input.astype(fdt, copy=False)
    else:
        x = input.astype(rdt, copy=False)
    # dilated kernel
    kd_shape = [(w.shape[a] - 1) * dilation[a] + 1 for a in range(nd)]
    kd = np.zeros(kd_shape, dtype=w.dtype)
    kd[tuple(slice(None, None, dilation[a]) for a in range(nd))] = w
    axes = [a for a in range(nd) if kd_shape[a] > 1 or stride[a] > 1] or [nd - 1]
    if all(s == 1 for s in stride):
        # overlap-save tiles; the extension also covers the last tile
        T = {a: _tile_sizes(out_shape[a], kd_shape[a], complex_case) for a in axes}
        ranges = []
        for a in range(nd):
            if a in T:
                B = T[a] - kd_shape[a] + 1
                M = -(-out_shape[a] // B) * B + kd_shape[a] - 1
            else:
                M = out_shape[a] + kd_shape[a] - 1
            ranges.append((base[a], base[a] + M))
        x = _extend_all(x, ranges, modes, cval)
        y = _fft_tiled(x, kd, kd_shape, T, out_shape, complex_case, fdt, rdt, nworkers)
        store_into(target, y)
        return target
    sizes = []
    for a in range(nd):
        M = (out_shape[a] - 1) * stride[a] + kd_shape[a]
        x = _extend(x, a, base[a], base[a] + M, modes[a], cval)
        if a in axes:
            s = stride[a]
            sizes.append(s * sfft.next_fast_len(-(-M // s), real=not complex_case))
    # kernel in circular-correlation layout: kp[0] = kd[0], kp[F-i] = kd[i]
    kp = np.zeros([sizes[axes.index(a)] if a in axes else 1 for a in range(nd)],
                  dtype=fdt if (complex_case or w.dtype.kind == "c") else rdt)
    idx = []
    for a in range(nd):
        i = np.arange(kd_shape[a])
        if a in axes:
            idx.append((-i) % sizes[axes.index(a)])
        else:
            idx.append(i)
    kp[np.ix_(*idx)] = kd
    use_real = not complex_case and all(s == 1 for s in stride)
    if use_real:
        X = sfft.rfftn(x, s=sizes, axes=axes, workers=nworkers)
        X *= sfft.rfftn(kp, s=sizes, axes=axes, workers=nworkers)
        y = sfft.irfftn(X, s=sizes, axes=axes, workers=nworkers)
    else:
        X = sfft.fftn(x, s=sizes, axes=axes, workers=nworkers)
        X *= sfft.fftn(kp, s=sizes, axes=axes, workers=nworkers)
        # fold the spectrum for strided outputs: y[o*s] = ifft_G(sum_m X[k+mG]) / s
        gsizes = []
        for j, a in enumerate(axes):
            s = stride[a]
            F = sizes[j]
            if s > 1:
                G = F // s
                shp = list(X.shape)
                shp[a:a + 1] = [s, G]
                X = X.reshape(shp).sum(axis=a) / s
                gsizes.append(G)
            else:
                gsizes.append(F)
        y = sfft.ifftn(X, s=gsizes, axes=axes, workers=nworkers)
        if not complex_case:
            y = y.real
    sl = []
    for a in range(nd):
        if a in axes:
            sl.append(slice(0, out_shape[a]))
        else:
            sl.append(slice(0, (out_shape[a] - 1) * stride[a] + 1, stride[a]))
    y = y[tuple(sl)]
    store_into(target, y)
    return target


def _tile_sizes(n_out, K, complex_case):
    """Overlap-save tile length for one axis: the fewest transformed points
    with a mild penalty for long transforms (measured with scipy.fft on
    2048^2 float32: tiles of 320-512 beat both small tiles and one
    full-size transform for a 31x31 kernel)."""
    import scipy.fft as sfft
    best = None
    full = sfft.next_fast_len(n_out + K - 1, real=not complex_case)
    T = sfft.next_fast_len(max(2 * K, 16), real=not complex_case)
    while True:
        B = T - K + 1
        ntiles = -(-n_out // B)
        cost = ntiles * T * (1.0 + np.log2(max(T, 2)) / 8.0)
        if best is None or cost < best[0]:
            best = (cost, T)
        if T >= full or T >= 4096:
            break
        T = sfft.next_fast_len(T + 1, real=not complex_case)
    return best[1]


def _extend_all(x, ranges, modes, cval):
    """Virtual positions ``ranges[a]`` of ``x`` along every axis (mode
    extension); one np.pad call when the modes agree."""
    if len(set(modes)) == 1:
        pad, sl = [], []
        for a, (lo, hi) in enumerate(ranges):
            n = x.shape[a]
            before, after = max(0, -lo), max(0, hi - n)
            pad.append((before, after))
            sl.append(slice(lo + before, hi + before))
        if any(p != (0, 0) for p in pad):
            npmode: PadMode | None = _NP_PAD[modes[0]]
            if npmode == "reflect" and any(x.shape[a] == 1 and pad[a] != (0, 0)
                                           for a in range(x.ndim)):
                npmode = None
            if npmode == "constant":
                x = np.pad(x, pad, mode="constant", constant_values=cval)
            elif npmode is not None:
                x = np.pad(x, pad, mode=npmode)
            else:
                for a, (lo, hi) in enumerate(ranges):
                    x = _extend(x, a, lo, hi, modes[a], cval)
                return x
        return x[tuple(sl)]
    for a, (lo, hi) in enumerate(ranges):
        x = _extend(x, a, lo, hi, modes[a], cval)
    return x


def _fft_tiled(x, kd, kd_shape, T, out_shape, complex_case, fdt, rdt, nworkers):
    """Overlap-save correlation: the extended input ``x`` (virtual
    positions of the outputs' windows, covering whole tiles) is cut into
    overlapping tiles of size ``T[a]`` along the FFT axes, all transformed
    in one batched scipy.fft call, multiplied by the kernel's spectrum
    (computed once at tile size) and transformed back; each tile keeps its
    alias-free part."""
    import scipy.fft as sfft
    nd = x.ndim
    axes = sorted(T)
    B = {a: T[a] - kd_shape[a] + 1 for a in axes}
    ntl = {a: -(-out_shape[a] // B[a]) for a in axes}
    shape, strides, taxes = [], [], []
    for a in range(nd):
        if a in T:
            shape += [ntl[a], T[a]]
            strides += [B[a] * x.strides[a], x.strides[a]]
            taxes.append(len(shape) - 1)
        else:
            shape.append(x.shape[a])
            strides.append(x.strides[a])
    tiles = np.lib.stride_tricks.as_strided(x, shape=shape, strides=strides,
                                            writeable=False)
    # kernel in circular-correlation layout at tile size
    kshape = [T[a] if a in T else 1 for a in range(nd)]
    kp = np.zeros(kshape, dtype=fdt if (complex_case or kd.dtype.kind == "c") else rdt)
    idx = [((-np.arange(kd_shape[a])) % T[a]) if a in T else np.arange(kd_shape[a])
           for a in range(nd)]
    kp[np.ix_(*idx)] = kd
    tsizes = [T[a] for a in axes]
    if complex_case:
        X = sfft.fftn(tiles, s=tsizes, axes=taxes, workers=nworkers)
        X *= sfft.fftn(kp, s=tsizes, axes=axes, workers=nworkers).reshape(
            _bcast(X.shape, taxes))
        y = sfft.ifftn(X, s=tsizes, axes=taxes, workers=nworkers, overwrite_x=True)
    else:
        X = sfft.rfftn(tiles, s=tsizes, axes=taxes, workers=nworkers)
        X *= sfft.rfftn(kp, s=tsizes, axes=axes, workers=nworkers).reshape(
            _bcast(X.shape, taxes))
        y = sfft.irfftn(X, s=tsizes, axes=taxes, workers=nworkers, overwrite_x=True)
    del X
    return _TiledResult(y, nd, T, B, ntl, out_shape)


class _TiledResult:
    """The valid parts of the tiles, copied block by block into an output
    (no intermediate reassembled array)."""

    def __init__(self, y, nd, T, B, ntl, out_shape):
        self.y, self.nd, self.T, self.B, self.ntl = y, nd, T, B, ntl
        self.out_shape = out_shape
        self.dtype = y.dtype

    def blocks(self):
        fax = [a for a in range(self.nd) if a in self.T]
        for idx in np.ndindex(*[self.ntl[a] for a in fax]):
            src, dst = [], []
            t = dict(zip(fax, idx))
            for a in range(self.nd):
                if a in self.T:
                    lo = t[a] * self.B[a]
                    hi = min(lo + self.B[a], self.out_shape[a])
                    src += [t[a], slice(0, hi - lo)]
                    dst.append(slice(lo, hi))
                else:
                    src.append(slice(None))
                    dst.append(slice(None))
            yield tuple(dst), self.y[tuple(src)]


def _bcast(xshape, taxes):
    """Shape of the kernel spectrum broadcast against the tiles' spectrum."""
    return [xshape[i] if i in taxes else 1 for i in range(len(xshape))]



def store_into(target, y):
    """Store a float result with scipy's casting rules (numpy's copy when
    the types agree)."""
    if isinstance(y, _TiledResult):
        for dst, blk in y.blocks():
            store_into(target[dst], blk)
        return target
    if target.dtype == y.dtype:
        np.copyto(target, y)
    else:
        L.copy_into(target, y)
    return target
