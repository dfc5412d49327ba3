"""A Word package's properties with nothing of who made it or where: no author, dates, company or tool names."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

_CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:subject>{subject}</dc:subject><cp:revision>1</cp:revision>"
    "</cp:coreProperties>"
)
# Extended properties that name a person, an organisation or a machine's folder.
_WHO = re.compile(rb"<(Manager|Company|HyperlinkBase)>.*?</\1>", re.S)
# Custom properties that name a person: Outlook's review cycle (the sender's e-mail address, name and subject) and
# a sensitivity label's owner (older Azure Information Protection clients). The label itself stays: it is the
# council's marking of the document, e.g. OFFICIAL-SENSITIVE.
_PERSONAL = re.compile(
    rb'<property\b[^>]*\bname="(?:_AuthorEmail|_AuthorEmailDisplayName|_EmailSubject|MSIP_Label_[^"]*_Owner)"'
    rb"[^>]*>.*?</property>",
    re.S,
)
# Word records the template a document was made from by its full path, e.g. file:///C:/Users/jsmith/.../Normal.dotm.
_TEMPLATE = re.compile(rb"<Relationship [^>]*/attachedTemplate\"[^>]*>")


def scrubbed_part(name: str, data: bytes, title: str, subject: str) -> bytes:
    """The part as an output carries it: properties and the template's path name no one; any other part as it is."""
    if name == "docProps/core.xml":
        return _CORE.format(title=escape(title), subject=escape(subject)).encode()
    if name == "docProps/app.xml":
        data = re.sub(rb"<Application>.*?</Application>", b"<Application>pepdocs</Application>", data)
        return _WHO.sub(rb"<\1/>", data)
    if name == "docProps/custom.xml":
        return _PERSONAL.sub(b"", data)
    if name == "word/_rels/settings.xml.rels":
        return _TEMPLATE.sub(lambda found: re.sub(rb'Target="[^"]*"', b'Target="Normal.dotm"', found[0]), data)
    return data
