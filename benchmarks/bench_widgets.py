"""Slider latency: time from a slider change to the redrawn picture, per explorer and K.

A move is handed to the explorer's view as the page sends it (positions on the sliders'
grids), and the view's observer runs synchronously, as in the kernel: it recomputes,
updates the artists, draws the frame and sets the view's state. The time until that returns
is the latency measured here; the round trip to the browser and its repaint are not
included (benchmarks/bench_browser.py measures those). n = 2,000 points, K from 1 to 8,
ten sigma^2 moves per K.

Run: ``make bench`` or ``python benchmarks/bench_widgets.py``.
The target is a median under 100 ms for every explorer and K.
"""

from __future__ import annotations

import time

import numpy as np

from emlib.widgets import DensityExplorer, LiveFitExplorer, ResponsibilityExplorer

TARGET_MS = 100.0
SIGMA2_POSITIONS = np.linspace(20, 74, 10).round().astype(int)  # sigma^2 from 0.01 to 5


def latencies(explorer, k: int) -> np.ndarray:
    explorer.set(k=k)
    out = []
    for request, position in enumerate(SIGMA2_POSITIONS, start=1):
        t0 = time.perf_counter()
        explorer.view.set_state({"move": {"positions": {"sigma2": int(position)},
                                          "request": request}})
        out.append(time.perf_counter() - t0)
    return np.array(out) * 1e3


def main() -> int:
    print(f"{'explorer':<24} {'K':>2} {'median ms':>10} {'p90 ms':>8} {'max ms':>8}")
    worst = 0.0
    for cls in (DensityExplorer, ResponsibilityExplorer, LiveFitExplorer):
        explorer = cls(n=2000)
        for k in range(1, 9):
            ms = latencies(explorer, k)
            worst = max(worst, float(np.median(ms)))
            print(f"{cls.__name__:<24} {k:>2} {np.median(ms):>10.1f} "
                  f"{np.percentile(ms, 90):>8.1f} {ms.max():>8.1f}")
    verdict = "meets" if worst < TARGET_MS else "MISSES"
    print(f"\nworst median {worst:.1f} ms: {verdict} the target of {TARGET_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
