"""Figures of per-sprint outcomes: one line per scenario with a 95% confidence band."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from pe_sim.files import save_figure  # noqa: E402
from pe_sim.outcomes import OUTCOMES  # noqa: E402

PLOTTED = ("customer_value", "velocity", "tech_debt", "burnout_mean", "trust_pm_em", "trust_eng_em")
TITLES = {
    "customer_value": "Customer value per sprint",
    "velocity": "Velocity (ideal-days per sprint)",
    "tech_debt": "Technical debt (debt-days)",
    "burnout_mean": "Mean engineer burnout",
    "trust_pm_em": "PM's trust in EM",
    "trust_eng_em": "Engineers' trust in EM",
}


def _band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95% CI of the mean across runs, per sprint (values: runs x sprints)."""
    m = values.mean(axis=0)
    n = values.shape[0]
    if n < 2:
        return m, m, m
    half = stats.t.ppf(0.975, n - 1) * values.std(axis=0, ddof=1) / np.sqrt(n)
    return m, m - half, m + half


def draw_outcome(ax, df: pd.DataFrame, outcome: str, titles: dict[str, str] | None = None) -> None:
    for scen, sub in df.groupby("scenario", sort=False):
        wide = sub.pivot(index="run", columns="sprint", values=outcome).to_numpy()
        m, lo, hi = _band(wide)
        x = np.arange(wide.shape[1])  # sprints are numbered from 0, as in configs and data
        (line,) = ax.plot(x, m, label=scen, lw=1.8)
        ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.25, lw=0)
    ax.set_title({**TITLES, **(titles or {})}.get(outcome, OUTCOMES.get(outcome, outcome)), fontsize=10)
    ax.set_xlabel("sprint")
    ax.grid(alpha=0.3)


def trajectory_figure(df: pd.DataFrame, outcomes=PLOTTED, ncols: int = 3, titles: dict[str, str] | None = None):
    """Panel figure: one panel per outcome, one line (mean) and band (95% CI) per scenario
    (``titles`` replaces some panels' titles)."""
    n = len(outcomes)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, min(ncols, n), figsize=(4.2 * min(ncols, n), 3.2 * nrows), squeeze=False)
    for ax, k in zip(axes.flat, outcomes):
        draw_outcome(ax, df, k, titles)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    legend_below(fig, handles, labels)
    return fig


def _renderer(fig):
    """A renderer to measure text with (a bare ``Figure`` gets an Agg canvas first)."""
    if not hasattr(fig.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def fitted_legend(fig, handles, labels, max_cols: int = 4, **kwargs):
    """A figure legend with as many columns (up to ``max_cols``) as fit across the figure, measured;
    a figure narrower than one column of the names is widened to hold it."""
    renderer = _renderer(fig)
    cols = max(1, min(max_cols, len(labels)))
    while True:
        legend = fig.legend(handles, labels, ncol=cols, frameon=False, **kwargs)
        width = legend.get_window_extent(renderer).width
        if width <= fig.bbox.width * 0.98:
            return legend
        if cols == 1:
            fig.set_figwidth(width / fig.dpi / 0.95)
            return legend
        legend.remove()
        cols -= 1


def legend_below(fig, handles, labels, max_cols: int = 4, fontsize: float | None = None) -> None:
    """The setups' legend under the panels, measured rather than guessed: as many columns (up to
    ``max_cols``) as fit across the figure, and the figure made taller by the legend's height, so
    neither the legend nor the panels are cut, however many setups and however long their names."""
    panels = fig.get_figheight()
    legend = fitted_legend(fig, handles, labels, max_cols, loc="lower center", fontsize=fontsize)
    room = legend.get_window_extent(_renderer(fig)).height / fig.dpi + 0.15  # inches
    fig.set_figheight(panels + room)
    fig.tight_layout(rect=(0, room / (panels + room), 1, 1))


def outcome_figure(df: pd.DataFrame, outcome: str, titles: dict[str, str] | None = None, size=(6.0, 3.6)):
    """One outcome over sprints, one line and band per setup; a few short names are labelled inside
    the panel, more or longer ones below it."""
    fig, ax = plt.subplots(figsize=size)
    draw_outcome(ax, df, outcome, titles)
    handles, labels = ax.get_legend_handles_labels()
    if len(labels) <= 6 and max((len(x) for x in labels), default=0) <= 24:
        ax.legend(frameon=False, fontsize=8)
        fig.tight_layout()
    else:  # inside the panel the legend would cover the lines
        legend_below(fig, handles, labels, max_cols=2, fontsize=8)
    return fig


def save_plots(df: pd.DataFrame, folder: Path, outcomes=PLOTTED) -> list[Path]:
    """overview.png plus one PNG per outcome; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    fig = trajectory_figure(df, outcomes)
    paths.append(folder / "overview.png")
    save_figure(fig, paths[-1], dpi=110)
    plt.close(fig)
    for k in outcomes:
        fig = outcome_figure(df, k)
        paths.append(folder / f"{k}.png")
        save_figure(fig, paths[-1], dpi=110)
        plt.close(fig)
    return paths
