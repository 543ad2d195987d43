"""Optional peers, imported once; None when not installed."""
try:
    import cv2
except ImportError:  # pragma: no cover
    cv2 = None
try:
    import skimage
except ImportError:  # pragma: no cover
    skimage = None
try:
    import torch
except ImportError:
    torch = None
