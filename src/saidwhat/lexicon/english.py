"""The English word lists: cues, titles, roles, institutions, pronouns.

Every list a rule reads lives here, so that another language is one new
module beside this one (and one line in ``saidwhat.lexicon.LANGUAGES``),
not edits in every stage. The learned weights of the cues come from
``saidwhat/data/cue_lexicon.tsv`` (``saidwhat train-cues``).
"""

from __future__ import annotations

# Verbs of *speech* introduce direct quotations ("…,” she said) as well as
# clauses; verbs of *cognition* and *evidence* ("believes", "polls show")
# only introduce clauses and are weaker evidence of a statement.
SPEECH_CUES = (
    "say", "tell", "add", "warn", "insist", "argue", "claim", "state", "declare",
    "announce", "explain", "note", "write", "tweet", "post", "reply", "respond", "answer",
    "ask", "acknowledge", "admit", "concede", "confirm", "deny", "suggest", "predict",
    "promise", "pledge", "vow", "urge", "recall", "remark", "comment", "observe", "report",
    "reveal", "stress", "emphasise", "emphasize", "continue", "conclude", "complain",
    "caution", "contend", "maintain", "assert", "allege", "testify", "agree", "counter",
    "retort", "joke", "quip", "muse", "boast", "lament", "indicate", "hint", "assure",
    "threaten", "demand", "recommend", "propose", "advise", "inform", "reiterate", "repeat",
    "mention", "describe", "characterize", "characterise", "dismiss", "brag", "grumble",
    "shout", "yell", "scream", "whisper", "mutter", "plead", "concur", "disclose",
    "divulge", "estimate", "forecast", "guarantee", "swear", "affirm", "proclaim",
    "announce", "charge", "accuse", "question", "wonder", "blast", "slam", "criticize",
    "criticise", "praise", "thank", "signal", "testify", "counsel", "sing", "chant",
    "scold", "exclaim", "cry", "sigh", "laugh", "snap", "bark", "gush", "chide", "rebuke",
    "fume", "marvel", "concede", "read",
)  # fmt: skip
COGNITION_CUES = (
    "believe", "think", "know", "hope", "fear", "feel", "expect", "worry", "doubt",
    "suspect", "assume", "reckon", "understand", "realize", "realise", "imagine", "guess",
    "consider", "acknowledge", "recognize", "recognise", "conclude", "decide", "wish",
    "want",
)  # fmt: skip
EVIDENCE_CUES = (
    "show", "find", "learn", "suggest", "indicate", "reveal", "confirm", "read",
)  # fmt: skip

# Verbs that report what someone found, saw or decided rather than said: in the
# statements scope they are no cue ("Auditors found that …", "she realised that …").
# The attributions scope keeps them, as PolNeAR annotates them.
NON_COMMUNICATION_VERBS = frozenset(
    {"find", "show", "discover", "realise", "realize", "notice", "learn", "see", "decide",
     "determine", "establish"}
)  # fmt: skip
# Verbs that refuse the cue they govern: after "declined to say whether …" nothing was said.
REFUSAL_VERBS = frozenset({"decline", "refuse", "fail"})
# Nouns of evidence: what data, figures or a survey "show" or "suggest" is a finding,
# not anyone's statement ("Figures from the statistics office show …", "according to
# court filings"). Documents someone issues to speak (a statement, a letter) are not here.
EVIDENCE_NOUNS = frozenset(
    {"data", "figure", "figures", "statistic", "statistics", "number", "numbers", "record",
     "records", "result", "results", "test", "tests", "survey", "poll", "study", "research",
     "analysis", "review", "investigation", "audit", "report", "inquiry", "footage", "video",
     "image", "images", "photo", "photos", "photograph", "evidence", "census", "estimate",
     "estimates", "gauge", "gauges", "reading", "readings", "measurement", "measurements",
     "filing", "filings", "account", "accounts", "software", "model", "finding", "findings",
     "document", "documents", "map", "chart", "graph", "sample", "samples", "scan", "scans",
     "trial", "experiment", "log", "logs", "tally", "count", "ranking", "rankings", "index",
     "forecast", "projection", "projections", "simulation", "modelling", "modeling"}
)  # fmt: skip

# Multi-word cues: a verb and its particle ("went on", "pointed out").
PHRASAL_CUES = frozenset(
    {
        ("go", "on"), ("point", "out"), ("spell", "out"), ("lay", "out"), ("chime", "in"),
        ("sum", "up"), ("weigh", "in"), ("fire", "back"), ("hit", "back"), ("shoot", "back"),
        ("speak", "out"), ("cry", "out"),
    }
)  # fmt: skip

# "According to X": the words that name a source before it.
SOURCE_PHRASE = ("according", "to")

# Prepositions that join a verb's cue rather than its content ("called for X").
CUE_PREPOSITIONS = frozenset({"for", "about", "on", "to", "of", "as", "against", "with", "into"})
# The word that opens a reported clause and is not part of it.
COMPLEMENTISERS = frozenset({"that"})
# Words that join a quotation onto the reported clause it continues:
# claiming that fraud is “a big problem” but “nobody has the guts to say so.”
CONTINUATIONS = frozenset({"", "and", "but", "or", "and that"})

# Words that open an aside after a comma: a non-restrictive relative clause
# (", which would cost …") or a concessive or circumstantial adjunct
# (", although he refused …", ", despite weeks of …"). Annotators leave these
# out of what the speaker reported; the parser hangs them inside the clause.
ASIDE_OPENERS = frozenset(
    {"which", "who", "whom", "whose", "although", "though", "while", "whereas", "despite",
     "amid", "aside"}
)  # fmt: skip

# Words before a quoted fragment that make it a name, not speech.
NAMING_WORDS = frozenset(
    {"so-called", "dubbed", "nicknamed", "titled", "entitled", "named", "called", "as"}
)
# Naming words that make any quotation after them a name ("nicknamed “the Metronome”");
# "called" names only a title-cased or determined phrase ("called it the “ghost newt”").
FIRM_NAMING_WORDS = frozenset({"so-called", "dubbed", "nicknamed", "titled", "entitled", "named"})
# Verbs that are cues of the quoted words they govern, though not of a clause: "called
# the plan “reckless”", "labelled the report “a whitewash”" (a mixed quote).
FRAGMENT_CUES = frozenset(
    {"call", "label", "brand", "term", "deem", "liken", "cite", "mock", "tout", "hail", "decry",
     "condemn", "denounce", "attack", "defend", "ridicule", "applaud", "champion", "pan"}
)  # fmt: skip
# Verbs whose "as" names rather than describes: "known as “Pete the Fish”", but
# "attacked him as “a human leech”" reports words.
NAMING_VERBS = frozenset(
    {"know", "refer", "remember", "bill", "style", "brand", "nickname", "dub", "title", "name",
     "list", "register", "credit", "rename"}
)  # fmt: skip
# Works and campaigns whose titles stand in quotation marks ("Her memoir, “Small Hours”").
WORK_NOUNS = frozenset(
    {"book", "memoir", "novel", "biography", "film", "movie", "documentary", "album", "song",
     "single", "play", "musical", "opera", "show", "series", "episode", "podcast", "paper",
     "article", "essay", "poem", "exhibition", "campaign", "programme", "program", "slogan",
     "motto", "keynote", "lecture", "segment", "headline", "hashtag", "game", "painting",
     "sculpture", "study", "report", "thesis", "collection", "installation", "initiative",
     "operation", "project", "scheme", "brand", "product", "track", "record", "tour"}
)  # fmt: skip
# Words left lower-case in a title-cased name or headline.
MINOR_WORDS = frozenset(
    {"of", "the", "and", "a", "an", "in", "on", "for", "to", "at", "by", "with", "or"}
)

# Lead words that label a line ("READ MORE:", "Photo:") rather than name a speaker.
LINE_LABELS = frozenset(
    {
        "read", "more", "related", "watch", "update", "updated", "editor", "note", "photo",
        "image", "video", "source", "sources", "credit", "correction", "see", "also", "listen",
        "subscribe", "share", "follow", "advertisement", "q", "a", "question", "answer",
        "warning", "breaking", "exclusive", "analysis", "opinion", "comment", "live", "timeline",
        "background", "context", "key", "points", "facts", "the", "latest", "clarification",
        "posted", "published", "contact", "caption", "gallery", "tags", "topics", "filed",
    }
)  # fmt: skip

# Honorifics before a name, with the gender they show (None: either).
TITLES: dict[str, str | None] = {
    "mr": "male", "mr.": "male", "sir": "male", "lord": "male", "mister": "male",
    "mrs": "female", "mrs.": "female", "ms": "female", "ms.": "female", "miss": "female",
    "dame": "female", "lady": "female", "madam": "female",
    "dr": None, "dr.": None, "prof": None, "prof.": None, "professor": None,
    "sen.": None, "rep.": None, "gov.": None, "gen.": None, "rev.": None,
}  # fmt: skip

# Letters after a name that nameparser's list lacks (it has QC, MP, OBE …): King's Counsel.
POST_NOMINALS = frozenset({"kc"})

# Job words written before a name ("Coach Ines Falk", "Mayor Elena Varga").
JOB_TITLES = frozenset(
    {
        "president", "vice", "prime", "minister", "chancellor", "secretary", "senator", "sen",
        "rep", "representative", "governor", "gov", "mayor", "councillor", "councilor", "coach",
        "judge", "justice", "general", "gen", "captain", "capt", "chief", "inspector",
        "detective", "sergeant", "officer", "commissioner", "ambassador", "bishop", "father",
        "rabbi", "imam", "chairman", "chairwoman", "director", "professor", "doctor", "king",
        "queen", "prince", "princess", "pope", "speaker", "leader", "deputy", "former", "mp",
        "mep", "sheriff",
    }
)  # fmt: skip

# Institutions known by several names; the first of each row is canonical.
ORGANISATION_ALIASES: tuple[tuple[str, ...], ...] = (
    ("Downing Street", "No10", "No 10", "No. 10", "Number 10", "Number Ten",
     "Number 10 Downing Street"),
    ("White House", "the White House"),
    ("Kremlin", "the Kremlin"),
    ("Pentagon", "the Pentagon"),
    ("Elysee", "Élysée", "the Elysee", "the Élysée", "Elysee Palace", "Élysée Palace"),
)  # fmt: skip

# Heads of a description that speaks for an organisation.
SPOKESPERSON_NOUNS = frozenset(
    {
        "spokeswoman", "spokesman", "spokesperson", "spokespeople", "representative",
        "official", "officials", "aide", "aides", "source", "sources", "statement",
        "insider", "insiders", "press", "secretary",
    }
)  # fmt: skip
# Of those, the ones that name one person speaking for an institution.
SPOKESPERSON_SINGULAR = frozenset({"spokeswoman", "spokesman", "spokesperson", "representative"})

# Role nouns that name the same kind of post.
ROLE_SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset({"chief", "boss", "head", "leader", "secretary-general", "chairman", "chair",
               "chairwoman", "chairperson", "director", "general", "manager"}),
    frozenset({"president"}),
    frozenset({"minister", "premier"}),
    frozenset({"governor"}),
    frozenset({"mayor"}),
    frozenset({"senator"}),
    frozenset({"chancellor"}),
)  # fmt: skip

# Titles before a name that the name library does not list (police ranks, abbreviated).
EXTRA_TITLES = frozenset(
    {"supt", "dci", "dc", "ds", "di", "det", "insp", "pc", "sgt", "cllr", "superintendent",
     "constable", "inspector", "marshal", "dean", "rector", "duke", "duchess", "earl",
     "marquess", "marchioness", "viscount", "viscountess", "congressman", "congresswoman",
     "assemblyman", "assemblywoman", "councilman", "councilwoman", "alderman", "alderwoman",
     "lawmaker", "legislator"}
)  # fmt: skip

# Nouns for a person by their relation to another ("her husband", "his daughter"),
# with the gender they show (None: either).
RELATION_NOUNS: dict[str, str | None] = {
    "husband": "male", "wife": "female", "partner": None, "son": "male", "daughter": "female",
    "brother": "male", "sister": "female", "father": "male", "mother": "female",
    "grandson": "male", "granddaughter": "female", "widow": "female", "widower": "male",
}  # fmt: skip

# Nouns for two or more people together ("the couple", "both men", "the family").
GROUP_NOUNS = frozenset(
    {"couple", "pair", "duo", "family", "parents", "siblings", "brothers", "sisters", "twins",
     "partners", "men", "women", "friends", "owners", "founders", "lenders", "sides"}
)  # fmt: skip

# Nouns for a business, so "the company" can find the business the article named.
COMPANY_NOUNS = frozenset(
    {"company", "firm", "business", "insurer", "bank", "lender", "retailer", "operator",
     "carrier", "supplier", "manufacturer", "maker", "developer", "chain", "brand", "startup",
     "producer", "publisher", "broadcaster", "airline", "utility", "provider", "contractor",
     "group", "conglomerate", "giant", "employer", "society"}
)  # fmt: skip
# Words of an institution's name that make it a public body, not a business.
PUBLIC_BODY_WORDS = frozenset(
    {"ministry", "department", "office", "agency", "authority", "commission", "council",
     "police", "service", "court", "inspectorate", "board", "panel", "committee", "parliament",
     "government", "regulator", "tribunal", "assembly", "union", "guild", "federation",
     "association", "university", "school", "district", "fund", "institute", "house",
     "senate", "congress", "legislature", "cabinet", "party", "campaign", "embassy", "army",
     "navy", "military", "church"}
)  # fmt: skip

# Verbs of a relative clause that give a person a role: "Halima Yusuf, who owns the
# bakery" is its owner; "Gwen Ashdown-Patel, who chairs PAST" its chair.
ROLE_VERBS: dict[str, str] = {
    "own": "owner", "chair": "chair", "lead": "leader", "run": "head", "head": "head",
    "manage": "manager", "coach": "coach", "captain": "captain", "found": "founder",
    "direct": "director", "edit": "editor", "represent": "representative",
    "co-own": "owner", "co-found": "founder", "skipper": "captain",
}  # fmt: skip

# Things that "say" without being anyone: a description with one of these heads is no person.
DOCUMENT_NOUNS = frozenset(
    {"statement", "report", "study", "letter", "survey", "poll", "release", "filing",
     "ruling", "document", "memo", "email", "post", "website", "paper", "analysis",
     "review", "notice", "message", "note", "judgment", "judgement", "order", "complaint",
     "lawsuit", "suit", "indictment", "affidavit", "submission", "proposal", "plan", "bill",
     "law", "rule", "rules", "policy", "data", "figures", "research", "evidence", "record",
     "records", "guidance", "advice", "warning", "announcement", "tweet", "blog", "video",
     "interview", "book", "article", "editorial", "column", "film", "show", "programme",
     "program", "transcript", "minutes", "agreement", "deal", "contract", "budget", "sign",
     "sheet", "page", "site", "app", "system", "model", "forecast", "estimate", "index"}
)  # fmt: skip

# What someone issues and then "says": "the statement said" speaks for its issuer.
STATEMENT_NOUNS = frozenset(
    {"statement", "letter", "release", "email", "message", "note", "post", "communique",
     "notice", "memo"}
)  # fmt: skip

# A family that speaks is the family of someone ("his family", "the family of the victim").
FAMILY_NOUNS = frozenset({"family", "relatives"})

# Words that make a capitalised run a place, not a person ("Ferry Lane", "Quay Road").
PLACE_WORDS = frozenset(
    {"lane", "street", "road", "avenue", "square", "row", "way", "drive", "place", "bridge",
     "park", "hill", "quay", "pier", "station", "harbour", "harbor", "bay", "valley", "town",
     "city", "county", "district", "island", "river", "mountain", "point", "east", "west",
     "north", "south", "central"}
)  # fmt: skip

# Nouns that show a person's gender.
MALE_NOUNS = frozenset(
    {"spokesman", "chairman", "father", "son", "husband", "king", "brother", "man"}
)
FEMALE_NOUNS = frozenset(
    {"spokeswoman", "chairwoman", "mother", "daughter", "wife", "queen", "sister", "woman"}
)

# Pronoun → (gender, number); "first" person pronouns never resolve to a speaker.
PRONOUNS: dict[str, tuple[str | None, str]] = {
    "he": ("male", "singular"), "him": ("male", "singular"), "she": ("female", "singular"),
    "her": ("female", "singular"), "they": (None, "plural"), "them": (None, "plural"),
    "it": (None, "neuter"), "we": (None, "first"), "i": (None, "first"),
    "his": ("male", "singular"), "himself": ("male", "singular"),
    "hers": ("female", "singular"), "herself": ("female", "singular"),
}  # fmt: skip
# Pronouns that stand for the noun a relative clause modifies ("Mr. Kamin, who said …").
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
# Pronoun subjects that never name a speaker when the parse gave none.
NON_SPEAKER_PRONOUNS = frozenset({"it", "this", "that", "what", "there"})

# Words that make a proper name an institution's ("Harwick Lines", "Lindby Council").
INSTITUTION_WORDS = frozenset(
    {
        "council", "party", "ministry", "department", "agency", "office", "bank", "group",
        "company", "corporation", "corp", "inc", "ltd", "plc", "llc", "lines", "airlines",
        "university", "college", "school", "hospital", "club", "association", "union",
        "institute", "foundation", "trust", "committee", "commission", "court", "police",
        "times", "post", "gazette", "news", "herald", "journal", "tribune", "press",
        "radio", "tv", "international", "services", "partners", "holdings", "fund",
        "board", "authority", "works", "energy", "systems", "products", "insurance",
        "securities", "capital", "industries", "technologies", "labs", "media", "motors",
        "foods", "logistics", "solutions", "ventures", "mining", "steel", "airways",
        "railways", "rail", "aggregates", "microdevices", "research", "alliance",
        "coalition", "movement", "federation", "society", "network", "inspectorate",
        "panel", "service", "unit", "force", "church", "museum", "festival", "league",
        "team", "fc", "united", "athletic",
    }
)  # fmt: skip

# Common nouns that can name a speaker when the parse gave the cue no subject.
SPEAKER_NOUNS = frozenset(
    {
        "official", "officials", "spokesman", "spokeswoman", "spokesperson", "source",
        "sources", "aide", "aides", "adviser", "advisers", "analyst", "analysts", "expert",
        "experts", "critic", "critics", "senator", "president", "minister", "chief", "leader",
        "leaders", "director", "lawyer", "lawyers", "voter", "voters", "resident", "residents",
        "police", "government", "ministry", "campaign", "committee", "council", "report",
        "study", "poll", "statement", "survey", "group", "company", "union", "governor",
        "mayor", "secretary",
    }
)  # fmt: skip

# The closed-class words of English (pronouns, determiners, auxiliaries and modals,
# prepositions, conjunctions, negation and a few degree adverbs): what a reporter's
# paraphrase changes ("we will" -> "they would") while keeping the content words.
# Statement linking (saidwhat.linking.content_stems) leaves them out.
FUNCTION_WORDS = frozenset(
    """
    i me my mine myself we us our ours ourselves you your yours yourself yourselves
    he him his himself she her hers herself it its itself they them their theirs
    themselves one ones someone anyone everyone nobody somebody anybody everybody
    something anything everything nothing
    a an the this that these those some any each every either neither no all both such
    what which whose whatever whichever another other who whom when where why how whether
    be am is are was were been being have has had having do does did doing
    will would shall should can could may might must ought
    of in on at by for with without from to into onto upon about above below over under
    between among through during before after since until till against toward towards
    across along around near off out up down within beyond via per than
    and or but nor so yet if then because although though while unless as
    also too very just only even still not never there here
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
