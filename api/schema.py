"""drf-spectacular hooks."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


def only_current_prefix(endpoints):
    """Describe each endpoint once: /api/v1/… is an alias of /api/… and left out."""
    return [endpoint for endpoint in endpoints if not endpoint[0].startswith("/api/v1/")]


class TokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Token <token>` (django-rest-knox) in the schema."""

    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'An API token from /api/tokens/, sent as "Token <token>".',
        }
