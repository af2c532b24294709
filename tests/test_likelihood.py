"""The log-likelihood, eqs (1)-(5), with its constants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from scipy import stats

import emlib

from .strategies import datasets, mixtures


def scipy_loglik(x, p):
    dens = p.weights * stats.norm.pdf(np.asarray(x)[:, None], p.means, np.sqrt(p.variances))
    return float(np.sum(np.log(dens.sum(axis=1))))


def test_log_likelihood_matches_scipy(sample3, three_components):
    x, _ = sample3
    assert emlib.log_likelihood(x, three_components) == pytest.approx(
        scipy_loglik(x, three_components), rel=1e-12
    )


def test_equations_2_3_4_agree(sample3, three_components):
    x, _ = sample3
    p = three_components
    # (2): product over points of p(x_i | mu), as a sum of logs
    eq2 = np.sum(emlib.mixture_logpdf(x, p))
    # (3)-(4): marginalise the label of each point, p(x_i | z_i = k) p(z_i = k)
    eq4 = np.sum(np.log(np.exp(emlib.log_joint(x, p)).sum(axis=1)))
    assert eq2 == pytest.approx(eq4, rel=1e-12)
    assert emlib.log_likelihood(x, p) == pytest.approx(eq2, rel=1e-12)


@given(mixtures(), datasets())
def test_eq5_plus_the_dropped_constant_is_the_log_likelihood(p, x):
    restored = emlib.log_likelihood_kernel(x, p) + emlib.dropped_constant(x.size, p.variance)
    assert restored == pytest.approx(emlib.log_likelihood(x, p), rel=1e-10, abs=1e-9)


def test_eq5_needs_a_common_variance():
    p = emlib.MixtureParams([0.0, 1.0], variance=[1.0, 2.0])
    with pytest.raises(ValueError, match="common variance"):
        emlib.log_likelihood_kernel([0.0], p)


def test_log_likelihood_is_finite_far_from_every_mean():
    p = emlib.MixtureParams([0.0, 1.0], variance=1e-6)
    x = np.array([-1e3, 1e3])
    assert np.isfinite(emlib.log_likelihood(x, p))
    expected = stats.norm.logpdf(-1e3, 0, 1e-3) + stats.norm.logpdf(1e3, 1, 1e-3) + 2 * np.log(0.5)
    assert emlib.log_likelihood(x, p) == pytest.approx(expected, rel=1e-12)


def test_dropped_constant_value():
    assert emlib.dropped_constant(10, 2.0) == pytest.approx(-5 * np.log(4 * np.pi))
    with pytest.raises(ValueError, match="variance"):
        emlib.dropped_constant(10, 0.0)
    with pytest.raises(ValueError, match="n must"):
        emlib.dropped_constant(0, 1.0)
