"""``/docs``: Swagger UI served from the installed package, nothing from another origin.

FastAPI's own ``/docs`` page loads Swagger UI from a CDN, so it is blank offline, behind a
firewall that blocks the CDN, or wherever the CDN is down. This page serves Swagger UI 5
(OpenAPI 3.1) from the ``swagger-ui-bundle-v2`` package — whose files are npm's
``swagger-ui-dist`` of the same version — at ``/docs/assets/``, and its start-up script is
a file there too, so the page runs under a Content-Security-Policy that allows this origin
only: no inline script, no CDN, no validator badge fetched from swagger.io. Left out of the
OpenAPI document, like the verify page.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

from vcservice.errors import VcError

DOCS_PATH = "/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"
SWAGGER_UI = Path(str(swagger_ui_path))
# What the page loads, and nothing else of the package is served.
SWAGGER_FILES: Mapping[str, str] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}
INITIALIZER = "docs.js"
# Swagger UI's stylesheet uses data: images (its styles set from script are allowed as
# they are); it fetches the OpenAPI document, and "Try it out" sends requests, to this
# origin. The page holds the tokens typed into "Authorize": nothing else may run or load.
PAGE_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
ASSET_HEADERS: Mapping[str, str] = {
    "Cache-Control": "public, max-age=3600",
    "X-Content-Type-Options": "nosniff",
}
# The settings FastAPI's page gives Swagger UI, and validatorUrl null: no badge from
# validator.swagger.io.
_INITIALIZER_JS = """\
// Starts Swagger UI on /docs with the OpenAPI document the page names (data-openapi-url).
"use strict";

window.addEventListener("load", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
});
"""
_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — API</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="{assets}/favicon-16x16.png" sizes="16x16">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<noscript>Swagger UI needs JavaScript; the OpenAPI document is at
<a href="{openapi_url}">{openapi_url}</a>.</noscript>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/{initializer}"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs`` and its assets on ``app`` (built with ``docs_url=None``)."""

    @app.get(DOCS_PATH, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        """Swagger UI over this app's OpenAPI document."""
        root = str(request.scope.get("root_path", "")).rstrip("/")
        page = _PAGE.format(
            title=html.escape(app.title),
            assets=html.escape(root + ASSETS_PATH),
            openapi_url=html.escape(root + str(app.openapi_url)),
            initializer=INITIALIZER,
        )
        return HTMLResponse(page, headers=dict(PAGE_HEADERS))

    @app.get(f"{ASSETS_PATH}/{{name}}", include_in_schema=False)
    def docs_asset(name: str) -> Response:
        """One of the page's files: Swagger UI's, or its start-up script."""
        if name == INITIALIZER:
            return Response(
                _INITIALIZER_JS,
                media_type="text/javascript; charset=utf-8",
                headers=dict(ASSET_HEADERS),
            )
        media_type = SWAGGER_FILES.get(name)
        if media_type is None:
            raise VcError(f"no asset {name!r}", code="NOT_FOUND", field="name")
        return FileResponse(SWAGGER_UI / name, media_type=media_type, headers=dict(ASSET_HEADERS))
