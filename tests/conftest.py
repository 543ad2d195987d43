"""Fixtures shared by every test package (helpers live in tests/helpers.py)."""
import numpy as np
import pytest

# tests/typing holds files for mypy (tests/test_typing.py), not tests
collect_ignore = ["typing"]


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
