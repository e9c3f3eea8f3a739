"""Customer profile configs: CRUD and the seeded layouts."""
