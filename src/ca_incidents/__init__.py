"""ca-incidents: harvest, parse, score and analyse Web PKI CA incident reports from Mozilla Bugzilla.

The data flows through one sub-package per stage:
``harvest`` (Bugzilla REST → raw corpus) → ``corpus`` (DuckDB store, snapshots) → ``parse`` (report
structure) → ``score`` (quality findings) → ``metrics`` (per-incident and per-CA behaviour) → ``analysis``
(notebook helpers, figures, proposals).
"""

__version__ = "0.1.0"
