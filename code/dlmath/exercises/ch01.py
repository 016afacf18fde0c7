"""Answers to the exercises of Chapter 1, Setting the Stage."""

import numpy as np

from dlmath.exercises import register

register(
    "ex-01-broadcast-shape",
    compute=lambda: np.broadcast_shapes((4, 1), (3,)),
    about="the shape of np.ones((4, 1)) + np.ones(3), as a tuple",
)
