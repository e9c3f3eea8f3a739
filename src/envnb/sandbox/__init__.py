"""envnb's sandbox: a faithful local emulator of PostHog's Environments API.

``with Sandbox() as sb:`` serves seeded data on 127.0.0.1; see docs/sandbox.md.
"""

from .faults import FaultSpecError
from .server import Sandbox
from .store import SandboxDatabaseError

__all__ = ["FaultSpecError", "Sandbox", "SandboxDatabaseError"]
