"""The one SPARQL text scanner (sparql/text.py): what `mask` hides, where `where_brace` binds, and
the cases on which the two lexers it replaced disagreed (line breaks, escapes, spaces in `<…>`)."""

import pyoxigraph as ox
import pytest

from ict_diplomacy.errors import QueryDefinitionError
from ict_diplomacy.sparql.text import mask, query_form, variables_used, where_brace, with_values, without_dataset_clauses


def hidden(text: str) -> str:
    """The characters `mask` blanked, as a string of `^` under the text (for readable failures)."""
    return "".join("^" if m == " " and t != " " else " " for t, m in zip(text, mask(text)))


@pytest.mark.parametrize("text, kept", [
    ('?s ?p "a { b" .', "?s ?p"),                          # short string
    ("?s ?p 'x } y' .", "?s ?p"),
    ('?s ?p """a\n"b"\n{""" .', "?s ?p"),                   # long string over lines, with a quote inside
    ("?s ?p '''it's'''.", "?s ?p"),
    ("?s <http://e/p#frag> ?o # { comment", "?s"),           # `#` inside an IRI is not a comment
    ("?s ex:a\\#b ?o", "?s ex:a"),                            # an escape outside strings: no comment begins
])
def test_mask_hides_strings_iris_comments_and_escapes(text, kept):
    masked = mask(text)
    assert len(masked) == len(text)
    assert masked.startswith(kept)
    assert "{" not in masked and "}" not in masked and "#" not in masked.replace("\\#", "")


def test_an_iri_cannot_hold_a_brace():
    """IRIREF excludes `{` and `}`: `<a{b>` is no IRI, so its brace is real syntax."""
    assert "{" in mask("?s <http://e/{x}> ?o")
    assert mask("?s <http://e/x> ?o") == "?s " + " " * len("<http://e/x>") + " ?o"


def test_a_short_string_ends_at_a_carriage_return_as_at_a_newline():
    """One old lexer let a short string run across `\\r`; SPARQL's STRING_LITERAL1/2 exclude both."""
    text = '?s ?p "unterminated\r} SERVICE <http://x/> {}'
    assert "}" in mask(text) and "SERVICE" in mask(text)
    assert "SERVICE" in mask('?s ?p "unterminated\n} SERVICE <http://x/> {}')


def test_a_comment_ends_at_a_carriage_return():
    assert mask("# note\r{ ?s ?p ?o }").endswith("{ ?s ?p ?o }")


def test_an_iri_holds_no_space_or_control_character():
    """`<` followed by a space is a comparison, not an IRI (IRIREF excludes #x00-#x20)."""
    text = "FILTER(?a < 2) SERVICE ?x {} FILTER(?b > 1)"
    assert "SERVICE" in mask(text)
    assert "SERVICE" in mask("FILTER(?a <\t2) SERVICE ?x {} FILTER(?b >\t1)")


def test_where_brace_finds_the_outermost_group_past_templates_strings_and_subqueries():
    text = 'CONSTRUCT { ?s <http://e/p> "WHERE {" } WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }'
    assert text[where_brace(text) - len("WHERE {"):where_brace(text)] == "WHERE {"
    assert where_brace(text) == text.index("} WHERE {") + len("} WHERE {")
    ask = "ASK { ?s ?p ?o }"
    assert where_brace(ask) == ask.index("{") + 1
    with pytest.raises(QueryDefinitionError):
        where_brace("DESCRIBE <http://e/x>")


def test_with_values_binds_terms_written_by_pyoxigraph():
    text = "SELECT ?a ?t WHERE { ?a ?p ?t }"
    bound = with_values(text, {"t": ox.Literal('a"b\n} UNION {'), "a": ox.NamedNode("http://e/x")})
    assert 'VALUES (?t ?a) { ("a\\"b\\n} UNION {" <http://e/x>) }' in bound
    assert len(list(ox.Store().query(bound).variables)) == 2  # still one well-formed query
    assert with_values(text, {}) == text and with_values(text, None) == text


def test_variables_used_ignores_strings_and_comments():
    assert variables_used('SELECT ?a WHERE { ?a ?p "?not" } # ?nor') == {"a", "p"}
    assert variables_used("SELECT $x {}") == {"x"}


# ---------------------------------------------------------------- the form of a query, its dataset clauses

@pytest.mark.parametrize("text, form", [("SELECT * {}", "select"), ("PREFIX a: <x:> ask {}", "ask"),
                                        ("BASE <http://x/> CONSTRUCT WHERE { ?s ?p ?o }", "construct"),
                                        ("# DESCRIBE\nDESCRIBE <x:>", "construct"), ("INSERT DATA {}", None),
                                        ('PREFIX p: <SELECT:> "ASK"', None)])
def test_query_form(text, form):
    assert query_form(text) == form


@pytest.mark.parametrize("text, kept", [
    ("ASK FROM <http://x/a> { ?s ?p ?o }", "ASK  { ?s ?p ?o }"),
    ("SELECT * from named <x> FROM ex:g WHERE { ?s ?p 'FROM <y>' }", "SELECT *   WHERE { ?s ?p 'FROM <y>' }"),
    ("CONSTRUCT { ?s ?p ?o } FROM <a> WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o }  WHERE { ?s ?p ?o }"),
    ("SELECT ?from WHERE { ?s <urn:FROM> ?from } # FROM <x>", "SELECT ?from WHERE { ?s <urn:FROM> ?from } # FROM <x>"),
])
def test_dataset_clauses_are_removed_outside_groups_only(text, kept):
    assert without_dataset_clauses(text) == kept
