"""Signposting: the directory of services mentees can be pointed to, and how to find in it.

Pure code with no database and no chat flows: `load_directory` reads and checks the shipped
`config/resources.yaml`, `search` finds the category a message asks for, and `import_file` /
`export_file` move the directory to and from YAML or CSV for staff to edit.
"""

from bot.signposting.directory import (
    CATEGORY_IDS,
    SITE_AREAS,
    Category,
    Directory,
    DirectoryError,
    Entry,
    RowProblem,
    default_resources_path,
    load_directory,
)
from bot.signposting.files import export_file, import_file
from bot.signposting.search import SearchResult, search

__all__ = [
    "CATEGORY_IDS",
    "SITE_AREAS",
    "Category",
    "Directory",
    "DirectoryError",
    "Entry",
    "RowProblem",
    "SearchResult",
    "default_resources_path",
    "export_file",
    "import_file",
    "load_directory",
    "search",
]
