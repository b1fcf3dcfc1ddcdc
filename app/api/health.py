"""Liveness."""

from litestar import get

from app import __version__


@get("/health", tags=["operations"])
async def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok", "version": __version__}
