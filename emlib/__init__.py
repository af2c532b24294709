"""emlib: EM for one-dimensional Gaussian mixtures, following the course's lecture notes.

Modules follow the derivation:

- :mod:`emlib.model`: parameters, sampling, densities (the generative model);
- :mod:`emlib.likelihood`: the log-likelihood, eqs (1)-(5);
- :mod:`emlib.estep`: responsibilities, eqs (8)-(12), and their hard limit;
- :mod:`emlib.mstep`: the Q function and its maximisers, eqs (13)-(19);
- :mod:`emlib.fitting`: the EM loop;
- :mod:`emlib.selection`: choosing K (BIC);
- :mod:`emlib.datasets`: Old Faithful and the galaxies, shipped as CSV;
- :mod:`emlib.sweep`: the loop's fused, chunked E-step (speed), a map over blocks and a sum;
- :mod:`emlib.passes`: that map on every core, for data in memory;
- :mod:`emlib.scale`: that map on a dask array, for data larger than memory (the ``scale``
  extra; imported on first use of ``emlib.scale``, so ``import emlib`` stays light);
- :mod:`emlib.progress`: the progress bar of long fits.

Examples
--------
>>> import emlib
>>> x, z = emlib.sample(emlib.MixtureParams([-2.0, 0.0, 3.0], variance=0.25), 600, rng=0)
>>> emlib.fit(x, 3, variance=0.25, seed=0).means.round(1).tolist()
[-2.0, 0.0, 3.0]
"""

from .datasets import load_faithful, load_galaxies
from .estep import (
    hard_responsibilities,
    log_responsibilities,
    responsibilities,
    responsibilities_naive,
)
from .fitting import ConvergenceWarning, FitResult, fit
from .likelihood import dropped_constant, log_joint, log_likelihood, log_likelihood_kernel
from .model import (
    MixtureParams,
    component_logpdf,
    component_pdf,
    mixture_logpdf,
    mixture_pdf,
    sample,
)
from .mstep import (
    m_step,
    q_function,
    q_gradient_means,
    update_means,
    update_shared_variance,
    update_variances,
    update_weights,
)
from .selection import bic, n_parameters

__all__ = [
    "ConvergenceWarning",
    "bic",
    "load_faithful",
    "load_galaxies",
    "n_parameters",
    "FitResult",
    "MixtureParams",
    "component_logpdf",
    "component_pdf",
    "dropped_constant",
    "fit",
    "hard_responsibilities",
    "log_joint",
    "log_likelihood",
    "log_likelihood_kernel",
    "log_responsibilities",
    "m_step",
    "mixture_logpdf",
    "mixture_pdf",
    "q_function",
    "q_gradient_means",
    "responsibilities",
    "responsibilities_naive",
    "sample",
    "update_means",
    "update_shared_variance",
    "update_variances",
    "update_weights",
]

__version__ = "0.1.0"


def __getattr__(name: str):
    # emlib.scale imports dask: load it only when it is asked for.
    if name == "scale":
        import importlib

        return importlib.import_module(".scale", __name__)
    raise AttributeError(f"module 'emlib' has no attribute {name!r}")
