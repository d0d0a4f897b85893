"""The workspace application: routes, pages and the forms that write through the public API.

Starlette (ASGI) gives routing, form parsing and responses and nothing more
is needed: no ORM, no sessions store, no template integration (the
workspace has its own sandboxed Jinja2 environment, autoescape on).  Every
handler runs its work in a worker thread with the reader's interface language
(`workflow.i18n.use_language`), opens the newsroom as any front end does
(`workflow.open_newsroom`: git autocommit included) and maps a `PubflowError`
to a page with its one line and an HTTP status.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

import workflow
from workflow import i18n
from workflow.core import labels
from workflow.errors import (
    CONFLICT,
    EXTERNAL,
    INVALID_DATA,
    NOT_FOUND,
    REFUSED,
    USAGE,
    Conflict,
    NotFound,
    PubflowError,
    UsageError,
)
from workflow.i18n import _
from workflow.translation.operations import require_segment
from workflow.workspace import desk
from workflow.workspace.security import Guard, Sessions

if TYPE_CHECKING:
    from workflow.core.config import Person
    from workflow.core.model import Document
    from workflow.storage.newsroom import Newsroom

HERE = Path(__file__).resolve().parent
STATIC = {"ws.css": "text/css; charset=utf-8", "ws.js": "text/javascript; charset=utf-8"}
STATUS = {USAGE: 400, NOT_FOUND: 404, REFUSED: 403, INVALID_DATA: 422, CONFLICT: 409, EXTERNAL: 502}
SEGMENT_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MAX_FORM = 256 * 1024  # bytes of one form: a paragraph is a few KB
PREVIEW_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".txt": "text/plain; charset=utf-8", ".json": "application/json; charset=utf-8",
                 ".atom": "application/atom+xml; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}


@dataclass(frozen=True)
class Settings:
    root: str | None  # the newsroom (None: $PUBFLOW_ROOT, else upwards from the current folder)
    actor: str | None  # --as (None: PUBFLOW_USER, else git config user.email)
    port: int
    ui: str = "en"  # default interface language


def environment() -> SandboxedEnvironment:
    """The workspace's own templates: sandboxed, every value escaped, interface words through `_()`."""
    env = SandboxedEnvironment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=True,
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["_"] = _
    env.globals["ngettext"] = i18n.ngettext
    env.filters["quote_url"] = lambda value: urllib.parse.quote(str(value), safe="")
    env.filters["status_label"] = labels.status_label
    env.filters["severity_label"] = labels.severity_label
    env.globals["editor_url"] = editor_url
    return env


class Workspace:
    """One server: its settings, templates and sessions."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.env = environment()
        self.sessions = Sessions(settings.port)
        self.ui_cookie = f"pubflow_ui_{settings.port}"

    # ------------------------------------------------------------ request plumbing
    def ui_language(self, request: Request) -> str:
        wanted = request.cookies.get(self.ui_cookie) or self.settings.ui
        return wanted if wanted in i18n.available_languages() else "en"

    def session(self, request: Request) -> tuple[str, bool]:
        value = request.cookies.get(self.sessions.cookie)
        if value and re.fullmatch(r"[A-Za-z0-9_-]{20,100}", value):
            return value, False
        return self.sessions.new_session(), True

    async def run(self, request: Request, work: Callable[[Context], Response], *, write: bool = False) -> Response:
        """Run `work` in a worker thread with the reader's language; errors become a page.

        `write`: a POST; its form is read first and must carry the session's CSRF token.
        """
        session, fresh = self.session(request)
        ui = self.ui_language(request)
        form: dict[str, str] = {}
        if write:
            try:
                form = await self.read_form(request)
            except Exception:  # noqa: BLE001 -- a malformed or oversized body: one clear refusal
                with i18n.use_language(ui):
                    message = _("refused: the form could not be read (malformed or too large); nothing was changed")
                return self._cookies(self.page_error(request, ui, session, 400, message), session, fresh)
            token = form.get("csrf") or request.headers.get("x-csrf-token")
            if fresh or not self.sessions.valid(session, token, request.headers.get("origin")):
                with i18n.use_language(ui):
                    message = _("refused: this form has no valid security token (CSRF); nothing was changed. "
                                "Reload the page and try again")
                response: Response = self.page_error(request, ui, session, 403, message)
                return self._cookies(response, session, fresh)

        def call() -> Response:
            with i18n.use_language(ui):
                ctx = Context(self, request, ui, session, form)
                try:
                    return work(ctx)
                except PubflowError as exc:
                    return self.page_error(request, ui, session, STATUS.get(exc.exit_code, 500), exc.line())

        response = await run_in_threadpool(call)
        return self._cookies(response, session, fresh)

    def _cookies(self, response: Response, session: str, fresh: bool) -> Response:
        if fresh:
            response.set_cookie(self.sessions.cookie, session, httponly=True, samesite="strict", path="/")
        return response

    def page_error(self, request: Request, ui: str, session: str, status: int, message: str) -> Response:
        with i18n.use_language(ui):
            ctx = Context(self, request, ui, session)
            return ctx.render("error.html.j2", status=status, message=message, code=status)

    async def read_form(self, request: Request) -> dict[str, str]:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_FORM):
            raise ValueError("form too large")
        async with request.form(max_files=0, max_fields=50, max_part_size=MAX_FORM) as data:
            return {key: value for key, value in data.items() if isinstance(value, str)}


class Context:
    """One request, inside its worker thread and language."""

    def __init__(self, ws: Workspace, request: Request, ui: str, session: str,
                 form: dict[str, str] | None = None) -> None:
        self.ws = ws
        self.form = form or {}
        self.request = request
        self.ui = ui
        self.session = session
        self._nr: Newsroom | None = None
        self._person: Person | None = None

    @property
    def nr(self) -> Newsroom:
        if self._nr is None:
            self._nr = workflow.open_newsroom(self.ws.settings.root)
        return self._nr

    @property
    def person(self) -> Person:
        if self._person is None:
            from workflow.editorial.actors import resolve_actor

            self._person = resolve_actor(self.nr.config, self.ws.settings.actor)
        return self._person

    def render(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        direction = "rtl" if self.ui == "ar" else "ltr"
        path = self.request.url.path
        query = self.request.url.query
        here = path + (f"?{query}" if query else "")
        base = {
            "ui": self.ui, "ui_dir": direction, "csrf": self.ws.sessions.token(self.session),
            "here": here, "ui_languages": [(code, LANGUAGE_NAMES.get(code, code))
                                           for code in i18n.available_languages()],
            "person": self._person_or_none(), "flash": self.flash(),
        }
        base.update(values)
        html = self.ws.env.get_template(name).render(**base)
        return HTMLResponse(html, status_code=status)

    def _person_or_none(self) -> Person | None:
        try:
            return self.person
        except PubflowError:
            return None

    def flash(self) -> str:
        """The one-line result of the form sent just before (fixed messages; values checked)."""
        q = self.request.query_params
        done, seg, what = q.get("done", ""), q.get("seg", ""), q.get("what", "")
        if seg and not SEGMENT_RE.match(seg):
            return ""
        if what and not SEGMENT_RE.match(what):
            return ""
        messages = {
            "saved": _("Saved {segment}.").format(segment=seg),
            "kept": _("Kept the old translation of {segment}.").format(segment=seg),
            "approved": _("Approved {segment}.").format(segment=seg),
            "approved_all": _("Approved every segment that was ready."),
            "noted": _("Your note on {segment} is in the release's history.").format(segment=seg),
            "waived": _("Waived {check} on {segment} and approved it.").format(check=what, segment=seg),
            "moved": _("Done: {transition}.").format(transition=what),
            "finished": _("Nothing left to translate here. Thank you!"),
        }
        return messages.get(done, "")


LANGUAGE_NAMES = {"en": "English", "ar": "العربية"}


def _safe_next(value: str | None) -> str:
    """A local path to go back to (never another site: no scheme, no //host)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _segment(value: str) -> str:
    if not SEGMENT_RE.match(value):
        raise NotFound(_("no segment {segment!r}").format(segment=value[:40]))
    return value


def _release_id(value: str) -> str:
    from workflow.core.model import ID_RE

    if not ID_RE.match(value):
        raise NotFound(_("no release {id!r}").format(id=value[:80]), _("see the inbox for the ids"))
    return value


def _lang(ctx: Context, value: str) -> str:
    if value not in ctx.nr.config.languages:
        raise NotFound(_("no language {code!r} in this newsroom").format(code=value[:20]),
                       _("this newsroom has: {codes}").format(codes=", ".join(ctx.nr.config.languages)))
    return value


def _posted_segment(ctx: Context) -> tuple[Document, str, str, str]:
    """The release, language and segment a form names, checked: (target document, lang, segment id,
    the source text)."""
    form = ctx.form
    rid = _release_id(form.get("release", ""))
    lang = _lang(ctx, form.get("lang", ""))
    seg = _segment(form.get("segment", ""))
    doc = desk.load_target(ctx.nr, rid, lang)
    return doc, lang, seg, require_segment(doc, seg)


def _redirect(path: str, **query: str) -> RedirectResponse:
    url = path + ("?" + urllib.parse.urlencode(query) if query else "")
    return RedirectResponse(url, status_code=303)


def editor_url(release: str, lang: str, seg: str | None = None) -> str:
    base = f"/r/{urllib.parse.quote(release)}/{urllib.parse.quote(lang)}"
    return f"{base}/s/{urllib.parse.quote(seg)}" if seg else base


# ---------------------------------------------------------------- pages
def build_routes(ws: Workspace) -> list[Route]:
    async def home(request: Request) -> Response:
        def work(ctx: Context) -> Response:
            person = ctx.person
            box = workflow.inbox(ctx.nr, person)
            from workflow.translation.operations import translation_states

            states = translation_states(ctx.nr.config)
            releases = [r for r in workflow.list_releases(ctx.nr) if r.state in states]
            wf = ctx.nr.config.workflow
            return ctx.render("inbox.html.j2", inbox=box, releases=releases,
                              languages=ctx.nr.config.languages,
                              state_label=lambda state: labels.state_label(wf, state))

        return await ws.run(request, work)

    async def set_ui(request: Request) -> Response:
        code = request.path_params["code"]
        target = _safe_next(request.query_params.get("next"))
        response = RedirectResponse(target, status_code=303)
        if code in i18n.available_languages():
            response.set_cookie(ws.ui_cookie, code, samesite="strict", path="/", httponly=True)
        return response

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return PlainTextResponse("not found\n", status_code=404)
        return Response((HERE / "static" / name).read_bytes(), media_type=STATIC[name])

    async def editor_page(request: Request) -> Response:
        def work(ctx: Context) -> Response:
            rid = _release_id(request.path_params["rid"])
            lang = _lang(ctx, request.path_params["lang"])
            seg = request.path_params.get("seg")
            ed = desk.editor(ctx.nr, ctx.person, rid, lang, _segment(seg) if seg else None)
            return render_editor(ctx, ed)

        return await ws.run(request, work)

    async def save(request: Request) -> Response:
        def work(ctx: Context) -> Response:
            form = ctx.form
            rid = _release_id(request.path_params["rid"])
            lang = _lang(ctx, request.path_params["lang"])
            seg = _segment(request.path_params["seg"])
            text = form.get("text", "")
            expected = form.get("expected") or None
            origin = form.get("origin") or "human"
            if form.get("action") == "keep":
                workflow.confirm_segments(ctx.nr, rid, lang, ctx.person, seg, expected=expected)
                ed = desk.editor(ctx.nr, ctx.person, rid, lang, seg)
                return _redirect(editor_url(rid, lang, ed.next_pending or seg), done="kept", seg=seg)
            doc = desk.load_target(ctx.nr, rid, lang)
            require_segment(doc, seg)
            findings = desk.findings_for(ctx.nr.config, doc, lang, seg, text)
            errors = [f for f in findings if f.severity == "error"]
            if errors and form.get("confirmed") != "1":
                ed = desk.editor(ctx.nr, ctx.person, rid, lang, seg)
                return render_editor(ctx, ed, text=text, origin=origin, findings=findings, confirm=True,
                                     expected=expected, status=422)
            try:
                workflow.set_segment(ctx.nr, rid, seg, lang, text, ctx.person, origin=origin, expected=expected)
            except Conflict as exc:
                ed = desk.editor(ctx.nr, ctx.person, rid, lang, seg)
                return render_editor(ctx, ed, text=text, origin=origin, conflict=exc.line(), status=409)
            ed = desk.editor(ctx.nr, ctx.person, rid, lang, seg)
            if form.get("go") == "stay":
                return _redirect(editor_url(rid, lang, seg), done="saved", seg=seg)
            if ed.next_pending is None:
                first = next((r.id for r in ed.rows if r.needs == "translation"), None)
                if first is None:
                    return _redirect(editor_url(rid, lang, seg), done="finished", seg=seg)
                return _redirect(editor_url(rid, lang, first), done="saved", seg=seg)
            return _redirect(editor_url(rid, lang, ed.next_pending), done="saved", seg=seg)

        return await ws.run(request, work, write=True)

    async def api_check(request: Request) -> Response:
        def work(ctx: Context) -> Response:
            doc, lang, seg, _source = _posted_segment(ctx)
            found = desk.findings_for(ctx.nr.config, doc, lang, seg, ctx.form.get("text", ""))
            return JSONResponse({"findings": [{"check": f.check, "severity": f.severity, "message": f.message}
                                              for f in found]})

        return await ws.run(request, work, write=True)

    async def api_suggest(request: Request) -> Response:
        def work(ctx: Context) -> Response:
            from workflow.translation import mt

            doc, lang, _seg, source = _posted_segment(ctx)
            try:
                found = mt.suggest_text(ctx.nr, source, doc.release.source_language, lang)
            except PubflowError as exc:
                return JSONResponse({"error": exc.line()}, status_code=STATUS.get(exc.exit_code, 500))
            return JSONResponse({"text": found.text, "origin": f"machine:{found.provider}",
                                 "label": _("machine ({provider})").format(provider=found.provider)})

        return await ws.run(request, work, write=True)

    async def review_page(request: Request) -> Response:
        def work(ctx: Context) -> Response:
            rid = _release_id(request.path_params["rid"])
            lang = _lang(ctx, request.path_params["lang"])
            return ctx.render("review.html.j2", rv=desk.review(ctx.nr, ctx.person, rid, lang))

        return await ws.run(request, work)

    async def review_post(request: Request) -> Response:
        def work(ctx: Context) -> Response:
            form = ctx.form
            rid = _release_id(request.path_params["rid"])
            lang = _lang(ctx, request.path_params["lang"])
            back = f"{editor_url(rid, lang)}/review"
            action = form.get("action", "")
            seg = form.get("segment") or None
            if seg is not None:
                _segment(seg)
            if action == "approve" and seg:
                workflow.review_segments(ctx.nr, rid, lang, ctx.person, seg, expected=form.get("expected") or None)
                return _redirect(back, done="approved", seg=seg)
            if action == "approve_all":
                workflow.review_segments(ctx.nr, rid, lang, ctx.person)
                return _redirect(back, done="approved_all")
            if action == "waive" and seg:
                check = form.get("check", "")
                waive_finding(ctx, rid, lang, seg, check, form.get("reason", ""), form.get("expected") or None)
                return _redirect(back, done="waived", seg=seg, what=check)
            if action == "note" and seg:
                note = form.get("note", "")
                if not note.strip():
                    raise UsageError(_("the note is empty"), _("write what the translator should change"))
                desk.load_target(ctx.nr, rid, lang)
                workflow.comment(ctx.nr, rid, ctx.person, desk.note_text(lang, seg, note))
                return _redirect(back, done="noted", seg=seg)
            raise UsageError(_("unknown action {action!r}").format(action=action[:40]))

        return await ws.run(request, work, write=True)

    async def move(request: Request) -> Response:
        def work(ctx: Context) -> Response:
            form = ctx.form
            rid = _release_id(request.path_params["rid"])
            lang = form.get("lang", "")
            name = form.get("transition", "")
            revision = form.get("revision", "")
            if not revision.isdigit():
                raise UsageError(_("the form has no revision"), _("reload the page and try again"))
            workflow.transition(ctx.nr, rid, name, ctx.person, form.get("comment") or None,
                                expected_revision=int(revision))
            back = f"{editor_url(rid, _lang(ctx, lang))}/review" if lang else "/"
            return _redirect(back, done="moved", what=name if SEGMENT_RE.match(name) else "")

        return await ws.run(request, work, write=True)

    async def preview(request: Request) -> Response:
        def work(ctx: Context) -> Response:
            rid = _release_id(request.path_params["rid"])
            lang = _lang(ctx, request.path_params["lang"])
            release = ctx.nr.load_release(rid)
            if lang not in release.languages:
                raise NotFound(_("{id} has no language {lang!r}").format(id=rid, lang=lang))
            wf = ctx.nr.config.workflow
            return ctx.render("preview.html.j2", release=rid, lang=desk.language_view(ctx.nr.config, lang),
                              state=labels.state_label(wf, release.state), live=wf.states[release.state].live,
                              languages=release.languages,
                              frame=f"/r/{urllib.parse.quote(rid)}/files/{urllib.parse.quote(lang)}/"
                                    f"{urllib.parse.quote(rid)}/index.html")

        return await ws.run(request, work)

    async def preview_file(request: Request) -> Response:
        def work(ctx: Context) -> Response:
            from workflow.publishing.preview import render_files

            rid = _release_id(request.path_params["rid"])
            path = request.path_params["path"]
            files, _missing = render_files(ctx.nr, rid, with_pdf=False)
            data = files.get(path)
            if data is None:
                raise NotFound(_("no page {path!r} in the preview of {id}").format(path=path[:80], id=rid))
            kind = PREVIEW_TYPES.get(Path(path).suffix, "application/octet-stream")
            # The rendered page runs no script here and cannot reach the workspace's forms.
            return Response(data, media_type=kind, headers={
                "content-security-policy": "sandbox; default-src 'none'; style-src 'self' 'unsafe-inline'; "
                                           "img-src 'self' data:; font-src 'self'"})

        return await ws.run(request, work)

    return [
        Route("/", home),
        Route("/ui/{code}", set_ui),
        Route("/static/{name}", static),
        Route("/r/{rid}/{lang}", editor_page),
        Route("/r/{rid}/{lang}/s/{seg}", editor_page),
        Route("/r/{rid}/{lang}/s/{seg}", save, methods=["POST"]),
        Route("/r/{rid}/{lang}/review", review_page),
        Route("/r/{rid}/{lang}/review", review_post, methods=["POST"]),
        Route("/r/{rid}/{lang}/preview", preview),
        Route("/r/{rid}/files/{path:path}", preview_file),
        Route("/r/{rid}/move", move, methods=["POST"]),
        Route("/api/check", api_check, methods=["POST"]),
        Route("/api/suggest", api_suggest, methods=["POST"]),
    ]


def waive_finding(ctx: Context, rid: str, lang: str, seg: str, check: str, reason: str, expected: str | None) -> None:
    """Waive one check's error on one segment with a reason, and approve it (`pubflow review --waive`)."""
    if not reason.strip():
        raise UsageError(_("a waiver needs a reason"), _("write why the finding does not apply"))
    workflow.review_segments(ctx.nr, rid, lang, ctx.person, seg, expected=expected, waive=check, why=reason)


def render_editor(ctx: Context, ed: desk.Editor, *, text: str | None = None, origin: str = "human",
                  findings: list[desk.FindingView] | None = None, confirm: bool = False, conflict: str = "",
                  expected: str | None = None, status: int = 200) -> HTMLResponse:
    shown = ed.row.text if text is None else text
    payload = {"release": ed.release, "lang": ed.lang.code, "segment": ed.row.id,
               "next": editor_url(ed.release, ed.lang.code, ed.next) if ed.next else "",
               "previous": editor_url(ed.release, ed.lang.code, ed.previous) if ed.previous else ""}
    return ctx.render("editor.html.j2", status=status, ed=ed, text=shown, origin=origin,
                      findings=ed.findings if findings is None else findings, confirm=confirm,
                      conflict=conflict, expected=expected or ed.row.hash,
                      data=json.dumps(payload))


def create_app(settings: Settings) -> Guard:
    """The ASGI application of one workspace server (wrapped in its `Guard`)."""
    ws = Workspace(settings)
    app = Starlette(routes=build_routes(ws))
    return Guard(app, settings.port)
