"""Archival copies: a flattened PDF made a PDF/A-2b that stays PDF/UA-1, for the record kept on the child's file.

PDF/A-2b asks for every font embedded (they are, as subsets), an output intent with a colour
profile (sRGB, from Debian's icc-profiles-free), XMP metadata that agrees with the document
information and names the PDF/A part and conformance, no encryption and no transparency. The
flattened copy's tags, language and title are kept, and the XMP names PDF/UA-1 as well.

It claims 2b, not 2u: 2u asks every glyph to map to Unicode, and in shaped scripts the glyphs after
the first of a cluster (an Indic conjunct's parts, a mark placed on its letter) have no text of their own;
the cluster's text is on its first glyph and in /ActualText.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, StreamObject, TextStringObject

from pepdocs._errors import RenderError

PROFILE = Path(__file__).resolve().parent / "color" / "sRGB.icc"
CONDITION = "sRGB IEC61966-2.1"


@cache
def _profile() -> bytes:
    try:
        return PROFILE.read_bytes()
    except OSError as error:
        raise RenderError(
            f"the sRGB profile for archival PDFs is missing from this installation ({error.strerror})"
        ) from error


def xmp(title: str, subject: str, producer: str, lang: str) -> bytes:
    """The XMP packet: PDF/A-2B and PDF/UA-1 identification, title, subject (the council), producer; no author."""
    body = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
   <pdfuaid:part>1</pdfuaid:part>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(subject)}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{escape(lang)}</rdf:li></rdf:Bag></dc:language>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>{escape(producer)}</pdf:Producer>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return body.encode("utf-8")


def to_pdfa(flat: bytes) -> bytes:
    """A flattened pepdocs PDF as a PDF/A-2b and PDF/UA-1: XMP metadata naming both, an sRGB output intent."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(flat)))
    root = writer._root_object
    info: Any = writer.metadata or {}
    title = str(info.get("/Title", ""))
    subject = str(info.get("/Subject", ""))
    producer = str(info.get("/Producer", "pepdocs"))
    lang = str(root.get("/Lang", "en-GB"))
    metadata = StreamObject()
    metadata.set_data(xmp(title, subject, producer, lang))
    metadata.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    root[NameObject("/Metadata")] = writer._add_object(metadata)
    profile = StreamObject()
    profile.set_data(_profile())
    profile[NameObject("/N")] = NumberObject(3)
    intent = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/OutputIntent"),
            NameObject("/S"): NameObject("/GTS_PDFA1"),
            NameObject("/OutputConditionIdentifier"): TextStringObject(CONDITION),
            NameObject("/Info"): TextStringObject(CONDITION),
            NameObject("/DestOutputProfile"): writer._add_object(profile),
        }
    )
    root[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
    writer.add_metadata({"/Producer": producer})
    writer.pdf_header = b"%PDF-1.7"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
