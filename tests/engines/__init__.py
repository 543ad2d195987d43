"""Tests across the engines: SIMD variants, threads, memory layouts, bad input, hardening."""
