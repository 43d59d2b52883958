from videoforge.adapters.http.app import ApiUseCases, WebhookRejectedError, create_app
from videoforge.adapters.http.auth import AuthError, JwtVerifier

__all__ = ["ApiUseCases", "AuthError", "JwtVerifier", "WebhookRejectedError", "create_app"]
