"""Emulators of the outside services, real servers on loopback."""
