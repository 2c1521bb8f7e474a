"""The one format registry and negotiator (formats.py), as the SPARQL endpoint, dereferencing, the
API and downloads use it."""

import pytest

from ict_diplomacy import formats
from ict_diplomacy.errors import NotAcceptable
from ict_diplomacy.formats import (CSV, HTML, JSON, JSON_RESULTS, JSONLD, NTRIPLES, RDFXML, TURTLE, XML_RESULTS,
                                   choose, named, negotiate, of_file, offers, parse_accept)

DEREF = [HTML, TURTLE, JSONLD, NTRIPLES, RDFXML]


def test_parse_accept_orders_by_q_and_keeps_refusals():
    assert parse_accept("a/b;q=0.3, c/d") == [("c/d", 1.0), ("a/b", 0.3)]
    assert parse_accept("text/html;level=1;q=0.5, */*;q=0") == [("text/html", 0.5), ("*/*", 0.0)]
    assert parse_accept("x/y;q=2, z/w;q=oops") == [("x/y", 1.0), ("z/w", 0.0)]
    assert parse_accept(None) == [] and parse_accept(" , ") == []


@pytest.mark.parametrize("accept, expected", [
    (None, HTML), ("*/*", HTML), ("text/turtle", TURTLE), ("application/json", JSONLD),
    ("application/*", JSONLD), ("text/*;q=0.5, application/n-triples", NTRIPLES),
    ("application/x-turtle", TURTLE),               # an alias is asked for by name, not by a wildcard
    ("text/html;q=0, */*", TURTLE),                 # the most specific range decides: html refused
    ("application/xml", RDFXML), ("text/plain", NTRIPLES),
])
def test_negotiate_for_a_resource(accept, expected):
    assert negotiate(accept, DEREF) is expected


def test_negotiate_gives_none_when_nothing_fits():
    assert negotiate("text/turtle;q=0, */*;q=0.1", [TURTLE]) is None
    assert negotiate("image/png", DEREF) is None


@pytest.mark.parametrize("kind, accept, expected", [
    ("select", "*/*", JSON_RESULTS), ("select", "application/json", JSON_RESULTS),
    ("select", "text/csv;q=0.9, */*;q=0.1", CSV), ("select", "application/xml", XML_RESULTS),
    ("ask", "application/sparql-results+json;q=0, */*", XML_RESULTS),
    ("construct", "*/*", TURTLE), ("construct", "application/json", JSONLD),
    ("construct", "application/*", NTRIPLES),
])
def test_choose_by_kind(kind, accept, expected):
    assert choose(accept, kind) is expected


def test_choose_names_what_there_is_when_nothing_fits():
    with pytest.raises(NotAcceptable) as refused:
        choose("image/png", "select")
    assert refused.value.detail["available"] == [f.media_type for f in offers("select")]


@pytest.mark.parametrize("name, choices, expected", [
    ("json", offers("select"), JSON_RESULTS), ("json", offers("construct"), JSONLD), ("json", [HTML, JSON], JSON),
    ("xml", offers("select"), XML_RESULTS), ("xml", DEREF, RDFXML), ("rdf", DEREF, RDFXML),
    ("rdfxml", offers("construct"), RDFXML), ("TTL", DEREF, TURTLE), ("turtle", DEREF, TURTLE),
    ("n-triples", DEREF, NTRIPLES), ("htm", DEREF, HTML), ("text/turtle", DEREF, TURTLE), ("csv", DEREF, None),
])
def test_named_resolves_within_the_choices(name, choices, expected):
    assert named(name, choices) is expected


def test_files_take_the_format_of_their_extension():
    assert of_file("ict-diplomacy.nt.gz") is NTRIPLES
    assert of_file("catalog.jsonld") is JSONLD and of_file("void.ttl") is TURTLE
    assert of_file("manifest.json") is JSON and of_file("README") is None


def test_every_format_is_one_row_of_the_table():
    for fmt in formats.FORMATS:
        assert fmt.kinds and fmt.label and fmt.extension
        assert fmt.content_type.startswith(fmt.media_type)
        assert (fmt.rdf is not None) == (formats.GRAPH in fmt.kinds)
        assert (fmt.results is not None) == (formats.SELECT in fmt.kinds)
    names = [(f.name, k) for f in formats.FORMATS for k in f.kinds]
    assert len(names) == len(set(names))  # a name means one format for each kind of answer
