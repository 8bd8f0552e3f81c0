"""Cross-modal retrieval: DSCMR over paired features."""
from engines.labs.retrieval import data, task  # noqa: F401  (registers the task and datasets)
