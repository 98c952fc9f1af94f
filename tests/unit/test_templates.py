from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseroom.domain.errors import InvalidInput
from caseroom.domain.templates import VARIABLES, Placeholder, parse_template, render_template

plain = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=80)
fallbacks = st.text(
    alphabet=st.characters(blacklist_characters="{}\r\n|", blacklist_categories=("Cs",)),
    max_size=20,
)
values = st.fixed_dictionaries(
    {name: st.one_of(st.none(), st.text(max_size=20)) for name in VARIABLES}
)


@given(plain)
def test_text_without_placeholders_renders_as_is(text: str) -> None:
    assert render_template(text, {}) == text


@given(
    st.lists(st.tuples(plain, st.sampled_from(VARIABLES), st.one_of(st.none(), fallbacks))), values
)
def test_each_placeholder_becomes_its_value_or_fallback(
    parts: list[tuple[str, str, str | None]], given_values: dict[str, str | None]
) -> None:
    template = "".join(
        text + ("{{" + name + ("|" + fb if fb is not None else "") + "}}")
        for text, name, fb in parts
    )
    expected = "".join(
        text + ((given_values[name] or "").strip() or (fb or "").strip())
        for text, name, fb in parts
    )
    assert render_template(template, given_values) == expected


@given(st.from_regex(r"[a-z_]{1,12}(\.[a-z_]{1,12})?", fullmatch=True))
def test_an_unknown_variable_is_refused_by_name(name: str) -> None:
    if name in VARIABLES:
        return
    with pytest.raises(InvalidInput) as refused:
        parse_template("Hello {{" + name + "}}")
    assert name in refused.value.detail
    assert refused.value.extra["variable"] == name


def test_the_fallback_form_and_spacing() -> None:
    assert parse_template("Hi {{ customer.first_name | there }}!") == [
        "Hi ",
        Placeholder("customer.first_name", "there"),
        "!",
    ]
    rendered = render_template(
        "Hi {{customer.first_name|there}}, {{agent.first_name}} here about {{issue.reference}}.",
        {"customer.first_name": "", "agent.first_name": "Ana", "issue.reference": "ABC234"},
    )
    assert rendered == "Hi there, Ana here about ABC234."


@pytest.mark.parametrize("bad", ["{{}}", "{{ customer name }}", "{{{customer.name}}}", "{{a|b}c}}"])
def test_malformed_placeholders_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        parse_template(bad)
