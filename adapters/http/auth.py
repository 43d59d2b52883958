from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any

import jwt
from fastapi import Depends, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from videoforge.domain import InvalidRequestError
from videoforge.domain.text import exact_user_id

MIN_SECRET_BYTES = 32  # RFC 7518 3.2: an HS256 key at least as long as the hash


class AuthError(Exception):
    """The request carries no valid bearer token."""


class ForbiddenError(Exception):
    """The caller is known but may not do this (an admin route, a non-admin token)."""


class AdminPolicy:
    """Who is an admin: a token whose `claim` is true, or whose subject is one of `subjects`."""

    def __init__(self, subjects: Iterable[str] = (), claim: str | None = "videoforge_admin"):
        self.subjects = frozenset(subjects)
        self.claim = claim

    def admits(self, claims: Mapping[str, Any]) -> bool:
        return claims.get("sub") in self.subjects or (self.claim is not None and claims.get(self.claim) is True)


class JwtVerifier:
    """Bearer JWTs: HS256 with a shared secret, or RS256/ES256 keys from a JWKS URL. The user id
    is the `sub` claim exactly as signed (never trimmed); a subject that is not a valid user id
    (`videoforge.domain.text.exact_user_id`) is refused."""

    def __init__(self, *, secret: str | None = None, jwks_url: str | None = None, audience: str | None = None,
                 issuer: str | None = None, leeway: float = 30.0):
        if bool(secret) == bool(jwks_url):
            raise ValueError("give exactly one of a JWT secret or a JWKS URL")
        if secret and len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"the JWT secret is {len(secret.encode())} bytes; HS256 needs at least "
                             f"{MIN_SECRET_BYTES} (for example 48 random bytes, base64)")
        self._secret = secret
        self._jwks = jwt.PyJWKClient(jwks_url) if jwks_url else None
        self._audience = audience
        self._issuer = issuer
        self._leeway = leeway

    def user_id(self, authorization: str | None) -> str:
        return self.claims(authorization)["sub"]

    def claims(self, authorization: str | None) -> dict[str, Any]:
        """The verified claims of the bearer token; `sub` is a valid user id."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise AuthError("a bearer token is required")
        token = authorization[7:].strip()
        try:
            if self._jwks is not None:
                key, algorithms = self._jwks.get_signing_key_from_jwt(token).key, ["RS256", "ES256"]
            else:
                key, algorithms = self._secret, ["HS256"]
            claims = jwt.decode(token, key, algorithms=algorithms, audience=self._audience, issuer=self._issuer,
                                leeway=self._leeway, options={"require": ["sub", "exp"],
                                                              "verify_aud": self._audience is not None})
        except jwt.PyJWTError as e:
            raise AuthError(f"invalid token: {e}") from None
        try:
            exact_user_id(claims.get("sub"), "sub")
        except InvalidRequestError as e:
            raise AuthError(f"the token's subject is not a user id this API takes: {e}") from None
        return claims


# Declared in the OpenAPI document (an Authorize button in /docs); checked by JwtVerifier, so
# auto_error is off: a missing or malformed header is our 401 with its JSON body.
BEARER = HTTPBearer(auto_error=False, scheme_name="bearer", bearerFormat="JWT",
                    description="A JWT whose `sub` is the user (HS256 secret or a JWKS URL)")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]


def bearer_header(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    return f"Bearer {credentials.credentials}" if credentials is not None else None


def authenticated_user(verifier: JwtVerifier) -> Any:
    """The type of a route parameter that is the caller's user id, from their bearer token."""

    def user(credentials: Credentials) -> str:
        return verifier.user_id(bearer_header(credentials))

    return Annotated[str, Depends(user)]


def authenticated_admin(verifier: JwtVerifier, policy: AdminPolicy) -> Any:
    """The type of a route parameter that is the caller's subject, when the policy makes them an admin (else 403)."""

    def admin(credentials: Credentials) -> str:
        claims = verifier.claims(bearer_header(credentials))
        if not policy.admits(claims):
            raise ForbiddenError("this route is for admins: your token is not an admin's")
        return claims["sub"]

    return Annotated[str, Depends(admin)]
