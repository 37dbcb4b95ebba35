"""Folders the package ships beside its code: the notebooks, the demo corpus and the example proposals.

They stay at the top of the source tree (``notebooks/``, ``data/demo-corpus/``, ``proposals/``), where people
edit them; the wheel copies them into ``ca_incidents/_bundled/`` (hatch ``force-include`` in pyproject.toml).
An editable install has no such copy, so the source tree is found from the install's own record of where it
came from (``direct_url.json``, PEP 610) instead of by walking up from this file.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse

Bundle = Literal["notebooks", "demo-corpus", "proposals"]
SOURCE_PATHS: dict[str, str] = {"notebooks": "notebooks", "demo-corpus": "data/demo-corpus", "proposals": "proposals"}
DISTRIBUTION = "ca-incidents"


def bundled_dir(name: Bundle) -> Path:
    """The installed copy of a shipped folder, else the source tree's (editable install); FileNotFoundError
    naming both places when neither exists."""
    packaged = Path(str(resources.files("ca_incidents"))) / "_bundled" / name
    if packaged.is_dir():
        return packaged
    source = _source_tree()
    if source is not None and (source / SOURCE_PATHS[name]).is_dir():
        return source / SOURCE_PATHS[name]
    raise FileNotFoundError(
        f"the {name} folder is neither installed ({packaged}) nor in an editable source tree; reinstall ca-incidents"
    )


@cache
def _source_tree() -> Path | None:
    """The project folder of an editable install, from its ``direct_url.json``; None for any other install."""
    try:
        record = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    if not record:
        return None
    info = json.loads(record)
    url = urlparse(info.get("url", ""))
    if url.scheme != "file" or not info.get("dir_info", {}).get("editable"):
        return None
    return Path(unquote(url.path))
