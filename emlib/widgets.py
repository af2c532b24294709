"""Sliders for sigma^2 and K that redraw one figure in place.

Each explorer owns one matplotlib ``Figure`` (not registered with pyplot, so
nothing leaks into the notebook's figure list) whose artists are created once.
A slider move updates the artists' data, renders the figure to PNG and puts
the bytes into an ``ipywidgets.Image``: the picture changes without a new
figure, a new output or a flicker, and it works in any Jupyter front end that
renders ipywidgets, with no extra matplotlib backend. The printed numbers go
to an ``ipywidgets.HTML`` under the picture.

``explorer.static()`` returns the current picture as a plain image, for the
static copy that follows each interactive cell in the lessons.

The explorers:

- :class:`DensityExplorer` (lesson 1): the mixture density and its weighted
  components as the components overlap;
- :class:`ResponsibilityExplorer` (lesson 3): responsibilities R_k(x) going
  from soft to hard as sigma^2 shrinks;
- :class:`LiveFitExplorer` (lesson 5): a live EM fit with its log-likelihood trace;
- :class:`ModelSelectionExplorer` (lesson 6): training log-likelihood, BIC and
  held-out log-likelihood against K, as the components overlap.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np
from IPython.display import Image as StaticImage
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ._validation import check_positive_int, check_positive_real
from .estep import responsibilities
from .fitting import fit
from .model import MixtureParams, component_pdf, mixture_logpdf, mixture_pdf, sample

MAX_K = 8
SIGMA2_RANGE = (1e-3, 10.0)
COLOURS = [f"C{k}" for k in range(MAX_K)]
ONE_PANEL = dict(left=0.09, right=0.98, bottom=0.14, top=0.9)
TWO_PANELS = dict(left=0.09, right=0.98, bottom=0.14, top=0.9, wspace=0.35)
# Rendering dominates the cost of a move. Three choices keep it well under
# 100 ms: 80 dpi (sharp enough on screen), fixed margins instead of a layout
# engine (constrained layout re-measures every tick label on every draw, and
# makes savefig draw twice), and fast PNG compression.
DPI = 80
PNG_OPTIONS = {"compress_level": 1}


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
    """Sliders for sigma^2 and K over one figure that is redrawn in place."""

    title = ""

    def __init__(self, sigma2: float, k: int, figsize: tuple[float, float],
                 margins: dict[str, float]) -> None:
        sigma2 = check_positive_real(sigma2, "sigma2")
        k = check_positive_int(k, "k")
        if not SIGMA2_RANGE[0] <= sigma2 <= SIGMA2_RANGE[1]:
            raise ValueError(f"sigma2 must be in [{SIGMA2_RANGE[0]}, {SIGMA2_RANGE[1]}]; "
                             f"got {sigma2}")
        if k > MAX_K:
            raise ValueError(f"k must be between 1 and {MAX_K}; got {k}")
        self.figure = Figure(figsize=figsize, dpi=DPI)
        self.figure.subplots_adjust(**margins)
        FigureCanvasAgg(self.figure)
        # sigma^2 is sent when a move ends (a key press, the release of a drag), not during
        # it. A log slider that updates continuously sends back every value the browser
        # shows it, after snapping it to its grid of exponents: an explorer made or set from
        # code at sigma^2 = 0.5 would redraw at 0.501 (10^-0.30) as soon as JupyterLab
        # displayed it, and of two values set in one cell (lesson 5: 4, then 10) the echo of
        # the first would arrive last and win.
        self.sigma2_slider = widgets.FloatLogSlider(
            value=sigma2, base=10, min=np.log10(SIGMA2_RANGE[0]), max=np.log10(SIGMA2_RANGE[1]),
            step=0.05, description="σ²", readout_format=".3g", continuous_update=False,
        )
        self.k_slider = widgets.IntSlider(
            value=k, min=1, max=MAX_K, step=1, description="K", continuous_update=True
        )
        self.image = widgets.Image(format="png")
        self.readout = widgets.HTML()
        self._quiet = False
        self._build()
        self.update()
        self.sigma2_slider.observe(self._on_change, names="value")
        self.k_slider.observe(self._on_change, names="value")

    # -- what subclasses provide -------------------------------------------------
    def _build(self) -> None:
        raise NotImplementedError

    def _draw(self, sigma2: float, k: int) -> str:
        """Update the artists for these values; return the readout text."""
        raise NotImplementedError

    # -- shared machinery --------------------------------------------------------
    @property
    def sigma2(self) -> float:
        return float(self.sigma2_slider.value)

    @property
    def k(self) -> int:
        return int(self.k_slider.value)

    @property
    def summary(self) -> str:
        """The numbers printed under the picture, for the sliders' current values."""
        return self.readout.value

    def _on_change(self, _change: dict) -> None:
        if not self._quiet:
            self.update()

    def update(self) -> None:
        """Redraw for the sliders' current values."""
        self.readout.value = self._draw(self.sigma2, self.k)
        self.image.value = self.png()

    def set(self, sigma2: float | None = None, k: int | None = None) -> None:
        """Move the sliders from code, redrawing once."""
        self._quiet = True
        try:
            if sigma2 is not None:
                self.sigma2_slider.value = sigma2
            if k is not None:
                self.k_slider.value = k
        finally:
            self._quiet = False
        self.update()

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=DPI, pil_kwargs=PNG_OPTIONS)
        return buffer.getvalue()

    @property
    def widget(self) -> widgets.VBox:
        return widgets.VBox([widgets.HBox([self.sigma2_slider, self.k_slider]),
                             self.image, self.readout])

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

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
                  loc="upper left", fontsize=7)
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
        self.ax.set_ylim(0.0, 1.15 * max(density.max(), heights.max()))

    def _show_first(self, lines: list, k: int) -> None:
        for j, line in enumerate(lines):
            line.set_visible(j < k)
            # a leading underscore keeps a hidden line out of the legend
            line.set_label(f"{self._line_label} {j + 1}" if j < k else "_hidden")


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
        super().__init__(sigma2, k, figsize=(8.0, 3.6), margins=ONE_PANEL)

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

    def _draw(self, sigma2: float, k: int) -> str:
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
        self.ax.set_ylim(0.0, 1.1 * max(density.max(), heights.max()))
        self.ax.set_title(f"Mixture of K = {k} normals, σ² = {sigma2:.3g}")
        self.ax.legend(loc="upper right", fontsize=7)
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
        super().__init__(sigma2, k, figsize=(8.0, 3.6), margins=ONE_PANEL)

    def params(self, sigma2: float, k: int) -> MixtureParams:
        means = np.quantile(self.x, (np.arange(k) + 0.5) / k)
        return MixtureParams(means, variance=sigma2)

    def _build(self) -> None:
        ax = self.ax = self.figure.add_subplot()
        self.lines = self._component_lines(ax, "R_k(x), k =", lw=2)
        rug = self.x[:: max(1, self.n // 400)]
        ax.plot(rug, np.full(rug.size, -0.04), "|", color="0.4", ms=6, label="data (rug)")
        self.mean_marks = ax.scatter([], [], marker="v", color="black", zorder=3,
                                     label="component means")
        ax.set_xlim(self.grid[0], self.grid[-1])
        ax.set_ylim(-0.08, 1.08)
        ax.set_xlabel("x")
        ax.set_ylabel("responsibility P(z = k | x)")

    def _draw(self, sigma2: float, k: int) -> str:
        p = self.params(sigma2, k)
        curves = responsibilities(self.grid, p)
        for j, line in enumerate(self.lines[:k]):
            line.set_data(self.grid, curves[:, j])
        self._show_first(self.lines, k)
        self.mean_marks.set_offsets(np.column_stack([p.means, np.full(k, 1.04)]))
        self.ax.set_title(f"Responsibilities, K = {k}, σ² = {sigma2:.3g}")
        self.ax.legend(loc="center right", fontsize=7)
        r = responsibilities(self.x, p)
        hardness = float(np.mean(r.max(axis=1)))
        entropy = float(np.mean(-np.sum(np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)),
                                                 0.0), axis=1)))
        return (f"K = {k}, σ² = {sigma2:.3g}: mean max responsibility {hardness:.3f}, "
                f"mean entropy {entropy:.3f} nats")


class LiveFitExplorer(_Explorer):
    """A live EM fit of the notes' model (lesson 5).

    Data: ``n`` points from a fixed three-component mixture with variance 1.
    Each move fits K means by EM with the slider's sigma^2 held known (equal
    weights, a seeded start), and shows the fitted density over the data's
    histogram beside the log-likelihood trace of the iterations.
    """

    def __init__(self, sigma2: float = 1.0, k: int = 3, n: int = 2000, seed: int = 0,
                 max_iter: int = 200) -> None:
        self.n = check_positive_int(n, "n")
        self.seed = seed
        self.max_iter = check_positive_int(max_iter, "max_iter")
        truth = MixtureParams([-4.0, 0.0, 3.5], [0.3, 0.4, 0.3], variance=1.0)
        self.x, _ = sample(truth, self.n, np.random.default_rng(seed))
        self.grid = np.linspace(-9.0, 8.0, 681)
        self.edges = np.linspace(-9.0, 8.0, 69)
        self.result = None
        super().__init__(sigma2, k, figsize=(9.0, 3.6), margins=TWO_PANELS)

    def _build(self) -> None:
        left, self.ax_ll = self.figure.subplots(1, 2, width_ratios=[3, 2])
        self._fit_panel(left, "data histogram")
        counts, _ = np.histogram(self.x, self.edges)
        self.heights = counts / (self.n * np.diff(self.edges))
        self.hist.set_data(self.heights)
        (self.trace,) = self.ax_ll.plot([], [], marker=".", color="C0", label="log-likelihood")
        self.ax_ll.set_xlabel("iteration t")
        self.ax_ll.set_ylabel("log-likelihood of θ⁽ᵗ⁾")
        self.ax_ll.set_title("EM never decreases it")
        self.ax_ll.legend(loc="lower right", fontsize=7)

    def _draw(self, sigma2: float, k: int) -> str:
        import warnings

        from .fitting import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            result = fit(self.x, k, variance=sigma2, seed=self.seed, tol=1e-6,
                         max_iter=self.max_iter).sorted_by_mean()
        self.result = result
        self._draw_fit(result.params, self.heights)
        self.ax.set_title(f"EM fit, K = {k}, σ² = {sigma2:.3g} (known)")
        ll = result.log_likelihood_history
        self.trace.set_data(np.arange(ll.size), ll)
        self.ax_ll.set_xlim(-0.5, max(ll.size - 0.5, 1.5))
        spread = max(ll[-1] - ll[0], 1.0)
        self.ax_ll.set_ylim(ll[0] - 0.05 * spread, ll[-1] + 0.05 * spread)
        state = "converged" if result.converged else "stopped at the cap"
        means = ", ".join(f"{m:.2f}" for m in result.means)
        return (f"K = {k}, σ² = {sigma2:.3g}: {state} after {result.n_iter} iterations, "
                f"log-likelihood {result.log_likelihood:.2f}, means {means}")


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
        self._cache: dict[float, dict] = {}
        super().__init__(sigma2, k, figsize=(9.0, 3.6), margins=TWO_PANELS)

    def data(self, sigma2: float) -> tuple[np.ndarray, np.ndarray]:
        """Training and held-out samples for this sigma^2 (the same seed for every value)."""
        truth = MixtureParams(self.TRUE_MEANS, self.TRUE_WEIGHTS, variance=sigma2)
        rng = np.random.default_rng(self.seed)
        return sample(truth, self.n, rng)[0], sample(truth, self.n, rng)[0]

    def fits(self, sigma2: float) -> dict:
        """Fits for K = 1..8 and their scores, computed once per sigma^2."""
        key = round(float(sigma2), 12)
        if key not in self._cache:
            import warnings

            from .fitting import ConvergenceWarning
            from .likelihood import log_likelihood
            from .selection import bic

            train, test = self.data(sigma2)
            results, rows, per_point = [], [], []
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                for k in self.ks:
                    start = np.quantile(train, (np.arange(k) + 0.5) / k)
                    r = fit(train, int(k), means_init=start, learn_weights=True,
                            variance_model="shared", tol=1e-5, max_iter=200)
                    results.append(r)
                    per_point.append(mixture_logpdf(test, r.params))
                    rows.append((r.log_likelihood / self.n,
                                 log_likelihood(test, r.params) / self.n,
                                 -bic(r) / (2 * self.n), bic(r)))
            table = np.array(rows)
            best = int(np.argmax(table[:, 1]))
            standard_error = float(np.std(per_point[best]) / np.sqrt(self.n))
            within = np.flatnonzero(table[:, 1] >= table[best, 1] - standard_error)
            self._cache[key] = dict(train=train, results=results, table=table,
                                    best_bic=int(self.ks[np.argmax(table[:, 2])]),
                                    best_held_out=int(self.ks[within[0]]))
        return self._cache[key]

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
        self.ax_k.legend(loc="lower right", fontsize=7)

    def _draw(self, sigma2: float, k: int) -> str:
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
        self.ax_k.set_ylim(low - pad, high + pad)
        self.k_mark.set_xdata([k, k])
        train_ll, test_ll, _, bic_value = table[k - 1]
        return (f"σ² = {sigma2:.3g}: BIC picks K = {fits['best_bic']}, held-out log-likelihood "
                f"(one-standard-error rule) picks K = {fits['best_held_out']} (true K = 4). "
                f"At K = {k}: training "
                f"{train_ll:.3f}, held-out {test_ll:.3f} per point, BIC {bic_value:.1f}")
