"""NextToken paging: an opaque token holding the offset and what the listing was filtered by, so a
token replayed against another query is refused as the service refuses it."""

from __future__ import annotations

import base64
import hashlib
import json

from jstui.emulator.errors import validation


def _fingerprint(query: dict) -> str:
    return hashlib.sha1(json.dumps(query, sort_keys=True, default=str).encode()).hexdigest()[:12]


def page(items: list, params: dict, query: dict, default_max: int, limit: int, token_key: str = "NextToken",
         max_key: str = "MaxResults") -> tuple[list, str | None]:
    max_results = params.get(max_key) or default_max
    if max_results > limit:
        raise validation(
            f"1 validation error detected: Value '{max_results}' at '{max_key[:1].lower() + max_key[1:]}' "
            f"failed to satisfy constraint: Member must have value less than or equal to {limit}"
        )
    fp = _fingerprint(query)
    offset = 0
    token = params.get(token_key)
    if token:
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
            offset, tfp = int(data["o"]), data["q"]
        except Exception:
            raise validation(f"Invalid pagination token: {token[:40]}") from None
        if tfp != fp or offset < 0:
            raise validation("Invalid pagination token: it belongs to another query")
    chunk = items[offset : offset + max_results]
    nxt = None
    if offset + max_results < len(items):
        nxt = base64.urlsafe_b64encode(json.dumps({"o": offset + max_results, "q": fp}).encode()).decode()
    return chunk, nxt
