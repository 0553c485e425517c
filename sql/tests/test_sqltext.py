"""The stdlib statement splitter, checked against sqlglot's Redshift tokenizer."""

from __future__ import annotations

import pytest
from sqlglot.dialects.redshift import Redshift
from sqlglot.tokens import TokenType
from xetl_sql import render
from xetl_sql.sqltext import SqlLexError, split_statements
from xetl_sql_tools.migrations import list_migrations


def sqlglot_statement_count(text: str) -> int:
    tokens = Redshift().tokenize(text)
    ends = sum(1 for t in tokens if t.token_type == TokenType.SEMICOLON)
    trailing = bool(tokens) and tokens[-1].token_type != TokenType.SEMICOLON
    return ends + int(trailing)


def scripts() -> list[tuple[str, str]]:
    found = [(m.filename, m.read()) for m in list_migrations()]
    for name in render.template_names():
        params = render.example_parameters(name)
        if name != "unload_partition":  # sqlglot's tokenizer reads UNLOAD as one opaque command
            found.append((name, render.render(name, **params)))
    return found


@pytest.mark.parametrize(("name", "text"), scripts(), ids=[name for name, _ in scripts()])
def test_the_splitter_cuts_where_sqlglot_finds_statement_ends(name: str, text: str):
    assert len(split_statements(text)) == sqlglot_statement_count(text)


def test_semicolons_inside_literals_identifiers_comments_and_bodies_do_not_split():
    text = """
        -- a comment; with a semicolon
        SELECT 'it''s; fine', "odd;name", $1 FROM t; /* block; comment */
        CREATE PROCEDURE p() AS $$ BEGIN x := 'a;b'; END; $$ LANGUAGE plpgsql;
        CREATE FUNCTION f() AS $body$ SELECT 1; $body$;
        -- only a comment at the end;
    """
    statements = split_statements(text)
    assert len(statements) == 3
    assert statements[0].startswith("-- a comment; with a semicolon\n")
    assert statements[1].startswith("/* block; comment */")


def test_an_unterminated_literal_is_reported_with_its_position():
    with pytest.raises(SqlLexError, match="unterminated string literal starting at line 2, column 8"):
        split_statements("SELECT 1;\nSELECT 'oops;")
