"""The bounded renderer: a lifecycle template cannot use unbounded time or memory.

Each hostile template is refused quickly (well within 2 s, most in milliseconds) with a message
that says which limit it broke; ordinary templates still render.
"""

from __future__ import annotations

import time

import pytest

from concierge_app.domain.safe_render import BUILT_IN_LIMITS, TEMPLATE_LIMITS, Limits
from concierge_app.domain.templates import (
    DEFAULT_TEMPLATES,
    TemplateError,
    TemplateLimitError,
    render,
    render_message,
    validate_template,
)

FAST = 2.0  # seconds: every hostile template is refused sooner than this

HOSTILE = {
    "a range of 200,000 items": (
        "{% for i in range(200000) %}x{% endfor %}",
        "range() is limited to 10,000 items; this one has 200,000",
    ),
    "a power of a power": ("{{ 9**(9**9) }}", "9 ** 387420489 would have about 369,693,100 digits"),
    "a string repeated a billion times": (
        '{{ "x" * 10**9 }}',
        "repeating a value 1,000,000,000 times would be 1,000,000,000 characters long",
    ),
    "a list repeated a billion times": ("{{ [0]*10**9 }}", "repeating a value 1,000,000,000"),
    "two nested loops of a million": (
        "{% for a in range(10**6) %}{% for b in range(10**6) %}{% endfor %}{% endfor %}",
        "range() is limited to 10,000 items",
    ),
    "nested loops within range but not in total": (
        "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
        "its loops ran more than 100,000 times in total",
    ),
    "a macro calling itself": (
        "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
        "macros (or recursive loops) nest more than 30 levels deep",
    ),
    "a macro doubling its calls": (
        "{% macro m(n) %}{% if n %}{{ m(n-1) }}{{ m(n-1) }}{% endif %}{% endmacro %}{{ m(60) }}",
        "nest more than 30 levels deep",
    ),
    "a recursive loop without end": (
        "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}",
        "nest more than 30 levels deep",
    ),
    "Python internals": ("{{ ''.__class__.__mro__ }}", "access to attribute '__class__'"),
    "an include": ("{% include 'secrets.txt' %}", "cannot include, import or extend"),
    "an import": ("{% import 'macros.html' as m %}", "cannot include, import or extend"),
    "an extends": ("{% extends 'base.html' %}", "cannot include, import or extend"),
    "a join of a huge range": (
        "{{ range(10000)|join('x' * 10000) }}",
        "joining these values would be",
    ),
    "a big number made a string": ("{{ (10**10 * 10**10)|string }}", "limited to 18 digits"),
    "a huge number literal": ("{{ 1" + "0" * 5000 + " }}", "more than 18 digits"),
    "lipsum": ("{{ lipsum(100000, max=100000) }}", "'lipsum' is undefined"),
    "a cycler over a huge list": (
        "{% set c = cycler(*range(10000)) %}{{ c.items * 10000 }}",
        "repeating a value 10,000 times",
    ),
    "dict.fromkeys": ("{{ dict.fromkeys(range(10000), 'x') }}", "cannot call dict.fromkeys()"),
    "doubling with ~": (
        "{% set a = 'x' * 60000 %}{% set a = a ~ a %}{% set a = a ~ a %}{{ a }}",
        "joining these values with ~ would be 120,000 characters long",
    ),
    "a format width of a billion": ("{{ '{:>1000000000}'.format(1) }}", "a width or precision"),
    "a % width of a billion": ("{{ '%999999999d' % 1 }}", "a width or precision"),
    "the format filter with a huge width": (
        "{{ '%999999999d'|format(1) }}",
        "a width or precision",
    ),
    "center with a huge width": ("{{ 'x'|center(1000000000) }}", "a width of 1,000,000,000"),
    "ljust with a huge width": ("{{ 'x'.ljust(1000000000) }}", "a width of 1,000,000,000"),
    "replace that multiplies": (
        "{% set s = 'x' * 50000 %}{{ s.replace('', s) }}",
        "this replace() would be",
    ),
    "indent that multiplies": ("{{ ('\n' * 50000)|indent(50000) }}", "this indent would be"),
    "wordwrap that multiplies": (
        "{{ ('x ' * 40000)|wordwrap(1, wrapstring='-' * 1000) }}",
        "this wordwrap would be",
    ),
    "expandtabs": ("{{ ('\t' * 1000).expandtabs(100000) }}", "cannot call str.expandtabs()"),
    "many references to one big string": (
        "{% set s = 'x' * 90000 %}{{ [s, s, s, s, s, s, s, s, s, s] }}",
        "the message is limited to 100,000",
    ),
    "a long output": (
        "{% for i in range(10000) %}{{ 'x' * 1000 }}{% endfor %}",
        "the text would be longer than 100,000 characters",
    ),
    "a macro writing a long buffer": (
        "{% macro m() %}{% for i in range(10000) %}" + "y" * 1000 + "{% endfor %}{% endmacro %}"
        "{{ m() }}",
        "a macro or block would write more than 100,000 characters",
    ),
    "copies made by slicing": (
        "{% set s = 'x' * 100000 %}{% set l = [" + ", ".join(["s[:]"] * 150) + "] %}",
        "it builds more than 10,000,000 characters of values in total",
    ),
    "lists added up one by one": (
        "{{ ('x' * 30000)|list|batch(1)|sum(start=[]) }}",
        "sum() adds numbers only",
    ),
    "a block calling itself": (
        "{% block b %}{{ self.b() }}{% endblock %}",
        "templates cannot call BlockReference()",
    ),
    "a list mutated": ("{% set l = [] %}{{ l.append(1) }}", "access to attribute 'append'"),
    "strings grown in a loop": (
        "{% set ns = namespace(s='') %}{% for i in range(10000) %}"
        "{% set ns.s = ns.s ~ 'xxxxxxxxxxxxxxxxxxxx' %}{% endfor %}",
        "it builds more than 10,000,000 characters of values in total",
    ),
    "a slow loop of cheap steps": (
        "{% for i in range(10000) %}{% for j in range(10) %}"
        "{{ ('x y ' * 20)|title|wordcount }}{% endfor %}{% endfor %}",
        "",  # stopped by its calls or its time, whichever comes first
    ),
    "a nesting deeper than the parser": ("{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}", "deeply"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_hostile_template_is_refused_quickly_with_a_clear_message(name):
    source, reason = HOSTILE[name]
    started = time.perf_counter()
    with pytest.raises(TemplateError) as refused:
        render("Subject", source, {"guest_name": "Ann"})
    elapsed = time.perf_counter() - started
    assert elapsed < FAST, f"{name} took {elapsed:.2f} s"
    assert refused.value.field == "body"
    assert refused.value.message.startswith("The body "), refused.value.message
    assert reason in refused.value.message


def test_a_limit_broken_says_so_and_a_failing_template_says_why():
    with pytest.raises(TemplateLimitError, match=r"^The body breaks a limit: range\(\)"):
        render("x", "{% for i in range(200000) %}{% endfor %}", {})
    with pytest.raises(TemplateError, match="could not be rendered: ZeroDivisionError"):
        render("x", "{{ 1 // 0 }}", {})


def test_the_subject_is_bounded_like_the_body():
    with pytest.raises(TemplateLimitError) as refused:
        render("{{ 9**(9**9) }}", "fine", {})
    assert refused.value.field == "subject"


def test_a_slow_template_is_stopped_by_the_wall_clock():
    limits = Limits(seconds=0.2, calls=10**9, loop_iterations=10**9, work=10**12)
    started = time.perf_counter()
    with pytest.raises(TemplateLimitError, match=r"took longer than 0\.2 s"):
        render(
            "x",
            "{% for i in range(10000) %}{% for j in range(10000) %}{% if j %}{% endif %}"
            "{% endfor %}{% endfor %}",
            {},
            limits=limits,
        )
    assert time.perf_counter() - started < 1.0


def test_ordinary_templates_still_render():
    source = (
        "{% set total = namespace(n=0) %}"
        "{% for line in lines %}{{ loop.index }}. {{ line.description|upper }}: {{ line.amount }}"
        "{{ loop.cycle(' (a)', ' (b)') }}\n{% set total.n = total.n + 1 %}{% endfor %}"
        "{{ '%s line(s)' % total.n }}, {{ '{:>5}'.format(guest_name) }}, "
        "{{ guest_name ~ '!' }}, {{ lines|map(attribute='amount')|join(' + ') }}, "
        "{{ (2 ** 10) * 3 }}, {{ 'a,b'.split(',')|join('-') }}, {{ range(3)|list }}"
    )
    context = {
        "guest_name": "Ann",
        "lines": [
            {"description": "Sailing", "amount": "€10.00"},
            {"description": "Chef", "amount": "€5.00"},
        ],
    }
    _, body = render("s", source, context)
    assert body == (
        "1. SAILING: €10.00 (a)\n2. CHEF: €5.00 (b)\n2 line(s),   Ann, Ann!, €10.00 + €5.00, "
        "3072, a-b, [0, 1, 2]"
    )


@pytest.mark.parametrize("key", list(DEFAULT_TEMPLATES))
def test_the_built_in_texts_render_within_the_limits_of_a_saved_template(key):
    t = DEFAULT_TEMPLATES[key]
    context = {name: f"<{name}>" for name in t.placeholders}
    context["lines"] = [{"description": "Sailing", "amount": "€10.00"}] * 500
    render(t.subject, t.body, context, limits=TEMPLATE_LIMITS)


def test_values_given_to_a_template_are_bounded_too():
    with pytest.raises(TemplateError, match="cannot be given to a template"):
        render("s", "{{ x }}", {"x": object()})
    with pytest.raises(TemplateError, match="more than 18 digits"):
        render("s", "{{ x }}", {"x": 10**40})
    with pytest.raises(TemplateLimitError, match="larger than 1,000,000 characters"):
        render("s", "{{ x|length }}", {"x": ["y" * 1000] * 2000})


def test_a_failing_saved_template_gives_way_to_the_built_in_text_with_the_reason():
    t = DEFAULT_TEMPLATES["payment_received"]
    context = {name: f"<{name}>" for name in t.placeholders}
    fallback = render_message(
        "payment_received", "Thanks", "{{ 9**(9**9) }}", context, customised=True
    )
    assert fallback.body == render(t.subject, t.body, context, limits=BUILT_IN_LIMITS)[1]
    assert fallback.problem is not None and "9 ** 387420489" in fallback.problem
    fine = render_message(
        "payment_received", "Thanks", "Paid: {{ amount_paid }}", context, customised=True
    )
    assert (fine.subject, fine.body, fine.problem) == ("Thanks", "Paid: <amount_paid>", None)


def test_a_save_refuses_a_source_too_long_and_a_subject_longer_than_its_column():
    with pytest.raises(TemplateLimitError, match="limited to 20,000") as refused:
        validate_template("invoice_sent", "Hi", "x" * 20_001)
    assert refused.value.field == "body"
    with pytest.raises(TemplateLimitError, match="limited to 300") as refused:
        validate_template("invoice_sent", "x" * 301, "Body")
    assert refused.value.field == "subject"


def test_include_import_and_huge_numbers_are_refused_before_any_render():
    with pytest.raises(TemplateError, match="cannot include"):
        validate_template("invoice_sent", "Hi", "{% include 'x' %}")
    with pytest.raises(TemplateLimitError, match="more than 18 digits"):
        validate_template("invoice_sent", "Hi", "{{ 1000000000000000000000 }}")
    with pytest.raises(TemplateError, match=r"Unknown placeholder \{\{ lipsum \}\}"):
        validate_template("invoice_sent", "Hi", "{{ lipsum() }}")


def test_variables_set_in_a_loop_are_not_counted_as_the_arguments_of_a_call():
    source = (
        "{% for line in lines %}{% set a = 'x' * 90000 %}{% set b = 'y' * 90000 %}"
        "{{ line.description.upper() }}{% endfor %}"
    )
    lines = [{"description": "sailing"}, {"description": "chef"}]
    assert render("s", source, {"lines": lines})[1] == "SAILINGCHEF"
