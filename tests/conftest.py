"""Shared fixtures for the emlib tests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import settings

import emlib

# Property tests run the same number of examples everywhere; no deadline,
# since CI machines are noisy and these tests are about values, not time.
settings.register_profile("course", max_examples=60, deadline=None, derandomize=True)
settings.load_profile("course")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261130)


@pytest.fixture
def three_components() -> emlib.MixtureParams:
    return emlib.MixtureParams(means=[-4.0, 0.5, 5.0], weights=[0.2, 0.5, 0.3], variance=1.3)


@pytest.fixture
def sample3(three_components, rng) -> tuple[np.ndarray, np.ndarray]:
    return emlib.sample(three_components, 400, rng)
