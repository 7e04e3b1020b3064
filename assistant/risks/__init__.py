"""The risk register: storage, lifecycle, scoring, the document scan, webhooks and exports."""

from assistant.risks import models as models  # noqa: F401  - registers the tables on Base.metadata
