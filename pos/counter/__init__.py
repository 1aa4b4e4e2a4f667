"""The headless counter: Counter (service.py), the composition root, over small collaborators.

Nothing is imported here, so `pos.counter.errors` or `pos.counter.home` load without the whole
service (the TUI paints its login and `pos --help` answers before the store and models load)."""
