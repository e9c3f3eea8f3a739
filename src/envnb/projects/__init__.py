"""Many projects and regions: named profiles, ``Fleet``, ``diff`` and copy (contract §11).

``envnb.profiles()``, ``envnb.connect(profile=...)``, ``envnb.Fleet([...])``,
``envnb.diff(source, target, kind)``; see docs/client.md, "Projects and regions".
"""

from __future__ import annotations

from .fleet import Fleet, Member
from .plan import Change, Plan, diff
from .profile_file import (
    Profile,
    get_profile,
    load_profiles,
    profiles,
    profiles_path,
    write_profile,
)

__all__ = [
    "Change",
    "Fleet",
    "Member",
    "Plan",
    "Profile",
    "diff",
    "get_profile",
    "load_profiles",
    "profiles",
    "profiles_path",
    "write_profile",
]
