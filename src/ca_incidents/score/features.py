"""Hand-built features for the four learned detectors, from spaCy parses of only the text that needs them.

Each feature encodes one clause of the labelling guidelines (src/ca_incidents/data/gold/own/guidelines.md), so a
weight learned on the dev split can be read back as "how much this guideline cue counts".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ca_incidents.parse.lines import straight_apostrophes
from ca_incidents.score.timebound import Anchor, calendar_references

if TYPE_CHECKING:
    from spacy.tokens import Doc


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# ---- action items -----------------------------------------------------------------------------------------
_HEDGE = re.compile(
    r"\b(?:where|if|when|as) (?:possible|feasible|appropriate|needed|necessary|required|applicable)\b|"
    r"\bas deemed (?:appropriate|necessary)\b|\bif needed\b|\bto the extent possible\b|\bwhere it makes sense\b|"
    r"\bsuch as\b|\bstrive\b|\bendeavou?r\b|\bcommitted to continu",
    re.I,
)
_IMPROVE = _wordset(
    "improve enhance strengthen reinforce optimise optimize harmonise harmonize mature tighten refine "
    "ensure strive continue maintain rationalise rationalize increase better boost focus intensify "
    "prioritise prioritize promote foster adopt minimise minimize take make keep remain establish do"
)
_ABSTRACT = _wordset(
    "process processes control controls monitoring compliance posture robustness oversight governance "
    "quality communication coordination documentation logging alerting approach framework measure "
    "measures safeguard safeguards effort efforts focus procedure procedures management practice "
    "practices awareness culture level vigilance diligence lifecycle handling philosophy architecture "
    "situation risk impact issue improvement improvements way ways system systems software tool tooling "
    "check checks checklist coverage resource resources guidance solution solutions step steps security "
    "policy policies document documents test testing automation validation review reviews relationship "
    "model operation operations capability capabilities area areas efficiency effectiveness standard "
    "standards requirement requirements profile profiles incident incidents problem problems thing "
    "things team staff employee employees personnel subscriber subscribers customer customers community "
    "department departments vendor recurrence future internal our"
)
_PEOPLE_ONLY = re.compile(
    r"\b(?:re-?train\w*|training|trainings|awareness|remind\w*|refresher|vigilan\w*|careful\w*|more attention|"
    r"educat\w*|lessons?[- ]learned (?:session|meeting)|inform(?:ed)? (?:the |all )?(?:staff|team|employees|"
    r"personnel|operators)|disciplinar\w*|onboarding|briefing|sensiti[sz]\w*|coaching|workshop)\b",
    re.I,
)
_ENFORCED = re.compile(
    r"\b(?:enforc\w*|precondition|refus\w*|block\w*|cannot|can no longer|gate|mandatory "
    r"(?:field|step))\b",
    re.I,
)
_STUDY = _wordset(
    "review assess evaluate investigate analyse analyze look consider explore audit examine reassess "
    "study reconsider re-evaluate reevaluate revisit perform conduct undertake work follow discuss "
    "engage research monitor validate determine identify"
)
_OUTPUT = re.compile(
    r"\b(?:publish\w*|post\w*|share\w*|attach\w*|report(?:ing)? (?:the|each|every|its|their)|record\w*|"
    r"and (?:revoke|fix|block|disable|remove|add)|list of|resulting|with (?:each|the verdict)|letter|"
    r"in this bug|to this bug|here\b|the results?|findings? (?:letter|list|report))\b",
    re.I,
)
_CHECK = _wordset("scan check verify compare reconcile lint test re-run rerun diff query list count search probe page")
_CHANGE = _wordset(
    "update adjust modify change revise formalise formalize document amend clarify rework redefine align "
    "communicate provide deliver implement introduce create develop expand extend automate migrate "
    "allocate put"
)
_CONTENT = re.compile(
    r"\bto (?:state|require|include|say|reflect that|read|add|remove|list)\b|\bso that\b|\bsuch that\b|"
    r"\bincluding\b|\bto reflect\b|\b(?:updated|changed|converted|modified|set|moved|switched) to\b|"
    r"\bthat (?:\w+ ){0,3}(?:is|are|must|shall|will|can|cannot|fails?|rejects?|checks?)\b|"
    r"\bfrom [\w.%-]+ to [\w.%-]+|\b(?:section|§)\s*\d|\bv\d+(?:\.\d+)*\b|\b[A-Z]{2,}-\d+\b|"
    r"\b(?:field|value|column|flag|setting|parameter|clause|rule|check|alert|lint|test|job|step|option)\b",
    re.I,
)
_MECHANISM = re.compile(
    r"\b(?:check|lint\w*|alert\w*|gate|job|script|drop-?down|hook|role|configuration|config|flag|field|probe|"
    r"blocklist|allow-?list|deny-?list|rule|clause|api|regression|unit test|ci test|semgrep|pipeline|cron|timer|"
    r"threshold|validator|filter|approval|four-eyes|dual control|second reviewer|branch protection|ticket|"
    r"runbook|template|database|responder|cluster|library|module|endpoint|certificate|certificates|crl|ocsp|"
    r"hsm|csr|dns|caa|san|subject|profile|cps|ct log|serial|key|extension|oid|revocation|re-?issuance)\b",
    re.I,
)
_GENERIC_OBJ = _wordset(
    "software tool tools check checks checklist coverage resource resources documentation measure "
    "measures solution solutions process processes procedure procedures system systems control controls "
    "safeguard safeguards guidance impact risk it this them issue situation effectiveness improvement "
    "improvements approach testing test"
)
_COMPLETION = re.compile(
    r"\b(?:has|have|had) (?:been )?(?:put|taken|implemented|fixed|strengthened|improved|"
    r"enhanced|addressed)\b|\bis (?:now )?fixed\b|\bwas fixed\b",
    re.I,
)
_SPECIFIC_TOKEN = re.compile(
    r"[A-Za-z]+\d|\d+[.%]|\d{2,}|['\"‘“][^'\"’”]{2,}['\"’”]|\b[a-z]+[A-Z]\w*|\w+_\w+|"
    r"\w+\.\w+\.\w+|\b[A-Z]{2,}\b"
)

_STRONG_IMPROVE = _wordset(
    "improve enhance strengthen reinforce optimise optimize harmonise harmonize mature tighten refine "
    "better boost intensify rationalise rationalize streamline"
)
_SOFT = _wordset(
    "ensure strive continue maintain keep remain take establish do focus promote foster minimise "
    "minimize prioritise prioritize adopt"
)
_DOC_CHANGE = _wordset(
    "update adjust modify change revise formalise formalize document amend rework align clarify redefine"
)
_DIRECT = _wordset(
    "add remove block reject replace revoke disable enable deploy publish set migrate patch upgrade "
    "rotate fix hire apply require split limit reduce raise configure enforce hardcode log archive "
    "delete terminate decommission write build post ship correct move switch restrict deny prevent "
    "install cancel page lower shorten introduce attach list auto-acknowledge expire renew re-issue "
    "reissue rewrite redesign send notify contact file"
)
_PEOPLE_HEADS = _wordset(
    "train retrain training retraining remind awareness inform educate education refresher vigilant "
    "careful session briefing coaching workshop sensitise sensitize onboarding guidance communicate "
    "discipline attention staff personnel employee team"
)
_GENERIC_PHRASE = re.compile(
    r"\bholistic\b|\bopportunit\w+ for improvement|\bbest[- ]practices?\b|\bgoing forward\b|"
    r"\bin the future\b|\bsimilar incidents\b|\bprevent (?:such|similar|this from|"
    r"recurrence|future)|\bfurther\b|\bmore (?:robust|proactive|careful|thorough)\b|"
    r"\bworking group\b|\bfeasibility\b|\bend-to-end\b|\blevel\b",
    re.I,
)
# a direct action named as a noun ("removal of the stale profile")
_DIRECT_NOUN = re.compile(
    r"\b(?:revocation|replacement|re-?issuance|removal|deletion|rotation|decommissioning|deactivation) of\b", re.I
)
_MEASURABLE = re.compile(r"\bfrom [\w.%-]+ (?:\w+ )?to [\w.%-]+|\d", re.I)

_CALENDAR_WORDS = _wordset(
    "january february march april may june july august september october november december monday tuesday "
    "wednesday thursday friday saturday sunday quarterly monthly weekly daily annually yearly"
)
# nouns that name an outcome, a time or an effort rather than a system, check or document
_OUTCOME_NOUNS = _wordset(
    "place discovery question reliability completion expert experts outage outages remediations mistake mistakes "
    "error errors failure failures delay delays update updates report reports resolution program programs "
    "selection pilot pilots postmortem infrastructure version versions event events occurrence recurrence "
    "priority priorities progress status detail details fix fixes hotfix change changes action actions corrective "
    "organization organisation production environment investigation cause causes attention time response "
    "statement item items target date dates day days week weeks month months year years minute minutes hour hours "
    "assessment analysis result results example examples manner plan plans activity activities matter case cases "
    "aspect part parts basis kind type types approaches opportunity opportunities enhancement enhancements "
    "correction corrections remediation mitigation lesson lessons"
)
# general nouns of commentary (what was observed, found or discussed) and verbs the tagger reads as nouns: they
# name no system, check or document
_GENERAL_NOUNS = _wordset(
    "nature rest effect effects term meantime morning watch ecosystem norm norms violation violations observation "
    "observations finding findings interpretation interpretations discussion discussions precaution precautions "
    "countermeasure countermeasures party parties information misissuance misissuances mitigate respond conclude "
    "resolve address u.s."
)


_NOT_CONCRETE = (
    _ABSTRACT
    | _GENERIC_OBJ
    | _CALENDAR_WORDS
    | _OUTCOME_NOUNS
    | _GENERAL_NOUNS
    | _IMPROVE
    | _STUDY
    | _CHECK
    | _CHANGE
    | _DIRECT
    | _SOFT
    | _DOC_CHANGE
)

ACTION_FEATURES = (
    "hedge",
    "people_only",
    "enforced",
    "improve_verb",
    "improve_measurable",
    "soft_verb",
    "study_no_output",
    "study_output",
    "check_verb",
    "doc_change_no_content",
    "direct_verb",
    "generic_phrase",
    "mechanism",
    "specific_tokens",
    "no_object",
    "generic_object",
    "completion_claim",
    "n_tokens_log",
    "concrete_nouns",
    "reported_step",
    "no_anchor",
)


def _root_verbs(doc: Doc) -> list:
    """The main predicates: the root, its conjoined verbs and open complements."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return []
    verbs = [root] + [c for c in root.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")]
    xcomp = [c for v in verbs for c in v.children if c.dep_ in ("xcomp", "ccomp") and c.pos_ == "VERB"]
    return verbs + xcomp


def _objects(verb) -> list:  # type: ignore[no-untyped-def]
    objs = [c for c in verb.children if c.dep_ in ("dobj", "obj", "attr", "nsubjpass", "oprd", "nsubj")]
    for prep in (c for c in verb.children if c.dep_ == "prep"):
        objs += [c for c in prep.children if c.dep_ == "pobj"]
    return [o for o in objs if o.lower_ not in ("we", "i", "it", "they", "ca", "this")]


def _concrete_noun(tok) -> bool:  # type: ignore[no-untyped-def]
    """A noun that names something one could point at: a mechanism word, a token with a digit, an acronym or
    CamelCase name (CCADB, OneCRL, QWACs), or a content noun that is not abstract, calendar, outcome or a verb
    the tagger misread as a noun ("Test & conclude")."""
    text, low = tok.text, tok.lower_
    if tok.pos_ not in ("NOUN", "PROPN") or low in _NOT_CONCRETE or tok.lemma_.lower() in _NOT_CONCRETE:
        return False
    if _MECHANISM.fullmatch(text) or any(ch.isdigit() for ch in text):
        return True
    if tok.pos_ == "PROPN":  # a bare capitalised name (a company, a place) names no mechanism
        return sum(ch.isupper() for ch in text) >= 2
    return len(text) > 3


def _predicate_lemmas(doc: Doc, verbs: list) -> set[str]:  # type: ignore[type-arg]
    lemmas = {v.lemma_.lower() for v in verbs} | {v.lower_ for v in verbs}
    if doc and doc[0].pos_ in ("VERB", "PROPN", "NOUN", "ADJ"):
        lemmas.add(doc[0].lemma_.lower())  # imperatives the tagger reads as nouns ("Update the CP/CPS.")
        lemmas.add(doc[0].lower_)
    return lemmas


def action_features(doc: Doc) -> dict[str, float]:
    """Cues of a vague action item (guidelines V1-V10) from its parse."""
    text = straight_apostrophes(doc.text)
    verbs = _root_verbs(doc)
    lemmas = _predicate_lemmas(doc, verbs)
    objs = [o for v in verbs for o in _objects(v)]
    obj_words = {o.lower_ for o in objs} | {o.lemma_.lower() for o in objs}
    dates = calendar_references(text)
    dated = _dated_tokens(doc, dates)

    def concrete(tok) -> bool:  # type: ignore[no-untyped-def]
        return tok.i not in dated and _concrete_noun(tok)

    obj_concrete = [
        o for o in objs if concrete(o) or any(concrete(c) for c in o.subtree if c.dep_ in ("compound", "nmod", "pobj"))
    ]
    concrete_nouns = sum(1 for t in doc if concrete(t))  # generic objects are never concrete nouns
    has_output = bool(_OUTPUT.search(text))
    heads = lemmas | obj_words | {t.lemma_.lower() for t in doc[:2]}
    people = bool(heads & _PEOPLE_HEADS) and bool(_PEOPLE_ONLY.search(text))
    improve = bool(lemmas & _STRONG_IMPROVE)
    specific = len(_SPECIFIC_TOKEN.findall(_without_dates(text, dates)))
    return {
        "hedge": float(bool(_HEDGE.search(text))),
        "people_only": float(people and not _ENFORCED.search(text)),
        "enforced": float(people and bool(_ENFORCED.search(text))),
        "improve_verb": float(improve),
        "improve_measurable": float(improve and bool(_MEASURABLE.search(text))),
        "soft_verb": float(bool(lemmas & _SOFT)),
        "study_no_output": float(bool(lemmas & _STUDY) and not has_output),
        "study_output": float(bool(lemmas & _STUDY) and has_output),
        "check_verb": float(bool(lemmas & _CHECK)),
        "doc_change_no_content": float(bool(lemmas & _DOC_CHANGE) and not _CONTENT.search(text)),
        "direct_verb": float(bool(lemmas & _DIRECT) or bool(_DIRECT_NOUN.search(text))),
        "generic_phrase": float(bool(_GENERIC_PHRASE.search(text))),
        "mechanism": float(min(len(_MECHANISM.findall(text)), 6)),
        "specific_tokens": float(min(specific, 6)),
        "no_object": float(not objs),
        "generic_object": float(bool(objs) and not obj_concrete),
        "completion_claim": float(bool(_COMPLETION.search(text))),
        "n_tokens_log": float(len(doc)) ** 0.5,
        "concrete_nouns": float(min(concrete_nouns, 6)),
        "reported_step": float(_reported_step(doc)),
        "no_anchor": float(not concrete_nouns and not _MECHANISM.search(text) and not specific),
    }


_CLOCK = re.compile(r"\b\d{1,2}:\d\d(?::\d\d)?\b|\b(?:UTC|GMT|[A-Z][DS]T)\b")


def _dated_tokens(doc: Doc, dates: list[Anchor]) -> set[int]:
    """Indices of the tokens inside a calendar reference ("16/June/22"): a date is not a concrete noun."""
    return {t.i for t in doc if any(a.start <= t.idx < a.end for a in dates)}


def _without_dates(text: str, dates: list[Anchor]) -> str:
    """The text with its calendar references (``dates``, found in it) and clock times blanked: a date says when,
    not what (specificity is about the mechanism; the timebound detector reads the dates)."""
    for a in reversed(dates):
        text = text[: a.start] + " " + text[a.end :]
    return _CLOCK.sub(" ", text)


def _reported_step(doc: Doc) -> bool:
    """The item reports a step already taken (past tense or perfect, no modal): prose remediation in real reports
    ("we deployed…", "the profile was corrected") says what was done, which makes it checkable."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.tag_ not in ("VBD", "VBN"):
        return False
    return not any(c.lower_ in ("will", "shall", "would", "should", "must", "to") for c in root.children)


def decisive_vague(f: dict[str, float]) -> bool:
    """Guideline clauses that settle the label on their own: a bare verb (V3) and hedges (V7). Document changes,
    people-only measures and completion claims are left to the model: real reports often say what the change,
    the training or the fix was ("a software update that blocks … was deployed")."""
    bare = f["no_object"] and f["n_tokens_log"] <= 1.5  # "Migrate." / "Investigate." (V3)
    return bool(bare or f["hedge"])


# ---- root causes -----------------------------------------------------------------------------------------
HUMAN = re.compile(
    r"\bhuman (?:error|mistake|factor)s?\b|\bmistak(?:e|es|enly)\b|\boversight\b|\bcareless\w*|\bforg[oe]t\w*|"
    r"\bmis-?underst\w+|\bmisinterpret\w*|\bmisread\w*|\bunaware\b|\bnot (?:sufficiently |fully )?aware\b|"
    r"\black of (?:\w+ )?(?:training|knowledge|experience|awareness|attention|understanding|care)\b|"
    r"\b(?:were|was) new\b|\bnot (?:yet )?familiar\b|\b(?:did not|didn't|failed to|does not|not) (?:properly |"
    r"correctly )?follow\w*\b|(?<!was )(?<!were )\bskipp\w+\b|\berror of judge?ment\b|\bunderestimat\w+|"
    r"\bdid not realis\w+|"
    r"\bdidn't realis\w+|\bassumed\b|\bmanually instead\b|\btyp(?:o|ed|ing) (?:error|mistake)|\bmistyp\w+|"
    r"\bby mistake\b|\berroneously\b|\bleft the company\b|\bno(?:body| one) noticed\b|\bnegligen\w+|"
    r"\binattent\w+|\bmade an error\b|"
    r"\bignor(?:ed|ing)\b (?:the |a |an |this |these )?(?:\w+ ){0,2}(?:notification|warning|alert|e-?mail|message|"
    r"error|report)s?\b|\bignored (?:it|them)\b|\b(?:performed|done|carried out) (?:incorrectly|wrongly)\b|"
    r"\b(?:selected|chose|picked|entered|typed|clicked|used|applied|copied|pasted) (?:the |a |an )?"
    r"(?:wrong|incorrect|old|outdated)\b|\btypos?\b|\boverlook\w*|\bmissed\b|\bdid(?: not|n't) notice\b|"
    r"\bfailed to (?:check|verify|notice|update|review|confirm|revoke|recogni[sz]e|apply|include|remove|set|"
    r"complete|perform)\b|"
    r"\b(?:manual|operator|operational|clerical|administrative|personnel|staff) (?:error|mistake)s?\b|"
    r"\binadvertent\w*|\baccidental\w*|\bneglect\w*|\bslip\b|\blapse\b|"
    r"\bmanual\w* (?:\w+ ){0,6}(?:was|were) not (?:executed|performed|done|completed|followed|run|carried out)\b|"
    r"\b(?:team|operators?|engineers?|staff|employees?|administrators?|admins?|technicians?|members?) (?:\w+ ){0,2}"
    r"(?:made|applied|ran|executed|entered|pushed|typed|edited|changed) (?:a |an |the )?(?:\w+ ){0,3}"
    r"(?:change|command|update|edit|entry|value|setting)s?\b|"
    r"\binstead of (?:pasting|entering|selecting|using|copying|typing|clicking|choosing)\b|"
    r"\b(?:did not|didn't|failed to|could not) (?:find|catch|spot|notice|see|realis|recogni[sz])\w*\b|"
    r"\bwrong (?:command|button|option|selection|choice|entry|file|menu|key ?stroke)s?\b|"
    r"\b(?:personnel|staffing|people) (?:problem|issue|error|failure)s?\b",
    re.I,
)
SYSTEMIC = re.compile(
    r"\bno (?:\w+ ){0,2}(?:second|four-eyes|cross-?check|review|test|check|backup|alert|scanning|control|"
    r"validation|confirmation|approval|lint|tracker|separation|banner|owner|process|procedure)\w*\b|"
    r"\b(?:did not|didn't|does not|doesn't) (?:require|enforce|check|prevent|block|show|display|compare|"
    r"validate|cover|distinguish|fail over|flag|test|map)\b|\brather than\b|\binstead of (?:a|the|"
    r"being)\b|\ballow(?:s|ed)?\b|\baccept(?:s|ed)? any\b|\bfalls? (?:back|through)\b|\bpre-?select\w*|"
    r"\badjacent\b|\bfree[- ]text\b|\bbut not\b|\bfocus+ed (?:only )?on\b|\bcovered\b|\bdefault\b|"
    r"\b(?:from|cloned|copied) (?:\w+ ){0,3}template\b|\bchecklist "
    r"(?:did not|does not|lacked|missed|verifies)|\bonly (?:\w+ ){0,2}(?:checked|tested|compared|probed|verified|"
    r"covered|had|contained|used|looked|reviewed|monitored)\b|\b\w+ only[,.;]|, not (?:to|against|for)\b|"
    r"\bnever (?:\w+ ){0,2}(?:tested|"
    r"updated|reviewed|mapped|rehearsed)\b|\bnobody else\b|\bsingle person\b|\bpersonal to-do\b|\bnamed "
    r"person\b|\bsame (?:hostname|credentials|name)\b|\bthe real (?:issue|problem|cause)\b|\bbecause (?:the|our|"
    r"its|no) (?:\w+ ){0,2}(?:system|tool|form|console|portal|script|process|procedure|library|job|workflow|"
    r"scheduler|monitor\w*|check\w*|lint\w*|api|code|configuration|template|checklist)\b|\bnot (?:mapped|"
    r"required|enforced|tracked|assigned)\b|\bmigrat\w+|\brenam\w+|\bwithout (?:a |any )?(?:change ticket|"
    r"review|approval|test|check)|\b(?:procedure|process|documentation|instruction|guideline|checklist|policy|"
    r"manual)s? (?:\w+ ){0,5}(?:was|were|is|are) (?:too |not |in)?(?:general|vague|unclear|incomplete|ambiguous|"
    r"missing|outdated|insufficient|precise|specific|clear|detailed|complete)\b|"
    r"\b(?:system|software|logic|design|tool|tooling|configuration|code|platform) (?:logic )?(?:issues?|problems?|"
    r"flaws?|defects?|bugs?|limitations?|gaps?)\b|"
    r"\b(?:lint\w*|tools?|tests?|checks?|monitoring) (?:did not|didn't|failed to|could not) (?:detect|catch|flag)\b|"
    r"\black of (?:\w+ ){0,2}(?:controls?|checks?|reviews?|automation|tooling|monitoring|procedures?)\b|"
    r"\b(?:outdated|out-of-date|obsolete|old) (?:version (?:of )?)?(?:\w+ )?(?:lint\w*|tool\w*|software|library)\b|"
    r"\bnot having an? (?:updated|current|recent) version\b|"
    r"\b(?:did not|didn't|failed to) detect\w* (?:\w+ ){0,3}(?:with|by) (?:the |our )?"
    r"(?:lint\w*|tools?|tests?|checks?)\b",
    re.I,
)
_CAUSAL = re.compile(
    r"\bbecause\b|\bsince\b|\bdue to\b|\bas a result of\b|\bwhich (?:meant|is why|caused)\b|"
    r"\bso (?:that )?\b|\bwhen\b|\bafter\b|\bthe reason\b|\bthis happened\b|\bwhy\b",
    re.I,
)
_VAGUE_LOCUS = re.compile(
    r"\b(?:technical|software|system) (?:issue|problem|error|bug|glitch)\b|\ba (?:software )?"
    r"bug\b|\bmisconfiguration\b|\ban? (?:issue|problem) (?:with|in)\b|\bregression\b|"
    r"\bcaused by an? (?:issue|problem|error)\b|\bissue\.$",
    re.I,
)
_PADDING = re.compile(
    r"\bmeaning\b|\bwhich meant\b|\brelying parties\b|\bresult(?:ing|ed)? in\b|\bnon-?complian\w+|"
    r"\bviolat\w+|\bcontrary to\b|\b(?:BRs?|RFC|MRSP) ?\d|\brequired by\b|\bshould have\b|"
    r"\bwas then\b|\bwere then\b|\bnot detected\b|\bunfortunately\b|\bwe apologi[sz]e\b",
    re.I,
)
_INTRO_TIME = re.compile(
    r"\b(?:in|since|on|from) (?:the |early |late |mid-?)?(?:[A-Z][a-z]+ )?(?:19|20)\d\d\b|\b(?:19|"
    r"20)\d\d-\d\d-\d\d\b|\bwhen "
    r"(?:\w+ ){0,4}(?:was|were) (?:introduced|moved|migrated|added|changed|enabled|"
    r"upgraded|deployed)\b",
    re.I,
)
# what a cause that explains "why" mentions: a component, a condition or a control (any one is a mechanism)
_MECHANISM_RC = re.compile(
    r"\bsoftware\b|\bcode\b|\bbug\b|\bconfigur\w*|\bmisconfigur\w*|\btemplate|\bscript|\bdatabase|\bmigrat\w*|"
    r"\blogic\b|\blint\w*|\blibrar\w+|\bvendor|\bimplement\w*|\balgorithm|\bpars\w+|\bencod\w*|\bcach\w+|"
    r"\bsocket|\bqueue|\bload\b|\btimeout|\brace condition|\bdefault|\bundocumented|\bbehaviou?r|\bsetting|"
    r"\bparameter|\bversion|\bupgrad\w*|\bdeploy\w*|\bchange[ds]?\b|\bprocess|\bprocedur\w*|\bcheck\w*|"
    r"\bvalidation (?:system|logic|step|check|rule)|\bcontrol|\bmonitor\w*|\binterpret\w*|\bassum\w+|"
    r"\bmisunderst\w+|\bunaware|\bworkflow|\bsystem|\btool|\bfield|\bform\b|\bportal|\bapi\b|\bservice|"
    r"\bhsm|\bresponder|\bserver|\bcluster|\bjob\b|\bcron|\bgenerat\w+|\benforc\w*|\bhandl\w+|\black of|"
    r"\bgap\b|\bmissing\b|\bnot (?:\w+ ){0,2}(?:check|validat|enforc|test|review|updat|configur)\w*|"
    r"\bbecause\b|\bdue to\b|\bcaused by\b|\bresult of\b|\bsince\b|\btriggered\b|\bintroduc\w+|\bsaturat\w+|"
    r"\boverload\w*|\bdropp?\w*|\bexhaust\w*|\bcapacity|\bconcurren\w+|\bdeadlock|\bmemory|\bdisk|\bcrash\w*|"
    r"\brestart\w*|\bfail-?over|\bentropy|\breplica\w*|\bsynchroni[sz]\w*|\bretr(?:y|ied|ies)",
    re.I,
)
# a person, or a word that only people do: a slip needs someone to make it ("the linter skipped" is not one)
_A_PERSON = re.compile(
    r"\b(?:we|our|us|i|he|she|they|someone|somebody|nobody|no one|person|people|human|staff|employees?|operators?|"
    r"engineers?|agents?|specialists?|administrators?|admins?|officers?|analysts?|developers?|validators?|"
    r"colleagues?|team|members?|personnel|reviewers?|manual\w*|oversight|mistakes?|typos?|forg[oe]t\w*|careless\w*|"
    r"negligen\w*|inattent\w*|accidental\w*|inadvertent\w*)\b",
    re.I,
)
_TEXTBOOK = re.compile(
    r"^\W*(?:the )?(?:main |primary |underlying )?root cause (?:of (?:this|the) (?:incident|issue|problem|"
    r"mis-?issuance) )?(?:was|is|has been identified as|has been determined to be)\s*(?:that|:)?\s*",
    re.I,
)
# the passage gives no cause, only that one is being looked for
_CAUSE_PENDING = re.compile(
    r"^\W*(?:the )?(?:exact |precise |underlying |root )?(?:reason|cause)\b[^.]{0,60}\b(?:is|was|has been|are|were|"
    r"remains?) (?:still )?(?:being )?(?:investigated|under investigation|unknown|unclear|not yet (?:known|determined|"
    r"identified))[^.]*\.?\s*$",
    re.I,
)
STOPWORDS = _wordset(
    "the a an and or of to in on for with from by at as is are was were be been that this these those "
    "our we it its not no did does do had has have which when what who why how all any more other into "
    "than then there their they them also only such would could should will can may because after before "
    "during about root cause caused incident contributing factor description timeline detection "
)

ROOT_CAUSE_FEATURES = (
    "human",
    "systemic",
    "causal",
    "vague_locus",
    "intro_time",
    "novel_words",
    "novel_ratio",
    "n_sentences",
    "n_tokens_log",
    "thing_subjects",
    "person_subjects",
    "negations",
    "padding",
    "human_no_systemic",
    "mechanism_cues",
    "textbook_restatement",
    "title_coverage",
)
_PERSON = _wordset(
    "we i employee engineer operator agent staff team specialist person officer manager analyst "
    "developer administrator hr someone nobody he she they colleague reviewer partner party auditor "
    "vendor customer subscriber"
)


def content_words(text: str) -> set[str]:
    """Crudely stemmed content words, for overlap with the incident summary (no model needed)."""
    return {w[:5] for w in re.findall(r"[a-z][a-z0-9-]{2,}", text.lower()) if w not in STOPWORDS}


def root_cause_features(doc: Doc, summary: str) -> dict[str, float]:
    """Cues of a restated or human-error-only root cause (guidelines R1-R7, H1-H6)."""
    text = straight_apostrophes(doc.text)
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
        "padding": float(min(len(_PADDING.findall(text)), 4)),
        "human_no_systemic": float(
            bool(HUMAN.search(text)) and bool(_A_PERSON.search(text)) and not SYSTEMIC.search(text)
        ),
        "mechanism_cues": float(min(len(_MECHANISM_RC.findall(text)), 6)),
        "textbook_restatement": float(_textbook_restatement(text)),
        "title_coverage": len(content_words(summary) & words) / max(1, len(content_words(summary))),
    }


def _textbook_restatement(text: str) -> bool:
    """ "The root cause was that <the outcome again>": the opening formula followed by no mechanism at all; or a
    passage whose only statement about the cause is that it is still being investigated or unknown."""
    m = _TEXTBOOK.match(text)
    rest = text[m.end() :] if m else ""
    explains = _MECHANISM_RC.search(rest) or SYSTEMIC.search(rest)  # "X rather than Y" names the wrong choice
    return (bool(m) and not explains) or bool(_CAUSE_PENDING.search(text))


def vector(features: dict[str, float], names: Iterable[str]) -> list[float]:
    """Features in a fixed order, for the linear models."""
    return [features[n] for n in names]


_GENERIC_VERBS = _STRONG_IMPROVE | _SOFT | _STUDY | _DOC_CHANGE | frozenset(("remind", "encourage", "train", "retrain"))


def vague_evidence(doc: Doc) -> str:
    """What makes an item read as vague, in words a CA can act on: the hedge, the people-only measure, or the
    generic verb and the object it is applied to, and the mechanism that is missing."""
    text = doc.text
    if m := _HEDGE.search(text):
        return f"the hedge '{m.group(0)}' makes it optional"
    if m := _PEOPLE_ONLY.search(text):
        return f"'{m.group(0)}' is a people-only measure with no enforced control"
    verbs = _root_verbs(doc) or list(doc[:1])
    verb = next((v for v in verbs if v.lemma_.lower() in _GENERIC_VERBS), None)
    if verb is None and doc and doc[0].lemma_.lower() in _GENERIC_VERBS:
        verb = doc[0]
    objs = [o for v in verbs for o in _objects(v)]
    obj = " ".join(t.text for t in objs[0].subtree) if objs else ""
    missing = "no named system, check, document or measurable change"
    if verb is not None and obj:
        return f"generic verb '{verb.lemma_.lower()}' on '{obj[:60]}', {missing}"
    if verb is not None:
        return f"generic verb '{verb.lemma_.lower()}' with no object, {missing}"
    if obj:
        return f"'{obj[:60]}' is generic, {missing}"
    return missing
