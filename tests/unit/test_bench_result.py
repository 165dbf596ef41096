"""The benches' RESULT line."""

from __future__ import annotations

import pytest

from bench.result import result_line


@pytest.mark.parametrize(
    ("value", "goal", "verdict"),
    [
        (1.62, "<= 2.0", "MET"),
        (2.5, "<= 2.0", "NOT MET"),
        (1000, ">= 1000", "MET"),
        (999, ">= 1000", "NOT MET"),
        (0.0, "< 0.1", "MET"),
    ],
)
def test_the_line_says_whether_the_goal_is_met(value: float, goal: str, verdict: str) -> None:
    line = result_line("x", value, goal)
    assert line.startswith("RESULT x ") and line.endswith(f"goal {goal} {verdict}")
