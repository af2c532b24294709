"""What an explorer's picture shows, read from its pixels.

The explorers draw component k in matplotlib's colour ``C{k-1}`` (the tab10 cycle), so the
number of component curves in a picture is the number of those colours that cover a
meaningful number of pixels. Only the main plot area counts: the legend repeats the colours
(one entry per component in lessons 1 and 3, a single C0 sample in lesson 5) and lesson 5's
log-likelihood trace is drawn in C0. The plot area's place in the picture comes from the same
explorer class drawn in Python for the same values: its layout is fixed (figure size, dpi and
margins are constants of the class), the legend's box depends on the values.

C7 is grey, which the anti-aliased edges of black lines and text produce everywhere, so it is
not counted: pictures checked here have K <= 7.
"""

from __future__ import annotations

import io

import matplotlib.colors as mcolors
import matplotlib.image as mpimg
import numpy as np

COUNTED = range(7)
# Anti-aliasing leaves the core of a line at its exact colour and blends its edges with what
# lies under them. 10 levels per channel keeps the cores and leaves out every blend of a
# palette colour with white, black, the histograms' grey or another palette colour (the
# nearest of these to a third palette colour is 16 levels away). Red over lesson 3's darker
# grey rug can come within 6 levels of brown, on a few pixels at most.
TOLERANCE = 10
# A visible curve covers at least 50 pixels of its colour at the values the tests choose;
# stray pixels of a colour no curve has are a handful.
MIN_PIXELS = 20
MARGIN = 3  # pixels kept clear of the axes' spines and of the legend's frame


def decode_png(data: bytes) -> np.ndarray:
    """RGB levels 0..255 of a PNG, shape (height, width, 3)."""
    rgba = mpimg.imread(io.BytesIO(data), format="png")
    return np.round(rgba[..., :3] * 255).astype(np.int16)


def palette() -> np.ndarray:
    return np.round(np.array([mcolors.to_rgb(f"C{j}") for j in COUNTED]) * 255).astype(np.int16)


def plot_area(explorer, shape: tuple[int, int]) -> np.ndarray:
    """Mask of the main axes without the legend, for a picture of ``explorer``'s figure."""
    height, width = shape
    expected = tuple(round(v) for v in explorer.figure.bbox.size)
    if expected != (width, height):
        raise ValueError(f"picture is {width}x{height} px, the explorer draws {expected}")
    mask = np.zeros(shape, dtype=bool)
    x0, y0, x1, y1 = explorer.ax.get_window_extent().extents
    # figure coordinates count from the bottom, image rows from the top
    mask[int(height - y1) + MARGIN:int(height - y0) - MARGIN,
         int(x0) + MARGIN:int(x1) - MARGIN] = True
    legend = explorer.ax.get_legend()
    if legend is not None:
        x0, y0, x1, y1 = legend.get_window_extent().extents
        mask[max(int(height - y1) - MARGIN, 0):int(height - y0) + MARGIN,
             max(int(x0) - MARGIN, 0):int(x1) + MARGIN] = False
    return mask


def colour_pixels(png: bytes, explorer) -> dict[int, int]:
    """For each counted colour C{j}, how many pixels of the plot area have it."""
    rgb = decode_png(png)
    mask = plot_area(explorer, rgb.shape[:2])
    return {j: int(((np.abs(rgb - colour).max(axis=2) <= TOLERANCE) & mask).sum())
            for j, colour in zip(COUNTED, palette(), strict=True)}


def component_curves(png: bytes, explorer) -> list[int]:
    """The component indices (0-based) whose colour covers a meaningful share of the plot."""
    return [j for j, n in colour_pixels(png, explorer).items() if n >= MIN_PIXELS]


def ink_fraction(rgb: np.ndarray) -> float:
    """Share of pixels that differ from the picture's most common colour (its background)."""
    flat = rgb.reshape(-1, rgb.shape[-1])
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    background = colours[np.argmax(counts)]
    return float(np.mean(np.any(flat != background, axis=1)))
