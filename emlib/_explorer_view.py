"""The explorers' view in the browser: sliders, the picture and the numbers under it.

One widget (anywidget: its front end is ``explorer_view.js``, loaded without a build step)
holds every control of an explorer, so the page and the kernel follow one protocol:

- The kernel owns the values (``values``). A value set from code is shown exactly as set; the
  handle sits at the nearest position of its grid, and nothing is sent back.
- A slider sends only when the student moves it, and sends positions on its grid
  (``move``: the positions of the controls moved, and a request number). The kernel turns
  positions into values, draws, and answers with the picture (``frame``: its pixels,
  deflated), the numbers and the request number (``drawn``) in one message.
- While a request is out, the page sends nothing: further moves only record the latest
  positions, sent as soon as the answer comes. A kernel that takes longer than the hand
  therefore skips intermediate values instead of falling behind.
- The page reports its device pixel ratio (``pixel_ratio``), and the kernel draws at that
  resolution; the picture keeps its size in CSS pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import anywidget
import traitlets

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Control:
    """A slider over ``positions + 1`` grid points, ``min + i * step`` (i = 0..positions).

    With ``scale="log10"`` the grid is of base-10 exponents and the value is ``10 ** x``.
    ``label`` is shown beside the slider, ``description`` is its accessible name.
    """

    name: str
    label: str
    description: str
    min: float
    step: float
    positions: int
    scale: str = "linear"
    digits: int = 3  # significant digits of a log slider's readout

    def value_at(self, position: int) -> float | int:
        if not (isinstance(position, int) and 0 <= position <= self.positions):
            raise ValueError(f"{self.name}: position must be an integer in "
                             f"[0, {self.positions}]; got {position!r}")
        x = self.min + position * self.step
        return 10.0 ** x if self.scale == "log10" else int(round(x))

    def position_of(self, value: float) -> int:
        x = math.log10(value) if self.scale == "log10" else value
        return min(self.positions, max(0, round((x - self.min) / self.step)))

    @property
    def range(self) -> tuple[float, float]:
        return self.value_at(0), self.value_at(self.positions)

    def spec(self) -> dict:
        return {"name": self.name, "label": self.label, "description": self.description,
                "min": self.min, "step": self.step, "positions": self.positions,
                "scale": self.scale, "digits": self.digits}


class ExplorerView(anywidget.AnyWidget):
    _esm = HERE / "explorer_view.js"
    _css = HERE / "explorer_view.css"

    controls = traitlets.List(traitlets.Dict()).tag(sync=True)
    values = traitlets.Dict().tag(sync=True)
    move = traitlets.Dict().tag(sync=True, echo_update=False)
    drawn = traitlets.Int(0).tag(sync=True)
    frame = traitlets.Bytes(b"").tag(sync=True)  # the picture: see _frames.FRAME_HEADER
    summary = traitlets.Unicode("").tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)  # of the picture, in CSS pixels
    height = traitlets.Int(0).tag(sync=True)
    pixel_ratio = traitlets.Float(1.0).tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)  # the explorer's class, for its repr
    description = traitlets.Unicode("").tag(sync=True)  # what it shows: its accessible name

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{self.title}({values})"
