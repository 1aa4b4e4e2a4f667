"""The headless counter: Counter, the composition root, over small collaborators."""

from pos.counter.service import Counter

__all__ = ["Counter"]
