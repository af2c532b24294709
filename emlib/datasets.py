"""Two classic 1-D data sets, shipped as CSV files in ``emlib/data`` (see its README)."""

from __future__ import annotations

from importlib import resources

import numpy as np


def _column(filename: str, column: str) -> np.ndarray:
    with resources.files("emlib").joinpath("data", filename).open() as handle:
        header = handle.readline().strip().split(",")
        table = np.loadtxt(handle, delimiter=",", ndmin=2)
    return table[:, header.index(column)]


def load_faithful(column: str = "eruptions") -> np.ndarray:
    """Old Faithful geyser: 272 eruptions (R's ``datasets::faithful``).

    Parameters
    ----------
    column : {"eruptions", "waiting"}, default "eruptions"
        Eruption duration, or waiting time to the next eruption, in minutes.

    Returns
    -------
    ndarray of shape (272,)

    Examples
    --------
    >>> x = load_faithful()
    >>> x.size, round(float(x.mean()), 4)
    (272, 3.4878)
    """
    if column not in ("eruptions", "waiting"):
        raise ValueError(f"column must be 'eruptions' or 'waiting'; got {column!r}")
    return _column("faithful.csv", column)


def load_galaxies() -> np.ndarray:
    """Velocities in km/s of 82 galaxies of the Corona Borealis survey (R's ``MASS::galaxies``).

    Returns
    -------
    ndarray of shape (82,)

    Examples
    --------
    >>> v = load_galaxies()
    >>> v.size, round(float(v.mean()), 2)
    (82, 20828.17)
    """
    return _column("galaxies.csv", "velocity")
