"""Makes the foreign-form test corpus: council-style PEP forms made the way councils make them, not by pepdocs.

Word forms are written with python-docx (legacy form fields and content controls as Word writes them)
and, except the content-control form, opened and saved again by LibreOffice as a council's office would.
PDF forms are drawn with ReportLab's AcroForm, with meaningless field names and tooltips. Each form's
true mapping is written by hand in `expected.toml` beside it. Every council, child and value is invented.

    python tests/corpus/make_corpus.py            # needs python-docx, reportlab, pypdf, soffice
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt, RGBColor
from docx.table import Table

HERE = Path(__file__).resolve().parent
W14 = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'
EMPTY = "\u2002" * 5  # what Word shows in an empty legacy text field


def _resave(path: Path) -> None:
    """Open and save the document in LibreOffice, as a council editing its form would."""
    soffice = shutil.which("soffice")
    if soffice is None:
        sys.exit("soffice is needed to make the corpus")
    with tempfile.TemporaryDirectory() as work:
        out = Path(work, "out")
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{work}/profile",
                "--headless",
                "--convert-to",
                "docx:MS Word 2007 XML",
                "--outdir",
                str(out),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.copyfile(out / path.name, path)


def _house(doc: Any, council: str, title: str) -> None:
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)
    head = doc.sections[0].header.paragraphs[0]
    head.text = f"{council} - Virtual School for Children in Care"
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.sections[0].footer.paragraphs[0].text = "OFFICIAL - SENSITIVE when completed"
    heading = doc.add_paragraph()
    run = heading.add_run(title)
    run.bold = True
    run.font.size = Pt(16)
    run.font.color.rgb = RGBColor(0x1F, 0x3A, 0x68)


def _shade(cell: Any, colour: str = "D9E2F3") -> None:
    cell._tc.get_or_add_tcPr().append(
        parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{colour}"/>')
    )


def _heading(doc: Any, text: str) -> None:
    p = doc.add_paragraph(style="Heading 2")
    p.add_run(text)


def _clear(cell: Any) -> Any:
    """The cell's one paragraph, emptied."""
    p = cell.paragraphs[0]
    for r in list(p._p):
        if r.tag.endswith("}r"):
            p._p.remove(r)
    return p


# --- legacy form fields, as Word 2003-2010 writes them ---------------------------------------


def _formtext(p: Any, name: str, help_text: str = "") -> None:
    status = f'<w:statusText w:type="text" w:val="{help_text}"/>' if help_text else ""
    runs = [
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="{name}"/><w:enabled/>'
        f'<w:calcOnExit w:val="0"/>{status}<w:textInput/></w:ffData></w:fldChar></w:r>',
        f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r>',
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {nsdecls('w')}><w:rPr><w:noProof/></w:rPr><w:t>{EMPTY}</w:t></w:r>",
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>',
    ]
    for xml in runs:
        p._p.append(parse_xml(xml))


def _formcheckbox(p: Any, name: str) -> None:
    runs = [
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="{name}"/><w:enabled/>'
        '<w:calcOnExit w:val="0"/><w:checkBox><w:sizeAuto/><w:default w:val="0"/></w:checkBox>'
        "</w:ffData></w:fldChar></w:r>",
        f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>',
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>',
    ]
    for xml in runs:
        p._p.append(parse_xml(xml))


def _formdropdown(p: Any, name: str, entries: list[str]) -> None:
    items = "".join(f'<w:listEntry w:val="{e}"/>' for e in entries)
    runs = [
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="{name}"/><w:enabled/>'
        f'<w:calcOnExit w:val="0"/><w:ddList>{items}</w:ddList></w:ffData></w:fldChar></w:r>',
        f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> FORMDROPDOWN </w:instrText></w:r>',
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>',
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>',
    ]
    for xml in runs:
        p._p.append(parse_xml(xml))


def northmoor() -> None:
    """A Word 2003-style form: label cells with legacy text, check box and drop-down fields beside them."""
    doc = Document()
    _house(doc, "Northmoor Borough Council", "Personal Education Plan (PEP) for Children Looked After")
    doc.add_paragraph(
        "Please complete all shaded fields. Press F1 in a field for help. "
        "Return to the Virtual School within 5 working days of the meeting."
    )
    _heading(doc, "Part 1: Pupil details")
    rows: list[tuple[str, str, Any]] = [
        ("Surname", "text", "Text1"),
        ("Forename(s)", "text", "Text2"),
        ("D.O.B.", "text", "Text3"),
        ("Gender", "drop", ("Dropdown1", ["Please select", "Male", "Female", "Not stated"])),
        ("Unique Pupil Number (UPN)", "text", "Text4"),
        ("Mosaic ID", "text", "Text5"),
        (
            "Legal Status",
            "drop",
            ("Dropdown2", ["Please select", "Section 20", "Interim Care Order", "Full Care Order", "Placement Order"]),
        ),
        ("Interpreter required?", "check", "Check1"),
    ]
    _field_table(doc, rows)
    _heading(doc, "Part 2: School and meeting")
    _field_table(
        doc,
        [
            ("Name of School", "text", "Text6"),
            ("Designated Teacher", "text", "Text7"),
            ("Social Worker", "text", "Text8"),
            ("Date of this PEP meeting", "text", "Text9"),
            ("Attendance % this academic year", "text", "Text10"),
            ("Date of next PEP meeting", "text", "Text11"),
        ],
    )
    _heading(doc, "Part 3: The young person's views")
    _field_table(
        doc,
        [
            ("What is going well at school?", "text", "Text12"),
            ("What would you like to be when you are older?", "text", "Text13"),
            ("Would you like a copy of your PEP?", "check", "Check2"),
        ],
    )
    _heading(doc, "Part 4: SMART targets for this term")
    table = doc.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["SMART target", "Who will help", "Achieve by (date)"], strict=True):
        cell.text = text
        _shade(cell)
    number = 14
    for row in table.rows[1:]:
        for cell in row.cells:
            _formtext(_clear(cell), f"Text{number}")
            number += 1
    doc.add_paragraph()
    _heading(doc, "Signatures")
    _field_table(doc, [("Signature of Designated Teacher", "text", "Text30"), ("Date signed", "text", "Text31")])
    path = HERE / "northmoor" / "original.docx"
    path.parent.mkdir(exist_ok=True)
    doc.save(str(path))
    _resave(path)


def _field_table(doc: Any, rows: list[tuple[str, str, Any]]) -> Table:
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (label, kind, spec) in zip(table.rows, rows, strict=True):
        row.cells[0].text = label
        _shade(row.cells[0])
        p = _clear(row.cells[1])
        if kind == "text":
            _formtext(p, spec)
        elif kind == "check":
            _formcheckbox(p, spec)
        else:
            _formdropdown(p, spec[0], spec[1])
    doc.add_paragraph()
    return table  # type: ignore[no-any-return]


# --- content controls, as Word 2010+ writes them ---------------------------------------------


def _sdt(kind: str, title: str, tag: str, items: list[str] | None = None) -> Any:
    prompt = "Click or tap here to enter text."
    if kind == "date":
        body = (
            '<w:date><w:dateFormat w:val="dd/MM/yyyy"/><w:lid w:val="en-GB"/>'
            '<w:storeMappedDataAs w:val="dateTime"/><w:calendar w:val="gregorian"/></w:date>'
        )
        prompt = "Click or tap to enter a date."
    elif kind == "drop":
        body = (
            "<w:dropDownList>"
            + "".join(f'<w:listItem w:displayText="{i}" w:value="{i}"/>' for i in items or [])
            + "</w:dropDownList>"
        )
        prompt = "Choose an item."
    elif kind == "check":
        body = (
            '<w14:checkbox><w14:checked w14:val="0"/><w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
            '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox>'
        )
    else:
        body = "<w:text/>" if kind == "plain" else ""
    if kind == "check":
        content = (
            '<w:r><w:rPr><w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" w:hAnsi="MS Gothic"/></w:rPr>'
            "<w:t>☐</w:t></w:r>"
        )
        placeholder = ""
    else:
        content = (
            f'<w:r><w:rPr><w:rStyle w:val="PlaceholderText"/><w:color w:val="808080"/></w:rPr><w:t>{prompt}</w:t></w:r>'
        )
        placeholder = "<w:showingPlcHdr/>"
    return parse_xml(
        f'<w:sdt {nsdecls("w")} {W14}><w:sdtPr><w:alias w:val="{title}"/><w:tag w:val="{tag}"/>'
        f'<w:id w:val="{zlib.crc32(tag.encode()) % 900000000}"/>{placeholder}{body}</w:sdtPr>'
        f"<w:sdtContent>{content}</w:sdtContent></w:sdt>"
    )


def eastvale() -> None:
    """A Word 2016-style form: content controls (plain text, date, drop-down, check box) with titles and tags."""
    doc = Document()
    _house(doc, "Eastvale County Council", "Education Plan for a Child in Our Care (ePEP)")
    doc.add_paragraph(
        "To be completed by the Designated Teacher with the social worker. "
        "Use the grey boxes; the form will expand as you type."
    )
    _heading(doc, "Section A - About me")
    _sdt_table(
        doc,
        [
            ("Legal first name", "plain", "First name", "txtFirstName", None),
            ("Family name", "plain", "Surname", "txtSurname", None),
            ("Known as", "plain", "Preferred name", "txtKnownAs", None),
            ("Date of Birth", "date", "DOB", "dteDOB", None),
            (
                "Ethnic origin",
                "drop",
                "Ethnicity",
                "ddEthnicity",
                [
                    "White British",
                    "White Irish",
                    "Mixed White and Black Caribbean",
                    "Black African",
                    "Pakistani",
                    "Any other ethnic group",
                ],
            ),
            ("First language", "plain", "Language", "txtLanguage", None),
            ("Interpreter needed", "check", "Interpreter", "chkInterpreter", None),
        ],
    )
    _heading(doc, "Section B - Care and placement")
    _sdt_table(
        doc,
        [
            ("Date became looked after", "date", "Date CLA", "dteCLA", None),
            (
                "Placement type",
                "drop",
                "Placement",
                "ddPlacement",
                [
                    "Foster placement (long term)",
                    "Foster placement (short term)",
                    "Kinship/connected carer",
                    "Children's home",
                    "Semi-independent",
                ],
            ),
            ("Placement start date", "date", "Placement start", "dtePlacementStart", None),
            ("Allocated social worker", "plain", "SW", "txtSW", None),
            ("Social worker's telephone", "plain", "SW phone", "txtSWPhone", None),
        ],
    )
    _heading(doc, "Section C - School")
    _sdt_table(
        doc,
        [
            ("Current school / setting", "plain", "School", "txtSchool", None),
            ("School URN", "plain", "URN", "txtURN", None),
            ("SEN status", "drop", "SEN", "ddSEN", ["No SEN", "SEN Support", "EHC Plan"]),
            ("SDQ score (most recent)", "plain", "SDQ", "txtSDQ", None),
            ("Attendance this year (%)", "plain", "Attendance", "txtAttendance", None),
        ],
    )
    _heading(doc, "Section D - Views")
    for label, title, tag in [
        ("My hopes and dreams for the future:", "Aspirations", "txtAspirations"),
        ("What my carer thinks:", "Carer views", "txtCarer"),
        ("The school's view of my progress:", "School views", "txtSchoolViews"),
    ]:
        p = doc.add_paragraph()
        p.add_run(label).bold = True
        p2 = doc.add_paragraph()
        p2._p.append(_sdt("rich", title, tag))
    p = doc.add_paragraph("I would like a copy of my PEP ")
    p._p.append(_sdt("check", "Copy", "chkCopy"))
    path = HERE / "eastvale" / "original.docx"
    path.parent.mkdir(exist_ok=True)
    doc.save(str(path))


def _sdt_table(doc: Any, rows: list[tuple[str, str, str, str, list[str] | None]]) -> None:
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (label, kind, title, tag, items) in zip(table.rows, rows, strict=True):
        row.cells[0].text = label
        _shade(row.cells[0], "E7E6E6")
        _clear(row.cells[1])._p.append(_sdt(kind, title, tag, items))
    doc.add_paragraph()


# --- label above, "Label: ____" lines ----------------------------------------------------------


def westbrook() -> None:
    """A typed-up form: `Label: ____` lines, labels above answer cells, question paragraphs with space below."""
    doc = Document()
    _house(doc, "Westbrook City Council", "PEP Record - Looked After Children")
    doc.add_paragraph("Complete in black ink or type. Write your answer on the line or in the box below each question.")
    _heading(doc, "1. Child details")
    doc.add_paragraph("First name: ______________________________")
    doc.add_paragraph("Last name: ______________________________")
    doc.add_paragraph("Date of birth: ____________")
    doc.add_paragraph("UPN:\t")
    doc.add_paragraph("Home local authority: ______________________")
    _heading(doc, "2. Education")
    table = doc.add_table(rows=2, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ["School name", "Date started at this school", "Headteacher"], strict=True
    ):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    doc.add_paragraph()
    box = doc.add_table(rows=4, cols=1)
    box.style = "Table Grid"
    box.rows[0].cells[0].text = "Strengths and interests"
    box.rows[2].cells[0].text = "Barriers to learning and how school will help"
    for r in (0, 2):
        box.rows[r].cells[0].paragraphs[0].runs[0].bold = True
    doc.add_paragraph()
    doc.add_paragraph("Attendance percentage: ________ %")
    _heading(doc, "3. The young person's views")
    for question in ["What is going well for you?", "What are you finding hard?", "What help would you like?"]:
        p = doc.add_paragraph()
        p.add_run(question).bold = True
        doc.add_paragraph()
    _heading(doc, "4. Actions agreed at the meeting")
    actions = doc.add_table(rows=4, cols=3)
    actions.style = "Table Grid"
    for cell, text in zip(
        actions.rows[0].cells, ["Action", "Person responsible", "Date to be completed by"], strict=True
    ):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    doc.add_paragraph()
    doc.add_paragraph("Date of next review: ____________")
    doc.add_paragraph("Form completed by: ______________________")
    path = HERE / "westbrook" / "original.docx"
    path.parent.mkdir(exist_ok=True)
    doc.save(str(path))
    _resave(path)


# --- tick lists, header tables, merged cells -----------------------------------------------------


def _wingdings_box(p: Any) -> None:
    p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:sym w:font="Wingdings" w:char="F0A8"/></w:r>'))


def southdale() -> None:
    """A form of tick lists (Wingdings boxes, ☐ □ ▢ [ ]) and tables: header rows, yes/no columns, merged cells."""
    doc = Document()
    _house(doc, "Southdale Council", "Personal Education Plan")
    doc.add_paragraph("Tick the boxes that apply. Add rows to the tables if you need more.")
    table = doc.add_table(rows=7, cols=4)
    table.style = "Table Grid"
    top = table.rows[0].cells[0].merge(table.rows[0].cells[3])
    top.text = "Section 1: About this PEP"
    _shade(top, "C6E0B4")
    table.rows[1].cells[0].text = "Child's name"
    table.rows[1].cells[2].text = "Date of birth"
    table.rows[2].cells[0].text = "Type of PEP"
    pep = table.rows[2].cells[1].merge(table.rows[2].cells[3])
    pep.text = "☐ Initial PEP   ☐ Termly review   ☐ Change of school   ☐ Change of placement"
    table.rows[3].cells[0].text = "Legal status"
    legal = _clear(table.rows[3].cells[1].merge(table.rows[3].cells[3]))
    for option in ["Section 20", "Interim care order", "Care order", "Placement order"]:
        _wingdings_box(legal)
        legal.add_run(f" {option}   ")
    table.rows[4].cells[0].text = "Gender"
    table.rows[4].cells[1].text = "□ Male   □ Female"
    table.rows[4].cells[2].text = "Needs an interpreter"
    table.rows[4].cells[3].text = "[ ] Yes   [ ] No"
    table.rows[5].cells[0].text = "SEN"
    sen = table.rows[5].cells[1].merge(table.rows[5].cells[3])
    sen.text = "▢ No SEN   ▢ SEN support   ▢ EHCP"
    table.rows[6].cells[0].text = "School"
    table.rows[6].cells[1].merge(table.rows[6].cells[3])
    for row in table.rows[1:]:
        _shade(row.cells[0], "E2EFDA")
    doc.add_paragraph()
    # "Child's name" is the derived full name: kept out of the true mapping as nothing to read back.
    attendees = doc.add_table(rows=6, cols=3)
    attendees.style = "Table Grid"
    top = attendees.rows[0].cells[0].merge(attendees.rows[0].cells[2])
    top.text = "Section 2: Who attended the meeting"
    _shade(top, "C6E0B4")
    for cell, text in zip(attendees.rows[1].cells, ["Name", "Role", "Present (Y/N)"], strict=True):
        cell.text = text
    doc.add_paragraph()
    attainment = doc.add_table(rows=6, cols=4)
    attainment.style = "Table Grid"
    top = attainment.rows[0].cells[0].merge(attainment.rows[0].cells[3])
    top.text = "Section 3: Attainment and progress"
    _shade(top, "C6E0B4")
    for cell, text in zip(
        attainment.rows[1].cells, ["Subject", "Working at now", "Expected end of year", "On track? Y/N"], strict=True
    ):
        cell.text = text
    doc.add_paragraph()
    targets = doc.add_table(rows=5, cols=4)
    targets.style = "Table Grid"
    top = targets.rows[0].cells[0].merge(targets.rows[0].cells[3])
    top.text = "Section 4: Targets for next term"
    _shade(top, "C6E0B4")
    for cell, text in zip(
        targets.rows[1].cells,
        ["Target", "How will we know it is achieved?", "Who is responsible", "Review date"],
        strict=True,
    ):
        cell.text = text
    doc.add_paragraph()
    views = doc.add_table(rows=4, cols=1)
    views.style = "Table Grid"
    views.rows[0].cells[0].text = "Child's views about school"
    views.rows[2].cells[0].text = "Carer's comments"
    for r in (0, 2):
        _shade(views.rows[r].cells[0], "E2EFDA")
    path = HERE / "southdale" / "original.docx"
    path.parent.mkdir(exist_ok=True)
    doc.save(str(path))
    _resave(path)


# --- PDF: ReportLab AcroForm ---------------------------------------------------------------------


def riverford() -> None:
    """A fillable PDF drawn with ReportLab: fields named Text1, Check Box12, a radio group and a combo box."""
    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.pdfgen import canvas  # type: ignore[import-untyped]

    path = HERE / "riverford" / "original.pdf"
    path.parent.mkdir(exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle("Riverford PEP")
    form = c.acroForm
    _, height = A4
    c.setFont("Helvetica-Bold", 15)
    c.drawString(40, height - 50, "Riverford Council - Personal Education Plan")
    c.setFont("Helvetica", 9)
    c.drawString(40, height - 66, "Complete on screen. Return to the Virtual School Head within 10 school days.")
    y = height - 100
    text_fields = [
        ("Text1", "Surname", "Child's legal surname"),
        ("Text2", "First name", "Child's legal first name"),
        ("Text3", "Date of birth", "Date of birth (dd/mm/yyyy)"),
        ("Text4", "UPN", ""),
        ("Text5", "School attended", "Name of the school the child attends"),
        ("Text6", "Designated teacher", "Name of the designated teacher"),
        ("Text7", "Date of PEP meeting", "Date of the PEP meeting"),
        ("Text8", "Next PEP date", ""),
    ]
    c.setFont("Helvetica", 10)
    for name, printed, tip in text_fields:
        c.drawString(40, y + 4, printed)
        form.textfield(
            name=name, tooltip=tip or None, x=200, y=y, width=300, height=16, borderWidth=1, fontSize=10, maxlen=0
        )
        y -= 24
    c.drawString(40, y + 4, "Gender")
    form.choice(
        name="Dropdown3",
        tooltip="Gender",
        value="Not known",
        options=["Male", "Female", "Not known"],
        fieldFlags="combo",
        x=200,
        y=y,
        width=150,
        height=16,
        fontSize=10,
    )
    y -= 24
    c.drawString(40, y + 4, "Interpreter needed")
    form.checkbox(
        name="Check Box12",
        tooltip="Does the child need an interpreter?",
        x=200,
        y=y,
        size=14,
        buttonStyle="cross",
        checked=False,
    )
    y -= 28
    c.drawString(40, y + 4, "Legal status")
    for i, (value, words) in enumerate([("S20", "Section 20"), ("ICO", "Interim care order"), ("CO", "Care order")]):
        form.radio(
            name="Group1",
            tooltip="Legal status",
            value=value,
            x=200 + i * 110,
            y=y,
            size=12,
            buttonStyle="circle",
            selected=False,
        )
        c.drawString(216 + i * 110, y + 2, words)
    y -= 36
    c.setFont("Helvetica-Bold", 11)
    c.drawString(40, y, "Child's views")
    y -= 20
    c.setFont("Helvetica", 10)
    c.drawString(40, y + 30 - 14, "")
    form.textfield(
        name="Text9",
        tooltip="What the child says is going well",
        x=40,
        y=y - 40,
        width=500,
        height=40,
        fieldFlags="multiline",
        fontSize=10,
        maxlen=0,
    )
    c.drawString(40, y + 4, "What is going well")
    y -= 70
    c.drawString(40, y + 4, "Worries or concerns")
    form.textfield(
        name="Text10", tooltip="", x=40, y=y - 40, width=500, height=40, fieldFlags="multiline", fontSize=10, maxlen=0
    )
    y -= 70
    c.setFont("Helvetica-Bold", 11)
    c.drawString(40, y, "Targets")
    y -= 18
    c.setFont("Helvetica", 9)
    for x, head in [(40, "Target"), (300, "Who will support"), (460, "By when")]:
        c.drawString(x, y, head)
    y -= 22
    number = 20
    for _row in range(3):
        for x, width, _ in [(40, 250, "t"), (300, 150, "w"), (460, 90, "d")]:
            form.textfield(name=f"Text{number}", x=x, y=y, width=width, height=16, fontSize=9, maxlen=0)
            number += 1
        y -= 22
    y -= 10
    c.drawString(40, y + 4, "Signed (designated teacher)")
    form.textfield(name="Text40", x=200, y=y, width=200, height=16, fontSize=10, maxlen=0)
    c.showPage()
    c.save()


def highcombe() -> None:
    """A LiveCycle-style hybrid form: hierarchical names (`topmostSubform[0].Page1[0].TextField1[0]`), tooltips
    for most fields, an XFA packet beside the AcroForm, a drop-down, a radio list and a table told by tooltips."""
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, TextStringObject
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    c.setTitle("Highcombe PEP")
    form = c.acroForm
    _, height = A4
    c.setFont("Helvetica-Bold", 14)
    c.drawString(40, height - 50, "Highcombe County Council")
    c.drawString(40, height - 68, "Personal Education Plan: Review")
    c.setFont("Helvetica", 10)
    y = height - 110
    rows = [
        ("TextField1", "Surname", "Legal surname"),
        ("TextField2", "Forename", "Forename"),
        ("DateField1", "DOB", "Date of birth"),
        ("TextField3", "UPN", "Unique pupil number"),
        ("TextField4", "Designated teacher", ""),
        ("TextField6", "Attendance %", "Attendance (%) this year"),
    ]
    for name, printed, tip in rows:
        c.drawString(40, y + 4, printed)
        form.textfield(name=name, tooltip=tip or None, x=190, y=y, width=300, height=16, fontSize=10, maxlen=0)
        y -= 24
    c.drawString(40, y + 4, "Legal status")
    form.choice(
        name="DropDownList1", tooltip="Legal status", value="Please select", fieldFlags="combo",
        options=["Please select", "Section 20", "Interim care order", "Full care order", "Placement order"],
        x=190, y=y, width=200, height=16, fontSize=10,
    )  # fmt: skip
    y -= 28
    c.drawString(40, y + 2, "SEN")
    for i, (value, words) in enumerate([("1", "No SEN"), ("2", "SEN support"), ("3", "EHCP")]):
        form.radio(
            name="RadioButtonList1", tooltip="SEN status", value=value, x=190 + i * 100, y=y, size=12,
            buttonStyle="circle", selected=False,
        )  # fmt: skip
        c.drawString(206 + i * 100, y + 2, words)
    y -= 36
    c.drawString(40, y + 4, "What is going well")
    form.textfield(
        name="TextField5", tooltip="Child's views: what is going well", x=40, y=y - 44, width=500, height=40,
        fieldFlags="multiline", fontSize=10, maxlen=0,
    )  # fmt: skip
    y -= 76
    c.setFont("Helvetica-Bold", 11)
    c.drawString(40, y, "Actions")
    c.setFont("Helvetica", 9)
    y -= 24
    number = 7
    for row in range(1, 4):
        for x, width, column in [(40, 250, "Action"), (300, 140, "Who"), (450, 90, "By when")]:
            form.textfield(
                name=f"TextField{number}", tooltip=f"Actions, row {row}: {column}", x=x, y=y, width=width,
                height=16, fontSize=9, maxlen=0,
            )  # fmt: skip
            number += 1
        y -= 22
    y -= 12
    c.drawString(40, y + 4, "Signed")
    form.textfield(name="TextField30", tooltip="Headteacher's signature", x=190, y=y, width=200, height=16, maxlen=0)
    c.showPage()
    c.save()
    # Nest every field under topmostSubform[0].Page1[0] as LiveCycle Designer does, and add an XFA packet.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    root: Any = writer._root_object
    acroform = root["/AcroForm"]
    top = DictionaryObject({NameObject("/T"): TextStringObject("topmostSubform[0]")})
    page = DictionaryObject({NameObject("/T"): TextStringObject("Page1[0]")})
    top_ref, page_ref = writer._add_object(top), writer._add_object(page)
    kids = ArrayObject()
    for ref in acroform["/Fields"]:
        node: Any = ref.get_object()
        node[NameObject("/T")] = TextStringObject(f"{node['/T']}[0]")
        node[NameObject("/Parent")] = page_ref
        kids.append(ref)
    page[NameObject("/Kids")] = kids
    page[NameObject("/Parent")] = top_ref
    top[NameObject("/Kids")] = ArrayObject([page_ref])
    acroform[NameObject("/Fields")] = ArrayObject([top_ref])
    packet = DecodedStreamObject()
    packet.set_data(b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template/></xdp:xdp>')
    acroform[NameObject("/XFA")] = writer._add_object(packet)
    path = HERE / "highcombe" / "original.pdf"
    path.parent.mkdir(exist_ok=True)
    with path.open("wb") as out:
        writer.write(out)


def main() -> None:
    makers = {
        "highcombe": highcombe,
        "northmoor": northmoor,
        "eastvale": eastvale,
        "westbrook": westbrook,
        "southdale": southdale,
        "riverford": riverford,
    }
    for name in sys.argv[1:] or makers:
        makers[name]()
        print("made", name)


if __name__ == "__main__":
    main()
