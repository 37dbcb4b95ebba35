"""Proposals as data: a template-change proposal is a small YAML file, evaluated against every historical report.

A proposal names one rule from a small vocabulary over the parsed and scored tables (``proposals/README.md``
documents it) and, optionally, which reports it applies to. ``evaluate`` applies the rule to every report
(or incident) of the chosen period and returns one row per unit with ``passes``, a readable ``reason`` and the
burden it would have put on the CA (sections or items to add, updates added or saved).

    name: lessons-learned
    title: Every report has a Lessons Learned section
    applies_to: {report_types: [full, closure]}
    rule:
      section_present: {section: lessons_learned}

Three modules, one responsibility each: ``schema`` (the file format and its validation), ``checks`` (what each
vocabulary entry judges) and ``simulate`` (applying a proposal to history and summarising it, with
misclassification-corrected compliance for checks that rest on a detector).
"""

from ca_incidents.analysis.proposals.checks import EVALUATORS
from ca_incidents.analysis.proposals.schema import (
    VOCABULARY,
    Check,
    Proposal,
    ProposalError,
    load_proposal,
    parse_proposal,
)
from ca_incidents.analysis.proposals.simulate import (
    Evaluation,
    compliance_change,
    corrected_compliance,
    evaluate,
    evaluate_all,
    plot_compliance_by_era,
    summary,
)

__all__ = [
    "EVALUATORS",
    "VOCABULARY",
    "Check",
    "Evaluation",
    "Proposal",
    "ProposalError",
    "compliance_change",
    "corrected_compliance",
    "evaluate",
    "evaluate_all",
    "load_proposal",
    "parse_proposal",
    "plot_compliance_by_era",
    "summary",
]
