"""kubelint: a Kubernetes manifest linter and security policy checker."""

__version__ = "0.1.0"
