"""The employer's verification page at `/` (issue 4 "The page"): server-rendered, enhanced by a little JavaScript."""

from credstack.web.router import build_page_router, page_body_limit, static_files

__all__ = ["build_page_router", "page_body_limit", "static_files"]
