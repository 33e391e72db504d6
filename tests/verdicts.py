"""What an exercise prints for an answer, captured: shared by the exercise tests."""

from __future__ import annotations

from backprop_kit.exercises import attempt, check


def verdict(capsys, exercise_id: str, answer: object) -> str:
    """The line ``check(exercise_id, answer)`` prints (a function exercise, or any answer)."""
    check(exercise_id, answer)
    return capsys.readouterr().out.strip()


def value_verdict(capsys, exercise_id: str, value: object) -> str:
    """The line a ``with attempt(exercise_id)`` block prints when ``answer.value = value``."""
    with attempt(exercise_id) as answer:
        answer.value = value
    return capsys.readouterr().out.strip()
