"""Errors of the policy engine: bad policy data vs. bad enterprise input."""

from __future__ import annotations


class PolicyDataError(ValueError):
    """A policy YAML file is malformed; ``where`` names the file and key path."""

    def __init__(self, where: str, message: str):
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")


class PolicyInputError(ValueError):
    """Enterprise input the calculator cannot use; ``key`` is the key path (``events[2].subsidy``)."""

    def __init__(self, key: str, message: str):
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}")
