"""Noisy leaky integrate-and-fire networks: micro, macro and multi-scale simulations.

A thin layer over the Rust crates of the ``nlif`` program (module ``nlif._nlif``): the
same configs, checks, runs and outputs, bit for bit; NumPy arrays for the results.

>>> import nlif
>>> result = nlif.run("configs/blowup-a.ron", set={"t_end": 1.0})   # doctest: +SKIP
>>> result.t, result.rate, result.mode, result.summary["outcome"]   # doctest: +SKIP
>>> table = nlif.sweep("configs/blowup-a.ron", {"model.b": (2.0, 3.0, 3)})  # doctest: +SKIP
>>> table["model.b"], table["class"]                                  # doctest: +SKIP
>>> nlif.steady(b=1.5)                                               # doctest: +SKIP
[(0.192364012568479..., True), (2.2891257077468..., False)]
"""

from __future__ import annotations

import os
import tempfile
import warnings
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import numpy as np

from . import _nlif
from ._nlif import Config, ConfigError, Simulation, __version__

__all__ = [
    "Config",
    "ConfigError",
    "Result",
    "Simulation",
    "SweepTable",
    "blowup_witness",
    "run",
    "siegert_rate",
    "stationary_density",
    "steady",
    "sweep",
    "__version__",
]

_MODES = np.array(["macro", "micro"])


class Result:
    """The record of a run, as NumPy arrays.

    ``t``, ``rate``, ``mode``: one entry per rate sample (the columns of ``rate.csv``;
    ``rate`` is the network's rate, ``mode`` ``"macro"`` or ``"micro"``). With several
    populations, ``populations`` names them and ``rates`` holds their rates, one column
    each (samples × populations; ``rate_of(name)`` is one column). ``summary`` is the dict
    of ``summary.json``; ``outcome`` is ``"completed"`` or how the run ended early.

    Densities, where recorded (``output.density_interval``): ``density_t``,
    ``density_mode``, ``density`` (snapshots × nodes) on ``grid``; with several
    populations ``density_of(name)`` is one population's part on ``grid_of(name)``.
    Multiple firing events: ``mfe_t``, ``mfe_fraction``, ``mfe_fired``, ``mfe_rounds``.
    Switches: ``switches`` (a list of dicts, as in ``summary.json``). Spikes of the
    sampled neurons (``output.raster``): ``spike_t``, ``spike_population``,
    ``spike_neuron``.
    """

    def __init__(self, record: Dict[str, Any]):
        self._record = record
        self.t: np.ndarray = record["t"]
        self.rate: np.ndarray = record["rate"]
        self.mode: np.ndarray = _MODES[record["mode_code"]]
        self.populations: List[str] = record["populations"]
        self.rates: Optional[np.ndarray] = record.get("rates")
        self.summary: Dict[str, Any] = record.get("summary", {})
        self.outcome: Optional[str] = record.get("outcome")
        self.completed: bool = bool(record.get("completed", False))
        self.wall_seconds: Optional[float] = record.get("wall_seconds")
        self.warnings: List[str] = record.get("warnings", [])
        self.out: Optional[str] = record.get("out")
        self.density_t: np.ndarray = record["density_t"]
        self.density_mode: np.ndarray = _MODES[record["density_mode_code"]]
        self.density: np.ndarray = record["density"]
        self.grids: List[np.ndarray] = record["grids"]
        self.grid: Optional[np.ndarray] = self.grids[0] if self.grids else None
        self.mfe_t: np.ndarray = record["mfe_t"]
        self.mfe_fraction: np.ndarray = record["mfe_fraction"]
        self.mfe_fired: np.ndarray = record["mfe_fired"]
        self.mfe_rounds: np.ndarray = record["mfe_rounds"]
        self.switches: List[Dict[str, Any]] = self.summary.get("switches", [])
        self.spike_t: np.ndarray = record["spike_t"]
        self.spike_population: np.ndarray = record["spike_population"]
        self.spike_neuron: np.ndarray = record["spike_neuron"]
        self.macro_steps: int = record["macro_steps"]
        self.micro_steps: int = record["micro_steps"]

    def _index(self, name: str) -> int:
        try:
            return self.populations.index(name)
        except ValueError:
            raise KeyError(f"no population {name!r}; the populations are {self.populations}") from None

    def rate_of(self, name: str) -> np.ndarray:
        """The rate of population `name` (a view of a column of ``rates``)."""
        return self.rates[:, self._index(name)]

    def density_of(self, name: str) -> np.ndarray:
        """Population `name`'s part of the density snapshots (a view)."""
        k = self._index(name)
        cells = self._record["population_cells"]
        start = sum(cells[:k])
        return self.density[:, start : start + cells[k]]

    def grid_of(self, name: str) -> np.ndarray:
        """The nodes of population `name`'s grid."""
        return self.grids[self._index(name)]

    def to_pandas(self):
        """The samples as a ``pandas.DataFrame`` (columns ``t``, ``rate``, ``mode`` and
        ``rate_<name>`` per population, as ``rate.csv``); needs pandas."""
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("Result.to_pandas needs pandas (pip install pandas)") from e
        columns = {"t": self.t, "rate": self.rate, "mode": self.mode}
        for k, name in enumerate(self.populations):
            columns[f"rate_{name}"] = self.rates[:, k]
        return pd.DataFrame(columns)

    def __repr__(self) -> str:
        return (
            f"nlif.Result({self.summary.get('name')!r}, outcome={self.outcome!r}, "
            f"samples={len(self.t)}, switches={len(self.switches)}, mfes={len(self.mfe_t)})"
        )


def _progress_bar(total: float, name: str) -> Tuple[Optional[Callable[[float], None]], Callable[[], None]]:
    """A tqdm bar over the run's time, if tqdm is installed (else a line at the end)."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None, lambda: None
    bar = tqdm(total=total, desc=name, unit="t", bar_format="{l_bar}{bar}| t = {n:.4g}/{total:.4g} [{elapsed}<{remaining}]")

    def update(t: float) -> None:
        bar.n = min(t, total)
        bar.refresh()

    return update, bar.close


PathLike = Union[str, "os.PathLike[str]"]


def run(
    config: Union[Config, PathLike],
    *,
    set: Optional[Dict[str, Any]] = None,
    threads: Optional[int] = None,
    progress: bool = False,
    out: Optional[PathLike] = None,
) -> Result:
    """Runs an experiment in this process, as ``nlif run`` does.

    `config` is an :class:`nlif.Config` or the path of a RON config file; `set` maps
    dotted paths to values (``{"model.b": 2.5, "solver.kind": "Micro"}``, the paths of
    ``--set``); `threads` sizes the worker pool (the results do not depend on it);
    `progress` shows a tqdm bar when tqdm is installed; `out` writes the output directory
    of ``nlif run --out`` (the same files). The GIL is released while the run goes on;
    Ctrl-C stops it within a fraction of a second (``KeyboardInterrupt``).

    Raises ``ConfigError`` (a ``ValueError``; its ``field`` names the field) for a config
    that cannot run, ``OSError`` for files. A run that ends before ``t_end`` returns its
    record with ``outcome`` saying why, and warns (``RuntimeWarning``).
    """
    callback, close = (None, lambda: None)
    if progress:
        c = config if isinstance(config, Config) else None
        total = c.t_end if c is not None else Config.load(config).t_end
        if set and "t_end" in set:
            total = float(set["t_end"])
        callback, close = _progress_bar(total, c.name if c is not None else os.fspath(config))
    try:
        record = _nlif.run(
            config,
            set=set,
            threads=threads,
            progress=callback,
            out=os.fspath(out) if out is not None else None,
        )
    finally:
        close()
    result = Result(record)
    for warning in result.warnings:
        warnings.warn(warning, RuntimeWarning, stacklevel=2)
    if not result.completed:
        detail = result.summary.get("outcome_detail") or {}
        warnings.warn(
            f"the run ended early ({result.outcome}) at t = {detail.get('t')} of {result.summary.get('t_end')}",
            RuntimeWarning,
            stacklevel=2,
        )
    return result


class SweepTable(np.ndarray):
    """The table of a sweep: a NumPy structured array, one row per point (by index), the
    columns of ``sweep.csv`` in its order — one per varied field (named by its path;
    ``float64`` where every value is a number, else the RON text), then ``index``,
    ``outcome``, ``class``, ``mean_rate``, ``mfes``, ``first_mfe``,
    ``largest_mfe_fraction``, ``micro_fraction``, ``switches``, ``wall_seconds``,
    ``error`` (``""`` where the point ran). An empty cell of ``sweep.csv`` is NaN.
    ``table.to_pandas()`` (or ``pandas.DataFrame(table)``) is the same as a DataFrame."""

    def to_pandas(self):
        """The table as a ``pandas.DataFrame`` (the same columns); needs pandas."""
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("SweepTable.to_pandas needs pandas (pip install pandas)") from e
        return pd.DataFrame(np.asarray(self))


def _text_column(values: List[str]) -> np.ndarray:
    return np.array(values, dtype=f"U{max([1] + [len(v) for v in values])}")


def _sweep_table(columns: Dict[str, Any]) -> SweepTable:
    """The structured array of the columns `_nlif.sweep` returns."""
    named: List[Tuple[str, np.ndarray]] = []
    for path, values in zip(columns["paths"], columns["values"]):
        try:
            named.append((path, np.array([float(v) for v in values], dtype=np.float64)))
        except ValueError:
            named.append((path, _text_column(values)))
    for name in ("index", "outcome", "class", "mean_rate", "mfes", "first_mfe",
                 "largest_mfe_fraction", "micro_fraction", "switches", "wall_seconds", "error"):
        column = columns[name]
        named.append((name, column if isinstance(column, np.ndarray) else _text_column(column)))
    table = np.empty(len(columns["index"]), dtype=[(name, c.dtype) for name, c in named])
    for name, column in named:
        table[name] = column
    return table.view(SweepTable)


def sweep(
    config: Union[Config, PathLike],
    vary: Dict[str, Any],
    *,
    set: Optional[Dict[str, Any]] = None,
    jobs: Optional[int] = None,
    seed_per_point: bool = False,
    keep_outputs: bool = False,
    progress: bool = False,
    out: Optional[PathLike] = None,
) -> SweepTable:
    """Runs a config over the cartesian product of varied fields, as ``nlif sweep`` does;
    returns the table of ``sweep.csv`` (:class:`SweepTable`, a structured array).

    `vary` maps dotted config paths (those of ``set``) to their values: a tuple
    ``(start, stop, count)`` is ``--vary PATH=START:STOP:COUNT`` (count values, both
    ends included), a list ``[v1, v2, ...]`` (or any other iterable) is
    ``--vary PATH=[v1,v2,...]``, a str is the text after ``=`` itself. The first field
    varies slowest. `set` overrides the base config; `jobs` points run at once, each on
    one thread (the machine's cores by default; the results do not depend on it);
    `seed_per_point` and `keep_outputs` as ``--seed-per-point`` and ``--keep-outputs``;
    `progress` shows a tqdm bar over the points when tqdm is installed; `out` keeps the
    sweep directory ``nlif sweep --out`` writes (the same files; the same call again
    skips the points already done), else it is written to a temporary directory and
    removed. Ctrl-C stops the sweep (``KeyboardInterrupt``); with `out`, the same call
    continues it.

    Every point is checked before any runs (``nlif sweep --check``): ``ConfigError`` (a
    ``ValueError``; ``field`` is the varied path at fault) lists the invalid ones. A point
    that fails while running is a row with its ``error``, and the sweep warns.
    """
    callback, close = (None, lambda: None)
    if progress:
        callback, close = _points_bar(_points(vary))
    try:
        if out is not None:
            columns = _nlif.sweep(config, vary, os.fspath(out), set=set, jobs=jobs,
                                  seed_per_point=seed_per_point, keep_outputs=keep_outputs,
                                  progress=callback)
        else:
            with tempfile.TemporaryDirectory(prefix="nlif-sweep-") as scratch:
                columns = _nlif.sweep(config, vary, os.path.join(scratch, "sweep"), set=set,
                                      jobs=jobs, seed_per_point=seed_per_point,
                                      keep_outputs=keep_outputs, progress=callback)
    finally:
        close()
    table = _sweep_table(columns)
    if columns["failed"]:
        warnings.warn(
            f"{columns['failed']} of {len(table)} points failed (their rows' `error` says why)",
            RuntimeWarning,
            stacklevel=2,
        )
    return table


def _points(vary: Dict[str, Any]) -> Optional[int]:
    """The number of points of `vary`, where it can be told without parsing (else None)."""
    n = 1
    for spec in vary.values():
        try:
            n *= int(spec[2]) if isinstance(spec, tuple) else len(spec) if not isinstance(spec, str) else 0
        except (TypeError, ValueError, IndexError):
            return None
    return n or None


def _points_bar(total: Optional[int]) -> Tuple[Optional[Callable[[float], None]], Callable[[], None]]:
    """A tqdm bar over the points of a sweep, if tqdm is installed."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None, lambda: None
    bar = tqdm(total=total, desc="sweep", unit="point")

    def update(done: float) -> None:
        bar.n = int(done)
        bar.refresh()

    return update, bar.close


def steady(
    a0: float = 1.0,
    a1: float = 0.0,
    b: float = 0.0,
    v_f: float = 2.0,
    v_r: float = 1.0,
    input: float = 0.0,
    *,
    refractory: float = 0.0,
) -> List[Tuple[float, bool]]:
    """Every stationary rate of one population, ascending, with its stability:
    ``[(rate, stable), ...]`` (``nlif steady``). A rate below the smallest double is 0.0;
    ``steady_ln`` gives its logarithm."""
    return [(rate, stable) for rate, stable, _ in _nlif.steady(a0, a1, b, v_f, v_r, input, refractory)]


def steady_ln(
    a0: float = 1.0,
    a1: float = 0.0,
    b: float = 0.0,
    v_f: float = 2.0,
    v_r: float = 1.0,
    input: float = 0.0,
    *,
    refractory: float = 0.0,
) -> List[Tuple[float, bool]]:
    """As :func:`steady`, with the logarithm of each rate (finite where the rate
    underflows)."""
    return [(ln, stable) for _, stable, ln in _nlif.steady(a0, a1, b, v_f, v_r, input, refractory)]


def siegert_rate(mu: float, a: float = 1.0, v_f: float = 2.0, v_r: float = 1.0) -> float:
    """The Siegert rate ``ν(μ)`` of one leaky neuron with mean input `mu` and noise `a`."""
    return _nlif.siegert_rate(mu, a, v_f, v_r)


def stationary_density(v, rate: float, a0: float = 1.0, a1: float = 0.0, b: float = 0.0,
                       v_f: float = 2.0, v_r: float = 1.0, input: float = 0.0):
    """The exact stationary density at firing rate `rate` at the voltages `v` (a number
    or an array; the result has its shape)."""
    v = np.asarray(v, dtype=np.float64)
    values = _nlif.stationary_density(np.ascontiguousarray(v.ravel()), rate, a0, a1, b, v_f, v_r, input)
    return values.reshape(v.shape) if v.ndim else float(values[0])


def blowup_witness(v, mass, a0: float = 1.0, a1: float = 0.0, b: float = 0.0,
                   v_f: float = 2.0, v_r: float = 1.0) -> Optional[float]:
    """The smallest witness ``μ`` of the Cáceres–Carrillo–Perthame blow-up condition for
    the discrete measure `mass` at voltages `v` (``p_i h`` on a grid), or None (which
    proves nothing: the criterion is only sufficient)."""
    v = np.ascontiguousarray(v, dtype=np.float64).ravel()
    mass = np.ascontiguousarray(mass, dtype=np.float64).ravel()
    return _nlif.blowup_witness(v, mass, a0, a1, b, v_f, v_r)
