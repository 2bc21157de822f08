"""Errors a service raises when a rule refuses a change. Views show the message as it is."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule refused the change."""


class StaleEdit(ServiceError):
    """Someone else changed the record since the form was loaded."""
