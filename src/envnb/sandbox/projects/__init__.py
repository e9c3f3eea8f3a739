"""Projects, the organization and the user: several projects in one organization."""
