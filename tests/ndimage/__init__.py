"""Tests of pyfilter.ndimage."""
