"""The tree shows the architecture, and stays that way (issue 14).

- no module of the app imports inside a function (the way import circles are dodged), except
  the few genuine lazy imports listed below with their reason;
- every module imports on its own, whatever was imported before it (no hidden circle);
- no module is over 500 lines, the models and the demo data excepted;
- the README's layout table names every folder and module of the app, and nothing that is not;
- every function of a views module or package is at most 30 lines long (issue 14, point 5);
- no module builds HTML in string literals: markup lives in templates (issue 14, point 5).
"""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("assessments", "devtools")
MAX_LINES = 500
LONG_ALLOWED = {
    "assessments/models.py": "the models, one file Django and the migrations read",
    "devtools/demo.py": "the demo data: people, cycles and answers as data",
}
# (module, imported name): why this import waits until the function runs.
LAZY_ALLOWED = {
    ("assessments/apps.py", "*"): "AppConfig.ready: signals connect once the registry is ready",
    ("assessments/reporting/pdf.py", "weasyprint"): (
        "seconds of start-up, and Debian's Pango libraries, for the PDF downloads only"
    ),
}


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _relative(path):
    return path.relative_to(ROOT).as_posix()


def _dotted(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports_inside_functions(path):
    tree = ast.parse(path.read_text())
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import):
                    yield node.lineno, node.names[0].name
                elif isinstance(node, ast.ImportFrom):
                    yield node.lineno, "." * node.level + (node.module or "")


def test_no_module_imports_inside_a_function_but_the_listed_lazy_ones():
    found = []
    for path in _modules():
        name = _relative(path)
        for line, imported in _imports_inside_functions(path):
            top = imported.split(".")[0]
            if (name, "*") in LAZY_ALLOWED or (name, top) in LAZY_ALLOWED:
                continue
            found.append(f"{name}:{line} imports {imported} inside a function")
    assert found == []


ISOLATED_IMPORTS = """
import importlib, json, os, sys, traceback
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compass_site.settings")
import django
django.setup()
KEEP = {"assessments", "assessments.models", "assessments.apps", "devtools", "devtools.apps"}
failures = {}
for name in json.loads(sys.argv[1]):
    # Forget every module of the apps imported so far (the models stay: Django registered them),
    # so that each module is imported first, as if it were the only one.
    for loaded in [m for m in sys.modules if m.split(".")[0] in ("assessments", "devtools")]:
        if loaded in KEEP:
            continue
        parent, _, child = loaded.rpartition(".")
        if parent in KEEP and hasattr(sys.modules[parent], child):
            delattr(sys.modules[parent], child)
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failures[name] = traceback.format_exc(limit=-3)
print(json.dumps(failures))
"""


def test_every_module_imports_on_its_own():
    names = [_dotted(path) for path in _modules()]
    assert "assessments.running.cycles" in names
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", ISOLATED_IMPORTS, json.dumps(names)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {}


def test_no_module_is_over_500_lines_but_the_models_and_the_demo_data():
    sources = [
        path
        for top in (*APPS, "compass", "compass_site")
        for path in (ROOT / top).rglob("*.py")
        if "migrations" not in path.parts
    ]
    too_long = {
        _relative(path): lines
        for path in sources
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
        and _relative(path) not in LONG_ALLOWED
    }
    assert too_long == {}


# --- the README's layout table ---------------------------------------------------------------


def _layout_rows():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"^\| `([^`]+)` \| (.*) \|$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def _packages():
    """Every package folder of the apps that holds modules (migrations included), not those
    that only hold another folder (``management/``)."""
    for app in APPS:
        for init in sorted((ROOT / app).rglob("__init__.py")):
            if any(p.name != "__init__.py" for p in init.parent.glob("*.py")):
                yield init.parent


def test_every_path_the_readme_layout_table_names_exists():
    rows = _layout_rows()
    assert len(rows) > 10
    missing = [path for path in rows if not (ROOT / path).exists()]
    assert missing == []


@pytest.mark.parametrize("package", list(_packages()), ids=_relative)
def test_the_readme_layout_table_names_each_folder_of_the_app_and_its_modules(package):
    rows = _layout_rows()
    folder = _relative(package) + "/"
    assert folder in rows, f"{folder} has no row in the README's layout table"
    if package.name == "migrations":
        return
    modules = {p.name for p in package.glob("*.py") if p.name != "__init__.py"}
    named = set(re.findall(r"`([a-z_0-9]+\.py)`", rows[folder]))
    assert named == modules, (
        f"{folder}: the README names {sorted(named)}, the folder holds {sorted(modules)}"
    )


# --- short views, markup in templates ---------------------------------------------------------

MAX_VIEW_LINES = 30
MARKUP_SOURCES = ("assessments", "compass", "compass_site", "devtools")

# A word list reads better than 110 quoted names.
HTML_TAGS = frozenset(
    (  # noqa: SIM905
        "a abbr address article aside b bdi bdo blockquote body br button canvas caption circle"
        " cite code col colgroup data datalist dd defs del details dfn dialog div dl dt em"
        " fieldset figcaption figure footer form g h1 h2 h3 h4 h5 h6 head header hr html i iframe"
        " img input ins kbd label legend li line link main mark meta meter nav noscript ol"
        " optgroup option output p path pattern picture polygon polyline pre progress q rect s"
        " samp script section select small source span strong style sub summary sup svg table"
        " tbody td template text textarea tfoot th thead time title tr u ul var video wbr"
    ).split()
)
MARKUP = re.compile(rf"</?(?:{'|'.join(sorted(HTML_TAGS))})(?=[\s/>]|$)", re.IGNORECASE)


def _sources(tops):
    for top in tops:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _view_modules():
    """Every module of assessments/ that is a ``views`` module or inside a ``views`` package."""
    for path in _sources(("assessments",)):
        if "views" in path.relative_to(ROOT).with_suffix("").parts:
            yield path


def test_every_view_function_is_at_most_30_lines():
    too_long = []
    for path in _view_modules():
        name = _relative(path)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                # From the def to its last line: decorators are not counted.
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_VIEW_LINES:
                    too_long.append(f"{name}:{node.lineno} {node.name} is {lines} lines")
    assert too_long == []


# Fetching an object by the URL's id is deciding who may see it: access.py does that alone.
OBJECT_LOOKUPS = re.compile(r"\bget_object_or_404\(|\bget_list_or_404\(|\.objects\.get\(")


def test_views_fetch_the_urls_objects_only_through_access():
    found = [
        f"{_relative(path)}:{number} {line.strip()}"
        for path in _view_modules()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if OBJECT_LOOKUPS.search(line)
    ]
    assert found == []


def test_the_view_rule_sees_the_hr_views():
    modules = {_relative(path) for path in _view_modules()}
    assert "assessments/running/views/cycles.py" in modules
    assert "assessments/accounts/views.py" in modules


def _docstrings(tree):
    """Docstrings document the code; they are never output."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                yield first.value


def _markup_literals(path):
    tree = ast.parse(path.read_text())
    documentation = {id(node) for node in _docstrings(tree)}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in documentation
            and MARKUP.search(node.value)
        ):
            yield node.lineno, node.value


def test_no_module_builds_html_in_string_literals():
    found = []
    for path in _sources(MARKUP_SOURCES):
        name = _relative(path)
        found += [f"{name}:{line} {text[:60]!r}" for line, text in _markup_literals(path)]
    assert found == []


@pytest.mark.parametrize(
    ("source", "markup"),
    [
        ('x = "<bdi>{}</bdi>"', True),
        ('x = f"<td class={c}>"', True),
        ("x = '<input type=\"hidden\">'", True),
        ('x = "</span>"', True),
        ('x = "<br/>"', True),
        ('x = "/r/<token>/"', False),
        ('x = "<group>_invited"', False),
        ('x = "a < b and b > c"', False),
        ('"""A docstring may name <bdi>."""', False),
    ],
)
def test_the_markup_rule_tells_html_from_other_angle_brackets(tmp_path, source, markup):
    module = tmp_path / "module.py"
    module.write_text(source + "\n")
    assert bool(list(_markup_literals(module))) is markup


# --- tests ---------------------------------------------------------------------------------


ROLE_FIXTURES = {
    "hr_admin",
    "leader",
    "supervisor",
    "other_leader",
    "other_supervisor",
    "outsider",
    "as_hr",
    "as_leader",
    "as_supervisor",
    "as_outsider",
}


def _fixture_names(path):
    """Names of the functions ``path`` declares as pytest fixtures."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if ast.unparse(target) in ("pytest.fixture", "fixture"):
                    names.add(node.name)
    return names


def test_role_fixtures_are_defined_once_in_the_tests_conftest():
    conftest = ROOT / "tests" / "conftest.py"
    assert _fixture_names(conftest) >= ROLE_FIXTURES
    again = [
        f"{_relative(path)} {name}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if path != conftest
        for name in sorted(_fixture_names(path) & ROLE_FIXTURES)
    ]
    assert again == []
