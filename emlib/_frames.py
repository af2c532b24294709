"""Pictures of an explorer's figure, drawn fast enough to follow a slider.

Drawing the whole figure costs 50-80 ms, nearly all of it text: tick labels, axis labels,
legends. A slider move changes only a few artists (curves, a histogram, a title, a legend,
the ticks of an axis whose limits follow the data), so :class:`Frames` draws the rest (the
*background*: axes frames, fixed ticks, labels) once per pixel ratio and set of fixed
limits, keeps it, and for each picture restores it and draws the changing artists on top
(matplotlib's blitting).

A legend with an opaque frame is drawn once per content and resolution as well: its pixels
(with a 2-pixel margin of the background round it) are kept and pasted over each picture,
where they sit on top of the curves as a drawn legend would.

A picture is the same bytes whether its background was drawn or reused: the changing artists
are marked *animated*, which keeps them out of every background, and are always drawn on top
of it in the same order.
"""

from __future__ import annotations

import io
import math
import struct
import zlib
from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.transforms import Bbox
from PIL import Image

from ._recent import Recent

# Fast compression: 5-20 ms a picture instead of 30-80 ms at the default level, for files
# about 25% larger, which a local connection carries in well under a millisecond.
PNG_OPTIONS = {"compress_level": 1}
# A frame for the browser: the RGBA pixels deflated at zlib's fastest level, after an 8-byte
# header (width, height: big-endian unsigned 32-bit). 5-6 ms at a pixel ratio of 2 where a PNG
# takes 20-25 ms (its filters and the copy to RGB), for about 10% more bytes; the page inflates
# it with the browser's DecompressionStream and paints it into a canvas.
FRAME_HEADER = struct.Struct(">II")
FRAME_LEVEL = 1
BACKGROUNDS_KEPT = 32
LEGEND_MARGIN = 2  # pixels of background kept round a pasted legend's frame
NICE = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_ceiling(value: float) -> float:
    """The smallest number of the form m * 10^e (m in 1, 1.2, 1.5, 2, ..., 8) >= ``value`` > 0."""
    if not value > 0:
        raise ValueError(f"value must be positive; got {value}")
    exponent = math.floor(math.log10(value))
    scale = 10.0 ** exponent
    for m in NICE:
        if m * scale >= value * (1 - 1e-12):
            return m * scale
    return 10.0 * scale  # pragma: no cover (NICE ends at 10)


def nice_range(low: float, high: float) -> tuple[float, float]:
    """An interval containing [low, high], its ends multiples of a step from the ladder."""
    step = nice_ceiling(max(high - low, 1e-12) / 5)
    return math.floor(low / step) * step, math.ceil(high / step) * step


class Frames:
    """Pictures of ``figure``, whose changing artists ``changing()`` lists, in drawing order:
    as RGBA pixels, as a frame for the browser or as a PNG.

    ``pixel_ratio`` scales the figure's resolution (2 on a high-density screen): the picture has
    ``pixel_ratio`` times as many pixels each way, and shows at the same size in CSS pixels.
    """

    def __init__(self, figure: Figure, dpi: float, changing: Callable[[], Sequence[Artist]]):
        self.figure = figure
        self.dpi = dpi
        self.changing = changing
        self.canvas = FigureCanvasAgg(figure)
        self._backgrounds = Recent(BACKGROUNDS_KEPT)
        self._legends = Recent(BACKGROUNDS_KEPT)
        self.drawn = self.reused = 0  # backgrounds drawn and reused, for the benchmark

    def _key(self, artists: Sequence[Artist]) -> tuple:
        """What the background depends on: the resolution, and the limits of every axis
        whose ticks are drawn into it (an axis listed as changing is drawn on top instead)."""
        moving = {id(a) for a in artists}
        limits = tuple(tuple(axis.get_view_interval().tolist()) for ax in self.figure.axes
                       for axis in (ax.xaxis, ax.yaxis) if id(axis) not in moving)
        return self.figure.dpi, limits

    def png(self, pixel_ratio: float = 1.0) -> bytes:
        """The picture as a PNG."""
        return png_of(self.rgba(pixel_ratio))

    def frame(self, pixel_ratio: float = 1.0) -> bytes:
        """The picture as a frame for the browser (see ``FRAME_HEADER``)."""
        rgba = self.rgba(pixel_ratio)
        height, width, _ = rgba.shape
        return FRAME_HEADER.pack(width, height) + zlib.compress(rgba.data, FRAME_LEVEL)

    def rgba(self, pixel_ratio: float = 1.0) -> np.ndarray:
        """The picture's pixels, shape (height, width, 4): a view of the canvas, valid until
        the next picture."""
        if self.figure.dpi != self.dpi * pixel_ratio:
            self.figure.set_dpi(self.dpi * pixel_ratio)
        artists = [a for a in self.changing() if a is not None]
        for artist in artists:
            artist.set_animated(True)
        key = self._key(artists)
        background = self._backgrounds.get(key)
        if background is None:
            self.canvas.draw()  # animated artists are left out
            background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._backgrounds[key] = background
            self.drawn += 1
        else:
            self.canvas.restore_region(background)
            self.reused += 1
        renderer = self.canvas.get_renderer()
        pasted = [a for a in artists if _opaque_legend(a)]
        for artist in artists:
            if artist.get_visible() and artist not in pasted:
                artist.draw(renderer)
        for legend in pasted:
            self._paste(legend, background, renderer)
        return np.asarray(self.canvas.buffer_rgba())

    def _paste(self, legend: Legend, background, renderer) -> None:
        """Paste the legend's pixels, drawn over the background alone the first time."""
        box = legend.get_window_extent(renderer)
        key = (self.figure.dpi, tuple(t.get_text() for t in legend.get_texts()),
               tuple(np.round(box.bounds, 3)))
        pixels = self._legends.get(key)
        if pixels is None:
            picture = self.canvas.copy_from_bbox(self.figure.bbox)
            self.canvas.restore_region(background)
            legend.draw(renderer)
            pixels = self.canvas.copy_from_bbox(Bbox.from_extents(
                box.x0 - LEGEND_MARGIN, box.y0 - LEGEND_MARGIN,
                box.x1 + LEGEND_MARGIN, box.y1 + LEGEND_MARGIN))
            self.canvas.restore_region(picture)
            self._legends[key] = pixels
        self.canvas.restore_region(pixels)

    @property
    def css_size(self) -> tuple[int, int]:
        """The picture's width and height in CSS pixels, at any pixel ratio."""
        width, height = self.figure.get_size_inches() * self.dpi
        return round(width), round(height)


def png_of(rgba: np.ndarray) -> bytes:
    """A PNG of opaque RGBA pixels (its alpha channel dropped)."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba[..., :3])).save(buffer, format="png", **PNG_OPTIONS)
    return buffer.getvalue()


def pixels_of(frame: bytes) -> np.ndarray:
    """The RGBA pixels of a frame made by :meth:`Frames.frame`, shape (height, width, 4)."""
    width, height = FRAME_HEADER.unpack_from(frame)
    data = zlib.decompress(frame[FRAME_HEADER.size:])
    return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 4)


def _opaque_legend(artist: Artist) -> bool:
    """A visible legend whose frame hides everything under it."""
    if not isinstance(artist, Legend) or not artist.get_visible():
        return False
    frame = artist.get_frame()
    return artist.get_frame_on() and frame.get_facecolor()[3] == 1.0
