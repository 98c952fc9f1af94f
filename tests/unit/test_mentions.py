from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from caseroom.domain.mentions import (
    mention_text,
    parse_mentions,
    resolve_mentions,
    suggest_agents,
)
from caseroom.domain.model import Agent, Role


def agent(name: str, email: str, *, active: bool = True, org: str = "o1") -> Agent:
    return Agent(f"id-{email}", org, email, name, Role.AGENT, active)


JANE = agent("Jane Doe", "jane@example.com")
JOHN = agent("John Smith", "john@example.com")
OTHER_JOHN = agent("John Smith", "john.s@example.com")
GONE = agent("Gone Person", "gone@example.com", active=False)

labels = st.text(
    alphabet=st.characters(blacklist_characters="[]\r\n", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip())


@given(st.text())
def test_parsing_never_fails_and_spans_point_at_the_mentions(text: str) -> None:
    for token in parse_mentions(text):
        assert text[token.start : token.end].startswith("@[")
        assert text[token.start : token.end].endswith("]")
        assert token.label == text[token.start + 2 : token.end - 1].strip()


@given(st.lists(labels, max_size=5), st.text(alphabet=" .,!?\n", max_size=3))
def test_every_written_mention_is_found_in_order(names: list[str], gap: str) -> None:
    text = (gap or " ").join(f"@[{n}]" for n in names)
    assert [t.label for t in parse_mentions(text)] == [n.strip() for n in names]


def test_a_mention_needs_its_brackets_and_no_word_before_it() -> None:
    assert parse_mentions("hi @Jane and mail@[Jane Doe] and @[ ]") == []
    assert [t.label for t in parse_mentions("(@[Jane Doe]), @[jane@example.com]!")] == [
        "Jane Doe",
        "jane@example.com",
    ]


def test_names_and_emails_resolve_case_insensitively_once_each() -> None:
    text = "@[jane doe] please, and @[JANE@example.com] again, and @[John Smith]"
    assert resolve_mentions(text, [JANE, JOHN]) == [JANE, JOHN]


def test_ambiguous_unknown_and_deactivated_names_stay_plain_text() -> None:
    directory = [JANE, JOHN, OTHER_JOHN, GONE]
    assert (
        resolve_mentions("@[John Smith] @[Nobody] @[Gone Person] @[gone@example.com]", directory)
        == []
    )
    assert resolve_mentions("@[john.s@example.com]", directory) == [OTHER_JOHN]


@given(st.text(max_size=200))
def test_nobody_outside_the_directory_is_ever_resolved(text: str) -> None:
    assert set(resolve_mentions(text, [JANE, GONE])) <= {JANE}


def test_the_suggested_text_always_resolves_to_that_agent() -> None:
    directory = [JANE, JOHN, OTHER_JOHN]
    for each in directory:
        assert resolve_mentions(mention_text(each, directory), directory) == [each]
    assert mention_text(JANE, directory) == "@[Jane Doe]"
    assert mention_text(JOHN, directory) == "@[john@example.com]"


def test_suggestions_rank_name_starts_first_and_skip_the_deactivated() -> None:
    directory = [agent("Bo Jan", "bo@example.com"), JANE, GONE, agent("Ann", "jan.a@example.com")]
    assert [a.name for a in suggest_agents(directory, "jan", 10)] == ["Jane Doe", "Bo Jan", "Ann"]
    assert suggest_agents(directory, "gone", 10) == []
    assert len(suggest_agents(directory, "", 2)) == 2
