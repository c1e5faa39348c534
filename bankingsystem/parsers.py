"""The API's JSON parser: DRF's, made strict about what a bank must not guess.

- A key given twice (`{"amount": "1.00", "amount": "900.00"}`) is refused: parsers disagree
  on which one wins (Python keeps the last, others the first), so a proxy or a signature
  check could see a different amount from the one we would post.
- NaN and Infinity are refused (DRF's STRICT_JSON does that too; kept here explicitly).
- Nesting deeper than MAX_DEPTH is refused before Python's recursion limit turns it into a 500.
"""

from __future__ import annotations

import codecs
import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 64


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ParseError(f"JSON parse error - the key {key!r} is given more than once.")
        seen[key] = value
    return seen


def _refuse_constant(name: str) -> None:
    raise ParseError(f"JSON parse error - {name} is not a number this API accepts.")


def _too_deep(text: str) -> bool:
    """Bracket depth outside strings, in one pass (no recursion)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):  # type: ignore[no-untyped-def]
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except UnicodeDecodeError as error:
            raise ParseError(f"JSON parse error - the body is not valid {encoding}.") from error
        if _too_deep(text):
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep.")
        try:
            return json.loads(text, object_pairs_hook=_object_without_duplicates, parse_constant=_refuse_constant)
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from error
