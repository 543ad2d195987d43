"""Tests of pyfilter.nn."""
