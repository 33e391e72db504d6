"""``parse("(x + y) * z")``: a typed formula as a circuit, never run.

``ast.parse(text, mode="eval")`` reads it (a syntax tree only) and every node is checked
against a whitelist: numbers, variable names (not starting with ``_``; two that look alike are
refused), ``+ - * / **``, unary ``-`` and ``+``, parentheses, and the gates written as calls
(``exp log sigmoid tanh relu``, ``max``); parts without a variable are worked out once.
``parse("(x + y) * z")(x=-2, y=5, z=-4)`` builds a fresh circuit (``.data == -12.0``). Limits:
:data:`MAX_LENGTH`, :data:`MAX_DEPTH`, :data:`MAX_EXPONENT`; else a one-line
:class:`ExpressionError`."""

from __future__ import annotations

import ast
import math
import re
import unicodedata
import warnings

from backprop_kit.core.engine import Value, apply, as_number
from backprop_kit.core.gates import GATES, Gate
from backprop_kit.core.graph import gate_of_call, run_tree

MAX_LENGTH = 500
"""The longest text :func:`parse` reads, in characters."""

MAX_DEPTH = 100
"""The deepest nesting of operations :func:`parse` accepts (``x`` is 1 level, ``x + y`` 2)."""

MAX_EXPONENT = 100
"""The largest constant exponent (in absolute value) allowed after ``**``."""


def functions() -> dict[str, int]:
    """The functions a formula may call (gates written as calls), with their argument counts."""
    return {g.call: g.arity for g in GATES.values() if g.call}


def _function_list() -> str:
    """``exp log sigmoid tanh relu (1 argument) and max (2 arguments)``, from the table."""
    one = " ".join(n for n, k in functions().items() if k == 1)
    two = " ".join(n for n, k in functions().items() if k == 2)
    return f"{one} (1 argument) and {two} (2 arguments)"


def _allowed() -> str:
    return "allowed are numbers, variable names, + - * / **, unary - and +, parentheses, " + (
        _function_list()
    )


def _binary_gate(symbol: str) -> Gate:
    """The two-input gate whose form is ``{a} <symbol> {b}`` (``+`` → add)."""
    return next(g for g in GATES.values() if g.python[0] == f"{{a}} {symbol} {{b}}")


class ExpressionError(ValueError):
    """A formula that :func:`parse` does not accept; the message is one line saying why."""


# --- names that look alike ------------------------------------------------------------------
# Letters of other scripts drawn exactly like a Latin letter (a small part of Unicode's
# confusables table, the part a learner's keyboard can produce: Cyrillic and Greek).
_CONFUSABLE = str.maketrans(
    "асеһіјорԛѕԝхуԁАВСЕНІЈКМОРЅТХУ"  # Cyrillic
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧονϲϳ",  # Greek
    "acehijopqswxydABCEHIJKMOPSTXYABEZHIKMNOPTYXovcj",
)


def skeleton(name: str) -> str:
    """What ``name`` looks like: its NFKC form (Python's own identifier normalisation: ``ｘ``
    is ``x``) with Cyrillic and Greek lookalikes of Latin letters replaced by those letters."""
    return unicodedata.normalize("NFKC", name).translate(_CONFUSABLE)


def lookalike(names: list[str] | tuple[str, ...]) -> tuple[str, str] | None:
    """The first two different ``names`` with the same :func:`skeleton`, or None."""
    seen: dict[str, str] = {}
    for name in names:
        other = seen.setdefault(skeleton(name), name)
        if other != name:
            return other, name
    return None


def describe_lookalike(pair: tuple[str, str]) -> str:
    """A one-line reason: ``'x' and 'х' (CYRILLIC SMALL LETTER HA) look alike``."""
    a, b = pair
    odd = [ch for ch in a + b if not ch.isascii()]
    names = ", ".join(sorted({f"{unicodedata.name(ch, hex(ord(ch)))}" for ch in odd}))
    return f"the names {a!r} and {b!r} look alike ({names}); rename one so they look different"


Number = int | float
_BINARY_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_SYMBOLS = {symbol: kind for kind, symbol in _BINARY_OPS.items()}

_FORBIDDEN_OPS = {
    ast.FloorDiv: "floor division // is",
    ast.Mod: "the remainder operator % is",
    ast.MatMult: "the matrix operator @ is",
    ast.BitOr: "the bitwise operator | is",
    ast.BitAnd: "the bitwise operator & is",
    ast.BitXor: "the bitwise operator ^ is",
    ast.LShift: "the shift operator << is",
    ast.RShift: "the shift operator >> is",
    ast.Not: "the boolean operator not is",
    ast.Invert: "the bitwise operator ~ is",
}
_FORBIDDEN_NODES = {
    ast.Attribute: "attribute access (a.b) is",
    ast.Subscript: "subscripts (a[i]) are",
    ast.Slice: "slices (a:b) are",
    ast.Lambda: "lambda is",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "generator expressions are",
    ast.JoinedStr: "f-strings are",
    ast.FormattedValue: "f-strings are",
    ast.Compare: "comparisons (< <= == != >= > is in) are",
    ast.BoolOp: "the boolean operators and/or are",
    ast.IfExp: "conditional expressions (a if c else b) are",
    ast.NamedExpr: "assignment expressions (:=) are",
    ast.Set: "sets {...} are",
    ast.List: "lists [...] are",
    ast.Dict: "dicts {...} are",
    ast.Tuple: "tuples (a, b) are",
    ast.Starred: "starred arguments (*a) are",
    ast.Await: "await is",
    ast.Yield: "yield is",
    ast.YieldFrom: "yield is",
}


# --- reading the text --------------------------------------------------------------------------
class _Reader:
    """Checks every node of one text's syntax tree; returns a number (a part without variables,
    worked out) or the checked tree of Python's own nodes with such parts as constants."""

    def __init__(self, source: str, lead: int) -> None:
        self.source = source  # the text without surrounding whitespace (what ast.parse saw)
        self.lead = lead  # characters stripped from the front, to report columns of the text
        self.variables: list[str] = []

    # where and what, for messages
    def where(self, node: ast.AST) -> str:
        lineno = getattr(node, "lineno", 1)
        lines = re.split(r"\r\n|\r|\n", self.source)
        line = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
        # col_offset counts UTF-8 bytes; a learner counts characters (from 1)
        offset = getattr(node, "col_offset", 0)
        col = len(line.encode("utf-8")[:offset].decode("utf-8", "ignore")) + 1
        return _position(self.source, lineno, col, self.lead)

    def snippet(self, node: ast.AST) -> str:
        return _short(ast.get_source_segment(self.source, node) or "")

    def fail(self, node: ast.AST, what: str, allowed: str | None = None) -> ExpressionError:
        allowed = _allowed() if allowed is None else allowed
        tail = f"; {allowed}" if allowed else ""
        return ExpressionError(f"{what} ({self.where(node)}: {self.snippet(node)}){tail}")

    # the whitelist
    def read(self, node: ast.AST) -> Number | ast.expr:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        what = _FORBIDDEN_NODES.get(type(node), f"the construct {type(node).__name__} is")
        raise self.fail(node, f"{what} not allowed")

    def number(self, node: ast.Constant) -> Number:
        v = node.value
        if isinstance(v, bool) or v is None or v is Ellipsis:
            raise self.fail(node, f"{v!r} is not allowed (only numbers are)")
        if isinstance(v, complex):
            raise self.fail(node, "complex numbers (like 2j) are not allowed")
        if isinstance(v, str | bytes):
            kind = "strings" if isinstance(v, str) else "bytes"
            raise self.fail(node, f"{kind} are not allowed")
        if not isinstance(v, int | float):
            raise self.fail(node, f"the constant {type(v).__name__} is not allowed")
        try:
            finite = math.isfinite(v)
        except OverflowError:  # an int too large for a float
            finite = False
        if not finite:
            raise self.fail(node, "the number is too large", "numbers must be finite floats")
        return v

    def name(self, node: ast.Name) -> ast.Name:
        name = node.id
        if name.startswith("_"):
            raise self.fail(
                node,
                f"the name {name!r} is not allowed",
                "names starting with '_' (dunder names like __builtins__ too) are not allowed; "
                "a variable name starts with a letter",
            )
        if name in functions():
            raise self.fail(
                node,
                f"{name!r} is a function name, not a variable",
                f"call it as {name}(...) or pick another variable name (such as {name}1)",
            )
        if name not in self.variables:
            self.variables.append(name)
        return ast.Name(id=name, ctx=ast.Load())

    def binary(self, node: ast.BinOp) -> Number | ast.expr:
        op = _BINARY_OPS.get(type(node.op))
        if op is None:
            what = _FORBIDDEN_OPS.get(type(node.op), f"the operator {type(node.op).__name__} is")
            raise self.fail(node, f"{what} not allowed")
        left, right = self.read(node.left), self.read(node.right)
        if isinstance(right, int | float):
            if op == "**" and abs(right) > MAX_EXPONENT:
                raise self.fail(
                    node,
                    f"the exponent {right:g} is too large",
                    f"exponents above {MAX_EXPONENT} are not allowed (in absolute value); "
                    "a variable exponent such as x ** y is",
                )
            if op == "/" and right == 0:
                raise self.fail(
                    node, "division by the constant 0 is not allowed", "a divisor must be non-zero"
                )
        return self.apply(node, op, left, right)

    def unary(self, node: ast.UnaryOp) -> Number | ast.expr:
        if isinstance(node.op, ast.UAdd):
            return self.read(node.operand)
        if not isinstance(node.op, ast.USub):
            what = _FORBIDDEN_OPS.get(type(node.op), f"the operator {type(node.op).__name__} is")
            raise self.fail(node, f"{what} not allowed")
        operand = self.read(node.operand)
        if isinstance(operand, int | float):  # -2 stays the number -2 (an int stays an int)
            return -operand
        return ast.UnaryOp(op=ast.USub(), operand=operand)

    def call(self, node: ast.Call) -> Number | ast.expr:
        fn = node.func
        known = functions()
        listed = "the functions are " + _function_list().replace(" arguments)", ")")
        if isinstance(fn, ast.Attribute):
            hint = f"write {fn.attr}(...) instead" if fn.attr in known else listed
            raise self.fail(node, "calling a method (a.f()) is not allowed", hint)
        if not isinstance(fn, ast.Name):
            raise self.fail(node, "calling anything but a function name is not allowed", listed)
        if fn.id.startswith("_"):
            raise self.fail(
                node,
                f"the name {fn.id!r} is not allowed",
                f"names starting with '_' are not allowed; {listed}",
            )
        if fn.id not in known:
            raise self.fail(node, f"unknown function {fn.id!r}", listed)
        if node.keywords:
            raise self.fail(
                node,
                "keyword arguments are not allowed",
                f"write {fn.id}(...) with positional arguments only",
            )
        starred = [a for a in node.args if isinstance(a, ast.Starred)]
        if starred:
            raise self.fail(starred[0], "starred arguments (*a) are not allowed")
        arity = known[fn.id]
        if len(node.args) != arity:
            usage = f"{fn.id}(a)" if arity == 1 else f"{fn.id}(a, b)"
            raise self.fail(
                node,
                f"{fn.id} takes {arity} argument{'s' * (arity > 1)}, got {len(node.args)}",
                f"write {usage}",
            )
        return self.apply(node, fn.id, *(self.read(a) for a in node.args))

    def apply(self, node: ast.AST, op: str, *args: Number | ast.expr) -> Number | ast.expr:
        """``op`` on ``args``; worked out at once when every argument is a number."""
        if not all(isinstance(a, int | float) for a in args):
            nodes = [a if isinstance(a, ast.expr) else ast.Constant(a) for a in args]
            if op in _SYMBOLS:
                return ast.BinOp(left=nodes[0], op=_SYMBOLS[op](), right=nodes[1])
            return ast.Call(func=ast.Name(id=op, ctx=ast.Load()), args=nodes, keywords=[])
        gate = _binary_gate(op) if op in _SYMBOLS else gate_of_call(op)
        a = float(args[0])  # type: ignore[arg-type]
        b = float(args[1]) if len(args) == 2 else 0.0  # type: ignore[arg-type]
        try:
            value = gate.forward(a, b, None)
        except (ArithmeticError, ValueError) as e:
            reason = " ".join(str(e).split())
            raise self.fail(
                node, f"the constant part cannot be worked out ({reason})", ""
            ) from None
        if not math.isfinite(value):
            raise self.fail(
                node, f"the constant part is {value!r}", "constants must be finite numbers"
            ) from None
        return value


def _short(text: str, width: int = 40) -> str:
    """``text`` quoted on one line, cut to about ``width`` characters."""
    return repr(text if len(text) <= width else text[: width - 3] + "...")


def _position(source: str, lineno: int, col: int, lead: int) -> str:
    return f"column {col + lead}" if lineno <= 1 else f"line {lineno}, column {col}"


def _depth(tree: ast.AST) -> int:
    """The longest chain of nested expression nodes (iterative: no recursion limit)."""
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, d = stack.pop()
        d += isinstance(node, ast.expr)
        deepest = max(deepest, d)
        stack.extend((child, d) for child in ast.iter_child_nodes(node))
    return deepest


def _syntax_tree(source: str, lead: int) -> ast.Expression:
    """``ast.parse`` in eval mode, with every failure turned into a one-line ExpressionError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. invalid escape sequences in strings
            return ast.parse(source, mode="eval")
    except SyntaxError as e:
        reason = " ".join(str(e.msg).split())
        where = f" at {_position(source, e.lineno or 1, e.offset, lead)}" if e.offset else ""
        raise ExpressionError(f"syntax error{where}: {reason}") from None
    except (ValueError, RecursionError, MemoryError) as e:  # null bytes, surrogates, too deep
        reason = " ".join(str(e).split()) or type(e).__name__
        raise ExpressionError(
            f"this text cannot be read as a formula: {_short(reason, 80)}"
        ) from None


# --- the public API --------------------------------------------------------------------------
class Expression:
    """A formula parsed by :func:`parse`: ``text`` as typed, ``variables`` in order of appearance;
    ``expr(x=-2, y=5, z=-4)`` is the output of a fresh circuit, inputs labelled by name."""

    __slots__ = ("text", "variables", "_tree")

    text: str
    variables: tuple[str, ...]

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(
                f"parse needs the formula as a str such as '(x + y) * z', got "
                f"{type(text).__name__} {repr(text)[:40]}"
            )
        if len(text) > MAX_LENGTH:
            raise ExpressionError(
                f"the formula is {len(text)} characters long; at most {MAX_LENGTH} are allowed"
            )
        source = text.strip()
        if not source:
            raise ExpressionError("the formula is empty; type one such as '(x + y) * z'")
        lead = len(text) - len(text.lstrip())
        tree = _syntax_tree(source, lead)
        depth = _depth(tree)
        if depth > MAX_DEPTH:
            raise ExpressionError(
                f"the formula is nested {depth} levels deep; at most {MAX_DEPTH} levels are "
                "allowed (each operator of a chain like a + b + c is one level)"
            )
        reader = _Reader(source, lead)
        body = reader.read(tree.body)
        if isinstance(body, int | float):
            raise ExpressionError(
                f"{_short(source)} has no variable; an expression needs at least one variable, "
                "as in 'x * 2'"
            )
        # as typed too: Python's parser has already folded ｘ into x (NFKC), merging the two
        twins = lookalike(reader.variables) or lookalike(re.findall(r"[^\W\d]\w*", source))
        if twins is not None:
            raise ExpressionError(describe_lookalike(twins))
        self.text = text
        self.variables = tuple(reader.variables)
        self._tree = body

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    def __str__(self) -> str:
        return self.text

    def build(self, /, *args: object, **values: float) -> tuple[Value, dict[str, Value]]:
        """A fresh circuit at ``values``, each variable by name: (output, {name: input Value})."""
        names = ", ".join(self.variables)
        expected = f"expected names: {names} (call as {self._call_hint()})"
        if args:
            raise TypeError(
                f"{self!r} takes the variables by name only, got {len(args)} positional "
                f"value(s); {expected}"
            )
        unknown = [n for n in values if n not in self.variables]
        if unknown:
            raise TypeError(f"{self!r} has no variable {unknown[0]!r}; {expected}")
        missing = [n for n in self.variables if n not in values]
        if missing:
            raise TypeError(f"{self!r} needs a value for {missing[0]!r}; {expected}")
        inputs: dict[str, Value] = {}
        for name in self.variables:
            try:
                inputs[name] = Value(as_number(values[name], f"variable {name!r}"), label=name)
            except TypeError as e:
                raise TypeError(f"{e}; {expected}") from None
        return run_tree(self._tree, inputs, _gate_call), inputs

    def __call__(self, /, *args: object, **values: float) -> Value:
        """The output Value of a fresh circuit at ``values`` (see :meth:`build`)."""
        return self.build(*args, **values)[0]

    def _call_hint(self) -> str:
        return "expr(" + ", ".join(f"{n}=..." for n in self.variables) + ")"


def parse(text: str | Expression) -> Expression:
    """``text`` (never run) as an :class:`Expression` if the module's whitelist allows it, else a
    one-line :class:`ExpressionError` (TypeError for a non-str); an Expression as it is."""
    return text if isinstance(text, Expression) else Expression(text)


def _gate_call(name: str, args: list) -> Value:
    """A call of a formula: the gate written so, a number argument an input wire named by it."""
    wires = [a if isinstance(a, Value) else Value(a, label=str(a)) for a in args]
    return apply(gate_of_call(name), wires[0], wires[1] if len(wires) > 1 else None)
