"""The API docs, served whole by the service (Swagger UI's files come from the swagger-ui-py package, so /docs
renders with no network), and the landing page at `/`."""

from pathlib import Path

import swagger_ui
from litestar import MediaType, get
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

ASSETS = "/docs/assets"
_SWAGGER_FILES = Path(swagger_ui.__file__).resolve().parent / "static"
LANDING = (Path(__file__).resolve().parent.parent / "web" / "landing.html").read_text(encoding="utf-8")

docs_assets = create_static_files_router(path=ASSETS, directories=[_SWAGGER_FILES], name="docs-assets")
swagger = SwaggerRenderPlugin(
    path="/",
    js_url=f"{ASSETS}/swagger-ui-bundle.js",
    css_url=f"{ASSETS}/swagger-ui.css",
    standalone_preset_js_url=f"{ASSETS}/swagger-ui-standalone-preset.js",
    favicon=f"<link rel='icon' type='image/png' href='{ASSETS}/favicon-32x32.png'>",
)


@get("/", media_type=MediaType.HTML, include_in_schema=False)
async def landing() -> str:
    """What a browser finds at the service's address: where the docs, the graph and the memory pages are."""
    return LANDING
