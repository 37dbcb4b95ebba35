"""Hand-built features for the four learned detectors, from spaCy parses of only the text that needs them.

Each feature encodes one clause of the labelling guidelines (tests/gold/quality/guidelines.md), so a
weight learned on the dev split can be read back as "how much this guideline cue counts".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

# ---- action items -----------------------------------------------------------------------------------------
_HEDGE = re.compile(
    r"\b(?:where|if|when|as) (?:possible|feasible|appropriate|needed|necessary|required|applicable)\b|"
    r"\bas deemed (?:appropriate|necessary)\b|\bif needed\b|\bto the extent possible\b|\bwhere it makes sense\b|"
    r"\bsuch as\b|\bstrive\b|\bendeavou?r\b|\bcommitted to continu",
    re.I,
)
_IMPROVE = {"improve", "enhance", "strengthen", "reinforce", "optimise", "optimize", "harmonise", "harmonize",
            "mature", "tighten", "refine", "ensure", "strive", "continue", "maintain", "rationalise", "rationalize",
            "increase", "better", "boost", "focus", "intensify", "prioritise", "prioritize", "promote", "foster",
            "adopt", "minimise", "minimize", "take", "make", "keep", "remain", "establish", "do"}  # fmt: skip
_ABSTRACT = {"process", "processes", "control", "controls", "monitoring", "compliance", "posture", "robustness",
             "oversight", "governance", "quality", "communication", "coordination", "documentation", "logging",
             "alerting", "approach", "framework", "measure", "measures", "safeguard", "safeguards", "effort",
             "efforts", "focus", "procedure", "procedures", "management", "practice", "practices", "awareness",
             "culture", "level", "vigilance", "diligence", "lifecycle", "handling", "philosophy", "architecture",
             "situation", "risk", "impact", "issue", "improvement", "improvements", "way", "ways", "system",
             "systems", "software", "tool", "tooling", "check", "checks", "checklist", "coverage", "resource",
             "resources", "guidance", "solution", "solutions", "step", "steps", "security", "policy", "policies",
             "document", "documents", "test", "testing", "automation", "validation", "review", "reviews",
             "relationship", "model", "operation", "operations", "capability", "capabilities", "area", "areas",
             "efficiency", "effectiveness", "standard", "standards", "requirement", "requirements", "profile",
             "profiles", "incident", "incidents", "problem", "problems", "thing", "things", "team", "staff",
             "employee", "employees", "personnel", "subscriber", "subscribers", "customer", "customers",
             "community", "department", "departments", "vendor", "recurrence", "future", "internal", "our"}  # fmt: skip
_PEOPLE_ONLY = re.compile(
    r"\b(?:re-?train\w*|training|trainings|awareness|remind\w*|refresher|vigilan\w*|careful\w*|more attention|"
    r"educat\w*|lessons?[- ]learned (?:session|meeting)|inform(?:ed)? (?:the |all )?(?:staff|team|employees|"
    r"personnel|operators)|disciplinar\w*|onboarding|briefing|sensiti[sz]\w*|coaching|workshop)\b",
    re.I,
)
_ENFORCED = re.compile(r"\b(?:enforc\w*|precondition|refus\w*|block\w*|cannot|can no longer|gate|mandatory "
                       r"(?:field|step))\b", re.I)  # fmt: skip
_STUDY = {"review", "assess", "evaluate", "investigate", "analyse", "analyze", "look", "consider", "explore",
          "audit", "examine", "reassess", "study", "reconsider", "re-evaluate", "reevaluate", "revisit", "perform",
          "conduct", "undertake", "work", "follow", "discuss", "engage", "research", "monitor", "validate",
          "determine", "identify"}  # fmt: skip
_OUTPUT = re.compile(
    r"\b(?:publish\w*|post\w*|share\w*|attach\w*|report(?:ing)? (?:the|each|every|its|their)|record\w*|"
    r"and (?:revoke|fix|block|disable|remove|add)|list of|resulting|with (?:each|the verdict)|letter|"
    r"in this bug|to this bug|here\b|the results?|findings? (?:letter|list|report))\b",
    re.I,
)
_CHECK = {"scan", "check", "verify", "compare", "reconcile", "lint", "test", "re-run", "rerun", "diff", "query",
          "list", "count", "search", "probe", "page"}  # fmt: skip
_CHANGE = {"update", "adjust", "modify", "change", "revise", "formalise", "formalize", "document", "amend",
           "clarify", "rework", "redefine", "align", "communicate", "provide", "deliver", "implement", "introduce",
           "create", "develop", "expand", "extend", "automate", "migrate", "allocate", "put"}  # fmt: skip
_CONTENT = re.compile(
    r"\bto (?:state|require|include|say|reflect that|read|add|remove|list)\b|\bso that\b|\bsuch that\b|"
    r"\bincluding\b|\bthat (?:\w+ ){0,3}(?:is|are|must|shall|will|can|cannot|fails?|rejects?|checks?)\b|"
    r"\bfrom [\w.%-]+ to [\w.%-]+|\b(?:section|§)\s*\d|\bv\d+(?:\.\d+)*\b|\b[A-Z]{2,}-\d+\b|"
    r"\b(?:field|value|column|flag|setting|parameter|clause|rule|check|alert|lint|test|job|step|option)\b",
    re.I,
)
_MECHANISM = re.compile(
    r"\b(?:check|lint\w*|alert\w*|gate|job|script|drop-?down|hook|role|configuration|config|flag|field|probe|"
    r"blocklist|allow-?list|deny-?list|rule|clause|api|regression|unit test|ci test|semgrep|pipeline|cron|timer|"
    r"threshold|validator|filter|approval|four-eyes|dual control|second reviewer|branch protection|ticket|"
    r"runbook|template|database|responder|cluster|library|module|endpoint|certificate|certificates|crl|ocsp|"
    r"hsm|csr|dns|caa|san|subject|profile|cps|ct log|serial|key|extension|oid)\b",
    re.I,
)
_GENERIC_OBJ = {"software", "tool", "tools", "check", "checks", "checklist", "coverage", "resource", "resources",
                "documentation", "measure", "measures", "solution", "solutions", "process", "processes",
                "procedure", "procedures", "system", "systems", "control", "controls", "safeguard", "safeguards",
                "guidance", "impact", "risk", "it", "this", "them", "issue", "situation", "effectiveness",
                "improvement", "improvements", "approach", "testing", "test"}  # fmt: skip
_COMPLETION = re.compile(r"\b(?:has|have|had) (?:been )?(?:put|taken|implemented|fixed|strengthened|improved|"
                         r"enhanced|addressed)\b|\bis (?:now )?fixed\b|\bwas fixed\b", re.I)  # fmt: skip
_SPECIFIC_TOKEN = re.compile(r"[A-Za-z]+\d|\d+[.%]|\d{2,}|['\"‘“][^'\"’”]{2,}['\"’”]|\b[a-z]+[A-Z]\w*|\w+_\w+|"
                             r"\w+\.\w+\.\w+|\b[A-Z]{2,}\b")  # fmt: skip

ACTION_FEATURES = (
    "hedge", "people_only", "enforced", "improve_abstract", "study_no_output", "study_output", "check_verb",
    "change_no_content", "change_content", "mechanism", "specific_tokens", "no_object", "generic_object",
    "completion_claim", "n_tokens_log", "concrete_nouns",
)  # fmt: skip


def _root_verbs(doc: Doc) -> list:
    """The main predicates: the root and its conjoined verbs (a nominal root counts as its own predicate)."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return []
    verbs = [root] + [c for c in root.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")]
    xcomp = [c for v in verbs for c in v.children if c.dep_ == "xcomp" and c.pos_ == "VERB"]
    return verbs + xcomp


def _objects(verb) -> list:  # type: ignore[no-untyped-def]
    objs = [c for c in verb.children if c.dep_ in ("dobj", "obj", "attr", "nsubjpass", "oprd")]
    for prep in (c for c in verb.children if c.dep_ == "prep"):
        objs += [c for c in prep.children if c.dep_ == "pobj"]
    return objs


def _concrete_noun(tok) -> bool:  # type: ignore[no-untyped-def]
    text = tok.text
    return tok.pos_ in ("NOUN", "PROPN") and tok.lower_ not in _ABSTRACT and (
        tok.pos_ == "PROPN" or bool(_MECHANISM.fullmatch(text)) or any(ch.isdigit() for ch in text) or len(text) > 3
    )


def action_features(doc: Doc) -> dict[str, float]:
    """Cues of a vague action item (guidelines V1-V10) from its parse."""
    text = doc.text
    verbs = _root_verbs(doc)
    lemmas = {v.lemma_.lower() for v in verbs} | ({verbs[0].lower_} if verbs else set())
    objs = [o for v in verbs for o in _objects(v)]
    obj_words = {o.lower_ for o in objs} | {o.lemma_.lower() for o in objs}
    obj_concrete = [o for o in objs if _concrete_noun(o) or any(_concrete_noun(c) for c in o.subtree if c.dep_ in
                                                                   ("compound", "amod", "nmod", "pobj"))]  # fmt: skip
    concrete_nouns = sum(1 for t in doc if _concrete_noun(t) and (t.lower_ not in _GENERIC_OBJ))
    has_output = bool(_OUTPUT.search(text))
    people = bool(_PEOPLE_ONLY.search(text))
    return {
        "hedge": float(bool(_HEDGE.search(text))),
        "people_only": float(people and not _ENFORCED.search(text)),
        "enforced": float(people and bool(_ENFORCED.search(text))),
        "improve_abstract": float(bool(lemmas & _IMPROVE) and (not objs or bool(obj_words & _ABSTRACT))),
        "study_no_output": float(bool(lemmas & _STUDY) and not has_output),
        "study_output": float(bool(lemmas & _STUDY) and has_output),
        "check_verb": float(bool(lemmas & _CHECK)),
        "change_no_content": float(bool(lemmas & _CHANGE) and not _CONTENT.search(text)),
        "change_content": float(bool(lemmas & _CHANGE) and bool(_CONTENT.search(text))),
        "mechanism": float(len(_MECHANISM.findall(text))),
        "specific_tokens": float(len(_SPECIFIC_TOKEN.findall(text))),
        "no_object": float(not objs),
        "generic_object": float(bool(objs) and not obj_concrete and bool(obj_words & _GENERIC_OBJ)),
        "completion_claim": float(bool(_COMPLETION.search(text))),
        "n_tokens_log": float(len(doc)).__pow__(0.5),
        "concrete_nouns": float(min(concrete_nouns, 6)),
    }


# ---- root causes -----------------------------------------------------------------------------------------
HUMAN = re.compile(
    r"\bhuman (?:error|mistake|factor)s?\b|\bmistakes?\b|\boversight\b|\bcareless\w*|\bforg[oe]t\w*|"
    r"\bmisunderst\w+|\bmisinterpret\w*|\bmisread\w*|\bunaware\b|\bnot (?:sufficiently |fully )?aware\b|"
    r"\black of (?:\w+ )?(?:training|knowledge|experience|awareness|attention|understanding|care)\b|"
    r"\b(?:were|was) new\b|\bnot (?:yet )?familiar\b|\b(?:did not|didn't|failed to|does not|not) (?:properly |"
    r"correctly )?follow\w*\b|\bskipp\w+\b|\berror of judge?ment\b|\bunderestimat\w+|\bdid not realis\w+|"
    r"\bdidn't realis\w+|\bassumed\b|\bmanually instead\b|\btyp(?:o|ed|ing) (?:error|mistake)|\bmistyp\w+|"
    r"\bby mistake\b|\berroneously\b|\bnegligen\w+|\binattent\w+|\bmade an error\b|\ban error\b",
    re.I,
)
SYSTEMIC = re.compile(
    r"\bno (?:\w+ ){0,2}(?:second|four-eyes|cross-?check|review|test|check|backup|alert|scanning|control|"
    r"validation|confirmation|approval|lint|tracker|separation|banner|owner|process|procedure)\w*\b|"
    r"\b(?:did not|didn't|does not|doesn't) (?:require|enforce|check|prevent|block|show|display|compare|"
    r"validate|include|contain|cover|distinguish|fail over|flag|test|map)\b|\brather than\b|\binstead of (?:a|the|"
    r"being)\b|\ballow(?:s|ed)?\b|\baccept(?:s|ed)? any\b|\bfalls? (?:back|through)\b|\bpre-?select\w*|"
    r"\badjacent\b|\bfree[- ]text\b|\bdefault\b|\btemplate\b|\bchecklist\b|\bonly (?:\w+ ){0,2}(?:checked|"
    r"tested|compared|probed|verified|covered|had|contained|used|looked)\b|\bnever (?:\w+ ){0,2}(?:tested|"
    r"updated|reviewed|mapped|rehearsed)\b|\bnobody else\b|\bsingle person\b|\bpersonal to-do\b|\bnamed "
    r"person\b|\bsame (?:hostname|credentials|name)\b|\bthe real (?:issue|problem|cause)\b|\bbecause (?:the|our|"
    r"its|no) (?:\w+ ){0,2}(?:system|tool|form|console|portal|script|process|procedure|library|job|workflow|"
    r"scheduler|monitor\w*|check\w*|lint\w*|api|code|configuration|template|checklist)\b|\bnot (?:mapped|"
    r"required|enforced|tracked|assigned)\b|\bmigrat\w+|\brenam\w+|\bwithout (?:a |any )?(?:change ticket|"
    r"review|approval|test|check)",
    re.I,
)
_CAUSAL = re.compile(r"\bbecause\b|\bsince\b|\bdue to\b|\bas a result of\b|\bwhich (?:meant|is why|caused)\b|"
                     r"\bso (?:that )?\b|\bwhen\b|\bafter\b|\bthe reason\b|\bthis happened\b|\bwhy\b", re.I)  # fmt: skip
_VAGUE_LOCUS = re.compile(r"\b(?:technical|software|system) (?:issue|problem|error|bug|glitch)\b|\ba (?:software )?"
                          r"bug\b|\bmisconfiguration\b|\ban? (?:issue|problem) (?:with|in)\b|\bregression\b|"
                          r"\bcaused by an? (?:issue|problem|error)\b|\bissue\.$", re.I)  # fmt: skip
_INTRO_TIME = re.compile(r"\b(?:in|since|on|from) (?:the )?(?:19|20)\d\d\b|\b(?:19|20)\d\d-\d\d-\d\d\b|\bwhen "
                         r"(?:\w+ ){0,4}(?:was|were) (?:introduced|moved|migrated|added|changed|enabled|"
                         r"upgraded|deployed)\b", re.I)  # fmt: skip
_STOP = frozenset(
    "the a an and or of to in on for with from by at as is are was were be been that this these those our we it "
    "its not no did does do had has have which when what who why how all any more other into than then there "
    "their they them also only such would could should will can may because after before during about root cause "
    "caused incident contributing factor description timeline detection".split()
)

ROOT_CAUSE_FEATURES = (
    "human", "systemic", "causal", "vague_locus", "intro_time", "novel_words", "novel_ratio", "n_sentences",
    "n_tokens_log", "thing_subjects", "person_subjects", "negations",
)  # fmt: skip
_PERSON = {"we", "i", "employee", "engineer", "operator", "agent", "staff", "team", "specialist", "person",
           "officer", "manager", "analyst", "developer", "administrator", "hr", "someone", "nobody", "he", "she",
           "they", "colleague", "reviewer", "partner", "party", "auditor", "vendor", "customer", "subscriber"}  # fmt: skip


def content_words(text: str) -> set[str]:
    """Crudely stemmed content words, for overlap with the incident summary (no model needed)."""
    return {w[:5] for w in re.findall(r"[a-z][a-z0-9-]{2,}", text.lower()) if w not in _STOP}


def root_cause_features(doc: Doc, summary: str) -> dict[str, float]:
    """Cues of a restated or human-error-only root cause (guidelines R1-R7, H1-H6)."""
    text = doc.text
    words = content_words(text)
    novel = words - content_words(summary)
    subjects = [t for t in doc if t.dep_ in ("nsubj", "nsubjpass")]
    person = sum(1 for t in subjects if t.lower_ in _PERSON or t.lemma_.lower() in _PERSON)
    sents = list(doc.sents)
    return {
        "human": float(len(HUMAN.findall(text))),
        "systemic": float(len(SYSTEMIC.findall(text))),
        "causal": float(len(_CAUSAL.findall(text))),
        "vague_locus": float(bool(_VAGUE_LOCUS.search(text))),
        "intro_time": float(bool(_INTRO_TIME.search(text))),
        "novel_words": float(min(len(novel), 40)) ** 0.5,
        "novel_ratio": len(novel) / max(1, len(words)),
        "n_sentences": float(min(len(sents), 8)),
        "n_tokens_log": float(len(doc)) ** 0.5,
        "thing_subjects": float(min(len(subjects) - person, 8)),
        "person_subjects": float(min(person, 8)),
        "negations": float(min(sum(1 for t in doc if t.dep_ == "neg"), 8)),
    }


def vector(features: dict[str, float], names: Iterable[str]) -> list[float]:
    """Features in a fixed order, for the linear models."""
    return [features[n] for n in names]
