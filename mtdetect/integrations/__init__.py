"""Adapters for data pipelines (imported lazily; each needs its optional extra)."""
