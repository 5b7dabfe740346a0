"""网页外壳 — the HTTP shell: app factory, dependencies, errors, templating, security middleware.

Owns: no tables and no business rules; it mounts each domain's api and pages and maps errors to HTTP.
May not: be imported by business code (only edges: api, pages, the CLI), nor decide an access question itself.
"""
