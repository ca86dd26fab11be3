"""Form field types every department's marshmallow forms share."""
from marshmallow import fields


class IsoDate(fields.Date):
    """A date given as YYYY-MM-DD and kept as that string (forms are stored as JSON)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).isoformat()
