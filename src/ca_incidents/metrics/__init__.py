"""Metrics stage: how each CA handles its incidents (deadlines, answers, follow-through, recurrence, boilerplate)."""

from ca_incidents.metrics.build import build_metrics, compute

__all__ = ["build_metrics", "compute"]
