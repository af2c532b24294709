"""The slider explorers driven from Python: a move redraws the same figure with the right values."""

from __future__ import annotations

import io
import warnings

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pytest

import emlib
from emlib.widgets import (
    DensityExplorer,
    LiveFitExplorer,
    ResponsibilityExplorer,
    count_modes,
    spaced_means,
)


def decoded(png: bytes) -> np.ndarray:
    return mpimg.imread(io.BytesIO(png), format="png")


def visible_lines(explorer) -> list:
    return [line for line in explorer.lines if line.get_visible()]


def legend_labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_count_modes():
    grid = np.linspace(-10, 10, 2001)
    assert count_modes(emlib.mixture_pdf(grid, emlib.MixtureParams([-3.0, 3.0]))) == 2
    assert count_modes(emlib.mixture_pdf(grid, emlib.MixtureParams([-1.0, 1.0]))) == 1
    # a flat step on the way up is not a mode; a flat top is one; underflowed tails are none
    assert count_modes([0, 1, 2, 2, 3, 4, 3]) == 1
    assert count_modes([0, 1, 2, 2, 1, 0]) == 1
    assert count_modes([0, 0, 1, 0, 0, 1, 0, 0]) == 2
    wide = np.linspace(-60, 60, 4001)
    assert count_modes(emlib.mixture_pdf(wide, emlib.MixtureParams([-2.0, 2.0], variance=0.5))) == 2


def test_density_explorer_moves_redraw_in_place_with_the_right_values():
    before = plt.get_fignums()
    e = DensityExplorer(sigma2=0.5, k=3)
    figure, first_png = e.figure, e.image.value
    assert "K = 3, σ² = 0.5: the density has 3 mode(s)" in e.summary

    e.sigma2_slider.value = 4.0  # as a student's drag would
    p = emlib.MixtureParams(spaced_means(3), variance=4.0)
    np.testing.assert_allclose(e.total.get_ydata(), emlib.mixture_pdf(e.grid, p), rtol=1e-12)
    x, z = emlib.sample(p, e.n, np.random.default_rng(e.seed))
    wrong = np.mean(emlib.responsibilities(x, p).argmax(axis=1) != z)
    modes = count_modes(emlib.mixture_pdf(e.grid, p))
    assert modes == 1
    assert e.summary == (f"K = 3, σ² = 4: the density has {modes} mode(s); Bayes' rule assigns "
                         f"{100 * wrong:.1f}% of the sample to another component")
    assert e.image.value != first_png
    assert e.figure is figure and plt.get_fignums() == before

    e.k_slider.value = 5
    assert len(visible_lines(e)) == 5
    assert sum(label.startswith(r"$\pi_k") for label in legend_labels(e.ax)) == 5
    p5 = emlib.MixtureParams(spaced_means(5), variance=4.0)
    comps = emlib.component_pdf(e.grid, p5) * p5.weights
    for j, line in enumerate(visible_lines(e)):
        np.testing.assert_allclose(line.get_ydata(), comps[:, j], rtol=1e-12)
    assert e.ax.get_title() == "Mixture of K = 5 normals, σ² = 4"


def test_responsibility_explorer_goes_from_soft_to_hard():
    e = ResponsibilityExplorer(sigma2=1.0, k=3)
    soft = e.summary
    e.set(sigma2=0.01)
    p = e.params(0.01, 3)
    r = emlib.responsibilities(e.x, p)
    assert e.summary.startswith(f"K = 3, σ² = 0.01: mean max responsibility "
                                f"{np.mean(r.max(axis=1)):.3f}")
    assert e.summary != soft
    for j, line in enumerate(visible_lines(e)):
        np.testing.assert_allclose(line.get_ydata(), emlib.responsibilities(e.grid, p)[:, j])
    e.k_slider.value = 7
    assert len(visible_lines(e)) == 7
    np.testing.assert_allclose(e.mean_marks.get_offsets()[:, 0],
                               np.quantile(e.x, (np.arange(7) + 0.5) / 7))


def test_live_fit_explorer_refits_on_every_move():
    e = LiveFitExplorer(sigma2=1.0, k=3)
    e.k_slider.value = 2
    e.sigma2_slider.value = 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emlib.ConvergenceWarning)
        expected = emlib.fit(e.x, 2, variance=0.5, seed=e.seed, tol=1e-6,
                             max_iter=e.max_iter).sorted_by_mean()
    np.testing.assert_allclose(e.result.means, expected.means, rtol=1e-12)
    np.testing.assert_allclose(e.trace.get_ydata(), expected.log_likelihood_history)
    assert len(visible_lines(e)) == 2
    means = ", ".join(f"{m:.2f}" for m in expected.means)
    assert e.summary.endswith(f"log-likelihood {expected.log_likelihood:.2f}, means {means}")


@pytest.mark.parametrize("cls", [DensityExplorer, ResponsibilityExplorer, LiveFitExplorer])
def test_every_picture_is_drawn_and_static_copy_matches(cls):
    e = cls(sigma2=0.3, k=4)
    image = decoded(e.image.value)
    assert image.shape[0] > 200 and image.shape[1] > 500
    assert image[..., :3].std() > 0.05  # not blank
    static = e.static()
    assert static.data == e.png()


def test_set_redraws_once_for_two_values(monkeypatch):
    e = DensityExplorer()
    calls = []
    monkeypatch.setattr(e, "png", lambda: calls.append(1) or b"")
    e.set(sigma2=2.0, k=6)
    assert len(calls) == 1 and e.k == 6 and e.sigma2 == 2.0


def test_explorers_validate_their_arguments():
    with pytest.raises(ValueError, match="sigma2 must be in"):
        DensityExplorer(sigma2=100.0)
    with pytest.raises(ValueError, match="k must be between 1 and 8"):
        ResponsibilityExplorer(k=9)
    with pytest.raises(ValueError, match="sigma2 must be > 0"):
        LiveFitExplorer(sigma2=-1.0)
