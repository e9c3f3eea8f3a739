"""Resources: each method builds a RequestSpec from the declarations and hands it to an executor.

The same classes serve ``Client`` and ``AsyncClient``: with the sync executor a method
returns its value, with the async executor it returns an awaitable (and ``list()`` /
``stream()`` return async iterators).
"""

from .batch_exports import BatchExports
from .conversations import Conversations
from .profile_configs import ProfileConfigs

__all__ = ["BatchExports", "Conversations", "ProfileConfigs"]
