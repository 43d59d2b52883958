from videoforge.adapters.http.app import create_app
from videoforge.adapters.http.auth import AdminPolicy, AuthError, JwtVerifier
from videoforge.adapters.http.routes.webhooks import WebhookRejectedError, WebhookVerify

__all__ = ["AdminPolicy", "AuthError", "JwtVerifier", "WebhookRejectedError", "WebhookVerify", "create_app"]
