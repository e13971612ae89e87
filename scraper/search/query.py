"""The one search syntax, translated for SQLite FTS5 and PostgreSQL tsquery.

Syntax (case-insensitive operators)::

    pakistan sanctions          both words (AND is implied)
    "human rights"              a phrase
    sanction*                   a prefix
    iran OR iraq                either
    sanctions NOT iran          the first without the second (also: sanctions -iran)
    (iran OR iraq) sanctions    grouping

Words are stemmed by both backends ("sanction" finds "sanctions"). A malformed query raises
:class:`QuerySyntaxError` with a one-line reason; nothing the user types reaches the database
unescaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class QuerySyntaxError(ValueError):
    """The search query cannot be understood; the message says why, in one line."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase
    prefix: bool = False


@dataclass(frozen=True)
class Not:
    node: object


@dataclass(frozen=True)
class And:
    nodes: tuple[object, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[object, ...]


_TOKEN = re.compile(r'\s*(?:(?P<phrase>"[^"]*")|(?P<open>\()|(?P<close>\))|(?P<word>[^\s()"]+))')
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _tokens(text: str) -> list[tuple[str, str]]:
    if text.count('"') % 2:
        raise QuerySyntaxError("unbalanced quote")
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip():
                raise QuerySyntaxError(f"cannot read the query at {text[pos : pos + 20]!r}")
            break
        pos = m.end()
        kind = m.lastgroup
        if kind == "word" and not _WORD.search(m.group(kind)):
            continue  # punctuation alone ("-", "--", "';") finds nothing: skip it
        out.append((kind, m.group(kind)))
    return out


def parse(text: str) -> object:
    """The query as a tree of :class:`Term`, :class:`And`, :class:`Or` and :class:`Not`."""
    tokens = _tokens(text or "")
    if not tokens:
        raise QuerySyntaxError("empty query")
    node, rest = _or(tokens)
    if rest:
        raise QuerySyntaxError(f"unexpected {rest[0][1]!r}")
    _check_positive(node)
    return node


def _or(tokens):
    nodes = []
    node, tokens = _and(tokens)
    nodes.append(node)
    while tokens and tokens[0] == ("word", tokens[0][1]) and tokens[0][1].upper() == "OR":
        node, tokens = _and(tokens[1:])
        nodes.append(node)
    return (nodes[0] if len(nodes) == 1 else Or(tuple(nodes))), tokens


def _and(tokens):
    nodes = []
    while tokens and tokens[0][0] != "close" and not _is_op(tokens[0], "OR"):
        node, tokens = _unary(tokens)
        nodes.append(node)
    if not nodes:
        raise QuerySyntaxError("an operator has nothing on one side")
    return (nodes[0] if len(nodes) == 1 else And(tuple(nodes))), tokens


def _is_op(token, op: str) -> bool:
    return token[0] == "word" and token[1].upper() == op


def _unary(tokens):
    kind, value = tokens[0]
    if _is_op(tokens[0], "AND"):
        if len(tokens) == 1:
            raise QuerySyntaxError("AND has nothing after it")
        return _unary(tokens[1:])
    if _is_op(tokens[0], "NOT"):
        if len(tokens) == 1:
            raise QuerySyntaxError("NOT has nothing after it")
        node, rest = _unary(tokens[1:])
        return Not(node), rest
    if kind == "word" and value.startswith("-") and len(value) > 1:
        node, rest = _unary([("word", value[1:]), *tokens[1:]])
        return Not(node), rest
    if kind == "open":
        node, rest = _or(tokens[1:])
        if not rest or rest[0][0] != "close":
            raise QuerySyntaxError("unbalanced parenthesis")
        return node, rest[1:]
    if kind == "close":
        raise QuerySyntaxError("unbalanced parenthesis")
    if kind == "phrase":
        words = tuple(w.lower() for w in _WORD.findall(value))
        if not words:
            raise QuerySyntaxError("empty phrase")
        return Term(words), tokens[1:]
    prefix = value.endswith("*")
    words = tuple(w.lower() for w in _WORD.findall(value))
    if not words:
        raise QuerySyntaxError(f"{value!r} has no letters or digits")
    return Term(words, prefix=prefix and len(words) == 1), tokens[1:]


def _check_positive(node) -> None:
    """Both backends need something to find: a query of exclusions only is refused."""
    if isinstance(node, Not):
        raise QuerySyntaxError("a query cannot only exclude (add a word to find)")
    if isinstance(node, And) and all(isinstance(n, Not) for n in node.nodes):
        raise QuerySyntaxError("a query cannot only exclude (add a word to find)")
    if isinstance(node, Or):
        for n in node.nodes:
            _check_positive(n)


def to_fts5(node) -> str:
    """An FTS5 MATCH expression (every word quoted: FTS5 syntax cannot be injected)."""
    if isinstance(node, Term):
        quoted = '"' + " ".join(node.words) + '"'
        return quoted + ("*" if node.prefix else "")
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(n) for n in node.nodes) + ")"
    if isinstance(node, And):
        positive = [to_fts5(n) for n in node.nodes if not isinstance(n, Not)]
        negative = [to_fts5(n.node) for n in node.nodes if isinstance(n, Not)]
        expr = "(" + " AND ".join(positive) + ")"
        if negative:
            expr = f"({expr} NOT ({' OR '.join(negative)}))"
        return expr
    raise QuerySyntaxError("a query cannot only exclude (add a word to find)")


def to_tsquery(node) -> str:
    """A PostgreSQL ``to_tsquery('english', ...)`` expression (every lexeme quoted)."""
    if isinstance(node, Term):
        parts = [f"'{w}'" + (":*" if node.prefix else "") for w in node.words]
        return "(" + " <-> ".join(parts) + ")"
    if isinstance(node, Or):
        return "(" + " | ".join(to_tsquery(n) for n in node.nodes) + ")"
    if isinstance(node, And):
        return "(" + " & ".join(to_tsquery(n) for n in node.nodes) + ")"
    if isinstance(node, Not):
        return "!" + to_tsquery(node.node)
    raise AssertionError(node)  # pragma: no cover


def terms(node) -> list[str]:
    """The positive words and phrases of a query (for highlighting)."""
    if isinstance(node, Term):
        return [" ".join(node.words)]
    if isinstance(node, And | Or):
        return [t for n in node.nodes for t in terms(n)]
    return []
