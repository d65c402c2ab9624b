"""Page images for OCR: render a PDF page, suppress the red seal, correct a small skew.

Only numpy and Pillow (both imported inside the functions). The seal (公章) is red ink
over black print: pixels clearly redder than they are green or blue are read by
their red channel, in which the seal is light and black strokes that cross it stay dark
(overlapping inks darken), and the light ones are set to white before recognition. Skew is estimated from the horizontal projection profile of the
ink (text lines make sharp peaks when they are level) and corrected by rotation.
"""

from __future__ import annotations

# Red seal: a pixel whose red channel exceeds both green and blue by this much is red ink
# (or black print under it); such a pixel is read by its red channel, in which red ink
# is light and black print stays dark, and whitened when that is lighter than SEAL_LIGHT.
SEAL_MIN_MARGIN = 20
SEAL_LIGHT = 185
# JPEG chroma subsampling leaves a faint pink halo around the seal's strokes: a light
# pixel (grey level at least HALO_LIGHT) that is at all redder (HALO_MARGIN) is whitened.
HALO_MARGIN = 6
HALO_LIGHT = 160
# Skew search range and steps (degrees); below MIN_SKEW nothing is rotated.
MAX_SKEW = 2.5
COARSE_STEP = 0.25
FINE_STEP = 0.05
MIN_SKEW = 0.1
# Ink is darker than this (0..255); the profile is taken on an image this wide (px).
INK_LEVEL = 150
PROFILE_WIDTH = 1000


def render_page(page, dpi: int):
    """A pypdfium2 page as an RGB numpy array at `dpi`; a page too large to
    render (pipeline.ingest.limits) raises IngestError too_large first."""
    import numpy as np

    from pipeline.ingest.limits import check_render

    check_render(*page.get_size(), dpi)
    bitmap = page.render(scale=dpi / 72)
    try:
        return np.asarray(bitmap.to_pil().convert("RGB"))
    finally:
        bitmap.close()


def suppress_seal(rgb):
    """Return a grey (3-channel) image with red ink whitened, and the share whitened."""
    import numpy as np

    img = rgb.astype(np.int16)
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    grey = (0.299 * r + 0.587 * g + 0.114 * b).astype(np.int16)
    redness = r - np.maximum(g, b)
    red = redness >= SEAL_MIN_MARGIN
    grey[red] = np.maximum(grey[red], r[red])
    ink = (red & (r >= SEAL_LIGHT)) | ((redness >= HALO_MARGIN) & (grey >= HALO_LIGHT))
    grey[ink] = 255
    return np.repeat(grey.astype(np.uint8)[..., None], 3, axis=2), float(ink.mean())


def estimate_skew(grey) -> float:
    """Angle (degrees) by which text lines descend to the right; 0.0 if none is found."""
    import numpy as np

    g = grey[..., 0] if grey.ndim == 3 else grey
    step = max(1, g.shape[1] // PROFILE_WIDTH)
    small = g[::step, ::step]
    ys, xs = np.nonzero(small < INK_LEVEL)
    if len(ys) < 100:
        return 0.0
    xs = xs - small.shape[1] / 2

    def sharpness(angle: float) -> float:
        shifted = np.round(ys - xs * np.tan(np.radians(angle))).astype(np.int64)
        hist = np.bincount(shifted - shifted.min())
        return float((hist.astype(np.float64) ** 2).sum())

    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, COARSE_STEP)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - COARSE_STEP, best + COARSE_STEP + 1e-9, FINE_STEP)
    return round(float(max(fine, key=sharpness)), 2)


def deskew(grey, angle: float):
    """Rotate so lines descending by `angle` degrees become level (white fill)."""
    import numpy as np
    from PIL import Image

    if abs(angle) < MIN_SKEW:
        return grey
    img = Image.fromarray(grey).rotate(angle, resample=Image.BICUBIC, fillcolor=(255, 255, 255))
    return np.asarray(img)


def prepare(rgb) -> tuple[object, dict]:
    """Seal suppression and deskew; returns the image for recognition and what was done."""
    grey, seal_share = suppress_seal(rgb)
    angle = estimate_skew(grey)
    return deskew(grey, angle), {"skew": angle, "seal_share": round(seal_share, 4)}
