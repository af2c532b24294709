"""emlib.fit against scikit-learn's GaussianMixture on the same 1-D data, in one process.

Both fit the same model (weights, means and one shared variance learned; for
scikit-learn, covariance_type="tied" with reg_covar=0) from the same initial
parameters. Reported per grid point:

- the time per EM iteration of each, as (time for M iterations - time for
  m iterations) / (M - m), which cancels set-up and the final E-step; best of
  ``--repeats`` runs;
- their ratio (scikit-learn / emlib: higher is better for emlib);
- the peak memory each allocates beyond its input, in units of one n x K
  float64 array (tracemalloc sees NumPy's allocations).

Run: ``make bench`` or ``python benchmarks/bench_fit.py [--quick]``.
The target is a ratio of at least 5 at every grid point.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.mixture import GaussianMixture

import emlib

TARGET_RATIO = 5.0


def make_data(n: int, k: int, seed: int = 0) -> tuple[np.ndarray, emlib.MixtureParams]:
    """Well-separated mixture of K unit-variance components, and a perturbed start."""
    rng = np.random.default_rng(seed)
    truth = emlib.MixtureParams(np.arange(k) * 4.0, variance=1.0)
    x, _ = emlib.sample(truth, n, rng)
    start = emlib.MixtureParams(truth.means + rng.normal(0.0, 0.5, k), variance=2.0)
    return x, start


def run_emlib(x: np.ndarray, start: emlib.MixtureParams, iters: int) -> None:
    emlib.fit(
        x, start.n_components, variance=start.variance, weights=start.weights,
        means_init=start.means, learn_weights=True, variance_model="shared",
        tol=0.0, max_iter=iters,
    )


def run_sklearn(x: np.ndarray, start: emlib.MixtureParams, iters: int) -> None:
    GaussianMixture(
        n_components=start.n_components, covariance_type="tied", reg_covar=0.0,
        weights_init=start.weights, means_init=start.means[:, None],
        precisions_init=np.array([[1.0 / start.variance]]), init_params="random",
        tol=0.0, max_iter=iters,
    ).fit(x[:, None])


def best_time(func, x, start, iters: int, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        func(x, start, iters)
        best = min(best, time.perf_counter() - t0)
    return best


def per_iteration(func, x, start, repeats: int, few: int = 2, many: int = 12) -> float:
    return (best_time(func, x, start, many, repeats) - best_time(func, x, start, few, repeats)) / (
        many - few
    )


def peak_extra_memory(func, x, start) -> float:
    """Peak bytes allocated while fitting (5 iterations), beyond what existed before."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    func(x, start, 5)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return float(peak - before)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n up to 1e5 only")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    warnings.simplefilter("ignore")  # both warn that tol=0 never converges
    header = (f"{'n':>9} {'K':>3} {'emlib ms/it':>12} {'sklearn ms/it':>14} {'ratio':>7} "
              f"{'emlib mem':>10} {'sklearn mem':>12}   (memory in n*K float64 arrays)")
    print(header)
    print("-" * len(header))
    worst = np.inf
    for n in sizes:
        for k in (3, 10):
            x, start = make_data(n, k)
            t_em = per_iteration(run_emlib, x, start, args.repeats)
            t_sk = per_iteration(run_sklearn, x, start, args.repeats)
            unit = n * k * 8.0
            m_em = peak_extra_memory(run_emlib, x, start) / unit
            m_sk = peak_extra_memory(run_sklearn, x, start) / unit
            ratio = t_sk / t_em
            worst = min(worst, ratio)
            print(f"{n:>9} {k:>3} {t_em * 1e3:>12.3f} {t_sk * 1e3:>14.3f} {ratio:>7.1f} "
                  f"{m_em:>10.2f} {m_sk:>12.2f}")
    verdict = "meets" if worst >= TARGET_RATIO else "MISSES"
    print(f"\nworst ratio {worst:.1f}: {verdict} the target of {TARGET_RATIO:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
