"""dlmath: the shared package of *The Math Behind Deep Learning*.

Every chapter of the course imports its code from here, and every function is written
to be read: plain functions over NumPy arrays, the math in the docstring, and a clear
error when the input is not what the math needs.

One module per topic of the course; each is imported on first use, so
``import dlmath`` is instant and ``dlmath.linalg`` works without a separate import::

    >>> import dlmath
    >>> dlmath.activations.sigmoid(0.0)
    0.5

Why the name is ``dlmath`` and not ``code``: the package lives in the folder ``code/``,
but Python's standard library already has a module called ``code`` and every Jupyter
kernel imports it before the first cell runs, so ``import code`` could never reach ours.
"""

from importlib import import_module
from pkgutil import iter_modules

__version__ = "0.1.0"

#: The topic modules, found on disk so that a new module needs no edit here.
MODULES = tuple(sorted(m.name for m in iter_modules(__path__) if not m.name.startswith("_")))

__all__ = ["MODULES", "__version__", *MODULES]


def __getattr__(name):
    """Import a topic module the first time it is used (``dlmath.stats``)."""
    if name in MODULES:
        module = import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'dlmath' has no attribute {name!r}; its modules are {', '.join(MODULES)}")


def __dir__():
    return sorted(set(globals()) | set(MODULES))
