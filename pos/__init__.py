"""Box Office POS: the counter client."""

__version__ = "0.1.0"
"""The one place the version is written; pyproject.toml reads it (importlib.metadata would
cost the cold start a tenth of a second)."""
