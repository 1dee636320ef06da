"""Type stubs of the extension module ``nlif._nlif`` (see ``nlif`` for the documentation)."""

import os
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

_Path = Union[str, "os.PathLike[str]"]

class ConfigError(ValueError):
    field: Optional[str]

class Config:
    def __init__(self, **fields: Any) -> None: ...
    @staticmethod
    def load(path: _Path) -> Config: ...
    @staticmethod
    def from_ron(text: str) -> Config: ...
    def set(self, path: str, value: Any) -> None: ...
    def validate(self) -> None: ...
    def save(self, path: _Path, *, overwrite: bool = False) -> None: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def copy(self) -> Config: ...
    @property
    def name(self) -> str: ...
    @property
    def t_end(self) -> float: ...
    @property
    def seed(self) -> int: ...
    @property
    def solver(self) -> str: ...

class Simulation:
    def __init__(
        self,
        config: Union[Config, _Path],
        *,
        set: Optional[Dict[str, Any]] = None,
        threads: Optional[int] = None,
    ) -> None: ...
    def advance(
        self, until: float, observer: Optional[Callable[[Dict[str, Any]], Any]] = None
    ) -> Optional[str]: ...
    @property
    def t(self) -> float: ...
    @property
    def rate(self) -> float: ...
    @property
    def phase(self) -> str: ...
    @property
    def outcome(self) -> Optional[str]: ...
    @property
    def config(self) -> Config: ...
    def density(self) -> Optional[npt.NDArray[np.float64]]: ...
    def grid(self) -> npt.NDArray[np.float64]: ...
    def record(self) -> Any: ...
    def checkpoint(self) -> bytes: ...
    @staticmethod
    def from_checkpoint(data: bytes, *, threads: Optional[int] = None) -> Simulation: ...

def run(
    config: Union[Config, _Path],
    *,
    set: Optional[Dict[str, Any]] = None,
    threads: Optional[int] = None,
    progress: Optional[Callable[[float], None]] = None,
    out: Optional[_Path] = None,
) -> Dict[str, Any]: ...
def sweep(
    config: Union[Config, _Path],
    vary: Dict[str, Any],
    out: _Path,
    *,
    set: Optional[Dict[str, Any]] = None,
    jobs: Optional[int] = None,
    seed_per_point: bool = False,
    keep_outputs: bool = False,
    progress: Optional[Callable[[float], None]] = None,
) -> Dict[str, Any]: ...
def steady(
    a0: float = 1.0,
    a1: float = 0.0,
    b: float = 0.0,
    v_f: float = 2.0,
    v_r: float = 1.0,
    input: float = 0.0,
    refractory: float = 0.0,
) -> List[Tuple[float, bool, float]]: ...
def siegert_rate(mu: float, a: float = 1.0, v_f: float = 2.0, v_r: float = 1.0) -> float: ...
def stationary_density(
    v: npt.NDArray[np.float64],
    rate: float,
    a0: float = 1.0,
    a1: float = 0.0,
    b: float = 0.0,
    v_f: float = 2.0,
    v_r: float = 1.0,
    input: float = 0.0,
) -> npt.NDArray[np.float64]: ...
def blowup_witness(
    v: npt.NDArray[np.float64],
    mass: npt.NDArray[np.float64],
    a0: float = 1.0,
    a1: float = 0.0,
    b: float = 0.0,
    v_f: float = 2.0,
    v_r: float = 1.0,
) -> Optional[float]: ...
def _vec_handover(n: int) -> npt.NDArray[np.float64]: ...
