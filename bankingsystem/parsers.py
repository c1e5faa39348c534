"""The API's JSON parser: DRF's, made strict about what a bank must not guess.

- A key given twice (`{"amount": "1.00", "amount": "900.00"}`) is refused: parsers disagree
  on which one wins (Python keeps the last, others the first), so a proxy or a signature
  check could see a different amount from the one we would post.
- NaN and Infinity are refused (DRF's STRICT_JSON does that too; kept here explicitly).
- Nesting deep enough to hit Python's recursion limit is refused (it used to be a 500).
"""

from __future__ import annotations

import codecs
import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ParseError(f"JSON parse error - the key {key!r} is given more than once.")
        seen[key] = value
    return seen


def _refuse_constant(name: str) -> None:
    raise ParseError(f"JSON parse error - {name} is not a number this API accepts.")


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):  # type: ignore[no-untyped-def]
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except UnicodeDecodeError as error:
            raise ParseError(f"JSON parse error - the body is not valid {encoding}.") from error
        try:
            return json.loads(text, object_pairs_hook=_object_without_duplicates, parse_constant=_refuse_constant)
        except RecursionError as error:  # the C scanner's own depth guard, at no cost per body
            raise ParseError("JSON parse error - nested too deeply.") from error
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from error
