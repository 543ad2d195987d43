"""Private op layer: one module per engine (correlate, line, reduce,
channel), the filter bank, method choice, the FFT backend, kernel analysis,
plans and halos.  It calls the engines in ``pyfilter._cext`` and knows no
dialect; the dialects (``pyfilter.ndimage``, ``filters``, ``nn``...) call it."""
