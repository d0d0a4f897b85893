"""Publishing: what is out, as pages, bundles, site indexes and feeds.

Modules, from the bottom up:
    outputs    the `outputs:` settings (folder, base URL) and the output-folder check
    dates      days as a language writes them (Babel, digits), cached per process
    pagemodel  the page model (Page, Para, Notice, Link) and `page_data`; what text and which
               languages are published (`published_text`, `candidate_languages`, `published_at`)
    render     Jinja2 (its only user): `Renderer`, template folders, compiled-template cache
    bundles    the files of a bundle (pages, JSON, manifest, deterministic zip) and of a site
    buildstate what a build remembers between runs (.pubflow/build.json, build-pages.marshal), typed
    workers    work split between this process and a forked one (a build on two cores)
    build      `pubflow build`: plan / render / write, incremental
    publish    `pubflow publish`: the transition, then its outputs written
    preview    `pubflow render` and `pubflow preview`: a release's pages in any state
"""
