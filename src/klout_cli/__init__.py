"""kscore: an open, transparent, configurable influence score calculator."""

__version__ = "0.1.0"
