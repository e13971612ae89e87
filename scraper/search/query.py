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
from typing import TypeAlias

from scraper.errors import QuerySyntaxError as QuerySyntaxError


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase
    prefix: bool = False


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


#: A parsed query: a tree of these four.
Node: TypeAlias = Term | Not | And | Or
Token: TypeAlias = tuple[str, str]


_TOKEN = re.compile(r'\s*(?:(?P<phrase>"[^"]*")|(?P<open>\()|(?P<close>\))|(?P<word>[^\s()"]+))')
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

#: Bounds on a query, so that none can exhaust the parser's stack or the database's time.
MAX_QUERY_CHARS = 2000
MAX_TOKENS = 200  # words, phrases, operators and parentheses
MAX_WORDS = 64  # words to find or exclude, phrases' words included
MAX_DEPTH = 16  # nested parentheses and NOTs
MAX_FTS5_CHARS = 20000  # the SQLite form, once exclusions inside OR are spread out


def _tokens(text: str) -> list[Token]:
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(
            f"query too long ({len(text)} characters; at most {MAX_QUERY_CHARS})"
        )
    if text.count('"') % 2:
        raise QuerySyntaxError("unbalanced quote")
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip():
                raise QuerySyntaxError(f"cannot read the query at {text[pos : pos + 20]!r}")
            break
        pos = m.end()
        kind = m.lastgroup or ""
        if kind == "word" and not _WORD.search(m.group(kind)):
            if m.group(kind) == "-" and text.startswith("(", pos):
                out.append(("word", "NOT"))  # -(a OR b) excludes the group
            continue  # punctuation alone ("-", "--", "';") finds nothing: skip it
        out.append((kind, m.group(kind)))
        if len(out) > MAX_TOKENS:
            raise QuerySyntaxError(
                f"query too long (at most {MAX_TOKENS} words, operators and parentheses)"
            )
    return out


def parse(text: str) -> Node:
    """The query as a tree of :class:`Term`, :class:`And`, :class:`Or` and :class:`Not`."""
    tokens = _tokens(text or "")
    if not tokens:
        raise QuerySyntaxError("empty query")
    node, rest = _or(tokens, 0)
    if rest:
        raise QuerySyntaxError(f"unexpected {rest[0][1]!r}")
    words = _count_words(node)
    if words > MAX_WORDS:
        raise QuerySyntaxError(f"query has {words} words (at most {MAX_WORDS})")
    if not _positive(node):
        raise QuerySyntaxError("a query cannot only exclude (add a word to find)")
    return node


def _or(tokens: list[Token], depth: int) -> tuple[Node, list[Token]]:
    nodes = []
    node, tokens = _and(tokens, depth)
    nodes.append(node)
    while tokens and tokens[0] == ("word", tokens[0][1]) and tokens[0][1].upper() == "OR":
        node, tokens = _and(tokens[1:], depth)
        nodes.append(node)
    return (nodes[0] if len(nodes) == 1 else Or(tuple(nodes))), tokens


def _and(tokens: list[Token], depth: int) -> tuple[Node, list[Token]]:
    nodes = []
    while tokens and tokens[0][0] != "close" and not _is_op(tokens[0], "OR"):
        node, tokens = _unary(tokens, depth)
        nodes.append(node)
    if not nodes:
        raise QuerySyntaxError("an operator has nothing on one side")
    return (nodes[0] if len(nodes) == 1 else And(tuple(nodes))), tokens


def _is_op(token: Token, op: str) -> bool:
    return token[0] == "word" and token[1].upper() == op


def _negate(node: Node) -> Node:
    return node.node if isinstance(node, Not) else Not(node)  # NOT NOT x is x


def _unary(tokens: list[Token], depth: int) -> tuple[Node, list[Token]]:
    if depth > MAX_DEPTH:
        raise QuerySyntaxError(
            f"query nested too deeply (at most {MAX_DEPTH} levels of parentheses and NOT)"
        )
    while _is_op(tokens[0], "AND"):
        if len(tokens) == 1:
            raise QuerySyntaxError("AND has nothing after it")
        tokens = tokens[1:]
    kind, value = tokens[0]
    if _is_op(tokens[0], "NOT"):
        if len(tokens) == 1:
            raise QuerySyntaxError("NOT has nothing after it")
        node, rest = _unary(tokens[1:], depth + 1)
        return _negate(node), rest
    if kind == "word" and value.startswith("-") and len(value) > 1:
        node, rest = _unary([("word", value[1:]), *tokens[1:]], depth + 1)
        return _negate(node), rest
    if kind == "open":
        node, rest = _or(tokens[1:], depth + 1)
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


def _count_words(node: Node) -> int:
    if isinstance(node, Term):
        return len(node.words)
    if isinstance(node, Not):
        return _count_words(node.node)
    return sum(_count_words(n) for n in node.nodes)


def _positive(node: Node) -> bool:
    """Whether a node finds something by itself (both backends need that at the top)."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, Or):
        return all(_positive(n) for n in node.nodes)
    return any(_positive(n) for n in node.nodes)


def to_fts5(node: Node) -> str:
    """An FTS5 MATCH expression (every word quoted: FTS5 syntax cannot be injected).

    FTS5 has only a binary ``X NOT Y``, so an exclusion is always written against what it
    excludes from: ``x (-y -z)`` is ``(x NOT y) NOT z``, and ``a (-b OR c)`` is
    ``(a NOT b) OR (a AND c)``. The meaning is PostgreSQL's ``a & (!b | c)``.
    """
    if not _positive(node):
        raise QuerySyntaxError("a query cannot only exclude (add a word to find)")
    expr = _fts5(node, None)
    if len(expr) > MAX_FTS5_CHARS:
        raise QuerySyntaxError(
            f"query too complex for SQLite (its FTS5 form would pass {MAX_FTS5_CHARS} "
            "characters: fewer exclusions inside OR groups)"
        )
    return expr


def _fts5_alone(node: Node) -> str:
    """FTS5 for a node that finds something by itself (see :func:`_positive`)."""
    if isinstance(node, Term):
        return '"' + " ".join(node.words) + '"' + ("*" if node.prefix else "")
    if isinstance(node, Or):
        return "(" + " OR ".join(_fts5_alone(n) for n in node.nodes) + ")"
    assert isinstance(node, And)  # a Not never finds something by itself
    positive = [n for n in node.nodes if _positive(n)]
    expr = "(" + " AND ".join(_fts5_alone(n) for n in positive) + ")"
    for n in node.nodes:
        if not _positive(n):
            expr = _fts5(n, expr)
    return expr


def _fts5(node: Node, within: str | None) -> str:
    """FTS5 for "``within`` AND ``node``" (``within`` None only for a positive node)."""
    if _positive(node):
        alone = _fts5_alone(node)
        return alone if within is None else f"({within} AND {alone})"
    assert within is not None
    if isinstance(node, Not):
        inner = node.node
        excluded = _fts5_alone(inner) if _positive(inner) else _fts5(inner, within)
        return f"({within} NOT {excluded})"
    if isinstance(node, Or):
        return "(" + " OR ".join(_fts5(n, within) for n in node.nodes) + ")"
    assert isinstance(node, And)  # a Term always finds something by itself
    for n in node.nodes:  # an And of exclusions only
        within = _fts5(n, within)
    return within


def to_tsquery(node: Node) -> str:
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


def terms(node: Node) -> list[str]:
    """The positive words and phrases of a query (for highlighting)."""
    if isinstance(node, Term):
        return [" ".join(node.words)]
    if isinstance(node, And | Or):
        return [t for n in node.nodes for t in terms(n)]
    return []
