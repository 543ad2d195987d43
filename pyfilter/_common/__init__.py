"""Private common layer: validation, error classes, dtype policy, windows
and origins, codes, thread control, output shapes, docstring fragments,
BLAS thread limits, configuration.  It knows no dialect and no op."""
