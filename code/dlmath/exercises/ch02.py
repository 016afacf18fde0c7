"""Answers to the exercises of Chapter 2, Probability.

Each answer is computed by a route independent of the chapter's solution: enumeration
with itertools and exact fractions, or scipy.stats.
"""

import itertools
from fractions import Fraction

from scipy import stats

from dlmath.exercises import register


def _at_least_one_six() -> float:
    outcomes = list(itertools.product(range(1, 7), repeat=4))
    return Fraction(sum(6 in roll for roll in outcomes), len(outcomes))


def _heart_or_face() -> float:
    deck = list(itertools.product("HDCS", range(1, 14)))
    return Fraction(sum(suit == "H" or rank >= 11 for suit, rank in deck), len(deck))


def _sum_at_least_ten_independent_of_red_six() -> bool:
    rolls = list(itertools.product(range(1, 7), repeat=2))
    p_a = Fraction(sum(r + b >= 10 for r, b in rolls), 36)
    p_b = Fraction(sum(r == 6 for r, b in rolls), 36)
    p_ab = Fraction(sum(r + b >= 10 and r == 6 for r, b in rolls), 36)
    return p_ab == p_a * p_b


def _smallest_group_for_ninety_percent() -> int:
    all_differ, n = Fraction(1), 0
    while 1 - all_differ < Fraction(9, 10):
        all_differ *= Fraction(365 - n, 365)
        n += 1
    return n


def _monty_hall_switch() -> float:
    """Enumerate (prize door, door the host opens) with their probabilities; we pick door 0."""
    win = total = Fraction(0)
    for prize in range(3):
        options = [door for door in (1, 2) if door != prize]
        for opened in options:
            weight = Fraction(1, 3) * Fraction(1, len(options))
            total += weight
            switch_to = ({1, 2} - {opened}).pop()
            win += weight * (switch_to == prize)
    return win / total


register("ex-02-at-least-one-six", compute=lambda: float(_at_least_one_six()), about="P(at least one six in four rolls)")
register("ex-02-heart-or-face", compute=lambda: float(_heart_or_face()), about="P(heart or face card)")
register(
    "ex-02-independent-events",
    compute=_sum_at_least_ten_independent_of_red_six,
    about="whether 'sum >= 10' and 'red die is 6' are independent (True/False)",
)
register(
    "ex-02-two-positive-tests",
    compute=lambda: 0.01 * 0.95**2 / (0.01 * 0.95**2 + 0.99 * 0.10**2),
    rtol=0.0,
    atol=5e-4,  # a hand calculation to three decimals (0.477) passes
    about="P(sick | two independent positive tests)",
)
register("ex-02-birthday-ninety", compute=_smallest_group_for_ninety_percent, about="smallest n with P(shared birthday) >= 0.9")
register("ex-02-two-aces", compute=lambda: float(stats.hypergeom(52, 4, 5).pmf(2)), about="P(exactly two aces in five cards)")
register("ex-02-dropout-kept", compute=lambda: float(stats.binom(100, 0.8).sf(89)), about="P(at least 90 of 100 units survive)")
def _log_likelihood() -> float:
    import sympy  # imported here: it is slow to import and only this answer needs it

    return float(sympy.N(8000 * sympy.log(sympy.Rational(9, 10)), 30))


register(
    "ex-02-log-likelihood",
    compute=_log_likelihood,
    rtol=1e-9,
    about="natural log of 0.9**8000",
)
register("ex-02-monty-hall", compute=lambda: float(_monty_hall_switch()), about="P(win by switching)")
