"""Sliders for sigma^2 and K that redraw one figure in place, live while the hand moves.

Each explorer owns one matplotlib ``Figure`` (not registered with pyplot, so nothing leaks
into the notebook's figure list) whose artists are created once. A move updates the
artists' data and sends a new picture of the figure to the explorer's view in the browser
(``_explorer_view.ExplorerView``): the picture changes without a new figure, a new output
or a flicker. Only what a move changes is drawn again; the axes, ticks and labels are kept
from one picture to the next (``_frames.Frames``).

``explorer.static()`` returns the current picture as a plain image, for the static copy
that follows each interactive cell in the lessons. ``explorer.set(...)`` moves the sliders
from code; the values stay exactly as given.

The explorers:

- :class:`DensityExplorer` (lesson 1): the mixture density and its weighted
  components as the components overlap;
- :class:`ResponsibilityExplorer` (lesson 3): responsibilities R_k(x) going
  from soft to hard as sigma^2 shrinks;
- :class:`LiveFitExplorer` (lesson 5): a live EM fit with its log-likelihood trace, and a
  seed for EM's random start;
- :class:`ModelSelectionExplorer` (lesson 6): training log-likelihood, BIC and
  held-out log-likelihood against K, as the components overlap.
"""

from __future__ import annotations

import asyncio
import warnings
from functools import partial

import numpy as np
from IPython.display import Image as StaticImage
from matplotlib.figure import Figure

from ._explorer_view import Control, ExplorerView
from ._frames import Frames, nice_ceiling, nice_range, pixels_of, png_of
from ._recent import Recent
from ._validation import check_positive_int, check_positive_real
from .estep import responsibilities
from .fitting import fit
from .model import MixtureParams, component_pdf, mixture_logpdf, mixture_pdf, sample

MAX_K = 8
# How much the explorers remember: the live fit's last fits, and the model selector's fits at
# its last values of sigma^2 (K = 1..8 at each).
FITS_KEPT = 64
SIGMA2_KEPT = 32
SIGMA2 = Control("sigma2", "σ²", "σ² (the variance)", min=-3.0, step=0.05, positions=80,
                 scale="log10")
K = Control("k", "K", "K (number of components)", min=1, step=1, positions=MAX_K - 1)
SIGMA2_RANGE = SIGMA2.range
COLOURS = [f"C{k}" for k in range(MAX_K)]
ONE_PANEL = dict(left=0.09, right=0.98, bottom=0.14, top=0.9)
TWO_PANELS = dict(left=0.09, right=0.98, bottom=0.14, top=0.9, wspace=0.35)
# 80 dots per inch at a pixel ratio of 1; a high-density screen gets 2 or 3 times as many.
# Fixed margins instead of a layout engine: constrained layout re-measures every tick
# label on every draw.
DPI = 80
# Opaque legends, placed where the curves rarely go: their pixels can be kept (see _frames).
LEGEND = dict(fontsize=7, framealpha=1.0)


def spaced_means(k: int, spacing: float = 2.5) -> np.ndarray:
    """K means ``spacing`` apart, centred on 0."""
    return spacing * (np.arange(k) - (k - 1) / 2.0)


def count_modes(density: np.ndarray) -> int:
    """Number of interior local maxima of a density sampled on a grid.

    A run of equal values (a flat top, or a stretch where the density underflows to 0)
    counts once, as a maximum only if both its neighbours are lower.
    """
    d = np.asarray(density)
    runs = d[np.r_[True, d[1:] != d[:-1]]]  # one value per run of equal values
    return int(np.sum((runs[1:-1] > runs[:-2]) & (runs[1:-1] > runs[2:])))


class _Explorer:
    """Sliders (sigma^2, K and any a subclass adds) over one figure that is redrawn in place."""

    controls: tuple[Control, ...] = (SIGMA2, K)

    def __init__(self, figsize: tuple[float, float], margins: dict[str, float],
                 **values) -> None:
        self.values = self._checked(values, required=True)
        self.figure = Figure(figsize=figsize, dpi=DPI)
        self.figure.subplots_adjust(**margins)
        self.frames = Frames(self.figure, DPI, self._changing)
        self.still: list = []  # artists that no move changes: drawn into the background
        # Axes (x or y) whose limits change with nearly every move: their ticks are drawn
        # with each picture, not kept in the background (which would be drawn anew each time).
        self.moving_axes: list = []
        self._legend_k: int | None = None
        self._ahead_generation = 0
        self._build()
        width, height = self.frames.css_size
        self.view = ExplorerView(controls=[c.spec() for c in self.controls], width=width,
                                 height=height, title=type(self).__name__,
                                 description=(type(self).__doc__ or "").strip().splitlines()[0])
        self.update()
        self.view.observe(self._on_move, names="move")
        self.view.observe(lambda _change: self.update(), names="pixel_ratio")

    # -- what subclasses provide -------------------------------------------------
    def _build(self) -> None:
        raise NotImplementedError

    def _draw(self) -> str:
        """Update the artists for ``self.values``; return the readout text."""
        raise NotImplementedError

    def _ahead(self, direction: dict[str, int]) -> list:
        """Work a move one grid step away would need (callables), most likely first;
        ``direction`` holds the sign of the last page move of each slider."""
        return []

    def _changing(self) -> list:
        """The artists a move changes, in drawing order (see ``_frames``): by default each
        axes' lines and collections, patches, title and legend."""
        artists = []
        for ax in self.figure.axes:
            artists += [*ax.patches, *ax.collections, *ax.lines, ax.title, ax.get_legend()]
            artists += [axis for axis in (ax.xaxis, ax.yaxis) if axis in self.moving_axes]
        return [a for a in artists if a not in self.still]

    # -- shared machinery --------------------------------------------------------
    def _checked(self, values: dict, required: bool = False) -> dict:
        names = [c.name for c in self.controls]
        unknown = set(values) - set(names)
        if unknown:
            raise TypeError(f"unknown slider(s) {sorted(unknown)}; this explorer has {names}")
        if required and set(values) != set(names):
            raise TypeError(f"missing value(s) for {sorted(set(names) - set(values))}")
        checked = {}
        for control in self.controls:
            if control.name not in values:
                continue
            value = values[control.name]
            low, high = control.range
            if control.scale == "log10":
                value = check_positive_real(value, control.name)
                if not low * (1 - 1e-12) <= value <= high * (1 + 1e-12):
                    raise ValueError(f"{control.name} must be in [{low:g}, {high:g}]; "
                                     f"got {value}")
            else:
                if isinstance(value, bool) or not isinstance(value, int | np.integer) \
                        or not low <= value <= high:
                    raise ValueError(f"{control.name} must be between {low} and {high}; "
                                     f"got {value!r}")
                value = int(value)
            checked[control.name] = value
        return checked

    @property
    def sigma2(self) -> float:
        return float(self.values["sigma2"])

    @property
    def k(self) -> int:
        return int(self.values["k"])

    @property
    def summary(self) -> str:
        """The numbers printed under the picture, for the sliders' current values."""
        return self.view.summary

    @property
    def picture(self) -> bytes:
        """The picture the view shows now, as a PNG."""
        return png_of(pixels_of(self.view.frame))

    def _on_move(self, change: dict) -> None:
        """A student's move, sent by the page: positions on the sliders' grids."""
        move = change["new"]
        by_name = {c.name: c for c in self.controls}
        positions = move.get("positions", {})
        before = dict(self.values)
        self.values.update(self._checked(
            {name: by_name[name].value_at(p) for name, p in positions.items()
             if name in by_name}))
        self.update(request=int(move.get("request", 0)))
        direction = {name: int(np.sign(self.values[name] - before[name]))
                     for name in positions if name in by_name}
        self._work_ahead(self._ahead(direction))

    def _work_ahead(self, work: list) -> None:
        """Run ``work`` while the kernel waits for the page: one piece per turn of the
        kernel's event loop, so that a move arriving meanwhile waits for one piece at most,
        and none of it once a newer move has come. Outside a kernel (no running event loop)
        nothing is done ahead."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._ahead_generation += 1
        generation, work = self._ahead_generation, list(work)

        def step() -> None:
            if generation == self._ahead_generation and work:
                work.pop(0)()
                loop.call_soon(step)

        loop.call_soon(step)

    def update(self, request: int | None = None) -> None:
        """Redraw for the current values and send picture, numbers and values in one message."""
        summary = self._draw()
        frame = self.frames.frame(self.view.pixel_ratio)
        titles = [ax.get_title() for ax in self.figure.axes if ax.get_title()]
        with self.view.hold_sync():
            self.view.values = dict(self.values)
            self.view.summary = summary
            self.view.alt = f"{'; '.join(titles)}. {summary}"
            self.view.frame = frame
            if request is not None:
                self.view.drawn = request

    def set(self, **values) -> None:
        """Move the sliders from code (``set(sigma2=4.0, k=3)``), redrawing once. The values
        stay exactly as given, also between the sliders' grid points."""
        self.values.update(self._checked(values))
        self.update()

    def png(self, pixel_ratio: float = 1.0) -> bytes:
        """The picture for the current values at this pixel ratio."""
        return self.frames.png(pixel_ratio)

    @property
    def widget(self) -> ExplorerView:
        return self.view

    def _repr_mimebundle_(self, **kwargs):
        return self.view._repr_mimebundle_(**kwargs)

    def static(self) -> StaticImage:
        """The current picture as a plain PNG image, readable without a kernel."""
        return StaticImage(data=self.png(), format="png")

    def _component_lines(self, ax, label: str, **style) -> list:
        """One line per possible component, created once; a move shows the first K."""
        self._line_label = label
        return [ax.plot([], [], color=COLOURS[j], **style)[0] for j in range(MAX_K)]

    def _fit_panel(self, ax, data_label: str) -> None:
        """The fitting explorers' left panel: data histogram, component curves, their sum.

        The legend is built once, with one entry standing for all component
        curves, so a move neither rebuilds it nor lays out K entries (a third of
        the cost of a redraw at K = 8).
        """
        self.ax = ax
        self.hist = ax.stairs(np.zeros(self.edges.size - 1), self.edges, fill=True,
                              color="0.85")
        self.lines = self._component_lines(ax, "component", ls="--")
        (self.total,) = ax.plot([], [], color="black", lw=2)
        labels = [data_label, r"fitted components $\pi_k N(x \mid \mu_k, \sigma^2)$",
                  "fitted mixture"]
        ax.legend(handles=[self.hist, self.lines[0], self.total], labels=labels,
                  loc="upper left", **LEGEND)
        ax.set_xlim(self.grid[0], self.grid[-1])
        ax.set_xlabel("x")
        ax.set_ylabel("density")

    def _draw_fit(self, params: MixtureParams, heights: np.ndarray) -> None:
        """Show a fit's K weighted components and its density over histogram ``heights``."""
        k = params.n_components
        comps = component_pdf(self.grid, params) * params.weights
        for j, line in enumerate(self.lines):
            line.set_visible(j < k)
            if j < k:
                line.set_data(self.grid, comps[:, j])
        density = mixture_pdf(self.grid, params)
        self.total.set_data(self.grid, density)
        self.ax.set_ylim(0.0, nice_ceiling(1.15 * max(density.max(), heights.max())))

    def _show_first(self, lines: list, k: int) -> None:
        for j, line in enumerate(lines):
            line.set_visible(j < k)
            # a leading underscore keeps a hidden line out of the legend
            line.set_label(f"{self._line_label} {j + 1}" if j < k else "_hidden")

    def _legend(self, **options) -> None:
        """The legend of the first K component lines, laid out again only when K changes."""
        if self._legend_k != self.k:
            self.ax.legend(**options)
            self._legend_k = self.k


class DensityExplorer(_Explorer):
    """The mixture density as the components overlap (lesson 1).

    K components with means 2.5 apart, equal weights and a common variance
    sigma^2. Shows each weighted component ``pi_k N(x | mu_k, sigma^2)``, their
    sum, and a histogram of a sample of ``n`` points drawn from the mixture.
    Prints the number of modes of the density and the share of the sample
    that Bayes' rule would assign to a component other than its own.
    """

    def __init__(self, sigma2: float = 0.5, k: int = 3, n: int = 2000, seed: int = 0) -> None:
        self.n = check_positive_int(n, "n")
        self.seed = seed
        self.grid = np.linspace(-14.0, 14.0, 801)
        self.edges = np.linspace(-14.0, 14.0, 113)
        super().__init__(figsize=(8.0, 3.6), margins=ONE_PANEL, sigma2=sigma2, k=k)

    def params(self, sigma2: float, k: int) -> MixtureParams:
        return MixtureParams(spaced_means(k), variance=sigma2)

    def _build(self) -> None:
        ax = self.ax = self.figure.add_subplot()
        self.hist = ax.stairs(np.zeros(self.edges.size - 1), self.edges, fill=True,
                              color="0.85", label="sample histogram")
        self.lines = self._component_lines(ax, r"$\pi_k N(x\mid\mu_k,\sigma^2)$, k =", ls="--")
        (self.total,) = ax.plot([], [], color="black", lw=2, label="mixture density p(x)")
        ax.set_xlim(self.grid[0], self.grid[-1])
        ax.set_xlabel("x")
        ax.set_ylabel("density")

    def _draw(self) -> str:
        sigma2, k = self.sigma2, self.k
        p = self.params(sigma2, k)
        comps = component_pdf(self.grid, p) * p.weights
        for j, line in enumerate(self.lines[:k]):
            line.set_data(self.grid, comps[:, j])
        self._show_first(self.lines, k)
        density = comps.sum(axis=1)
        self.total.set_data(self.grid, density)
        x, z = sample(p, self.n, np.random.default_rng(self.seed))
        counts, _ = np.histogram(x, self.edges)
        heights = counts / (self.n * np.diff(self.edges))
        self.hist.set_data(heights)
        self.ax.set_ylim(0.0, nice_ceiling(1.1 * max(density.max(), heights.max())))
        self.ax.set_title(f"Mixture of K = {k} normals, σ² = {sigma2:.3g}")
        # with K = 8 the legend is tall, and wide components reach under it: see-through
        self._legend(loc="upper right", fontsize=7)
        modes = count_modes(density)
        wrong = float(np.mean(np.argmax(responsibilities(x, p), axis=1) != z))
        return (f"K = {k}, σ² = {sigma2:.3g}: the density has {modes} mode(s); "
                f"Bayes' rule assigns {100 * wrong:.1f}% of the sample to another component")


class ResponsibilityExplorer(_Explorer):
    """Responsibilities going from soft to hard (lesson 3).

    Data: ``n`` points from a fixed three-component mixture. For the sliders'
    K, the means are the data's quantiles at (j + 1/2) / K, the weights are
    equal, and sigma^2 is the slider's. Shows R_k(x) on a grid, with the data
    as a rug. Prints the mean over the data of max_k R_ik (1 means hard
    assignments) and the mean entropy of the rows of R, in nats.
    """

    def __init__(self, sigma2: float = 1.0, k: int = 3, n: int = 2000, seed: int = 0) -> None:
        self.n = check_positive_int(n, "n")
        truth = MixtureParams([-3.0, 0.0, 3.0], [0.3, 0.4, 0.3], variance=1.0)
        self.x, _ = sample(truth, self.n, np.random.default_rng(seed))
        self.grid = np.linspace(-7.0, 7.0, 701)
        super().__init__(figsize=(8.0, 3.6), margins=ONE_PANEL, sigma2=sigma2, k=k)

    def params(self, sigma2: float, k: int) -> MixtureParams:
        means = np.quantile(self.x, (np.arange(k) + 0.5) / k)
        return MixtureParams(means, variance=sigma2)

    def _build(self) -> None:
        ax = self.ax = self.figure.add_subplot()
        self.lines = self._component_lines(ax, "R_k(x), k =", lw=2)
        rug = self.x[:: max(1, self.n // 400)]
        self.still += ax.plot(rug, np.full(rug.size, -0.04), "|", color="0.4", ms=6,
                              label="data (rug)")
        self.mean_marks = ax.scatter([], [], marker="v", color="black", zorder=3,
                                     label="component means")
        ax.set_xlim(self.grid[0], self.grid[-1])
        ax.set_ylim(-0.08, 1.08)
        ax.set_xlabel("x")
        ax.set_ylabel("responsibility P(z = k | x)")

    def _draw(self) -> str:
        sigma2, k = self.sigma2, self.k
        p = self.params(sigma2, k)
        curves = responsibilities(self.grid, p)
        for j, line in enumerate(self.lines[:k]):
            line.set_data(self.grid, curves[:, j])
        self._show_first(self.lines, k)
        self.mean_marks.set_offsets(np.column_stack([p.means, np.full(k, 1.04)]))
        self.ax.set_title(f"Responsibilities, K = {k}, σ² = {sigma2:.3g}")
        self._legend(loc="center right", **LEGEND)
        r = responsibilities(self.x, p)
        hardness = float(np.mean(r.max(axis=1)))
        entropy = float(np.mean(-np.sum(np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)),
                                                 0.0), axis=1)))
        return (f"K = {k}, σ² = {sigma2:.3g}: mean max responsibility {hardness:.3f}, "
                f"mean entropy {entropy:.3f} nats")


class LiveFitExplorer(_Explorer):
    """A live EM fit of the notes' model (lesson 5).

    Data: ``n`` points from a fixed three-component mixture, means (-4, 0, 3.5), weights
    (0.3, 0.4, 0.3), variance 1, drawn with ``data_seed``. Each move fits K means by EM with
    the slider's sigma^2 held known, from a random start drawn with the ``seed`` slider, and
    shows the fitted density over the data's histogram beside the log-likelihood trace of
    the iterations. The readout lists the log-likelihood reached from every seed tried at
    the current sigma^2 and K, so that different starts reaching different optima show.

    The weights are held at 1/K, not at the data's (0.3, 0.4, 0.3): the explorer fits the
    notes' model, whose only unknowns are the means. True weights exist only for K = 3; for
    the others the model is wrong however its weights are chosen, and lesson 6 learns them.
    """

    controls = (SIGMA2, K, Control("seed", "seed", "seed of EM's random start", min=0,
                                   step=1, positions=19))

    def __init__(self, sigma2: float = 1.0, k: int = 3, n: int = 2000, seed: int = 0,
                 max_iter: int = 200, data_seed: int = 0) -> None:
        self.n = check_positive_int(n, "n")
        self.max_iter = check_positive_int(max_iter, "max_iter")
        truth = MixtureParams([-4.0, 0.0, 3.5], [0.3, 0.4, 0.3], variance=1.0)
        self.x, _ = sample(truth, self.n, np.random.default_rng(data_seed))
        self.grid = np.linspace(-9.0, 8.0, 681)
        self.edges = np.linspace(-9.0, 8.0, 69)
        self.result = None
        self.ends: dict[tuple[float, int], dict[int, float]] = {}  # (sigma2, K) -> seed -> ll
        self._fits = Recent(FITS_KEPT)
        super().__init__(figsize=(9.0, 3.6), margins=TWO_PANELS, sigma2=sigma2, k=k,
                         seed=seed)

    @property
    def seed(self) -> int:
        return int(self.values["seed"])

    def _build(self) -> None:
        left, self.ax_ll = self.figure.subplots(1, 2, width_ratios=[3, 2])
        self._fit_panel(left, "data histogram")
        counts, _ = np.histogram(self.x, self.edges)
        self.heights = counts / (self.n * np.diff(self.edges))
        self.hist.set_data(self.heights)
        self.still.append(self.hist)
        (self.trace,) = self.ax_ll.plot([], [], marker=".", color="C0", label="log-likelihood")
        self.ax_ll.set_xlabel("iteration t")
        self.ax_ll.set_ylabel("log-likelihood of θ⁽ᵗ⁾")
        self.ax_ll.set_title("EM never decreases it")
        self.ax_ll.legend(loc="lower right", **LEGEND)
        self.moving_axes += [self.ax_ll.xaxis, self.ax_ll.yaxis]

    def _fit(self, sigma2: float, k: int, seed: int):
        """The explorer's fit for these values, computed once (the last ``FITS_KEPT`` are
        kept)."""
        from .fitting import ConvergenceWarning

        def compute():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                return fit(self.x, k, variance=sigma2, seed=seed, tol=1e-6,
                           max_iter=self.max_iter).sorted_by_mean()

        return self._fits.remember((round(float(sigma2), 12), int(k), int(seed)), compute)

    def _ahead(self, direction: dict[str, int]) -> list:
        """The fits one grid step away along each slider just moved, the way it moved
        first."""
        work = []
        for name, sign in direction.items():
            control = next(c for c in self.controls if c.name == name)
            here = control.position_of(self.values[name])
            for p in (here + (sign or 1), here - (sign or 1)):
                if 0 <= p <= control.positions:
                    v = {**self.values, name: control.value_at(p)}
                    work.append(partial(self._fit, v["sigma2"], v["k"], v["seed"]))
        return work

    def _draw(self) -> str:
        sigma2, k, seed = self.sigma2, self.k, self.seed
        result = self._fit(sigma2, k, seed)
        self.result = result
        self._draw_fit(result.params, self.heights)
        self.ax.set_title(f"EM fit, K = {k}, σ² = {sigma2:.3g} (known), seed {seed}")
        ll = result.log_likelihood_history
        self.trace.set_data(np.arange(ll.size), ll)
        self.ax_ll.set_xlim(-0.5, nice_ceiling(max(ll.size - 0.5, 1.5)))
        spread = max(ll[-1] - ll[0], 1.0)
        self.ax_ll.set_ylim(*nice_range(ll[0] - 0.05 * spread, ll[-1] + 0.05 * spread))
        ends = self.ends.setdefault((round(sigma2, 12), k), {})
        ends[seed] = float(result.log_likelihood)
        top = round(max(ends.values()), 2)
        best = ", ".join(str(s) for s, v in sorted(ends.items()) if round(v, 2) == top)
        tried = ", ".join(f"{s}: {v:.2f}" for s, v in sorted(ends.items()))
        state = "converged" if result.converged else "stopped at the cap"
        means = ", ".join(f"{m:.2f}" for m in result.means)
        return (f"K = {k}, σ² = {sigma2:.3g}, seed {seed}: {state} after {result.n_iter} "
                f"iterations, log-likelihood {result.log_likelihood:.2f}, means {means}\n"
                f"log-likelihood by seed at this K and σ²: {tried} (highest: seed {best})")


class ModelSelectionExplorer(_Explorer):
    """Choosing K (lesson 6): training log-likelihood against BIC and held-out data.

    Data: ``n`` training and ``n`` held-out points from a mixture of four
    components 3 apart, weights (0.2, 0.3, 0.3, 0.2), whose common variance is
    the sigma^2 slider: the larger it is, the more the components overlap. For
    each K from 1 to 8 the explorer fits weights, means and a shared variance
    (started from the data's quantiles, so no seed is involved) and plots, per
    point, the training log-likelihood, the held-out log-likelihood and
    ``-BIC / 2n``; the K slider picks the fit drawn on the left. Fits are
    computed once per sigma^2, so moving K only redraws.

    Past the true K the held-out curve is flat up to noise, so its maximum is
    a coin toss; the explorer reports the smallest K whose held-out
    log-likelihood is within one standard error of the best (the
    one-standard-error rule).
    """

    TRUE_MEANS = (-4.5, -1.5, 1.5, 4.5)
    TRUE_WEIGHTS = (0.2, 0.3, 0.3, 0.2)

    def __init__(self, sigma2: float = 1.0, k: int = 4, n: int = 600, seed: int = 3) -> None:
        self.n = check_positive_int(n, "n")
        self.seed = seed
        self.ks = np.arange(1, MAX_K + 1)
        self.grid = np.linspace(-12.0, 12.0, 601)
        self._cache = Recent(SIGMA2_KEPT)  # sigma^2 -> the fits for K = 1..8
        self._one = Recent(SIGMA2_KEPT * MAX_K)  # (sigma^2, K) -> one fit
        self._samples = Recent(SIGMA2_KEPT)  # sigma^2 -> training and held-out data
        super().__init__(figsize=(9.0, 3.6), margins=TWO_PANELS, sigma2=sigma2, k=k)

    def data(self, sigma2: float) -> tuple[np.ndarray, np.ndarray]:
        """Training and held-out samples for this sigma^2 (the same seed for every value)."""
        truth = MixtureParams(self.TRUE_MEANS, self.TRUE_WEIGHTS, variance=sigma2)
        rng = np.random.default_rng(self.seed)
        return sample(truth, self.n, rng)[0], sample(truth, self.n, rng)[0]

    def _fit_one(self, sigma2: float, k: int) -> tuple:
        """The fit with ``k`` components at this sigma^2, its held-out log-density per point
        and its row of scores; computed once."""
        from .fitting import ConvergenceWarning
        from .likelihood import log_likelihood
        from .selection import bic

        key = (round(float(sigma2), 12), int(k))
        if key not in self._one:
            train, test = self._sample(sigma2)
            start = np.quantile(train, (np.arange(k) + 0.5) / k)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                r = fit(train, int(k), means_init=start, learn_weights=True,
                        variance_model="shared", tol=1e-5, max_iter=200)
            self._one[key] = (r, mixture_logpdf(test, r.params),
                              (r.log_likelihood / self.n, log_likelihood(test, r.params) / self.n,
                               -bic(r) / (2 * self.n), bic(r)))
        return self._one.get(key)

    def _sample(self, sigma2: float) -> tuple[np.ndarray, np.ndarray]:
        """``data(sigma2)``, drawn once."""
        return self._samples.remember(round(float(sigma2), 12), partial(self.data, sigma2))

    def fits(self, sigma2: float) -> dict:
        """Fits for K = 1..8 and their scores, computed once per sigma^2."""
        key = round(float(sigma2), 12)
        if key not in self._cache:
            results, per_point, rows = zip(*(self._fit_one(sigma2, k) for k in self.ks),
                                           strict=True)
            table = np.array(rows)
            best = int(np.argmax(table[:, 1]))
            standard_error = float(np.std(per_point[best]) / np.sqrt(self.n))
            within = np.flatnonzero(table[:, 1] >= table[best, 1] - standard_error)
            self._cache[key] = dict(train=self._sample(sigma2)[0], results=list(results),
                                    table=table, best_bic=int(self.ks[np.argmax(table[:, 2])]),
                                    best_held_out=int(self.ks[within[0]]))
        return self._cache.get(key)

    def _ahead(self, direction: dict[str, int]) -> list:
        """The fits at the neighbouring grid values of sigma^2, the side the student last
        moved towards first: the next arrow key finds them done (8 fits, 60-80 ms, at each
        new sigma^2 otherwise)."""
        here = SIGMA2.position_of(self.sigma2)
        first = direction.get("sigma2") or -1
        sides = [p for p in (here + first, here - first) if 0 <= p <= SIGMA2.positions]
        return [partial(self._fit_one, SIGMA2.value_at(p), int(k)) for p in sides for k in self.ks]

    def _build(self) -> None:
        self.edges = np.linspace(-12.0, 12.0, 73)
        left, self.ax_k = self.figure.subplots(1, 2, width_ratios=[3, 2])
        self._fit_panel(left, "training data")
        (self.train_line,) = self.ax_k.plot(self.ks, np.zeros(MAX_K), "o-", color="C0",
                                            label="training log-lik / n")
        (self.test_line,) = self.ax_k.plot(self.ks, np.zeros(MAX_K), "s-", color="C1",
                                           label="held-out log-lik / n")
        (self.bic_line,) = self.ax_k.plot(self.ks, np.zeros(MAX_K), "^-", color="C2",
                                          label="-BIC / 2n")
        self.k_mark = self.ax_k.axvline(1, color="0.3", ls=":", label="slider K")
        self.ax_k.set_xlabel("number of components K")
        self.ax_k.set_ylabel("per point")
        self.ax_k.set_title("Choosing K")
        # The scores can lie anywhere in this panel: a see-through legend, drawn each time.
        self.ax_k.legend(loc="lower right", fontsize=7)
        self.moving_axes.append(self.ax_k.yaxis)  # the scores' range changes with sigma^2

    def _draw(self) -> str:
        sigma2, k = self.sigma2, self.k
        fits = self.fits(sigma2)
        result = fits["results"][k - 1]
        counts, _ = np.histogram(fits["train"], self.edges)
        heights = counts / (self.n * np.diff(self.edges))
        self.hist.set_data(heights)
        self._draw_fit(result.params, heights)
        self.ax.set_title(f"Fit with K = {k}; data: 4 components, σ² = {sigma2:.3g}")
        table = fits["table"]
        for line, column in ((self.train_line, 0), (self.test_line, 1), (self.bic_line, 2)):
            line.set_ydata(table[:, column])
        low, high = table[:, :3].min(), table[:, :3].max()
        pad = 0.05 * (high - low) + 1e-9
        self.ax_k.set_ylim(*nice_range(low - pad, high + pad))
        self.k_mark.set_xdata([k, k])
        train_ll, test_ll, _, bic_value = table[k - 1]
        return (f"σ² = {sigma2:.3g}: BIC picks K = {fits['best_bic']}, held-out log-likelihood "
                f"(one-standard-error rule) picks K = {fits['best_held_out']} (true K = 4). "
                f"At K = {k}: training "
                f"{train_ll:.3f}, held-out {test_ll:.3f} per point, BIC {bic_value:.1f}")
