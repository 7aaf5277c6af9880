"""Optional integrations (spaCy, transformers): imported only when asked for."""
