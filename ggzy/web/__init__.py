"""网页外壳 — the HTTP shell: app factory, dependencies, errors, templating, security middleware."""
