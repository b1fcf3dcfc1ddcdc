"""The static pages of the service (the sharing graph, the memory browser): files of app/web/ that hold no
data and need no key — their one inline script (app/web/common.js placed into it) asks for a key and fetches
the data — served with a content security policy that allows exactly that script and that style, and
connections to this service only."""

import base64
import hashlib
import re
from pathlib import Path

from litestar import MediaType, Response

WEB = Path(__file__).resolve().parent.parent / "web"


def _csp_hash(page: str, tag: str) -> str:
    """The CSP source that allows exactly the page's one inline <script> or <style> block."""
    content = re.search(rf"<{tag}>(.*?)</{tag}>", page, re.DOTALL)
    if content is None:
        raise RuntimeError(f"the page has no <{tag}> block")
    return "'sha256-" + base64.b64encode(hashlib.sha256(content.group(1).encode()).digest()).decode() + "'"


class Page:
    """One page of app/web/, read once."""

    def __init__(self, name: str) -> None:
        common = (WEB / "common.js").read_text(encoding="utf-8")
        self.html = (WEB / name).read_text(encoding="utf-8").replace("  /* common.js */\n", common)
        self.headers = {
            "Content-Security-Policy": (
                f"default-src 'none'; script-src {_csp_hash(self.html, 'script')}; "
                f"style-src {_csp_hash(self.html, 'style')}; connect-src 'self'; base-uri 'none'; "
                "form-action 'none'; frame-ancestors 'none'"
            ),
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
        }

    def response(self) -> Response[str]:
        return Response(self.html, media_type=MediaType.HTML, headers=self.headers)
