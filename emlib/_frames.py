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
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.transforms import Bbox
from PIL import Image

# Fast compression: 5-20 ms a picture instead of 30-80 ms at the default level, for files
# about 25% larger, which a local connection carries in well under a millisecond.
PNG_OPTIONS = {"compress_level": 1}
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
    """PNG pictures of ``figure``, whose changing artists ``changing()`` lists, in drawing order.

    ``pixel_ratio`` scales the figure's resolution (2 on a high-density screen): the picture has
    ``pixel_ratio`` times as many pixels each way, and shows at the same size in CSS pixels.
    """

    def __init__(self, figure: Figure, dpi: float, changing: Callable[[], Sequence[Artist]]):
        self.figure = figure
        self.dpi = dpi
        self.changing = changing
        self.canvas = FigureCanvasAgg(figure)
        self._backgrounds: OrderedDict[tuple, object] = OrderedDict()
        self._legends: OrderedDict[tuple, object] = OrderedDict()
        self.drawn = self.reused = 0  # backgrounds drawn and reused, for the benchmark

    def _key(self, artists: Sequence[Artist]) -> tuple:
        """What the background depends on: the resolution, and the limits of every axis
        whose ticks are drawn into it (an axis listed as changing is drawn on top instead)."""
        moving = {id(a) for a in artists}
        limits = tuple(tuple(axis.get_view_interval().tolist()) for ax in self.figure.axes
                       for axis in (ax.xaxis, ax.yaxis) if id(axis) not in moving)
        return self.figure.dpi, limits

    def png(self, pixel_ratio: float = 1.0) -> bytes:
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
            if len(self._backgrounds) > BACKGROUNDS_KEPT:
                self._backgrounds.popitem(last=False)
            self.drawn += 1
        else:
            self._backgrounds.move_to_end(key)
            self.canvas.restore_region(background)
            self.reused += 1
        renderer = self.canvas.get_renderer()
        pasted = [a for a in artists if _opaque_legend(a)]
        for artist in artists:
            if artist.get_visible() and artist not in pasted:
                artist.draw(renderer)
        for legend in pasted:
            self._paste(legend, background, renderer)
        rgb = np.asarray(self.canvas.buffer_rgba())[..., :3]
        buffer = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(rgb)).save(buffer, format="png", **PNG_OPTIONS)
        return buffer.getvalue()

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
            if len(self._legends) > BACKGROUNDS_KEPT:
                self._legends.popitem(last=False)
        self.canvas.restore_region(pixels)

    @property
    def css_size(self) -> tuple[int, int]:
        """The picture's width and height in CSS pixels, at any pixel ratio."""
        width, height = self.figure.get_size_inches() * self.dpi
        return round(width), round(height)


def _opaque_legend(artist: Artist) -> bool:
    """A visible legend whose frame hides everything under it."""
    if not isinstance(artist, Legend) or not artist.get_visible():
        return False
    frame = artist.get_frame()
    return artist.get_frame_on() and frame.get_facecolor()[3] == 1.0
