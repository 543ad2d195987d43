"""scikit-image style grey morphology (skimage.morphology) with flat
footprints.

``erosion``, ``dilation``, ``opening``, ``closing``, ``white_tophat`` and
``black_tophat`` take scikit-image 0.26's arguments (``image``,
``footprint``, ``out``, keyword-only ``mode`` and ``cval``) plus
``workers``, and give its results: its default footprint, its padding of
even footprints, its unreflected dilation, its footprint sequences and its
'max' / 'min' / 'ignore' modes.  docs/semantics.md describes the rules.
"""
from .._common.public import publish as _publish
from ._gray import erosion, dilation, opening, closing, white_tophat, black_tophat

__all__ = ["erosion", "dilation", "opening", "closing", "white_tophat", "black_tophat"]

_publish(__name__, __all__)


def __dir__() -> list[str]:
    return sorted(__all__)
