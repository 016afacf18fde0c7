"""Neural networks from scratch: parameters, layers, losses and networks (Chapters 9 and 10).

Conventions used by every layer and by :mod:`dlmath.optim`:

* The batch dimension comes first: a layer maps ``x`` of shape ``(batch, ...)`` to an
  output of shape ``(batch, ...)``; nothing loops over the examples of a batch in Python.
* A trainable array is a :class:`Parameter`: its ``value`` and the ``grad`` of the loss
  with respect to it, of the same shape and dtype. ``backward`` overwrites ``grad``
  (it does not accumulate), and optimizers update ``value`` in place.
* ``forward(x)`` caches what ``backward`` needs; ``backward(grad_out)`` receives
  dL/d(output) and returns dL/d(input), filling the ``grad`` of the layer's parameters.
"""

from __future__ import annotations

import numpy as np

from dlmath.validation import as_array

__all__ = ["Parameter"]


class Parameter:
    """A trainable array ``value`` together with ``grad``, the loss's gradient with respect to it."""

    def __init__(self, value, name: str = ""):
        value = as_array(value, name or "value", dtype=np.result_type(np.asarray(value).dtype, np.float32))
        self.value = np.array(value)  # always a copy the parameter owns
        self.grad = np.zeros_like(self.value)
        self.name = name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    def __repr__(self) -> str:
        return f"Parameter({self.name or '?'}: shape {self.value.shape}, dtype {self.value.dtype})"
