"""People's names: the parts of a name, the titles before it, and the gender a first name shows.

Two libraries carry the knowledge, so no name list is written here:

- ``nameparser`` (HumanName) knows some 800 titles and honorifics ("Dr",
  "Sir", "Superintendent"…, any case) and splits "Dr. Oluwaseun
  Adebayo-Ferris" into its title, first name and surname.
- ``gender-guesser`` holds a dictionary of about 40,000 first names from
  many countries, with the gender each is mostly given; "andy" and
  "unknown" names give no gender.

Both are read once per process; neither changes afterwards.
"""

from __future__ import annotations

from functools import lru_cache

from nameparser.config import CONSTANTS

from saidwhat.lexicon import Lexicon
from saidwhat.model import Gender


@lru_cache(maxsize=1)
def _detector() -> object:
    import gender_guesser.detector as gender_guesser

    return gender_guesser.Detector(case_sensitive=False)


_BY_GUESS = {
    "male": Gender.MALE,
    "mostly_male": Gender.MALE,
    "female": Gender.FEMALE,
    "mostly_female": Gender.FEMALE,
}


def first_name_gender(first_name: str) -> Gender | None:
    """The gender the dictionary gives a first name ("Ingrid" → female); None when it cannot say.

    >>> first_name_gender("Ingrid"), first_name_gender("Kwame"), first_name_gender("O.")
    (<Gender.FEMALE: 'female'>, None, None)
    """
    name = first_name.strip(".")
    if len(name) < 2 or not name[0].isalpha():
        return None
    guess = _detector().get_gender(name)  # type: ignore[attr-defined]
    if guess not in _BY_GUESS and "-" in name:  # "Hye-jin": the dictionary may know it whole
        guess = _detector().get_gender(name.split("-")[0])  # type: ignore[attr-defined]
    return _BY_GUESS.get(str(guess))


def is_title(word: str) -> bool:
    """Whether a word is a title or honorific written before a name ("Dr", "Coach", "Sir")."""
    return word.lower().strip(".") in CONSTANTS.titles


def is_post_nominal(word: str, lexicon: Lexicon) -> bool:
    """Letters written after a name ("KC", "MP", "OBE"), by the name library or the lexicon.

    Only in capitals: "Ala" is a surname, "ALA" a post-nominal.
    """
    bare = word.strip(".").replace(".", "")
    if len(bare) < 2 or not bare.isupper():
        return False
    lower = bare.lower()
    return lower in CONSTANTS.suffix_acronyms or lower in lexicon.post_nominals


def is_title_word(word: str, lexicon: Lexicon) -> bool:
    """A title before a name, by the name library or the lexicon ("Supt", "Cllr", "Minister")."""
    lower = word.lower()
    bare = lower.rstrip(".")
    if _is_title(bare, lower, lexicon):
        return True
    # "Senators Grassley and Leahy": a plural title before names
    return len(bare) > 4 and bare.endswith("s") and _is_title(bare[:-1], bare[:-1], lexicon)


def _is_title(bare: str, lower: str, lexicon: Lexicon) -> bool:
    return (
        bare in lexicon.titles
        or lower in lexicon.titles
        or bare in lexicon.job_titles
        or bare in lexicon.extra_titles
        or is_title(bare)
    )


def is_first_name(word: str) -> bool:
    """Whether the name dictionary knows ``word`` as a first name (of any gender)."""
    name = word.strip(".")
    if len(name) < 2 or not name[0].isalpha():
        return False
    return str(_detector().get_gender(name)) != "unknown"  # type: ignore[attr-defined]
