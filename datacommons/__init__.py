"""The Data Commons core: the store, the audiences and the one access decision.

`loaders` and `endpoint` import from here; nothing else opens the store.
"""
__version__ = "0.1.0"
