"""The generative model: parameters, sampling and densities."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

import emlib


def test_params_default_weights_are_uniform():
    p = emlib.MixtureParams([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(p.weights, 0.25)
    assert p.variance == 1.0 and p.shared_variance


def test_params_per_component_variances():
    p = emlib.MixtureParams([0.0, 1.0], variance=[1.0, 4.0])
    assert not p.shared_variance
    np.testing.assert_array_equal(p.variances, [1.0, 4.0])


def test_params_are_read_only():
    p = emlib.MixtureParams([0.0, 1.0])
    with pytest.raises(ValueError):
        p.means[0] = 5.0


def test_sorted_by_mean_permutes_all_parameters():
    p = emlib.MixtureParams([3.0, -1.0, 0.0], [0.5, 0.2, 0.3], [1.0, 2.0, 3.0]).sorted_by_mean()
    np.testing.assert_array_equal(p.means, [-1.0, 0.0, 3.0])
    np.testing.assert_array_equal(p.weights, [0.2, 0.3, 0.5])
    np.testing.assert_array_equal(p.variances, [2.0, 3.0, 1.0])


def test_permuted_rejects_a_non_permutation():
    with pytest.raises(ValueError, match="order"):
        emlib.MixtureParams([0.0, 1.0]).permuted([0, 0])


def test_sample_is_deterministic_for_a_seed(three_components):
    a = emlib.sample(three_components, 50, np.random.default_rng(3))
    b = emlib.sample(three_components, 50, 3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_sample_matches_the_model(three_components):
    x, z = emlib.sample(three_components, 200_000, 1)
    freq = np.bincount(z, minlength=3) / z.size
    np.testing.assert_allclose(freq, three_components.weights, atol=0.005)
    for k in range(3):
        xs = x[z == k]
        assert abs(xs.mean() - three_components.means[k]) < 0.02
        assert abs(xs.var() - three_components.variances[k]) < 0.03


def test_component_pdf_matches_scipy(three_components, rng):
    x = rng.normal(0, 5, 100)
    expected = stats.norm.pdf(
        x[:, None], three_components.means, np.sqrt(three_components.variances)
    )
    np.testing.assert_allclose(emlib.component_pdf(x, three_components), expected, rtol=1e-12)
    np.testing.assert_allclose(
        emlib.component_logpdf(x, three_components), np.log(expected), rtol=1e-12
    )


def test_mixture_pdf_matches_scipy_and_integrates_to_one(three_components, rng):
    x = rng.normal(0, 5, 100)
    p = three_components
    expected = (p.weights * stats.norm.pdf(x[:, None], p.means, np.sqrt(p.variances))).sum(1)
    np.testing.assert_allclose(emlib.mixture_pdf(x, p), expected, rtol=1e-12)
    total, _ = integrate.quad(lambda t: emlib.mixture_pdf([t], p)[0], -40, 40, limit=200)
    assert total == pytest.approx(1.0, abs=1e-8)


def test_mixture_logpdf_stays_finite_where_the_density_underflows():
    p = emlib.MixtureParams([0.0, 1.0], variance=1e-4)
    logpdf = emlib.mixture_logpdf([500.0], p)
    assert np.isfinite(logpdf).all()
    expected = stats.norm.logpdf(500.0, 1.0, 1e-2) + np.log(0.5)
    assert logpdf[0] == pytest.approx(expected, rel=1e-9)
    assert emlib.mixture_pdf([500.0], p)[0] == 0.0
