"""Bearer tokens checked against keys published at a JWKS URL (a real HTTP server on loopback)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from videoforge.adapters.http import AuthError, JwtVerifier


@pytest.fixture
def issuer():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(RSAAlgorithm.to_jwk(key.public_key())) | {"kid": "k1", "use": "sig", "alg": "RS256"}
    body = json.dumps({"keys": [public]}).encode()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield key, f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    finally:
        server.shutdown()


def token(key, **claims) -> str:
    return "Bearer " + jwt.encode({"sub": "user_42", "exp": int(time.time()) + 60} | claims, key,
                                  algorithm="RS256", headers={"kid": "k1"})


def test_a_token_signed_by_a_published_key_names_its_user(issuer):
    key, url = issuer
    verifier = JwtVerifier(jwks_url=url, audience="videoforge")
    assert verifier.user_id(token(key, aud="videoforge")) == "user_42"
    with pytest.raises(AuthError):
        verifier.user_id(token(key, aud="another-api"))


def test_a_token_signed_by_another_key_is_refused(issuer):
    _, url = issuer
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(AuthError, match="invalid token"):
        JwtVerifier(jwks_url=url).user_id(token(stranger))


def test_hs256_needs_its_secret_and_an_expiry():
    verifier = JwtVerifier(secret="s" * 32)
    good = "Bearer " + jwt.encode({"sub": "u", "exp": int(time.time()) + 60}, "s" * 32, algorithm="HS256")
    assert verifier.user_id(good) == "u"
    no_expiry = "Bearer " + jwt.encode({"sub": "u"}, "s" * 32, algorithm="HS256")
    with pytest.raises(AuthError):
        verifier.user_id(no_expiry)
    with pytest.raises(AuthError, match="bearer token is required"):
        verifier.user_id(None)
