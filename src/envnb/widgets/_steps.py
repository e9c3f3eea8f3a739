"""State of a destination test run: one status per step, Skipped after a failure."""

from __future__ import annotations

from dataclasses import dataclass, field

PENDING, RUNNING, PASSED, FAILED, SKIPPED = "pending", "running", "Passed", "Failed", "Skipped"


@dataclass
class Step:
    """One step of a destination test as the panel shows it."""

    name: str
    description: str = ""
    status: str = PENDING
    message: str = ""


@dataclass
class StepRun:
    """Walks the steps in order; after a failure every later step is Skipped."""

    steps: list[Step] = field(default_factory=list)

    @classmethod
    def of(cls, steps: list[tuple[str, str]]) -> StepRun:
        """Start a run from (name, description) pairs, all pending."""
        return cls([Step(n, d) for n, d in steps])

    def next_index(self) -> int | None:
        """Index of the next step to run, or None when the run is over."""
        for i, step in enumerate(self.steps):
            if step.status == PENDING:
                return i
        return None

    def start(self, index: int) -> None:
        """Mark step ``index`` as running."""
        self.steps[index].status = RUNNING

    def finish(self, index: int, status: str, message: str | None = None) -> None:
        """Record a step's result; a failure (or skip) skips every later pending step."""
        if status not in (PASSED, FAILED, SKIPPED):
            status, message = FAILED, f"unexpected step status {status!r}"
        step = self.steps[index]
        step.status, step.message = status, message or ""
        if status != PASSED:
            for later in self.steps[index + 1 :]:
                if later.status == PENDING:
                    later.status = SKIPPED
                    later.message = f"skipped: step {index + 1} did not pass"

    def abort(self, index: int, message: str) -> None:
        """The call for step ``index`` itself failed (network, permission): fail and skip."""
        self.finish(index, FAILED, message)

    @property
    def done(self) -> bool:
        """True when no step is pending or running."""
        return all(s.status not in (PENDING, RUNNING) for s in self.steps)

    @property
    def passed(self) -> bool:
        """True when every step passed."""
        return bool(self.steps) and all(s.status == PASSED for s in self.steps)

    @property
    def summary(self) -> str:
        """One line for the end of the run (an empty list of steps is not a failure)."""
        if not self.steps:
            return "The server listed no test steps for this destination: nothing to run."
        return "All steps passed." if self.passed else "The destination test did not pass."
