"""Calling callers back: signed POSTs (Standard Webhooks) to the URLs they gave."""

from videoforge.adapters.callbacks.sender import SignedCallbackSender

__all__ = ["SignedCallbackSender"]
