"""The slider explorers driven from Python: a move redraws the same figure with the right values."""

from __future__ import annotations

import asyncio
import io
import struct
import warnings
import zlib

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import emlib
from emlib._frames import nice_ceiling
from emlib.widgets import (
    DensityExplorer,
    LiveFitExplorer,
    ResponsibilityExplorer,
    count_modes,
    spaced_means,
)


def decoded(png: bytes) -> np.ndarray:
    return mpimg.imread(io.BytesIO(png), format="png")


def page_move(explorer, request: int = 1, **positions) -> None:
    """What the page sends when a student moves sliders: positions on their grids."""
    explorer.view.set_state({"move": {"positions": positions, "request": request}})


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
    figure, first_png = e.figure, e.picture
    assert "K = 3, σ² = 0.5: the density has 3 mode(s)" in e.summary

    page_move(e, sigma2=72)  # as a student's drag would: 10^(-3 + 72 * 0.05) = 10^0.6
    assert e.sigma2 == 10.0 ** (-3 + 72 * 0.05) and e.view.drawn == 1
    p = emlib.MixtureParams(spaced_means(3), variance=e.sigma2)
    np.testing.assert_allclose(e.total.get_ydata(), emlib.mixture_pdf(e.grid, p), rtol=1e-12)
    x, z = emlib.sample(p, e.n, np.random.default_rng(e.seed))
    wrong = np.mean(emlib.responsibilities(x, p).argmax(axis=1) != z)
    modes = count_modes(emlib.mixture_pdf(e.grid, p))
    assert modes == 1
    assert e.summary == (f"K = 3, σ² = 3.98: the density has {modes} mode(s); Bayes' rule "
                         f"assigns {100 * wrong:.1f}% of the sample to another component")
    assert e.picture != first_png
    assert e.figure is figure and plt.get_fignums() == before

    e.set(sigma2=4.0, k=5)
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
    page_move(e, k=6)
    assert len(visible_lines(e)) == 7 and e.sigma2 == 0.01
    np.testing.assert_allclose(e.mean_marks.get_offsets()[:, 0],
                               np.quantile(e.x, (np.arange(7) + 0.5) / 7))


def test_live_fit_explorer_refits_on_every_move():
    e = LiveFitExplorer(sigma2=1.0, k=3)
    page_move(e, k=1, sigma2=50, seed=4)
    assert (e.k, e.sigma2, e.seed) == (2, 10.0 ** (-3 + 50 * 0.05), 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emlib.ConvergenceWarning)
        expected = emlib.fit(e.x, 2, variance=e.sigma2, seed=4, tol=1e-6,
                             max_iter=e.max_iter).sorted_by_mean()
    np.testing.assert_allclose(e.result.means, expected.means, rtol=1e-12)
    np.testing.assert_allclose(e.trace.get_ydata(), expected.log_likelihood_history)
    assert len(visible_lines(e)) == 2
    means = ", ".join(f"{m:.2f}" for m in expected.means)
    assert f"log-likelihood {expected.log_likelihood:.2f}, means {means}\n" in e.summary


@pytest.mark.parametrize("cls", [DensityExplorer, ResponsibilityExplorer, LiveFitExplorer])
def test_every_picture_is_drawn_and_static_copy_matches(cls):
    e = cls(sigma2=0.3, k=4)
    image = decoded(e.picture)
    assert image.shape[0] > 200 and image.shape[1] > 500
    assert image[..., :3].std() > 0.05  # not blank
    static = e.static()
    assert static.data == e.png()


def test_set_redraws_once_for_two_values(monkeypatch):
    e = DensityExplorer()
    calls = []
    monkeypatch.setattr(e.frames, "frame", lambda pixel_ratio: calls.append(1) or b"")
    e.set(sigma2=2.0, k=6)
    assert len(calls) == 1 and e.k == 6 and e.sigma2 == 2.0


def test_explorers_validate_their_arguments():
    with pytest.raises(ValueError, match="sigma2 must be in"):
        DensityExplorer(sigma2=100.0)
    with pytest.raises(ValueError, match="k must be between 1 and 8"):
        ResponsibilityExplorer(k=9)
    with pytest.raises(ValueError, match="sigma2 must be > 0"):
        LiveFitExplorer(sigma2=-1.0)


def test_values_set_from_code_stay_exactly_as_set():
    e = DensityExplorer(sigma2=0.5, k=3)
    assert e.view.values == {"sigma2": 0.5, "k": 3}  # between grid points 10^-0.30 and 10^-0.35
    e.set(sigma2=4.0)
    e.set(sigma2=10.0, k=2)
    assert e.view.values == {"sigma2": 10.0, "k": 2}
    page_move(e, k=4)  # the page sends the slider it moved, never the others
    assert e.view.values == {"sigma2": 10.0, "k": 5}
    assert e.summary.startswith("K = 5, σ² = 10:")


def test_a_page_move_is_answered_in_one_message_with_its_request_number(monkeypatch):
    e = ResponsibilityExplorer()
    sent = []
    monkeypatch.setattr(e.view, "_send", lambda msg, buffers=None: sent.append((msg, buffers)))
    page_move(e, request=7, sigma2=20)
    ((message, buffers),) = sent
    assert {"summary", "alt", "values", "drawn"} <= set(message["state"])
    assert message["buffer_paths"] == [["frame"]] and bytes(buffers[0]) == e.view.frame
    assert message["state"]["drawn"] == 7 and message["state"]["values"]["sigma2"] == 0.01
    assert "Responsibilities, K = 3, σ² = 0.01" in message["state"]["alt"]


def test_a_bad_move_from_the_page_names_the_slider():
    e = DensityExplorer()
    with pytest.raises(ValueError, match=r"sigma2: position must be an integer in \[0, 80\]"):
        page_move(e, sigma2=81)
    with pytest.raises(ValueError, match=r"k: position must be an integer in \[0, 7\]"):
        page_move(e, k=1.5)
    with pytest.raises(TypeError, match="unknown slider"):
        e.set(seed=3)
    with pytest.raises(ValueError, match=r"sigma2 must be in \[0.001, 10\]"):
        e.set(sigma2=20.0)
    assert e.view.values == {"sigma2": 0.5, "k": 3}


def test_a_high_density_screen_gets_twice_the_pixels_at_the_same_size():
    e = LiveFitExplorer()
    one = decoded(e.picture).shape
    e.view.pixel_ratio = 2.0  # as the page reports it
    two = decoded(e.picture).shape
    assert two[:2] == (2 * one[0], 2 * one[1])
    assert (e.view.width, e.view.height) == (one[1], one[0])
    assert e.static().data == e.png(1.0) and decoded(e.static().data).shape == one


def test_a_frame_is_the_pictures_pixels_deflated_after_its_size():
    e = ResponsibilityExplorer()
    e.view.pixel_ratio = 2.0
    frame = e.view.frame
    width, height = struct.unpack(">II", frame[:8])
    pixels = np.frombuffer(zlib.decompress(frame[8:]), dtype=np.uint8).reshape(height, width, 4)
    assert (width, height) == (2 * e.view.width, 2 * e.view.height)
    assert (pixels[..., 3] == 255).all()  # opaque: the canvas shows it as drawn
    np.testing.assert_array_equal(pixels[..., :3], np.round(decoded(e.png(2.0)) * 255)[..., :3])


@settings(max_examples=6)
@given(moves=st.lists(st.tuples(st.integers(0, 80), st.integers(0, 7)), min_size=1,
                      max_size=6),
       cls=st.sampled_from([DensityExplorer, LiveFitExplorer]))
def test_a_picture_is_the_same_whether_its_background_was_kept_or_drawn(moves, cls):
    walked = cls()
    for request, (sigma2, k) in enumerate(moves, start=1):
        page_move(walked, request=request, sigma2=sigma2, k=k)
    fresh = cls(sigma2=walked.sigma2, k=walked.k)
    assert fresh.frames.reused == 0
    assert walked.picture == fresh.picture


def test_live_fit_lists_the_log_likelihood_reached_from_every_seed_tried():
    e = LiveFitExplorer()
    e.set(sigma2=0.02, k=5)
    for seed in range(1, 5):
        page_move(e, request=seed, seed=seed)
    ends = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emlib.ConvergenceWarning)
        for seed in range(5):
            ends[seed] = emlib.fit(e.x, 5, variance=0.02, seed=seed, tol=1e-6,
                                   max_iter=e.max_iter).log_likelihood
    assert len({round(v, 1) for v in ends.values()}) > 1  # different starts, different optima
    tried = ", ".join(f"{s}: {v:.2f}" for s, v in ends.items())
    top = round(max(ends.values()), 2)
    best = ", ".join(str(s) for s, v in ends.items() if round(v, 2) == top)
    assert e.summary.endswith(f"at this K and σ²: {tried} (highest: seed {best})")
    assert e.ax.get_title() == "EM fit, K = 5, σ² = 0.02 (known), seed 4"


@given(st.floats(1e-300, 1e300))
def test_nice_ceiling_is_a_close_ceiling_on_the_ladder(value):
    ceiling = nice_ceiling(value)
    assert value <= ceiling * (1 + 1e-12) and ceiling < 1.34 * value
    mantissa = ceiling / 10.0 ** np.floor(np.log10(ceiling) + 1e-12)
    assert min(abs(mantissa - m) for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)) < 1e-9


def test_in_a_kernel_the_next_grid_step_is_fitted_while_the_page_waits():
    """In the kernel's event loop, after a page move the fits one sigma^2 step away are
    computed one per turn of the loop, the side the student moved towards first; a newer
    move drops what is left. Outside a loop nothing is done ahead."""
    from emlib.widgets import SIGMA2, ModelSelectionExplorer

    e = ModelSelectionExplorer()  # sigma^2 = 1: grid position 60

    def fitted() -> dict[int, int]:
        """Grid position of sigma^2 -> number of K fitted there."""
        counts: dict[int, int] = {}
        for sigma2, _ in e._one:
            position = SIGMA2.position_of(sigma2)
            counts[position] = counts.get(position, 0) + 1
        return counts

    page_move(e, sigma2=40)
    assert fitted() == {60: 8, 40: 8}  # no event loop: nothing ahead

    async def moves():
        page_move(e, request=2, sigma2=39)  # down: 38 first, then 40 (already fitted)
        await asyncio.sleep(0)
        assert fitted() == {60: 8, 40: 8, 39: 8, 38: 1}  # one fit per turn of the loop
        for _ in range(20):
            await asyncio.sleep(0)
        assert fitted() == {60: 8, 40: 8, 39: 8, 38: 8}
        page_move(e, request=3, sigma2=20)
        page_move(e, request=4, sigma2=10)  # before the loop turns: the work for 20 is dropped
        for _ in range(40):
            await asyncio.sleep(0)

    asyncio.run(moves())
    assert fitted() == {60: 8, 40: 8, 39: 8, 38: 8, 20: 8, 10: 8, 9: 8, 11: 8}
    done = dict(e._one)
    page_move(e, request=5, sigma2=9)  # found done: no new fit
    assert all(e._one[key] is done[key] for key in done) and len(e._one) == len(done)


def test_the_explorers_memo_keeps_the_most_recently_used_and_forgets_the_oldest():
    """Values set from code are off the sliders' grids, so the memo must be bounded: the live
    fit's and the model selector's keep only their recent values."""
    from emlib._recent import Recent
    from emlib.widgets import FITS_KEPT, SIGMA2_KEPT, LiveFitExplorer, ModelSelectionExplorer

    memo = Recent(3)
    calls = []
    for key in ("a", "b", "c"):
        memo.remember(key, lambda key=key: calls.append(key) or key.upper())
    assert memo.remember("a", lambda: calls.append("again")) == "A"  # a is now the newest
    memo["d"] = "D"  # b, the least recently used, goes
    assert list(memo) == ["c", "a", "d"] and calls == ["a", "b", "c"]
    assert memo.get("b") is None and memo.get("c") == "C" and list(memo) == ["a", "d", "c"]

    live = LiveFitExplorer(n=200, max_iter=5)
    for i in range(FITS_KEPT + 5):
        live._fit(0.5 + i / 1000, 2, 0)
    assert len(live._fits) == FITS_KEPT
    selector = ModelSelectionExplorer(n=50)
    assert [m.kept for m in (selector._cache, selector._one, selector._samples)] == [
        SIGMA2_KEPT, SIGMA2_KEPT * 8, SIGMA2_KEPT]
