from adapters.http.app import ApiUseCases, create_app
from adapters.http.auth import AuthError, JwtVerifier

__all__ = ["ApiUseCases", "AuthError", "JwtVerifier", "create_app"]
