"""Keyset (cursor) pagination: a page costs the same on page 1 and page 10,000."""

from rest_framework.pagination import CursorPagination


class NewestFirstCursorPagination(CursorPagination):
    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class OldestFirstCursorPagination(NewestFirstCursorPagination):
    ordering = "pk"
