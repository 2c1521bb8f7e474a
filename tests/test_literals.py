"""The lexical check of typed literals (publish/literals.py), case by case."""

import pyoxigraph as ox
import pytest

from ict_diplomacy.publish.literals import XSD, valid


def lit(text: str, datatype: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))


@pytest.mark.parametrize("text, datatype", [
    ("2019-12", "gYearMonth"), ("2019", "gYear"), ("2019-12-31", "date"), ("2020-02-29", "date"),
    ("2019-12-31T23:59:59Z", "dateTime"), ("2019-12-31T10:00:00+09:00", "dateTime"), ("-0044", "gYear"),
    ("79200000000", "decimal"), ("1.5", "decimal"), (".5", "decimal"), ("-3", "integer"), ("0", "nonNegativeInteger"),
    ("true", "boolean"), ("1e3", "double"), ("INF", "float"), ("anything", "string"),
])
def test_valid_forms(text, datatype):
    assert valid(lit(text, datatype))


@pytest.mark.parametrize("text, datatype", [
    ("March 2019", "gYearMonth"), ("2018-13", "gYearMonth"), ("2019-1", "gYearMonth"), ("19", "gYear"),
    ("2019-02-30", "date"), ("2019-02-29", "date"), ("2019/12/31", "date"), ("2019-12-31 10:00", "dateTime"),
    ("2019-12-31T25:00:00", "dateTime"), ("1,5", "decimal"), ("1e3", "decimal"), ("12a", "integer"),
    ("-3", "nonNegativeInteger"), ("0", "positiveInteger"), ("maybe", "boolean"), ("約792億", "decimal"),
])
def test_invalid_forms(text, datatype):
    assert not valid(lit(text, datatype))
