"""Shared pytest set-up: tests never touch the network."""
