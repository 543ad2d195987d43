"""Tests of pyfilter.filters."""
