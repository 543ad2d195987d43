"""Output-size arithmetic: the one formula shared by correlation with
stride/dilation, pooling and the convolution layers."""


def conv_output_length(n, kernel, stride=1, padding=(0, 0), dilation=1,
                       ceil_mode=False):
    """Number of windows along one axis.

    ``floor((n + p_left + p_right - d (k - 1) - 1) / s) + 1``; with
    ``ceil_mode`` the division rounds up, but (torch's rule) a last window
    that would start in the right padding is dropped.  May be <= 0 when the
    dilated kernel does not fit: callers decide whether that is an error.
    """
    if isinstance(padding, int):
        padding = (padding, padding)
    pl, pr = padding
    total = n + pl + pr - dilation * (kernel - 1) - 1
    if total < 0:
        return total // stride + 1 if not ceil_mode else -((-total) // stride) + 1
    if not ceil_mode:
        return total // stride + 1
    out = -(-total // stride) + 1
    if (out - 1) * stride >= n + pl:
        out -= 1
    return out


def conv_transpose_output_length(n, kernel, stride=1, padding=0, dilation=1,
                                 output_padding=0):
    """torch's transposed-convolution length:
    ``(n - 1) s - 2 p + d (k - 1) + output_padding + 1``."""
    return (n - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
