"""EM at scale: emlib on every core and on dask, against its peers, in one run.

In memory (n = 1e5, 1e6, 1e7; K = 3, 10), the time per EM iteration of
- emlib serial (``n_jobs=1``) and emlib threaded (the default: every core),
- scikit-learn's GaussianMixture (``covariance_type="tied"``, the same model),
- the exp floor: n*K calls' worth of ``np.exp`` on data in cache, on one core and on all
  cores (threads), the cost of the one transcendental function an E-step cannot avoid.
Per iteration means, for emlib, the median time of what its loop runs once per iteration
(the pass over the data and the M-step); for scikit-learn, (time for M iterations - time
for m iterations) / (M - m), which cancels its set-up and final E-step.

On dask (K = 5), in a child process with a LocalCluster of one worker process per core:
n = 1e7 read from Zarr on disk, and n = 1e8 drawn lazily chunk by chunk
(``emlib.scale.sample``, never held whole, drawn again at every iteration). Reported: the
seconds per iteration; the seconds of a pass that only reads (or draws) the data; the
elements per second per core of the EM work (iteration minus that pass) and of the whole
iteration, against in-memory threaded emlib at n = 1e7 in the same process; the peak
resident memory of the client and of each worker after each size.

Run: ``python benchmarks/bench_scale.py [--quick]`` (about 6 minutes; --quick: n <= 1e6
and 1e7 on dask).
Targets: threaded >= 1.7x serial for n >= 1e6; threaded within 3x of the all-cores exp
floor; threaded >= 8x scikit-learn everywhere; on dask, EM work per core within 2x of in
memory; peak memory independent of n and below 1 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

import emlib
from emlib.mstep import params_from
from emlib.passes import available_cores, data_of

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_fit import make_data, run_sklearn  # noqa: E402

FLOOR_ENTRIES = 2**16


def emlib_fit(x, start: emlib.MixtureParams, iters: int, n_jobs: int | None) -> None:
    emlib.fit(x, start.n_components, variance=start.variance, weights=start.weights,
              means_init=start.means, learn_weights=True, variance_model="shared",
              tol=0.0, max_iter=iters, n_jobs=n_jobs)


def seconds(run, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best


def per_iteration(run, few: int, many: int, repeats: int) -> float:
    """Seconds per iteration of ``run(iters)``."""
    return (seconds(lambda: run(many), repeats) - seconds(lambda: run(few), repeats)) / (
        many - few)


def emlib_iteration(x, start: emlib.MixtureParams, n_jobs: int | None) -> float:
    """Seconds per EM iteration of emlib: the median of repeated calls of what the loop
    runs once per iteration, the pass over the data and the M-step. (Differences of whole
    fits are too noisy at large n, where the final pass writes an n x K array.)"""
    data = data_of(x, n_jobs)
    with data:
        def one() -> None:
            stats, _ = data.sums(start, False)
            params_from(stats, start, learn_weights=True, variance_model="shared",
                        variance_floor=1e-12)

        one()  # the thread pool starts, the workspaces are allocated
        budget = 2.0 if isinstance(x, np.ndarray) else 15.0
        times: list[float] = []
        while len(times) < 3 or (sum(times) < budget and len(times) < 30):
            t0 = time.perf_counter()
            one()
            times.append(time.perf_counter() - t0)
    return float(np.median(times))


def exp_floor(entries: int, threads: int) -> float:
    """Seconds for ``entries`` exponentials on in-cache buffers, split over ``threads``."""
    calls = max(1, entries // FLOOR_ENTRIES)
    buffers = [(np.random.default_rng(t).normal(size=FLOOR_ENTRIES), np.empty(FLOOR_ENTRIES))
               for t in range(threads)]

    def work(t: int) -> None:
        source, out = buffers[t]
        for _ in range(calls // threads + (t < calls % threads)):
            np.exp(source, out=out)

    with ThreadPoolExecutor(threads) as pool:
        def run() -> None:
            list(pool.map(work, range(threads)))
        return seconds(run, 3)


def in_memory(sizes: list[int]) -> list[dict]:
    cores = available_cores()
    header = (f"{'n':>9} {'K':>3} {'serial ms':>10} {'threaded ms':>12} {'speed-up':>9} "
              f"{'sklearn ms':>11} {'x sklearn':>10} {'exp 1 core':>11} {'exp all':>8} "
              f"{'/ exp all':>10}")
    print(f"In memory, ms per EM iteration ({cores} cores)\n{header}\n{'-' * len(header)}")
    rows = []
    for n in sizes:
        for k in (3, 10):
            x, start = make_data(n, k)
            serial = emlib_iteration(x, start, 1)
            threaded = emlib_iteration(x, start, None)
            few, many, repeats = (1, 3, 1) if n >= 10**6 else (2, 12, 3)
            sklearn = per_iteration(lambda i, x=x, s=start: run_sklearn(x, s, i), few, many,
                                    repeats)
            one, every = exp_floor(n * k, 1), exp_floor(n * k, cores)
            row = dict(n=n, k=k, serial=serial, threaded=threaded, sklearn=sklearn,
                       exp_one=one, exp_all=every)
            rows.append(row)
            print(f"{n:>9.0e} {k:>3} {serial * 1e3:>10.2f} {threaded * 1e3:>12.2f} "
                  f"{serial / threaded:>9.2f} {sklearn * 1e3:>11.1f} {sklearn / threaded:>10.1f}"
                  f" {one * 1e3:>11.2f} {every * 1e3:>8.2f} {threaded / every:>10.2f}")
    return rows


DASK_K = 5


def peak_mb() -> float:
    """This process's peak resident memory (Linux's VmHWM: unlike getrusage's ru_maxrss,
    it does not carry over the peak of the process that started this one)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dask_part(sizes: list[int]) -> dict:
    """Runs in a child process, so that the client's peak memory is its own."""
    import dask.array as da
    from dask.distributed import Client, LocalCluster

    from emlib.scale import sample

    truth = emlib.MixtureParams(np.arange(DASK_K) * 4.0, variance=1.0)
    start = emlib.MixtureParams(truth.means + 0.3, variance=2.0)
    out = {"cores": available_cores(), "rows": []}
    with tempfile.TemporaryDirectory() as tmp, \
            LocalCluster(n_workers=available_cores(), threads_per_worker=1, processes=True,
                         dashboard_address=None, memory_limit=0) as cluster, \
            Client(cluster) as client:
        for n in sizes:
            source = sample(truth, n, chunks=2_500_000, seed=0)
            if n <= 10**7:  # this size is read from disk
                path = str(Path(tmp) / "x.zarr")
                source.to_zarr(path, overwrite=True)
                x, where = da.from_zarr(path), "Zarr"
            else:
                x, where = source, "drawn"
            read = seconds(lambda x=x: x.sum().compute(), 2)
            iteration = emlib_iteration(x, start, None)
            workers = client.run(peak_mb)
            out["rows"].append(dict(n=n, where=where, iteration=iteration, read=read,
                                    client=peak_mb(), workers=max(workers.values())))
    x, _ = emlib.sample(truth, 10**7, rng=0)
    out["memory"] = emlib_iteration(x, start, None)
    return out


def on_dask(sizes: list[int]) -> dict:
    child = subprocess.run([sys.executable, __file__, "--dask-child", json.dumps(sizes)],
                           capture_output=True, text=True, timeout=1800)
    if child.returncode:
        raise SystemExit(child.stderr)
    out = json.loads(child.stdout.splitlines()[-1])
    cores, memory = out["cores"], out["memory"]
    rate_memory = 10**7 / memory / cores
    header = (f"{'n':>9} {'data':>6} {'s/iter':>8} {'read s':>7} {'EM Mel/s/core':>14} "
              f"{'all Mel/s/core':>15} {'in memory':>10} {'client MB':>10} {'worker MB':>10}")
    print(f"\nOn dask, K = {DASK_K}, LocalCluster of {cores} worker processes\n{header}\n"
          f"{'-' * len(header)}")
    for row in out["rows"]:
        row["em_rate"] = row["n"] / (row["iteration"] - row["read"]) / cores
        row["rate"] = row["n"] / row["iteration"] / cores
        print(f"{row['n']:>9.0e} {row['where']:>6} {row['iteration']:>8.2f} {row['read']:>7.2f} "
              f"{row['em_rate'] / 1e6:>14.1f} {row['rate'] / 1e6:>15.1f} "
              f"{rate_memory / 1e6:>10.1f} {row['client']:>10.0f} {row['workers']:>10.0f}")
    out["rate_memory"] = rate_memory
    return out


def verdicts(rows: list[dict], dask: dict) -> list[str]:
    big = [r for r in rows if r["n"] >= 10**6]
    speedup = min(r["serial"] / r["threaded"] for r in big) if big else np.nan
    floor = max(r["threaded"] / r["exp_all"] for r in rows)
    sklearn = min(r["sklearn"] / r["threaded"] for r in rows)
    em_rate = min(r["em_rate"] for r in dask["rows"])
    peaks = [max(r["client"], r["workers"]) for r in dask["rows"]]
    sizes = ", ".join(f"{r['n']:.0e}" for r in dask["rows"])

    def say(ok: bool) -> str:
        return "meets" if ok else "MISSES"

    return [
        f"threaded / serial at n >= 1e6: at least {speedup:.2f}x: {say(speedup >= 1.7)} 1.7x",
        f"threaded / all-cores exp floor: at most {floor:.2f}x: {say(floor <= 3)} 3x",
        f"scikit-learn / threaded: at least {sklearn:.1f}x: {say(sklearn >= 8)} 8x",
        f"dask EM work per core / in memory: {dask['rate_memory'] / em_rate:.2f}x slower at "
        f"worst: {say(dask['rate_memory'] / em_rate <= 2)} 2x",
        f"peak memory {min(peaks):.0f}-{max(peaks):.0f} MB over n = {sizes}: "
        f"{say(max(peaks) < 1024 and max(peaks) < 1.5 * min(peaks))} below 1 GB, "
        "independent of n",
    ]


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--dask-child":
        warnings.simplefilter("ignore")
        print(json.dumps(dask_part(json.loads(sys.argv[2]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n <= 1e6; 1e7 on dask")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # tol=0 never converges
    rows = in_memory([10**5, 10**6] if args.quick else [10**5, 10**6, 10**7])
    dask = on_dask([10**6, 10**7] if args.quick else [10**7, 10**8])
    print()
    for line in verdicts(rows, dask):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
