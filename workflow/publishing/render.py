"""Rendering pages with Jinja2: the only module that imports jinja2.

`Renderer` turns page models (`pagemodel.Page`) into text: a release page,
its print version (the HTML of release.pdf), its plain text, a language's
site index and Atom feed.  Release text is Markdown: the `markdown`,
`inline_markdown`, `plaintext` and `summary` filters render it
(`publishing.markdown`), knowing the page's direction.  What files a bundle
holds is `bundles`' job; what a page says is `pagemodel`'s.

Templates come from the newsroom's `templates/` folder first and from the
packaged defaults second, so a newsroom may override any single template.
Autoescaping is configured explicitly (`select_autoescape` does not cover
`*.html.j2`); undefined variables are errors; a template error becomes one
`InvalidData` naming the template and line, raised before anything is written.

Page chrome is translated with the PAGE's language catalog
(`i18n.translations_for`); days and digits are formatted by `dates`
(Babel, the language's `date_locale` and digit style).  Output depends only
on its inputs: no clock.
"""

from __future__ import annotations

import contextlib
import os
import traceback
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow import i18n, resources
from workflow.core.digits import in_style
from workflow.core.textrules import xml_clean
from workflow.errors import InvalidData, PubflowError
from workflow.i18n import _
from workflow.publishing import markdown
from workflow.publishing.dates import day_of, format_day
from workflow.publishing.outputs import Letterhead
from workflow.publishing.pagemodel import Link, Page, site_name

if TYPE_CHECKING:
    import gettext

    from jinja2 import Environment
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from workflow.core.config import Config

TEMPLATES = {
    "page": "release.html.j2",
    "print": "release.print.html.j2",
    "index": "index.html.j2",
    "text": "release.txt.j2",
    "feed": "feed.atom.j2",
}
STYLESHEET = "assets/pubflow.css"
PRINT_STYLESHEET = "assets/print.css"
ASSETS = (STYLESHEET,)
PRINT_ASSETS = (STYLESHEET, PRINT_STYLESHEET)  # what the print page links (the PDF's resources)
AUTOESCAPE_SUFFIXES = (".html.j2", ".xml.j2", ".atom.j2", ".html", ".xml", ".atom", ".htm")
FSI, PDI = "\u2068", "\u2069"
EPOCH = "1970-01-01T00:00:00Z"


class TemplateProblem(InvalidData):
    """A template does not load or render: every release would fail alike (exit 5, nothing built)."""


def packaged_templates() -> Path:
    """The default templates: inside an installed wheel, else the source tree."""
    return resources.templates_dir()


def outside_link(folder: Path, path: Path) -> bool:
    """Whether `path` (a file of the newsroom's `folder`, e.g. templates/) leads outside that folder
    through a symbolic link: git keeps links, so a collaborator could commit
    `templates/x.j2 -> ~/.ssh/id_rsa` and an `{% include %}` of it would publish the file."""
    base = os.path.realpath(folder)
    where = os.path.realpath(path)
    return not where.startswith(base.rstrip(os.sep) + os.sep)


def _refuse_link(folder: Path, path: Path, root: Path) -> None:
    if outside_link(folder, path) or outside_link(root, folder):
        try:
            shown = path.relative_to(root).as_posix()
        except ValueError:
            shown = str(path)
        raise TemplateProblem(
            _("{path} is a symbolic link that leads outside the newsroom's templates; pubflow does not read "
              "through it").format(path=shown),
            _("replace the link with the file itself, or delete it"))


def _read_own(folder: Path, path: Path, root: Path) -> bytes:
    """A file of the newsroom's own templates folder: not through a link leading out of it, a regular
    file of at most `limits.TEMPLATE_BYTES` (a FIFO or a huge file refused, one line)."""
    from workflow.storage import limits

    _refuse_link(folder, path, root)
    return limits.read_regular(path, limits.TEMPLATE_BYTES, path.relative_to(root).as_posix()
                               if path.is_relative_to(root) else str(path))


def _loader(folder: Path, root: Path) -> Any:
    """Jinja2's loader for one templates folder; the newsroom's own is read through `_read_own`."""
    import jinja2

    if not folder.is_relative_to(root):  # pubflow's packaged templates
        return jinja2.FileSystemLoader(str(folder))

    class OwnLoader(jinja2.BaseLoader):
        def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
            from jinja2.loaders import split_template_path

            path = folder.joinpath(*split_template_path(template))
            if not os.path.lexists(path) or os.path.isdir(path):
                raise jinja2.TemplateNotFound(template)
            raw = _read_own(folder, path, root)
            try:
                source = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise TemplateProblem(_("{where}: not valid UTF-8 at byte {offset}").format(
                    where=path.relative_to(root).as_posix(), offset=exc.start), _("save the file as UTF-8")) from None
            stamp = os.stat(path).st_mtime_ns

            def uptodate() -> bool:
                try:
                    return os.stat(path).st_mtime_ns == stamp
                except OSError:
                    return False

            return source, str(path), uptodate

    return OwnLoader()


def template_dirs(root: Path) -> list[Path]:
    """Where templates are looked up, first match wins."""
    dirs = []
    own = root / "templates"
    if own.is_dir():
        dirs.append(own)
    packaged = packaged_templates()
    if not dirs or packaged.resolve() != dirs[0].resolve():
        dirs.append(packaged)
    return dirs


_BYTECODE: dict[str, Any] = {}


def _bytecode_cache(folder: Path | None = None) -> Any:
    """One in-memory bytecode cache per process and folder: each template source is compiled
    once, however many languages and renderers use it (Jinja keys it by name and source hash).
    With `folder` (derived data under `.pubflow/`) compiled templates are also kept on disk,
    so the next process does not compile them again (~0.2 s of a small rebuild); a stale or
    damaged file is ignored (Jinja checks its magic and the source's checksum)."""
    name = str(folder) if folder else ""
    if name not in _BYTECODE:
        import jinja2

        from workflow.storage import cache, limits, store

        # A compiled template is pickled and marshalled Python: loading one runs code, outside the
        # sandbox.  On disk each is signed with this user's key, kept outside the newsroom
        # (`storage.cache.user_key`), so a file nobody here wrote (a `.pubflow/templates/`
        # committed with `git add -f`) is ignored and the template compiled again.
        class MemoryCache(jinja2.BytecodeCache):
            def __init__(self) -> None:
                self.store: dict[str, bytes] = {}

            def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                data = self.store.get(bucket.key)
                if data is None and folder is not None:
                    try:
                        raw = limits.read_regular(folder / f"{bucket.key}.jinja", limits.CACHE_BYTES)
                    except (OSError, PubflowError):
                        raw = b""
                    data = cache.signed(raw, bucket.key)
                if data is not None:
                    bucket.bytecode_from_string(data)

            def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                data = self.store[bucket.key] = bucket.bytecode_to_string()
                mine = cache.sign(data, bucket.key) if folder is not None else None
                if folder is not None and mine is not None:
                    with contextlib.suppress(PubflowError):
                        store.write_output(folder / f"{bucket.key}.jinja", mine)

        _BYTECODE[name] = MemoryCache()
    return _BYTECODE[name]


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith(AUTOESCAPE_SUFFIXES)


def first_strong(text: str) -> str | None:
    """'ltr' or 'rtl' from the first strong character (None when there is none)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return None


_SANDBOX: type[ImmutableSandboxedEnvironment] | None = None


def _sandbox() -> type[ImmutableSandboxedEnvironment]:
    """Jinja2's immutable sandbox, its verdict on an attribute remembered per (type, name).

    The sandbox asks on every attribute a template reads (~50 a page) whether it is safe: not
    private (`_x`), not internal to functions, methods, frames or generators (`__globals__`,
    `gi_frame`), not a method that changes a list, dict, set or deque.  Every one of those
    checks looks at the object's type and the name only, so the answer for one object of a
    type holds for all of them; asking once per type and name took a fifth of rendering."""
    global _SANDBOX
    if _SANDBOX is None:
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        class Sandbox(ImmutableSandboxedEnvironment):
            def __init__(self, **options: Any) -> None:
                super().__init__(**options)
                self.verdicts: dict[tuple[type[Any], str], bool] = {}

            def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
                key = (type(obj), attr)
                verdict = self.verdicts.get(key)
                if verdict is None:
                    verdict = self.verdicts[key] = bool(super().is_safe_attribute(obj, attr, value))
                return verdict

        _SANDBOX = Sandbox
    return _SANDBOX


# ---------------------------------------------------------------- Jinja2
class Renderer:
    """Jinja2 environments for one newsroom, one per page language."""

    def __init__(self, config: Config, base_url: str = "", cache_dir: Path | None = None, *,
                 draft: bool = False, contact: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.config = config
        self.cache_dir = cache_dir  # compiled templates kept between processes (derived data)
        self.root = config.root
        self.base_url = base_url
        self.draft = draft  # `pubflow render` and `preview`: a DRAFT banner (and watermark); never in dist/
        # The contact block per language: `contact:` (or the older outputs.letterhead.contact).
        self.contact = dict(config.contact if contact is None else contact)
        self.dirs = template_dirs(config.root)
        self._envs: dict[str, Environment] = {}
        self._assets: dict[str, bytes] = {}
        self._catalogs: dict[str, gettext.NullTranslations] = {}

    # -------------------------------------------------- inputs (for build hashes)
    def input_files(self) -> list[Path]:
        """Every template and asset file that can influence output."""
        seen: dict[str, Path] = {}
        for folder in self.dirs:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    seen.setdefault(path.relative_to(folder).as_posix(), path)
        return [seen[k] for k in sorted(seen)]

    def asset(self, name: str) -> bytes:
        """An asset's bytes, read once per renderer (a build puts the stylesheet in every bundle)."""
        if name not in self._assets:
            self._assets[name] = self._read_asset(name)
        return self._assets[name]

    def _read_asset(self, name: str) -> bytes:
        for folder in self.dirs:
            path = folder / name
            if folder.is_relative_to(self.root) and os.path.lexists(path):
                return _read_own(folder, path, self.root)
            if path.is_file():
                return path.read_bytes()
        raise InvalidData(_("asset {name} not found in {dirs}").format(
            name=name, dirs=", ".join(str(d) for d in self.dirs)), _("restore the templates folder"))

    def _where(self, name: str) -> str:
        for folder in self.dirs:
            path = folder / name
            if path.is_file():
                try:
                    return str(path.relative_to(self.root))
                except ValueError:
                    return str(path)
        return name

    # -------------------------------------------------- environments
    def env(self, lang: str) -> Environment:
        if lang not in self._envs:
            self._envs[lang] = self._make_env(lang)
        return self._envs[lang]

    def catalog(self, lang: str) -> gettext.NullTranslations:
        """The page catalog of `lang`, looked up once per renderer (the newsroom's own first)."""
        if lang not in self._catalogs:
            self._catalogs[lang] = i18n.translations_for(lang, self.root / "locales")
        return self._catalogs[lang]

    def _make_env(self, lang: str) -> Environment:
        import jinja2
        from markupsafe import escape

        language = self.config.language(lang)
        env = _sandbox()(
            loader=jinja2.ChoiceLoader([_loader(d, self.root) for d in self.dirs]),
            autoescape=_autoescape,
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            bytecode_cache=_bytecode_cache(self.cache_dir),
        )
        catalog = self.catalog(lang)

        # A newsroom's catalog is data from the repository: its messages are escaped like any
        # other text in HTML and XML (newstyle gettext would otherwise trust them as markup).
        @jinja2.pass_eval_context
        def gettext(eval_ctx: Any, message: str) -> str:
            text = catalog.gettext(message)
            return escape(text) if eval_ctx.autoescape else text

        @jinja2.pass_eval_context
        def ngettext(eval_ctx: Any, singular: str, plural: str, n: int) -> str:
            text = catalog.ngettext(singular, plural, n)
            return escape(text) if eval_ctx.autoescape else text

        env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
        direction = language.direction

        def bdi(value: Any) -> Any:
            from markupsafe import Markup

            return Markup("<bdi>{}</bdi>").format(value)

        def isolate(value: Any) -> str:
            text = str(value)
            own = first_strong(text)
            if (direction == "rtl" and own != "rtl") or (direction == "ltr" and own == "rtl"):
                return f"{FSI}{text}{PDI}"
            return text

        def markdown_block(value: Any) -> Any:
            from markupsafe import Markup

            return Markup(markdown.to_html(str(value), direction))

        def markdown_inline(value: Any) -> Any:
            from markupsafe import Markup

            return Markup(markdown.inline_html(str(value), direction))

        env.filters["bdi"] = bdi
        env.filters["isolate"] = isolate
        env.filters["markdown"] = markdown_block
        env.filters["inline_markdown"] = markdown_inline
        env.filters["plaintext"] = lambda value: markdown.to_text(str(value), direction)
        env.filters["summary"] = lambda value: markdown.summary(str(value))
        env.filters["direction"] = lambda value: first_strong(str(value)) or "ltr"
        env.filters["digits"] = lambda value: in_style(str(value), language.digits)
        env.filters["day"] = lambda moment: format_day(day_of(str(moment)), language)
        env.globals["language"] = language
        env.globals["draft"] = self.draft
        env.globals["contact"] = tuple(self.contact.get(lang, ()))
        env.globals["boilerplate"] = self.config.boilerplate.get(lang, "")
        return env

    def render(self, kind: str, lang: str, /, **context: Any) -> str:
        """Render one template; any template problem is one InvalidData naming file and line."""
        import jinja2
        from jinja2.exceptions import SecurityError

        name = TEMPLATES[kind]
        try:
            template = self.env(lang).get_template(name)
            return template.render(**context)
        except jinja2.TemplateSyntaxError as exc:
            where = self._where(exc.name or name)
            raise TemplateProblem(
                _("{template}, line {line}: {error}").format(template=where, line=exc.lineno, error=exc.message),
                _("fix the template; nothing was written")) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateProblem(
                _("template {name} not found (looked in {dirs})").format(
                    name=exc.name, dirs=", ".join(str(d) for d in self.dirs)),
                _("restore it, or delete the override so the default is used")) from None
        except jinja2.UndefinedError as exc:
            where, line = self._template_frame(exc, name)
            raise TemplateProblem(
                _("{template}, line {line}: {error}").format(template=where, line=line, error=exc.message),
                _("fix the template; nothing was written")) from None
        except SecurityError as exc:
            where, line = self._template_frame(exc, name)
            raise TemplateProblem(
                _("{template}, line {line}: refused by the template sandbox: {error}").format(
                    template=where, line=line, error=exc),
                _("templates may only use the page's data and pubflow's filters; fix the template")) from None
        except RecursionError as exc:
            where, line = self._template_frame(exc, name)
            raise TemplateProblem(
                _("{template}, line {line}: the template calls itself without end").format(template=where, line=line),
                _("fix the template; nothing was written")) from None
        except (jinja2.TemplateError, TypeError, ValueError, LookupError, AttributeError, ArithmeticError,
                MemoryError) as exc:
            # Errors raised by a template's own expressions (`{{ 1 + "a" }}`, `{{ x[99] }}`): the
            # template's fault, reported like a syntax error, never an internal error.
            where, line = self._template_frame(exc, name)
            if where == self._where(name) and line == "?" and not isinstance(exc, jinja2.TemplateError):
                raise
            raise TemplateProblem(
                _("{template}, line {line}: {error}").format(
                    template=where, line=line, error=f"{type(exc).__name__}: {exc}"),
                _("fix the template; nothing was written")) from None

    def _template_frame(self, exc: BaseException, name: str) -> tuple[str, int | str]:
        """The innermost template file and line in a rendering traceback."""
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith(AUTOESCAPE_SUFFIXES + (".j2",)):
                path = Path(frame.filename)
                try:
                    shown = str(path.relative_to(self.root))
                except ValueError:
                    shown = str(path)
                return shown, frame.lineno or "?"
        return self._where(name), "?"

    # -------------------------------------------------- the outputs
    def release_page(self, page: Page, assets: str = "assets/", has_pdf: bool = False) -> str:
        return self.render("page", page.lang, page=page, assets=assets, home="../", has_pdf=has_pdf)

    def release_print(self, page: Page, letterhead: Letterhead, assets: str) -> str:
        """The print version of the release page (the HTML of release.pdf); `assets` is where its
        stylesheets and the letterhead's logo are found (the PDF's resource scheme)."""
        counter = "arabic-indic" if self.config.language(page.lang).digits == "arab" else "decimal"
        return self.render("print", page.lang, page=page, assets=assets, home="../", counter=counter,
                           letterhead=letterhead.for_language(page.lang, assets), has_pdf=True)

    def release_text(self, page: Page) -> str:
        return self.render("text", page.lang, page=page)

    def index_page(self, lang: str, pages: Sequence[Page], alternates: Iterable[str] = (), *,
                   archive: int = 0, number: int = 0) -> str:
        """The site index (`number` 0) or archive page `number` of `archive` pages (1 = oldest)."""
        up = "../../" if number else ""
        return self.render("index", lang, pages=list(pages), site=self._site(lang), lang=lang,
                           dir=self.config.language(lang).direction, assets=f"{up}assets/", up=up,
                           archive=archive, number=number,
                           alternates=self._index_links(lang, alternates, up))

    def feed(self, lang: str, pages: Sequence[Page]) -> str:
        updated = max([p.updated for p in pages if p.updated], default=EPOCH)
        site = self._site(lang)
        base = f"{self.base_url}{lang}/" if self.base_url else ""
        feed_id = base or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'pubflow:{site}:{lang}')}"
        entries = []
        for page in pages:
            entry_id = page.url or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'pubflow:{site}:{lang}:{page.id}')}"
            entries.append({"id": entry_id, "page": page, "link": page.url or page.href})
        # Characters XML 1.0 does not allow are refused at input; text stored before (or by
        # others, by hand) still never makes the whole feed invalid: U+FFFD in their place.
        return xml_clean(self.render("feed", lang, site=site, lang=lang, feed_id=feed_id, updated=updated,
                                     base=base, entries=entries))

    def _site(self, lang: str) -> str:
        return site_name(self.config, lang)

    def _index_links(self, lang: str, codes: Iterable[str], up: str = "") -> list[Link]:
        out = []
        for code in codes:
            if code != lang and code in self.config.languages:
                other = self.config.languages[code]
                out.append(Link(code, other.name, f"{up}../{code}/", other.direction,
                                f"{self.base_url}{code}/" if self.base_url else "", other.date_locale))
        return out


# -------------------------------------------------- files that come in from others
PLACEHOLDER = r"%\((\w+)\)[sd]"


def template_problems(root: Path) -> list[tuple[str, str]]:
    """Every newsroom template that does not compile, or that reaches for what the sandbox refuses
    (an attribute or key starting with `_`: `cycler.__init__.__globals__`); (file, problem) pairs.

    The sandbox refuses these when a page renders anyway; `verify` and `sync` say so before
    anybody builds, as they do for releases that came in from others."""
    import jinja2
    from jinja2 import nodes
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    own = root / "templates"
    if own.is_symlink() and outside_link(root, own):
        return [("templates", _("a symbolic link that leads outside the newsroom's templates; pubflow does not "
                                "read through it"))]
    if not own.is_dir() or own.is_symlink():
        return []
    env = ImmutableSandboxedEnvironment(extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    out: list[tuple[str, str]] = []
    for path in sorted(own.rglob("*")):
        if outside_link(own, path):
            out.append((path.relative_to(root).as_posix(), _(
                "a symbolic link that leads outside the newsroom's templates; pubflow does not read through it")))
    for path in sorted(own.rglob("*.j2")):
        shown = path.relative_to(root).as_posix()
        if outside_link(own, path):
            continue
        try:
            source = path.read_text(encoding="utf-8")
            tree = env.parse(source, name=path.name)
        except jinja2.TemplateSyntaxError as exc:
            out.append((shown, _("line {line}: {error}").format(line=exc.lineno, error=exc.message)))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            out.append((shown, _("cannot be read: {error}").format(error=exc)))
            continue
        for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
            name = node.attr if isinstance(node, nodes.Getattr) else getattr(getattr(node, "arg", None), "value", None)
            if isinstance(name, str) and name.startswith("_"):
                out.append((shown, _("line {line}: {name} is refused by the template sandbox").format(
                    line=node.lineno, name=name)))
                break
    return out


def catalog_problems(root: Path) -> list[tuple[str, str]]:
    """Every compiled page catalog of the newsroom (`locales/<lang>/LC_MESSAGES/pubflow.mo`) that
    does not load, or whose messages ask for placeholders their English text does not give."""
    import re

    from workflow.i18n import pofile

    folder = root / "locales"
    if not folder.is_dir() or folder.is_symlink() or folder.resolve() == i18n.locales_dir().resolve():
        return []
    out: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*/LC_MESSAGES/*.mo")):
        shown = path.relative_to(root).as_posix()
        try:
            messages = pofile.read_mo(path)
        except pofile.CatalogError as exc:
            out.append((shown, _("does not load: {error}").format(error=exc.detail or exc.reason)))
            continue
        for msgid, msgstr in messages:
            extra = set(re.findall(PLACEHOLDER, msgstr)) - set(re.findall(PLACEHOLDER, msgid))
            if extra:
                out.append((shown, _("the translation of {msgid} uses %({name})s, which its text does not give").format(
                    msgid=repr(msgid[:40]), name=sorted(extra)[0])))
                break
    return out


def shared_file_problems(root: Path) -> list[str]:
    """Templates and catalogs of the newsroom that would not render: one line each."""
    return [f"{where}: {problem}" for where, problem in template_problems(root) + catalog_problems(root)]
