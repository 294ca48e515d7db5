"""住房保障信息公开专栏生成器 (housing-security disclosure section generator)."""

__version__ = "0.1.0"
