"""Customer profile configs: models, the panel layout, endpoints and frames."""
