"""Private op layer: one module per engine (correlate, line, reduce,
channel), the method choice for correlation, the FFT backend and kernel
analysis.  It calls the engines in ``pyfilter._cext`` and knows no
dialect; the dialects (``pyfilter.ndimage``, ``filters``, ``nn``) call it.
See docs/architecture.md."""
