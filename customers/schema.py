"""OpenAPI: our session-bound JWT authentication is documented as the bearer JWT it is."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class SessionJWTScheme(SimpleJWTScheme):
    target_class = "customers.authentication.SessionJWTAuthentication"
