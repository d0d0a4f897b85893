"""CAT exchange: a release's segments out to a translator's tool as PO or XLIFF 1.2, and back.

=============  ===========================  ==========================================
status         PO                            XLIFF 1.2 (`target/@state`)
=============  ===========================  ==========================================
untranslated   empty msgstr                  no `<target>`
machine        fuzzy                         needs-review-translation (+ leveraged-mt/-tm)
stale          fuzzy + `#| msgid` old source needs-translation + alt-trans previous-version
translated     (no flag)                     translated
approved       `#. pubflow: status=approved` signed-off, trans-unit approved="yes"
=============  ===========================  ==========================================

Modules: `units` (the unit model, pure), `po` and `xliff` (one format each),
`formats` (bytes in and out, choosing the format), `apply` (the `pubflow
export` and `pubflow import` operations on a newsroom).
"""

from workflow.translation.exchange.apply import (
    ImportResult,
    apply_units,
    check_file_target,
    export_release,
    import_file,
    read_exchange_file,
)
from workflow.translation.exchange.formats import detect_format, export_bytes, parse_exchange
from workflow.translation.exchange.units import FORMATS, MAX_BYTES, ExchangeFile, Unit, units_of
from workflow.translation.exchange.xliff import XLIFF_NS

__all__ = [
    "FORMATS", "MAX_BYTES", "XLIFF_NS", "ExchangeFile", "ImportResult", "Unit", "apply_units", "check_file_target",
    "detect_format", "export_bytes", "export_release", "import_file", "parse_exchange", "read_exchange_file",
    "units_of",
]
