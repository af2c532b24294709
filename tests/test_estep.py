"""The E-step, eqs (8)-(12), and its hard limit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import emlib

from .strategies import mixtures


def bayes_rule(x, p):
    """P(z = k | x) by Bayes' rule, evaluated directly with scipy on well-scaled data."""
    prior_times_lik = p.weights * stats.norm.pdf(
        np.asarray(x)[:, None], p.means, np.sqrt(p.variances)
    )
    return prior_times_lik / prior_times_lik.sum(axis=1, keepdims=True)


def test_responsibilities_equal_bayes_rule(sample3, three_components):
    x, _ = sample3
    np.testing.assert_allclose(
        emlib.responsibilities(x, three_components), bayes_rule(x, three_components),
        rtol=1e-10, atol=1e-300,
    )


def test_naive_formula_agrees_on_well_scaled_data(sample3, three_components):
    x, _ = sample3
    np.testing.assert_allclose(
        emlib.responsibilities_naive(x, three_components),
        emlib.responsibilities(x, three_components), rtol=1e-10, atol=1e-300,
    )


def test_log_normaliser_is_the_log_likelihood(sample3, three_components):
    x, _ = sample3
    log_resp, log_norm = emlib.log_responsibilities(x, three_components)
    assert log_norm.sum() == pytest.approx(emlib.log_likelihood(x, three_components), rel=1e-12)
    np.testing.assert_allclose(np.exp(log_resp).sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("variance", [1e-12, 1e-9, 1e-6, 1e-3])
def test_tiny_variance_gives_finite_normalised_responsibilities(variance):
    rng = np.random.default_rng(0)
    x = rng.uniform(-500.0, 500.0, 2000)  # data spread over 1e3
    p = emlib.MixtureParams([-300.0, 10.0, 250.0], variance=variance)
    r = emlib.responsibilities(x, p)
    assert np.isfinite(r).all()
    np.testing.assert_allclose(r.sum(axis=1), 1.0, rtol=1e-12)
    # this far from every mean the softmax is one-hot on the nearest mean
    np.testing.assert_array_equal(r, emlib.hard_responsibilities(x, p.means))


def test_the_notes_formula_underflows_to_nan_where_emlib_does_not():
    p = emlib.MixtureParams([0.0, 10.0], variance=1e-4)
    x = np.array([5.2])
    with np.errstate(all="ignore"):
        naive = emlib.responsibilities_naive(x, p)
    assert np.isnan(naive).all()
    r = emlib.responsibilities(x, p)
    np.testing.assert_allclose(r, [[0.0, 1.0]], atol=1e-300)


@given(
    mixtures(),
    st.lists(st.floats(-500, 500), min_size=1, max_size=50),
    st.floats(-12, 6),
)
def test_responsibilities_are_probabilities_at_any_scale(p, xs, log10_var):
    q = emlib.MixtureParams(p.means, p.weights, 10.0**log10_var)
    r = emlib.responsibilities(xs, q)
    assert np.isfinite(r).all()
    assert (r >= 0).all()
    np.testing.assert_allclose(r.sum(axis=1), 1.0, rtol=1e-12)


def test_hard_responsibilities_pick_the_nearest_mean_and_break_ties_low():
    r = emlib.hard_responsibilities([-1.0, 0.4, 0.5, 3.0], [0.0, 1.0])
    np.testing.assert_array_equal(r, [[1, 0], [1, 0], [1, 0], [0, 1]])


def test_soft_responsibilities_tend_to_the_hard_limit(rng):
    x = rng.normal(0, 3, 300)
    means = np.array([-2.0, 0.3, 2.5])
    # unequal weights: they drop out in the limit
    p = emlib.MixtureParams(means, [0.7, 0.2, 0.1], variance=1e-4)
    gaps = np.sort(np.abs(x[:, None] - means), axis=1)
    clear = (gaps[:, 1] ** 2 - gaps[:, 0] ** 2) > 0.05  # not within a hair of a tie
    np.testing.assert_allclose(
        emlib.responsibilities(x, p)[clear],
        emlib.hard_responsibilities(x, means)[clear], atol=1e-12,
    )
