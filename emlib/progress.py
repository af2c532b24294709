"""A progress bar for long fits: iteration, log-likelihood, change per point, elapsed time.

tqdm draws it (a widget in a notebook, a line in a terminal); it is imported only when a
bar is asked for, so ``import emlib`` stays light.
"""

from __future__ import annotations


class Progress:
    """Called once per EM iteration; shows nothing unless ``enabled``."""

    def __init__(self, enabled: bool, max_iter: int) -> None:
        self.bar = None
        if enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=max_iter, desc="EM", unit="iteration")

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()

    def __call__(self, loglik: float, change: float) -> None:
        """Report an iteration's log-likelihood and its change per point."""
        if self.bar is not None:
            self.bar.set_postfix_str(f"log-likelihood {loglik:.10g}, change per point "
                                     f"{change:.2e}", refresh=False)
            self.bar.update(1)
