"""The M-step, eqs (13)-(19): Q, its gradient and its maximisers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

import emlib
from emlib.mstep import statistics


@pytest.fixture
def e_step(sample3, three_components):
    x, _ = sample3
    return x, emlib.responsibilities(x, three_components), three_components


def test_update_means_is_the_weighted_mean(e_step):
    x, r, p = e_step
    expected = (r * x[:, None]).sum(axis=0) / r.sum(axis=0)
    np.testing.assert_allclose(emlib.update_means(x, r, p.means), expected, rtol=1e-12)


def test_update_means_maximises_q_numerically(e_step):
    x, r, p = e_step

    def negative_q(mu):
        return -emlib.q_function(x, r, emlib.MixtureParams(mu, p.weights, p.variance))

    best = optimize.minimize(negative_q, p.means + 1.0, method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose(emlib.update_means(x, r, p.means), best.x, atol=1e-6)


def test_gradient_vanishes_at_the_update_and_matches_finite_differences(e_step):
    x, r, p = e_step
    mu_new = emlib.update_means(x, r, p.means)
    at_new = emlib.MixtureParams(mu_new, p.weights, p.variance)
    np.testing.assert_allclose(emlib.q_gradient_means(x, r, at_new), 0.0, atol=1e-9)

    h = 1e-5
    grad = emlib.q_gradient_means(x, r, p)
    for k in range(p.n_components):
        step = np.zeros(p.n_components)
        step[k] = h
        up = emlib.q_function(x, r, emlib.MixtureParams(p.means + step, p.weights, p.variance))
        down = emlib.q_function(x, r, emlib.MixtureParams(p.means - step, p.weights, p.variance))
        assert (up - down) / (2 * h) == pytest.approx(grad[k], rel=1e-6, abs=1e-6)


def test_q_matches_eq_17_plus_its_constants(e_step):
    x, r, p = e_step
    eq17 = np.sum(r * (-(x[:, None] - p.means) ** 2 / (2 * p.variance) + np.log(p.weights)))
    constant = -0.5 * x.size * np.log(2 * np.pi * p.variance)  # sum of R over i, k is n
    assert emlib.q_function(x, r, p) == pytest.approx(eq17 + constant, rel=1e-12)


def test_update_weights_maximises_q_on_the_simplex(e_step):
    x, r, p = e_step

    def negative_q(logits):
        w = np.exp(logits - logits.max())
        return -emlib.q_function(x, r, emlib.MixtureParams(p.means, w / w.sum(), p.variance))

    best = optimize.minimize(negative_q, np.zeros(3), method="BFGS", options={"gtol": 1e-10})
    w = np.exp(best.x - best.x.max())
    np.testing.assert_allclose(emlib.update_weights(r), w / w.sum(), atol=1e-6)
    np.testing.assert_allclose(emlib.update_weights(r), r.mean(axis=0), rtol=1e-12)


def test_update_shared_variance_maximises_q(e_step):
    x, r, p = e_step
    mu = emlib.update_means(x, r, p.means)
    best = optimize.minimize_scalar(
        lambda v: -emlib.q_function(x, r, emlib.MixtureParams(mu, p.weights, v)),
        bounds=(0.01, 50.0), method="bounded", options={"xatol": 1e-10},
    )
    assert emlib.update_shared_variance(x, r, mu) == pytest.approx(best.x, rel=1e-6)


def test_update_variances_maximises_q_per_component(e_step):
    x, r, p = e_step
    mu = emlib.update_means(x, r, p.means)
    got = emlib.update_variances(x, r, mu, p.variances, floor=1e-9)
    for k in range(3):
        def negative_q(v, k=k):
            var = got.copy()
            var[k] = v
            return -emlib.q_function(x, r, emlib.MixtureParams(mu, p.weights, var))

        best = optimize.minimize_scalar(
            negative_q, bounds=(0.01, 50.0), method="bounded", options={"xatol": 1e-10}
        )
        assert got[k] == pytest.approx(best.x, rel=1e-6)


def test_variance_floor_binds_on_a_collapsed_component():
    x = np.array([0.0, 0.0, 0.0, 5.0, 6.0])
    r = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1]], dtype=float)
    got = emlib.update_variances(x, r, [0.0, 5.5], [1.0, 1.0], floor=1e-3)
    np.testing.assert_allclose(got, [1e-3, 0.25])


def test_empty_component_keeps_its_parameters_without_dividing_by_zero():
    x = np.array([0.0, 1.0, 2.0])
    r = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    p = emlib.MixtureParams([1.0, 7.0], variance=[1.0, 3.0])
    with np.errstate(divide="raise", invalid="raise", over="raise"):
        new = emlib.m_step(x, r, p, learn_weights=True, variance_model="per_component")
    np.testing.assert_allclose(new.means, [1.0, 7.0])
    np.testing.assert_allclose(new.variances, [2.0 / 3.0, 3.0])
    np.testing.assert_allclose(new.weights, [1.0, 0.0])


def test_m_step_combines_the_updates(e_step):
    x, r, p = e_step
    new = emlib.m_step(x, r, p, learn_weights=True, variance_model="shared")
    mu = emlib.update_means(x, r, p.means)
    np.testing.assert_allclose(new.means, mu, rtol=1e-12)
    np.testing.assert_allclose(new.weights, emlib.update_weights(r), rtol=1e-12)
    assert new.variance == pytest.approx(emlib.update_shared_variance(x, r, mu), rel=1e-10)
    kept = emlib.m_step(x, r, p)
    np.testing.assert_array_equal(kept.weights, p.weights)
    assert kept.variance == p.variance


def test_statistics_about_the_old_means_survive_a_large_offset():
    # |mu| = 1e8 and sigma = 1e-2: sum R x^2 - N mu^2 would lose every digit.
    rng = np.random.default_rng(4)
    x = 1e8 + rng.normal(0.0, 1e-2, 1000)
    r = np.ones((1000, 1))
    stats = statistics(x, r, np.array([1e8 + 0.003]))
    exact = np.sum((x - x.mean()) ** 2)
    assert stats.scatter()[0] == pytest.approx(exact, rel=1e-6)


def test_q_with_a_zero_weight_and_no_responsibility_is_finite_and_silent(sample3):
    x, _ = sample3
    p = emlib.MixtureParams([-4.0, 0.5, 5.0], [0.5, 0.5, 0.0], variance=1.3)
    r = emlib.responsibilities(x, p)
    with np.errstate(all="raise"):
        q = emlib.q_function(x, r, p)
    two = emlib.MixtureParams([-4.0, 0.5], [0.5, 0.5], variance=1.3)
    assert q == pytest.approx(emlib.q_function(x, r[:, :2], two), rel=1e-12)
