"""pyfilter's test suite."""
