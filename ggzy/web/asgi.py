"""ASGI entry for multi-worker serving: `uvicorn ggzy.web.asgi:app` (settings from the environment)."""

from ggzy.core.config import load_settings
from ggzy.web.app import build_context, create_app

app = create_app(build_context(load_settings()), run_ticks=True)
