"""Tests of pyfilter.kernels."""
