"""Notebook panels for PostHog's Environments API: exports, PostHog AI chat, profile configs.

Core ipywidgets 8 only (JupyterLab, Notebook 7, VS Code, Voilà). Each panel takes an
``envnb.Client``, never speaks HTTP itself, and exposes its state as plain attributes.
"""

from __future__ import annotations

from .chat import ChatCell
from .exports import ExportPanel
from .profile_configs import ProfileConfigEditor

__all__ = ["ChatCell", "ExportPanel", "ProfileConfigEditor"]
