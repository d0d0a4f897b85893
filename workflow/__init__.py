"""pubflow: a bilingual (English/Arabic) publishing workflow for press offices."""

__version__ = "0.1.0"
