"""The one-stop gateway (see gateway.app)."""
