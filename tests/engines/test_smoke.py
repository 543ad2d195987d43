import numpy as np
import scipy.ndimage as ndi

import pyfilter
from pyfilter import ndimage as pnd


def test_correlate_matches_scipy_smoke(rng):
    x = rng.standard_normal((17, 23))
    w = rng.standard_normal((3, 4))
    np.testing.assert_allclose(pnd.correlate(x, w), ndi.correlate(x, w), rtol=1e-12, atol=1e-12)


def test_show_config_runs(capsys):
    pyfilter.show_config()
    assert "openmp" in capsys.readouterr().out
