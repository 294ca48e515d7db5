"""住房保障信息公开专栏生成器 (housing-security disclosure section generator)."""

__version__ = "0.1.0"

from pathlib import Path

HOME = Path(__file__).resolve().parent.parent  # where the package, its templates/ and themes/ live
