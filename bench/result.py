"""The one line every bench ends each figure with: `RESULT <name> <value> goal <goal> MET|NOT MET`
(issue 19), so that runs can be compared and collected with a grep."""

from __future__ import annotations

import operator
from collections.abc import Callable

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def result_line(name: str, value: float, goal: str) -> str:
    """`goal` is a comparison and a number, e.g. "<= 2.0" or ">= 1000"; the value meets it or not.
    >>> result_line("webhook_first_vs_duplicate", 1.62, "<= 2.0")
    'RESULT webhook_first_vs_duplicate 1.62 goal <= 2.0 MET'
    """
    sign, _, target = goal.partition(" ")
    met = _COMPARE[sign](value, float(target))
    shown = f"{value:.2f}" if isinstance(value, float) else str(value)
    return f"RESULT {name} {shown} goal {goal} {'MET' if met else 'NOT MET'}"


def print_result(name: str, value: float, goal: str) -> bool:
    """Print the line; True when the goal is met."""
    line = result_line(name, value, goal)
    print(line, flush=True)
    return line.endswith(" MET") and not line.endswith("NOT MET")
