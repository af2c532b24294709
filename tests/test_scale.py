"""One map-reduce, three executors: serial, a thread pool, and dask (threads, processes, a
LocalCluster) give the same fit; a dask array is never loaded whole; bad input is named."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import dask
import dask.array as da
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

import emlib
import emlib.sweep
from emlib.scale import sample

from .strategies import datasets
from .test_fitting import VARIANTS, quiet_fit

ROOT = Path(__file__).resolve().parent.parent
HISTORIES = ("means_history", "weights_history", "variances_history", "log_likelihood_history")


@contextmanager
def small_blocks(rows: int):
    """The kernel's blocks made a few points long, so that small data span many blocks."""
    with mock.patch.object(emlib.sweep, "CHUNK_ENTRIES", 1), \
            mock.patch.object(emlib.sweep, "MIN_BLOCK_ROWS", rows):
        yield


def assert_same_fit(a: emlib.FitResult, b: emlib.FitResult, rtol: float) -> None:
    assert a.n_iter == b.n_iter and a.converged == b.converged
    for name in HISTORIES:
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=rtol, atol=0.0,
                                   err_msg=name)


def assert_identical_fit(a: emlib.FitResult, b: emlib.FitResult) -> None:
    assert a.n_iter == b.n_iter
    for name in (*HISTORIES, "responsibilities"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


@st.composite
def chunkings(draw, n: int) -> tuple[int, ...]:
    """Chunk sizes summing to n: single points and empty chunks among them."""
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=6)))
    sizes = np.diff([0, *cuts, n])
    return tuple(int(s) for s in sizes)


def fit_kwargs(x: np.ndarray, k: int, seed: int, variant: dict) -> dict:
    return dict(variance=float(np.var(x)) / k + 0.1, seed=seed, max_iter=40, **variant)


# ---------------------------------------------------------------- threads


@given(datasets(min_n=10, max_n=150), st.integers(1, 4), st.integers(0, 2**16),
       st.sampled_from(VARIANTS), st.integers(2, 5), st.integers(1, 9))
@settings(max_examples=60)
def test_threads_give_the_serial_fit_bit_for_bit(x, k, seed, variant, n_jobs, rows):
    k = min(k, x.size)
    with small_blocks(rows):
        serial = quiet_fit(x, k, n_jobs=1, **fit_kwargs(x, k, seed, variant))
        threaded = quiet_fit(x, k, n_jobs=n_jobs, **fit_kwargs(x, k, seed, variant))
    assert_identical_fit(serial, threaded)


def test_threads_at_full_block_size_and_the_default():
    x, _ = emlib.sample(emlib.MixtureParams([-3.0, 0.0, 2.0, 6.0], variance=1.0), 300_000,
                        rng=5)
    fits = [emlib.fit(x, 4, variance=1.0, seed=2, n_jobs=j) for j in (1, 2, 3, None)]
    for other in fits[1:]:
        assert_identical_fit(fits[0], other)


@pytest.mark.parametrize("n_jobs", [0, -1, 1.5, "2", True])
def test_n_jobs_must_be_a_positive_integer(n_jobs):
    x = np.arange(10.0)
    with pytest.raises((ValueError, TypeError), match="n_jobs"):
        emlib.fit(x, 2, variance=1.0, n_jobs=n_jobs)


# ---------------------------------------------------------------- dask


@given(datasets(min_n=5, max_n=80), st.integers(1, 3), st.integers(0, 2**16),
       st.sampled_from(VARIANTS), st.data())
@settings(max_examples=60)
def test_a_dask_array_gives_the_in_memory_fit_whatever_its_chunks(x, k, seed, variant, data):
    k = min(k, x.size)
    chunks = data.draw(chunkings(x.size))
    in_memory = quiet_fit(x, k, **fit_kwargs(x, k, seed, variant))
    with dask.config.set(scheduler="synchronous"):
        on_dask = quiet_fit(da.from_array(x, chunks=(chunks,)), k,
                            **fit_kwargs(x, k, seed, variant))
        resp = on_dask.responsibilities.compute()
    assert_same_fit(in_memory, on_dask, rtol=1e-10)
    np.testing.assert_allclose(resp, in_memory.responsibilities, rtol=1e-9, atol=1e-12)


def test_a_chunk_boundary_inside_a_cluster_and_an_empty_component():
    rng = np.random.default_rng(3)
    x = np.sort(np.concatenate([rng.normal(-5.0, 1.0, 500), rng.normal(5.0, 1.0, 500)]))
    # The boundaries at 250 and 750 cut each cluster in two; the third start is so far
    # away that no point ever goes to it.
    start = dict(means_init=[-1.0, 1.0, 1e4], variance=1.0, learn_weights=True,
                 variance_model="per_component")
    in_memory = emlib.fit(x, 3, **start)
    assert in_memory.weights[2] == 0.0 and in_memory.means[2] == 1e4
    for chunks in ((250, 500, 250), (1,) * 1000, (1000,)):
        assert_same_fit(in_memory, emlib.fit(da.from_array(x, chunks=(chunks,)), 3, **start),
                        rtol=1e-10)


@given(datasets(min_n=1, max_n=60), st.data())
def test_the_variance_of_a_chunked_array_is_numpys_even_with_empty_chunks(x, data):
    """The default start and floor of sigma^2 come from it (dask's own var is NaN when a
    chunk is empty)."""
    from emlib.scale import OnDask

    chunked = OnDask(da.from_array(x, chunks=(data.draw(chunkings(x.size)),)))
    assert chunked.variance() == pytest.approx(np.var(x), rel=1e-12, abs=1e-300)


class Recorder:
    """A scheduler that runs dask's synchronous one and records the size of everything
    handed back to the client."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def __call__(self, dsk, keys, **kwargs):
        results = dask.get(dsk, keys, **kwargs)
        self.sizes += [int(np.size(r)) for r in _flatten(results)]
        return results


def _flatten(results):
    if isinstance(results, list | tuple):
        for r in results:
            yield from _flatten(r)
    else:
        yield results


def test_only_k_sized_sums_reach_the_client_and_the_responsibilities_stay_lazy():
    k, n, chunk = 3, 200_000, 20_000
    x = sample(emlib.MixtureParams([-3.0, 0.0, 4.0], variance=1.0), n, chunks=chunk, seed=4)
    recorder = Recorder()
    with dask.config.set(scheduler=recorder), \
            mock.patch.object(da.Array, "__array__", side_effect=AssertionError("loaded")):
        result = emlib.fit(x, k, variance=1.0, seed=0)
    assert isinstance(result.responsibilities, da.Array)
    assert result.responsibilities.shape == (n, k)
    assert isinstance(result.labels, da.Array)
    # The checks' five numbers per chunk, the start's K values, then 3K + 1 sums per
    # iteration: never anything of the size of the data.
    assert max(recorder.sizes) <= max(5 * n // chunk, 3 * k + 1)
    assert len(recorder.sizes) >= result.n_iter + 1


def test_sample_is_lazy_seeded_and_the_same_on_every_scheduler():
    params = emlib.MixtureParams([-1.0, 2.0], [0.3, 0.7], variance=0.5)
    x = sample(params, 10_001, chunks=2_500, seed=9)
    assert x.chunks == ((2_500,) * 4 + (1,),)
    a = x.compute(scheduler="synchronous")
    b = sample(params, 10_001, chunks=2_500, seed=9).compute(scheduler="threads")
    assert np.array_equal(a, b)
    assert not np.array_equal(a, sample(params, 10_001, chunks=2_500, seed=10).compute())
    assert abs(np.mean(a > 0.5) - 0.7) < 0.02  # the weights are honoured
    wide = emlib.MixtureParams([-3.0, 0.0, 5.0], [0.5, 0.2, 0.3], [0.25, 4.0, 1.0])
    y = sample(wide, 400_000, chunks=100_000, seed=1).compute()
    mean = np.sum(wide.weights * wide.means)
    variance = np.sum(wide.weights * (wide.variances + wide.means**2)) - mean**2
    assert abs(y.mean() - mean) < 5 * np.sqrt(variance / y.size)
    assert y.var() == pytest.approx(variance, rel=0.01)
    below = sum(w * norm.cdf(-1.5, m, np.sqrt(v))  # P(x < -1.5) under the mixture
                for w, m, v in zip(wide.weights, wide.means, wide.variances, strict=True))
    assert np.mean(y < -1.5) == pytest.approx(below, abs=0.005)


def test_bad_dask_input_is_named():
    good = da.from_array(np.arange(100.0), chunks=10)
    with pytest.raises(ValueError, match=r"x must be 1-D.*\(10, 10\)"):
        emlib.fit(good.reshape(10, 10), 2, variance=1.0)
    nan = da.from_array(np.concatenate([np.arange(35.0), [np.nan], np.arange(64.0)]),
                        chunks=10)
    with pytest.raises(ValueError, match=r"x must be finite.*index 35 \(chunk 3, indices 30..39\)"):
        emlib.fit(nan, 2, variance=1.0)
    with pytest.raises(ValueError, match="unknown chunk sizes.*compute_chunk_sizes"):
        emlib.fit(good[good > 50], 2, variance=1.0)
    with pytest.raises(TypeError, match="x must be an array of real numbers"):
        emlib.fit(good.astype(complex), 2, variance=1.0)
    with pytest.raises(ValueError, match="n_jobs is for data in memory"):
        emlib.fit(good, 2, variance=1.0, n_jobs=2)
    with pytest.raises(ValueError, match="n_components must be between 1 and"):
        emlib.fit(good, 101, variance=1.0)


def test_a_zarr_column_is_fitted_chunk_by_chunk(tmp_path):
    zarr = pytest.importorskip("zarr")
    x, _ = emlib.sample(emlib.MixtureParams([-2.0, 1.0, 4.0], variance=0.5), 50_000, rng=8)
    store = zarr.open_array(tmp_path / "x.zarr", mode="w", shape=x.shape, chunks=(7_000,),
                            dtype="f8")
    store[:] = x
    column = da.from_zarr(str(tmp_path / "x.zarr"))
    assert column.chunks[0][0] == 7_000
    recorder = Recorder()
    with dask.config.set(scheduler=recorder):
        on_disk = emlib.fit(column, 3, variance=0.5, seed=1)
    assert max(recorder.sizes) <= 5 * 8
    assert_same_fit(emlib.fit(x, 3, variance=0.5, seed=1), on_disk, rtol=1e-10)


# ---------------------------------------------------------------- other schedulers

CLUSTER_JOB = textwrap.dedent("""
    import json, sys, warnings
    import dask
    import dask.array as da
    import numpy as np
    import emlib

    def summary(r):
        return dict(n_iter=r.n_iter, means=r.means_history.tolist(),
                    weights=r.weights_history.tolist(),
                    variances=r.variances_history.tolist(),
                    loglik=r.log_likelihood_history.tolist())

    if __name__ == "__main__":
        warnings.simplefilter("ignore")
        out = {}
        x, _ = emlib.sample(emlib.MixtureParams([-4.0, 0.0, 3.0], [0.3, 0.3, 0.4],
                                                variance=1.0), 40_000, rng=1)
        kwargs = dict(variance=2.0, seed=3, learn_weights=True, variance_model="shared")
        out["memory"] = summary(emlib.fit(x, 3, **kwargs))
        chunked = da.from_array(x, chunks=9_000)
        with dask.config.set(scheduler="processes", num_workers=2):
            out["processes"] = summary(emlib.fit(chunked, 3, **kwargs))
        # The README's dask example, on 40,000 points: it starts a LocalCluster of two
        # worker processes.
        namespace = {}
        exec(sys.argv[1].replace("10**8", "40_000"), namespace)
        client = namespace["client"]
        out["workers"] = len(client.scheduler_info()["workers"])
        out["readme"] = summary(namespace["result"])
        out["readme memory"] = summary(emlib.fit(namespace["x"].compute(), 3, variance=0.25,
                                                 seed=0))
        result = emlib.fit(chunked, 3, **kwargs)
        out["cluster"] = summary(result)
        out["labels"] = np.bincount(result.labels.compute(), minlength=3).tolist()
        client.close()
        client.cluster.close()
        json.dump(out, sys.stdout)
""")


def readme_dask_example() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## The same fit on a dask cluster", 1)[1]
    return section.split("```python", 1)[1].split("```", 1)[0]


def test_the_readme_dask_example_has_five_lines():
    lines = [line for line in readme_dask_example().splitlines() if line.strip()]
    assert len(lines) == 5 and "Client(" in lines[2] and "emlib.fit(" in lines[-1]


def test_processes_and_a_local_cluster_give_the_in_memory_fit(tmp_path):
    """Run in a child process with a deadline: a hung cluster is killed with its workers,
    it cannot hang the suite."""
    script = tmp_path / "cluster_job.py"
    script.write_text(CLUSTER_JOB)
    child = subprocess.Popen([sys.executable, str(script), readme_dask_example()],
                             cwd=tmp_path, text=True, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, stderr = child.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        pytest.fail("the LocalCluster fit did not finish in 120 s")
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    assert child.returncode == 0, stderr[-3000:]
    out = json.loads(stdout)
    assert out["workers"] == 2
    for executor, reference in (("processes", "memory"), ("cluster", "memory"),
                                ("readme", "readme memory")):
        assert out[executor]["n_iter"] == out[reference]["n_iter"], executor
        for name in ("means", "weights", "variances", "loglik"):
            np.testing.assert_allclose(out[executor][name], out[reference][name], rtol=1e-10,
                                       atol=0.0, err_msg=f"{executor} {name}")
    assert sorted(np.round(out["readme"]["means"][-1], 1)) == [-2.0, 0.0, 3.0]
    assert sum(out["labels"]) == 40_000


# ---------------------------------------------------------------- progress


def test_progress_shows_iterations_log_likelihood_and_change_only_when_asked(capsys):
    x, _ = emlib.sample(emlib.MixtureParams([-2.0, 2.0], variance=1.0), 2_000, rng=0)
    quiet = emlib.fit(x, 2, variance=1.0, seed=0)
    assert capsys.readouterr().err == ""
    shown = emlib.fit(x, 2, variance=1.0, seed=0, progress=True)
    err = capsys.readouterr().err
    assert f"{shown.n_iter}/1000" in err
    assert f"log-likelihood {shown.log_likelihood:.10g}" in err
    assert "change per point" in err and "EM" in err
    assert_identical_fit(quiet, shown)


def test_import_emlib_stays_light():
    code = ("import sys, emlib; heavy = [m for m in ('dask', 'tqdm', 'zarr', 'distributed') "
            "if m in sys.modules]; print(heavy); print(emlib.scale.sample.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.split() == ["[]", "sample"]  # emlib.scale loads on first use
