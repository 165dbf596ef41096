"""Lifecycle templates rendered within limits: a template cannot stop the app.

Staff write lifecycle templates, so a template is untrusted code. Jinja2's sandbox keeps it away
from Python's internals; this module keeps it from using too much time or memory. A wall-clock
limit alone is not enough: Python cannot interrupt one slow C-level operation such as
`9 ** (9 ** 9)` or `"x" * 10 ** 9`, so every operation that could be expensive goes through a
hook that checks its cost *before* doing it:

- numbers: a result of arithmetic keeps within 18 digits; a power that would not is refused
  before it is computed; number literals too;
- sizes: a string or list made by `*`, `+`, `~`, `%`, `.format()`, a filter or a method keeps
  within `value_size`, judged from the sizes of its parts before it is built; each value made
  also counts against `work`, the copying one render may do in total;
- loops: `range()` is limited, and so are the iterations of all loops of one render together;
- calls: only macros, the loop helpers and a list of harmless string, dict and list methods can be
  called, macros nest at most `call_depth` deep; `include`, `import` and `extends` are refused
  (there is no loader), `lipsum` is not available;
- output: a render stops as soon as it passes `output_chars`;
- time: each hook checks a deadline (`seconds`); because of the checks above, no single step
  between two hooks can run long.

The values given to a template are ours, but they are bounded too (plain data, numbers within 18
digits, `context_size` in total).

One module, above the usual size, on purpose: the hooks, the code generator that routes every
operation through them and the limits they share form one sandbox, and a check left out of any
part of it would open the whole; read and reviewed together, they stay complete.
"""

from __future__ import annotations

import inspect
import math
import re
import time
import types
from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from contextvars import ContextVar
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache, wraps
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.runtime import Context, LoopContext, Macro, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter
from jinja2.utils import Cycler, Joiner, Namespace, _PassArg

from concierge_app.domain.errors import DomainError


class TemplateError(DomainError):
    """A template that cannot be saved or rendered, with the reason."""


class TemplateLimitError(TemplateError):
    """A template broke one of the limits of rendering (time, size, numbers, loops, calls)."""


class _Refused(Exception):
    """Raised inside a render by a hook; becomes a TemplateLimitError naming the field."""


@dataclass(frozen=True, slots=True)
class Limits:
    source_chars: int = 20_000  # a body as written (a subject: SUBJECT_MAX)
    output_chars: int = 100_000  # what one subject or body may come to
    value_size: int = 100_000  # characters (or items) of any one value a template makes
    context_size: int = 1_000_000  # the values given to the template, together
    range_items: int = 10_000  # one range()
    loop_iterations: int = 100_000  # every loop of one render together
    calls: int = 100_000  # macro and method calls of one render
    call_depth: int = 30  # macros calling macros
    work: int = 10_000_000  # characters (or items) of all the values made by one render
    number_digits: int = 18  # |n| < 10 ** 18
    seconds: float = 1.0  # wall clock, subject and body together


TEMPLATE_LIMITS = Limits()
# The built-in texts are ours: generous limits, only there so that a bug cannot hang a worker.
BUILT_IN_LIMITS = Limits(
    output_chars=2_000_000,
    value_size=2_000_000,
    context_size=10_000_000,
    loop_iterations=1_000_000,
    calls=1_000_000,
    work=100_000_000,
    seconds=10.0,
)


# --------------------------------------------------------------------------- sizes


def _digits(n: int) -> int:
    return max(1, int(abs(n).bit_length() * 0.30103) + 1)


def size_of(value: object, limit: int) -> int:
    """How many characters (or items) `value` stands for when shown or copied; counting stops
    soon after `limit` is passed, so this costs at most about `limit` steps."""
    total, stack = 0, [value]
    while stack and total <= limit:
        v = stack.pop()
        if isinstance(v, str | bytes | bytearray):
            total += len(v)
        elif isinstance(v, bool) or v is None:
            total += 1
        elif isinstance(v, int):
            total += _digits(v)
        elif isinstance(v, float | Decimal | date):
            total += 32
        elif isinstance(v, range):
            total += 2 * len(v)
        elif isinstance(v, Mapping | Namespace):
            items = getattr(v, "_Namespace__attrs", {}) if isinstance(v, Namespace) else v
            total += 2 + 4 * len(items)
            if total <= limit:
                stack.extend(items.keys())
                stack.extend(items.values())
        elif isinstance(v, list | tuple | set | frozenset | KeysView | ValuesView | ItemsView):
            total += 2 + 2 * len(v)
            if total <= limit:
                stack.extend(v)
        else:  # a macro, a loop, a cycler, an iterator: small when shown
            total += 1
    return total


def _chars(n: int) -> str:
    return f"{n:,} characters"


# --------------------------------------------------------------------------- the budget


class _Budget:
    """What one render has used so far, against its limits."""

    __slots__ = ("calls", "deadline", "depth", "iterations", "limits", "max_number", "work")

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.seconds
        self.max_number = 10**limits.number_digits
        self.iterations = self.calls = self.depth = self.work = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise _Refused(f"it took longer than {self.limits.seconds:g} s to render")

    def iteration(self) -> None:
        self.iterations += 1
        if self.iterations > self.limits.loop_iterations:
            raise _Refused(
                f"its loops ran more than {self.limits.loop_iterations:,} times in total"
            )
        self.tick()

    def call(self) -> None:
        self.calls += 1
        if self.calls > self.limits.calls:
            raise _Refused(f"it makes more than {self.limits.calls:,} calls")
        self.tick()

    def number(self, n: int) -> None:
        if abs(n) >= self.max_number:
            raise _Refused(
                f"it makes a number of {_digits(n):,} digits; numbers in templates are "
                f"limited to {self.limits.number_digits} digits"
            )

    def fits(self, size: int, what: str) -> None:
        """Refuse, before it is made, a value of `size` characters or items."""
        if size > self.limits.value_size:
            raise _Refused(
                f"{what} would be {_chars(size)} long; a value in a template is limited to "
                f"{self.limits.value_size:,}"
            )

    def check_input(self, value: object) -> None:
        """A value handed to a filter, a method or a format: within the size of one value."""
        self.fits(size_of(value, self.limits.value_size), "a value it uses")

    def made(self, value: Any, what: str = "a value it makes") -> Any:
        """Check a value just made (numbers, size) and count it against the work budget;
        iterators are counted item by item as they are used."""
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            self.number(value)
            return value
        if isinstance(value, Iterator) and not isinstance(value, str | LoopContext | Cycler):
            return _counted(value, self)
        size = size_of(value, self.limits.value_size)
        self.fits(size, what)
        self.work += size
        if self.work > self.limits.work:
            raise _Refused(f"it builds more than {_chars(self.limits.work)} of values in total")
        return value


_CURRENT: ContextVar[_Budget | None] = ContextVar("template_budget", default=None)


def _budget() -> _Budget:
    budget = _CURRENT.get()
    if budget is None:  # only renders set one; anything else gets the strict limits, alone
        budget = _Budget(TEMPLATE_LIMITS)
    return budget


def _counted(iterable: Iterable[Any], budget: _Budget) -> Iterator[Any]:
    for item in iterable:
        budget.iteration()
        yield item


# --------------------------------------------------------------------------- checks of operations


def _bounded_range(*args: int) -> range:
    budget = _budget()
    budget.tick()
    rng = range(*args)
    try:
        length = len(rng)
    except OverflowError:
        length = budget.max_number
    if length > budget.limits.range_items:
        raise _Refused(
            f"range() is limited to {budget.limits.range_items:,} items; this one has {length:,}"
        )
    return rng


def _check_power(left: Any, right: Any, budget: _Budget) -> None:
    if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
        digits = right * math.log10(abs(left))
        if digits >= budget.limits.number_digits:
            base = f"({left})" if left < 0 else str(left)
            raise _Refused(
                f"{base} ** {right} would have about {math.ceil(digits):,} digits; numbers in "
                f"templates are limited to {budget.limits.number_digits} digits"
            )


_SEQUENCES = (str, bytes, list, tuple)


def _check_repeat(left: Any, right: Any, budget: _Budget) -> None:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, _SEQUENCES) and isinstance(times, int) and times > 1:
            size = size_of(seq, budget.limits.value_size)
            budget.fits(size * times, f"repeating a value {times:,} times")


def _check_sum(left: Any, right: Any, budget: _Budget) -> None:
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        limit = budget.limits.value_size
        budget.fits(size_of(left, limit) + size_of(right, limit), "adding these values")


_PERCENT_SPEC = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)?", re.S)


def _width(text: str, budget: _Budget) -> int:
    if len(text) > 7 or int(text) > budget.limits.value_size:
        raise _Refused(
            f"a width or precision of {text[:12]} is too large (at most "
            f"{budget.limits.value_size:,})"
        )
    return int(text)


def _check_percent(fmt: str, values: Any, budget: _Budget) -> None:
    """`fmt % values` (also the `format` filter): widths, precisions and the values it shows."""
    limit = budget.limits.value_size
    positional = values if isinstance(values, tuple) else (values,)
    total, index = len(fmt), 0
    for key, width, precision, conversion in _PERCENT_SPEC.findall(fmt):
        if conversion == "%":
            continue
        for number in (width, precision):
            if number == "*":
                raise _Refused("'*' widths are not allowed in % formatting")
            if number:
                total += _width(number, budget)
        if key and isinstance(values, Mapping):
            value = values.get(key)
        else:
            value = positional[index] if index < len(positional) else None
            index += 1
        total += size_of(value, limit)
        budget.fits(total, "this % formatting")


def _check_replace(s: Any, old: Any, new: Any, count: Any, budget: _Budget) -> None:
    if isinstance(s, str) and isinstance(old, str) and isinstance(new, str):
        times = s.count(old) if old else len(s) + 1
        if isinstance(count, int) and count >= 0:
            times = min(times, count)
        budget.fits(len(s) + times * (len(new) - len(old)), "this replace()")


def _bounded_list(iterable: Any, budget: _Budget) -> list[Any]:
    """The items of `iterable`, taken one by one while their sizes keep within one value."""
    if isinstance(iterable, Undefined):
        return list(iterable)  # StrictUndefined: raises the usual error
    items, total, limit = [], 0, budget.limits.value_size
    for item in iterable:
        total += 1 + size_of(item, limit)
        budget.fits(total, "joining these values")
        items.append(item)
    return items


def _check_join(separator: str, items: list[Any], budget: _Budget) -> None:
    size = sum(size_of(i, budget.limits.value_size) for i in items)
    budget.fits(size + len(separator) * max(0, len(items) - 1), "joining these values")


# --------------------------------------------------------------------------- filters


def _arg_width(budget: _Budget, value: Any, name: str) -> None:
    if isinstance(value, int) and value > budget.limits.value_size:
        raise _Refused(f"{name} {value:,} is too large (at most {budget.limits.value_size:,})")


def _filter_center(a: dict[str, Any], b: _Budget) -> None:
    _arg_width(b, a.get("width"), "a width of")


def _filter_indent(a: dict[str, Any], b: _Budget) -> None:
    s, width = a.get("s"), a.get("width")
    _arg_width(b, width, "an indent of")
    if isinstance(s, str):
        prefix = width if isinstance(width, int) else len(str(width))
        b.fits(len(s) + (s.count("\n") + 1) * prefix, "this indent")


def _filter_wordwrap(a: dict[str, Any], b: _Budget) -> None:
    s, wrap = a.get("s"), a.get("wrapstring")
    if isinstance(s, str):
        b.fits(len(s) * (1 + len(wrap if isinstance(wrap, str) else "\n")), "this wordwrap")


def _filter_replace(a: dict[str, Any], b: _Budget) -> None:
    _check_replace(a.get("s"), a.get("old"), a.get("new"), a.get("count"), b)


def _filter_join(a: dict[str, Any], b: _Budget) -> None:
    a["value"] = items = _bounded_list(a.get("value"), b)
    _check_join(str(a.get("d", "")), items, b)


def _filter_format(a: dict[str, Any], b: _Budget) -> None:
    value = a.get("value")
    if isinstance(value, str):
        _check_percent(value, a.get("kwargs") or tuple(a.get("args", ())), b)


def _filter_batch(a: dict[str, Any], b: _Budget) -> None:
    _arg_width(b, a.get("linecount"), "a batch of")


def _filter_slice(a: dict[str, Any], b: _Budget) -> None:
    _arg_width(b, a.get("slices"), "slices")


def _filter_tojson(a: dict[str, Any], b: _Budget) -> None:
    indent = a.get("indent")
    if (isinstance(indent, int) and indent > 16) or (isinstance(indent, str) and len(indent) > 16):
        raise _Refused("tojson's indent is limited to 16")


def _filter_sum(a: dict[str, Any], b: _Budget) -> None:
    start = a.get("start")
    if not isinstance(start, int | float | Decimal):  # adding lists one by one is quadratic
        raise _Refused("sum() adds numbers only")


_FILTER_CHECKS: dict[str, Callable[[dict[str, Any], _Budget], None]] = {
    "center": _filter_center,
    "indent": _filter_indent,
    "wordwrap": _filter_wordwrap,
    "replace": _filter_replace,
    "join": _filter_join,
    "format": _filter_format,
    "batch": _filter_batch,
    "slice": _filter_slice,
    "tojson": _filter_tojson,
    "sum": _filter_sum,
}


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """`func` with its inputs checked before and its result after (see the module's doc)."""
    first = 0 if _PassArg.from_obj(func) is None else 1  # context / environment come first
    check = _FILTER_CHECKS.get(name)
    signature = inspect.signature(func) if check else None

    @wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        budget.call()
        for value in (*args[first:], *kwargs.values()):
            budget.check_input(value)
        if check and signature:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            check(bound.arguments, budget)
            args, kwargs = bound.args, bound.kwargs
        return budget.made(func(*args, **kwargs), f"the result of |{name}")

    return bounded


# --------------------------------------------------------------------------- calls

_STR_METHODS = frozenset(
    {
        *("capitalize", "casefold", "center", "count", "endswith", "find", "index", "join"),
        *("isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower"),
        *("isnumeric", "isprintable", "isspace", "istitle", "isupper", "ljust", "lower"),
        *("lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex"),
        *("rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith"),
        *("strip", "swapcase", "title", "upper", "zfill"),
    }
)
_MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})
_SEQUENCE_METHODS = frozenset({"count", "index"})
_HELPER_METHODS = frozenset({"cycle", "changed", "next", "reset"})
_SCOPE_KWARGS = frozenset({"_loop_vars", "_block_vars"})


def _method(obj: Any) -> tuple[Any, str] | None:
    """(the object, the method's name) when `obj` is a bound method of a str, dict, list or
    tuple, a loop or a cycler that templates may call; otherwise None."""
    if not isinstance(obj, types.BuiltinMethodType | types.MethodType):
        return None
    owner, name = getattr(obj, "__self__", None), getattr(obj, "__name__", "")
    if isinstance(owner, type):
        return None  # dict.fromkeys, str.maketrans, …
    if isinstance(owner, str) and name in _STR_METHODS:
        return owner, name
    if isinstance(owner, Mapping) and name in _MAPPING_METHODS:
        return owner, name
    if isinstance(owner, list | tuple | range) and name in _SEQUENCE_METHODS:
        return owner, name
    if isinstance(owner, LoopContext | Cycler) and name in _HELPER_METHODS:
        return owner, name
    return None


def _callable_name(obj: Any) -> str:
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", type(obj).__name__)
    if owner is not None and not isinstance(owner, types.ModuleType):
        owner_name = owner.__name__ if isinstance(owner, type) else type(owner).__name__
        return f"{owner_name}.{name}"
    return str(name)


# --------------------------------------------------------------------------- the environment


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja2's code generator, with three more hooks: each loop's items are counted, `~` joins
    through a check of the size it makes, and a slice (a copy) is counted like a value made."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        counted = copy(node)  # for x in environment.bounded_iter(<iterable>)
        counted.iter = nodes.Call(
            nodes.EnvironmentAttribute("bounded_iter"), [node.iter], [], None, None
        )
        counted.iter.set_lineno(node.lineno)
        super().visit_For(counted, frame)

    def visit_Getitem(self, node: nodes.Getitem, frame: Frame) -> None:
        if not isinstance(node.arg, nodes.Slice):  # through environment.getitem already
            super().visit_Getitem(node, frame)
            return
        self.write("environment.sliced(")  # Jinja writes slices as plain Python
        self.visit(node.node, frame)
        self.write("[")
        self.visit(node.arg, frame)
        self.write("])")

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_concat((")
        for part in node.nodes:
            self.visit(part, frame)
            self.write(", ")
        self.write("))")


@pass_context
def _finalize(context: Context, value: Any) -> Any:
    """Every `{{ … }}` written: refused before it is turned into text when it is too long."""
    budget = _budget()
    budget.tick()
    size = len(value) if isinstance(value, str) else size_of(value, budget.limits.output_chars)
    if size > budget.limits.output_chars:
        raise _Refused(
            f"it writes a value of {_chars(size)}; the message is limited to "
            f"{budget.limits.output_chars:,}"
        )
    budget.work += size
    if budget.work > budget.limits.work:
        raise _Refused(f"it builds more than {_chars(budget.limits.work)} of values in total")
    return value


class _BoundedFormatter(SandboxedFormatter):
    """str.format() in the sandbox, with each field's width and the total size checked."""

    def __init__(self, env: BoundedEnvironment, budget: _Budget) -> None:
        super().__init__(env)
        self._budget, self._total = budget, 0

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        self._budget.check_input(value)
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> Any:
        budget = self._budget
        budget.tick()
        widths = sum(_width(n, budget) for n in re.findall(r"\d+", format_spec))
        self._total += widths + size_of(value, budget.limits.value_size)
        budget.fits(self._total, "this format()")
        return format(value, format_spec)


def _capitalize_first(value: Any) -> str:
    text = str(value)
    return text[:1].upper() + text[1:]


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with limits (see the module's doc). Renders must go through `render_bounded`,
    which sets the budget the hooks count against."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            optimized=False,  # no evaluation at compile time, outside the hooks
            finalize=_finalize,
            cache_size=0,
        )
        self.globals.clear()
        self.globals.update(
            range=_bounded_range, dict=dict, cycler=Cycler, joiner=Joiner, namespace=Namespace
        )
        # `capitalize` capitalises the first letter and leaves the rest as written: German nouns
        # and acronyms ("VAT document") keep their capitals (Jinja's lowers them).
        self.filters["capitalize"] = _capitalize_first
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}

    # Jinja's compiled templates call these by name --------------------------------------

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        budget = _budget()
        budget.tick()
        if operator == "**":
            _check_power(left, right, budget)
        elif operator == "*":
            _check_repeat(left, right, budget)
        elif operator == "+":
            _check_sum(left, right, budget)
        elif operator == "%" and isinstance(left, str):
            _check_percent(left, right, budget)
        for operand in (left, right):
            if isinstance(operand, int) and not isinstance(operand, bool):
                budget.number(operand)
        return budget.made(self.binop_table[operator](left, right))

    def sliced(self, value: Any) -> Any:
        """`x[a:b]`: a copy, counted like any value made (see _BoundedCodeGenerator)."""
        budget = _budget()
        budget.tick()
        return budget.made(value)

    def bounded_iter(self, iterable: Any) -> Any:
        if isinstance(iterable, Undefined):
            return iterable  # iterating it raises the usual error
        return _counted(iterable, _budget())

    def bounded_concat(self, parts: tuple[Any, ...]) -> str:
        budget = _budget()
        budget.tick()
        limit = budget.limits.value_size
        budget.fits(sum(size_of(p, limit) for p in parts), "joining these values with ~")
        return str(budget.made("".join(str(p) for p in parts)))

    def concat(self, parts: Iterable[str]) -> str:
        """What a macro, a call block or `{% set %}…{% endset %}` wrote, joined."""
        budget = _budget()
        budget.tick()
        taken, total = [], 0
        for part in parts:
            total += len(part)
            if total > budget.limits.output_chars:
                raise _Refused(
                    f"a macro or block would write more than {_chars(budget.limits.output_chars)}"
                )
            taken.append(part)
        return str(budget.made("".join(taken)))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        budget.call()
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"{__obj!r} is not safely callable")
        if getattr(__obj, "__func__", None) is BoundedEnvironment.bounded_iter:
            return __self.bounded_iter(*args)  # a `for` loop's iterable (_BoundedCodeGenerator)
        nested = isinstance(__obj, Macro | LoopContext)
        method = _method(__obj)
        # Jinja passes the variables set in the current loop or block along: not arguments.
        given = (*args, *(v for k, v in kwargs.items() if k not in _SCOPE_KWARGS))
        if nested or isinstance(__obj, Joiner | Undefined) or getattr(__obj, "_bounded", False):
            pass
        elif any(__obj is g for g in (_bounded_range, dict, Cycler, Joiner, Namespace)):
            for value in given:
                budget.check_input(value)
        elif method is not None:
            owner, name = method
            for value in given:
                budget.check_input(value)
            if isinstance(owner, str):
                args = _check_str_method(owner, name, args, kwargs, budget)
        else:
            raise _Refused(f"templates cannot call {_callable_name(__obj)}()")
        if isinstance(__obj, LoopContext) and args:  # a recursive loop's next level
            args = (__self.bounded_iter(args[0]), *args[1:])
        if not nested:
            return budget.made(__context.call(__obj, *args, **kwargs))
        budget.depth += 1
        try:
            if budget.depth > budget.limits.call_depth:
                raise _Refused(
                    f"macros (or recursive loops) nest more than {budget.limits.call_depth} "
                    "levels deep"
                )
            return budget.made(__context.call(__obj, *args, **kwargs))
        finally:
            budget.depth -= 1

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`"…".format(…)` and `format_map`: through the formatter with limits. (Markup's own
        format is not wrapped, and `call` refuses it.)"""
        name = getattr(value, "__name__", "")
        if not isinstance(value, types.MethodType | types.BuiltinMethodType) or name not in (
            "format",
            "format_map",
        ):
            return None
        text = value.__self__
        if type(text) is not str:
            return None
        is_format_map = name == "format_map"

        def bounded_format(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs, args = args[0], ()
            budget = _budget()
            budget.check_input(text)
            return str(_BoundedFormatter(self, budget).vformat(text, args, kwargs))

        bounded_format._bounded = True  # type: ignore[attr-defined]
        return bounded_format


def _check_str_method(
    s: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], budget: _Budget
) -> tuple[Any, ...]:
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _arg_width(budget, args[0], "a width of")
    elif name == "replace" and len(args) >= 2:
        _check_replace(s, args[0], args[1], args[2] if len(args) > 2 else -1, budget)
    elif name == "join" and args:
        items = _bounded_list(args[0], budget)
        _check_join(s, items, budget)
        return (items, *args[1:])
    return args


ENV = BoundedEnvironment()


# --------------------------------------------------------------------------- source and render

_NESTED = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)


def check_source(source: str, *, field: str, max_chars: int) -> nodes.Template:
    """Parse a template as written; refuse what no render may do. Messages name `field`."""
    if len(source) > max_chars:
        raise TemplateLimitError(
            f"The {field} is {_chars(len(source))} long; it is limited to {max_chars:,}.",
            field=field,
        )
    try:
        return _checked_ast(source)
    except _Unreadable as exc:
        raise TemplateError(f"The {field} {exc}", field=field) from None
    except _Refused as exc:
        raise TemplateLimitError(f"The {field} breaks a limit: {exc}.", field=field) from None


class _Unreadable(Exception):
    pass


def _checked_ast(source: str) -> nodes.Template:
    try:
        ast = ENV.parse(source)
        for node in ast.find_all(_NESTED):
            raise _Unreadable(
                f"cannot include, import or extend another template (line {node.lineno})."
            )
        for const in ast.find_all(nodes.Const):
            value = const.value
            if isinstance(value, int) and not isinstance(value, bool):
                if abs(value) >= 10**TEMPLATE_LIMITS.number_digits:
                    raise _Refused(
                        f"a number on line {const.lineno} has more than "
                        f"{TEMPLATE_LIMITS.number_digits} digits"
                    )
    except TemplateSyntaxError as exc:
        raise _Unreadable(f"has a template error on line {exc.lineno}: {exc.message}") from None
    except RecursionError:
        raise _Refused("it is nested too deeply") from None
    except ValueError as exc:  # e.g. a number literal of thousands of digits
        if "digits" in str(exc):
            raise _Refused(
                f"it has a number of more than {TEMPLATE_LIMITS.number_digits} digits"
            ) from None
        raise _Unreadable(f"could not be read: {exc}") from None
    return ast


@lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    """Checked and compiled (compiling evaluates nothing: the optimizer is off)."""
    return ENV.from_string(_checked_ast(source))


def _render_field(field: str, source: str, context: Mapping[str, Any], budget: _Budget) -> str:
    limit = budget.limits.output_chars
    try:
        if len(source) > budget.limits.source_chars:
            raise _Refused(
                f"it is {_chars(len(source))} long; a template is limited to "
                f"{budget.limits.source_chars:,}"
            )
        template = _compiled(source)
        parts, total = [], 0
        for chunk in template.generate(context):
            total += len(chunk)
            if total > limit:
                raise _Refused(f"the text would be longer than {_chars(limit)}")
            parts.append(chunk)
            budget.tick()
        return "".join(parts)
    except _Refused as exc:
        raise TemplateLimitError(f"The {field} breaks a limit: {exc}.", field=field) from None
    except _Unreadable as exc:
        raise TemplateError(f"The {field} {exc}", field=field) from None
    except RecursionError:
        raise TemplateLimitError(
            f"The {field} breaks a limit: it calls itself too deeply.", field=field
        ) from None
    except MemoryError:
        raise TemplateLimitError(
            f"The {field} breaks a limit: it needs too much memory.", field=field
        ) from None
    except (UndefinedError, SecurityError) as exc:
        raise TemplateError(
            f"The {field} could not be rendered: {_short(exc.message or str(exc))}", field=field
        ) from None
    except Exception as exc:  # anything the template made Python raise: its own problem
        raise TemplateError(
            f"The {field} could not be rendered: {type(exc).__name__}: {_short(str(exc))}",
            field=field,
        ) from None


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_PLAIN = (str, bool, int, float, Decimal, date, datetime, type(None))


def _check_context(context: Mapping[str, Any], limits: Limits) -> None:
    """The values given to a template: plain data, numbers within their digits, and not too
    large in total (a bug of ours otherwise: refused like a template problem)."""
    total, stack = 0, [(context, 0)]
    max_number = 10**limits.number_digits
    while stack:
        value, depth = stack.pop()
        if depth > 8:
            raise TemplateError("The values given to the template are nested too deeply.")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= max_number:
            raise TemplateError(
                f"A value given to the template has more than {limits.number_digits} digits."
            )
        if isinstance(value, _PLAIN):
            total += size_of(value, limits.context_size)
        elif isinstance(value, Mapping):
            total += 2 + 4 * len(value)
            stack.extend((v, depth + 1) for v in (*value.keys(), *value.values()))
        elif isinstance(value, list | tuple):
            total += 2 + 2 * len(value)
            stack.extend((v, depth + 1) for v in value)
        else:
            raise TemplateError(
                f"A value of type {type(value).__name__} cannot be given to a template."
            )
        if total > limits.context_size:
            raise TemplateLimitError(
                f"The values given to the template are larger than {_chars(limits.context_size)}."
            )


def render_bounded(
    subject: str, body: str, context: Mapping[str, Any], *, limits: Limits = TEMPLATE_LIMITS
) -> tuple[str, str]:
    """Subject and body rendered within `limits`; TemplateError (TemplateLimitError for a broken
    limit) naming the field otherwise."""
    budget = _Budget(limits)
    token = _CURRENT.set(budget)
    try:
        _check_context(context, limits)
        return (
            _render_field("subject", subject, context, budget),
            _render_field("body", body, context, budget),
        )
    finally:
        _CURRENT.reset(token)
