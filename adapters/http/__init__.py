from videoforge.adapters.http.app import create_app
from videoforge.adapters.http.auth import AuthError, JwtVerifier
from videoforge.adapters.http.routes.webhooks import WebhookRejectedError, WebhookVerify

__all__ = ["AuthError", "JwtVerifier", "WebhookRejectedError", "WebhookVerify", "create_app"]
