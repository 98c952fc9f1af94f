"""API documentation that works offline: Swagger UI served from an installed
package, never a CDN. (ReDoc is left out: its bundle loads its logo from the
internet.) The security schemes in the OpenAPI document come
from `web/deps.py:current_principal`."""

from __future__ import annotations

from importlib import metadata, resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_PATH = "/api-docs/assets"


def package_version() -> str:
    try:
        return metadata.version("caseroom")
    except metadata.PackageNotFoundError:  # running from a source tree without install
        return "0+unknown"


def assets_dir() -> Path:
    """The Swagger UI bundle that the fastapi-offline wheel ships."""
    return Path(str(resources.files("fastapi_offline") / "static"))


def install_docs(app: FastAPI) -> None:
    """Serve /docs from local assets. The app must be created with docs_url=None
    and redoc_url=None, so that no page refers to a CDN."""
    app.mount(ASSETS_PATH, StaticFiles(directory=assets_dir()), name="api-docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        )
