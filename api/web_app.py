"""Serves the web app (web/, built by scripts/setup.sh with `npm run build` into api/web/dist) at ``/``.

The page is sent with a fresh nonce on every load: Ant Design writes its styles into <style> elements at run time,
and the Content-Security-Policy admits those carrying this load's nonce, so no 'unsafe-inline' is needed.
Scripts and style sheets are files of this server ('self').
"""

from __future__ import annotations

import secrets
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.security import content_security_policy

# Package data (pyproject.toml: api/web/**), so an installed wheel built after `npm run build` serves it too.
BUILD_DIR = Path(str(files("api") / "web" / "dist"))
# web/vite.config.ts writes it into the page (meta csp-nonce and Vite's own tags); replaced per load.
NONCE_PLACEHOLDER = "__CSP_NONCE__"

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Requirements &amp; Risk Assistant</title></head>
<body><h1>The web app is not built</h1>
<p>Run <code>bash scripts/setup.sh</code> (it runs <code>npm ci</code> and <code>npm run build</code> in
<code>web/</code>), then reload. The API itself works: see <a href="/docs">/docs</a>.</p>
<p lang="zh-CN">网页应用尚未构建：请运行 <code>bash scripts/setup.sh</code> 后刷新。API 可正常使用，见 /docs。</p>
</body></html>
"""


def read_page(build_dir: Path = BUILD_DIR) -> str | None:
    index = build_dir / "index.html"
    return index.read_text(encoding="utf-8") if index.is_file() else None


def install_web_app(app: FastAPI, build_dir: Path = BUILD_DIR) -> str:
    """Adds ``GET /`` and the built assets; returns the page the app-wide CSP is computed from."""
    page = read_page(build_dir)
    if page is None:
        static_page = NOT_BUILT

        @app.get("/", response_class=HTMLResponse, include_in_schema=False)
        def not_built() -> str:
            return static_page

        return static_page

    built = page
    assets = build_dir / "assets"
    if assets.is_dir():
        app.mount("/assets", StaticFiles(directory=assets), name="web-assets")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        nonce = secrets.token_urlsafe(18)
        body = built.replace(NONCE_PLACEHOLDER, nonce)
        headers = {
            # Read by SecurityMiddleware, which adds its own policy only where a response has none.
            "Content-Security-Policy": content_security_policy(body, style_nonce=nonce),
            "Cache-Control": "no-store",  # a nonce is good for one load
        }
        return HTMLResponse(body, headers=headers)

    return built
