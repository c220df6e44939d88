"""Single-point mutants of a Python module, found from its syntax tree (used by bench/mutation.py).

Each mutant changes one node: a comparison operator, a boolean operator or one of its operands, a `not`,
a constant, an `if` condition (always true / never taken), a `.filter()`/`.exclude()` or one of its
keyword conditions, a `|`/`&`/`+`/`-` or one side of a `|`, a statement (removed), the value of a
`return` in a function that answers a bool (`return True` / `return False`), and, in SQL text, one WHERE
condition, one comparison, one quoted literal, one UNION branch or one CASE.

A mutant is named by a stable key (module, enclosing function, what changed) that does not depend on line
numbers, so judgements about equivalent mutants survive edits elsewhere in the file.
"""

from __future__ import annotations

import ast
import copy
import re
from collections import Counter
from dataclasses import dataclass, field

_COMPARE_SWAPS = {
    ast.Eq: [ast.NotEq],
    ast.NotEq: [ast.Eq],
    ast.Lt: [ast.LtE, ast.Gt],
    ast.LtE: [ast.Lt, ast.Gt],
    ast.Gt: [ast.GtE, ast.Lt],
    ast.GtE: [ast.Gt, ast.Lt],
    ast.In: [ast.NotIn],
    ast.NotIn: [ast.In],
    ast.Is: [ast.IsNot],
    ast.IsNot: [ast.Is],
}
_BINOP_SWAPS = {ast.BitOr: ast.BitAnd, ast.BitAnd: ast.BitOr, ast.Add: ast.Sub, ast.Sub: ast.Add}
_QUERY_METHODS = {"filter", "exclude"}
_GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "ngettext_lazy", "pgettext_lazy"}
_SQL_START = re.compile(r"^\s*(SELECT|WITH|UPDATE|INSERT|DELETE)\b", re.IGNORECASE)


@dataclass
class Mutant:
    module: str  # path relative to the project, e.g. orbit/access/policy.py
    scope: str  # enclosing function (or <module>/NAME for a module-level constant)
    kind: str
    before: str
    after: str
    path: tuple  # where the node sits in the tree: ((field, index), ...)
    replacement: object = field(repr=False)  # an ast node, a list of nodes (statement), or a string (SQL)
    lines: tuple[int, int] = (0, 0)
    uses: tuple[str, ...] = ()  # for module-level mutants: the functions that read that name
    key: str = ""

    def describe(self) -> str:
        return f"{self.module}::{self.scope}: {self.kind}: {self.before} -> {self.after}"


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _src(node) -> str:
    return _short(ast.unparse(node))


class _Finder:
    def __init__(self, module: str, tree: ast.Module):
        self.module = module
        self.tree = tree
        self.found: list[Mutant] = []
        self.docstrings = set()
        self.skip_strings = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                body = node.body
                if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                    self.docstrings.add(id(body[0].value))
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                if name in _GETTEXT:  # user-visible text is not behaviour
                    for sub in ast.walk(node):
                        self.skip_strings.add(id(sub))
            if isinstance(node, ast.JoinedStr):
                for sub in ast.walk(node):
                    self.skip_strings.add(id(sub))
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                for sub in ast.walk(node.value):
                    self.skip_strings.add(id(sub))
        # which functions read each module-level name (module-level mutants run those functions' tests)
        self.readers: dict[str, set[str]] = {}
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for sub in ast.walk(node):
                    if isinstance(sub, ast.Name):
                        self.readers.setdefault(sub.id, set()).add(node.name)

    def add(self, path, scope, kind, node, replacement, before=None, after=None, uses=()):
        if isinstance(replacement, str):
            after_text = after
        elif isinstance(replacement, list):
            after_text = after or "<removed>"
        else:
            after_text = after or _src(replacement)
        self.found.append(
            Mutant(
                module=self.module,
                scope=scope,
                kind=kind,
                before=before or _src(node),
                after=after_text,
                path=tuple(path),
                replacement=replacement,
                lines=(node.lineno, getattr(node, "end_lineno", node.lineno) or node.lineno),
                uses=tuple(sorted(uses)),
            )
        )

    def walk(self, node, path=(), scope="<module>", returns_bool=False, module_name=None):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope = node.name if scope == "<module>" else f"{scope}.{node.name}"
            returns_bool = isinstance(node.returns, ast.Name) and node.returns.id == "bool"
            module_name = None
        elif scope == "<module>" and isinstance(node, (ast.Assign, ast.AnnAssign)) and module_name is None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if names and names[0] != "__all__":
                module_name = names[0]
            elif names:
                return
        if scope == "<module>" and module_name is None and not isinstance(node, ast.Module):
            return  # imports, decorators' arguments and other module plumbing: not behaviour
        self.visit(node, path, scope if module_name is None else f"<module>/{module_name}", returns_bool)
        for name, value in ast.iter_fields(node):
            if name in ("annotation", "returns"):  # type hints are not behaviour
                continue
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        self.walk(item, (*path, (name, i)), scope, returns_bool, module_name)
            elif isinstance(value, ast.AST):
                self.walk(value, (*path, (name, None)), scope, returns_bool, module_name)

    def visit(self, node, path, scope, returns_bool):
        uses = ()
        if scope.startswith("<module>/"):
            uses = self.readers.get(scope.split("/", 1)[1], ())
        add = lambda kind, replacement, **kw: self.add(path, scope, kind, node, replacement, uses=uses, **kw)  # noqa: E731
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                for swap in _COMPARE_SWAPS.get(type(op), []):
                    new = copy.deepcopy(node)
                    new.ops[i] = swap()
                    add("comparison", new)
        elif isinstance(node, ast.BoolOp):
            new = copy.deepcopy(node)
            new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            add("boolean operator", new)
            for i in range(len(node.values)):
                rest = [copy.deepcopy(v) for j, v in enumerate(node.values) if j != i]
                add("drop operand", rest[0] if len(rest) == 1 else ast.BoolOp(op=node.op, values=rest))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            add("drop not", copy.deepcopy(node.operand))
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                add("constant", ast.Constant(not value))
            elif isinstance(value, (int, float)):
                add("constant", ast.Constant(value + 1))
            elif (
                isinstance(value, str)
                and id(node) not in self.docstrings
                and id(node) not in self.skip_strings
            ):
                if _SQL_START.match(value):
                    for label, text in sql_mutations(value):
                        add("sql", text, before="SQL", after=label)
                elif value:
                    add("string", ast.Constant(f"XX{value}XX"))
        elif isinstance(node, (ast.If, ast.IfExp, ast.While)) and not isinstance(node.test, ast.Constant):
            for always in (True, False):
                new = copy.deepcopy(node)
                new.test = ast.Constant(always)
                label = f"if {_src(node.test)}" if not isinstance(node, ast.IfExp) else _src(node)
                add(
                    "condition",
                    new,
                    before=label,
                    after=f"{'always' if always else 'never'} ({_short(_src(node.test), 50)})",
                )
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _QUERY_METHODS:
                add("drop query filter", copy.deepcopy(node.func.value), after=f"<no .{node.func.attr}()>")
                if len(node.keywords) + len(node.args) > 1:
                    for i, kw in enumerate(node.keywords):
                        new = copy.deepcopy(node)
                        del new.keywords[i]
                        add("drop filter condition", new, after=f"<without {kw.arg}>")
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINOP_SWAPS:
            new = copy.deepcopy(node)
            new.op = _BINOP_SWAPS[type(node.op)]()
            add("binary operator", new)
            if isinstance(node.op, ast.BitOr):
                add("drop alternative", copy.deepcopy(node.left))
                add("drop alternative", copy.deepcopy(node.right))
        elif isinstance(node, ast.Return) and returns_bool and node.value is not None:
            for value in (True, False):
                if not (isinstance(node.value, ast.Constant) and node.value.value is value):
                    add("return constant", ast.Return(value=ast.Constant(value)))
        removable = (
            isinstance(node, (ast.AugAssign, ast.Raise))
            or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call))
            or (isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) for t in node.targets))
        )
        if removable and not scope.startswith("<module>"):
            add("remove statement", [ast.Pass()], after="pass")


# --- SQL -------------------------------------------------------------------------------------------

_BRANCH = re.compile(r"\bUNION\s+ALL\b", re.IGNORECASE)
_WHERE = re.compile(r"\bWHERE\b(.*?)(?=\bUNION\b|\bGROUP\b|\bORDER\b|\Z)", re.IGNORECASE | re.DOTALL)
_AND = re.compile(r"\s+AND\s+", re.IGNORECASE)
_SQL_OPS = [
    (r"\bIS NOT NULL\b", "IS NULL"),
    (r"\bIS NULL\b", "IS NOT NULL"),
    (r"<=", "<"),
    (r">=", ">"),
    (r"(?<![<>!])=(?!>)", "<>"),
    (r"\bIN\s*\(", "NOT IN ("),
]


def sql_mutations(sql: str) -> list[tuple[str, str]]:
    """(label, mutated SQL) for one change at a time."""
    out: list[tuple[str, str]] = []
    for where in _WHERE.finditer(sql):
        body = where.group(1)
        start = where.start(1)
        parts = _AND.split(body.rstrip())
        for i, part in enumerate(parts):
            kept = [p for j, p in enumerate(parts) if j != i]
            clause = (" WHERE " + " AND ".join(p.strip() for p in kept)) if kept else ""
            new = sql[: where.start()] + clause.lstrip() + "\n" + sql[start + len(body) :]
            out.append((f'drop WHERE condition "{_short(part)}"', new))
        for pattern, repl in _SQL_OPS:
            for m in re.finditer(pattern, body, re.IGNORECASE):
                a, b = start + m.start(), start + m.end()
                context = _short(sql[max(a - 25, start) : min(b + 25, start + len(body))], 70)
                out.append((f'"{m.group(0)}" -> "{repl}" in "{context}"', sql[:a] + repl + sql[b:]))
    for m in re.finditer(r"'([^']*)'", sql):
        out.append(
            (
                f"literal '{m.group(1)}' -> 'XX{m.group(1)}'",
                sql[: m.start()] + f"'XX{m.group(1)}'" + sql[m.end() :],
            )
        )
    for m in re.finditer(r"THEN 1 ELSE 0", sql):
        line = sql[sql.rfind("\n", 0, m.start()) + 1 : m.end()]
        out.append(
            (f'CASE inverted in "{_short(line, 70)}"', sql[: m.start()] + "THEN 0 ELSE 1" + sql[m.end() :])
        )
    branches = _BRANCH.split(sql)
    if len(branches) > 1:
        for i, branch in enumerate(branches):
            kept = [b for j, b in enumerate(branches) if j != i]
            out.append((f'drop UNION branch "{_short(branch, 60)}"', "UNION ALL".join(kept)))
    return out


# --- finding and applying ------------------------------------------------------------------------


def find_mutants(module: str, source: str) -> list[Mutant]:
    tree = ast.parse(source)
    finder = _Finder(module, tree)
    finder.walk(tree)
    seen: Counter = Counter()
    for m in finder.found:
        base = m.describe()
        seen[base] += 1
        m.key = base if seen[base] == 1 else f"{base} [{seen[base]}]"
    return finder.found


def apply(source: str, mutant: Mutant) -> ast.Module:
    """The module's tree with one mutant applied (line numbers kept for tracebacks)."""
    tree = ast.parse(source)
    parent, node = None, tree
    for name, index in mutant.path:
        parent = (node, name, index)
        node = getattr(node, name) if index is None else getattr(node, name)[index]
    owner, name, index = parent
    replacement = mutant.replacement
    replacement = ast.Constant(replacement) if isinstance(replacement, str) else copy.deepcopy(replacement)
    if isinstance(replacement, list):
        for r in replacement:
            ast.copy_location(r, node)
        getattr(owner, name)[index] = replacement[0]
    else:
        ast.copy_location(replacement, node)
        if index is None:
            setattr(owner, name, replacement)
        else:
            getattr(owner, name)[index] = replacement
    return ast.fix_missing_locations(tree)
