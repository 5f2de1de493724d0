"""The tagged edition's structure tree, finished so that a PDF/UA-1 checker (outloud) passes it.

WeasyPrint 70 tags what it lays out, and leaves these for us (fixed with pikepdf in one pass
over the tree, here, and one over each page's content, paint_order.py; painted.py measures):

- a picture whose `alt` is empty is a /Figure with no /Alt: HTML's alt="" says it is decorative
  (handout writes it for a background under a heading that nobody described), so it becomes an
  Artifact, out of the tree;
- a /Figure's /BBox is in the coordinates of the box's own layout (a slide's 1280 px canvas,
  top down), so checkers think a slide photo covers the page: it is measured from what the page
  paints, in page coordinates;
- a link annotation of a box inside a link (`<a><span>3</span> Title</a>`) hangs from the /Span:
  it joins its /Link (PDF/UA 7.18.5); a /Link whose own text sits beside child elements gets that
  text as a /Span, so the tree reads in the order it paints;
- header cells carry no /Scope;
- elements with no content at all (a span holding a collapsed space, an empty rules box);
- outside list markers are positioned boxes, painted after the slide's text: each marker's
  self-contained drawing moves to just before its item's text, so the page paints in tag order;
- annotations without the Print flag (print and screen would differ);
- the label beside a slide (and the caption under a miniature) repeats the slide's title, which
  its heading has just said: the title's words there become artifacts, the number stays;
- a typeset formula is an SVG drawing, hence a /Figure: it becomes a /Formula, its source as its
  alt text.
"""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from handout.editions.paint_order import rewrite_page
from handout.editions.painted import Box, paint_order_of, painted_boxes
from handout.editions.structure_tree import (
    Tree,
    is_element,
    kids,
    kind_of,
    new_element,
    same_object,
    set_kids,
)

PRINT_FLAG, HIDDEN_FLAGS = 4, 1 | 2 | 32
"""Annotation flags: Print; Invisible, Hidden and NoView."""
TABLE_PARTS = frozenset({"/Table", "/TR", "/TH", "/TD", "/THead", "/TBody", "/TFoot"})
HEADINGS = frozenset({"/H", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6"})


# -- repairing -------------------------------------------------------------------------------------

def repair_tree(pdf: Pdf) -> None:
    """Everything above, on a tagged PDF as WeasyPrint wrote it (after its other finishing)."""
    printable_annotations(pdf)
    tree = Tree.read(pdf)
    if tree is None:
        return
    decorative_figures(tree)
    repeated_titles(tree)
    links_hold_their_annotations(tree)
    text_beside_elements(tree)
    header_scopes(tree)
    drop_empty(tree)
    rank = reading_ranks(tree)
    for index, page in enumerate(pdf.pages):
        rewrite_page(pdf, page, tree.artifacts.get(index, set()), rank.get(index, {}))
    figures_read_where_painted(tree)
    figure_boxes(tree)
    formulas(tree)


def formulas(tree: Tree) -> None:
    """A typeset formula is a /Formula, not a /Figure (PDF/UA 7.7): its alt text is its source as
    the deck wrote it (formulas.py marks the drawing's title, which WeasyPrint made its /Alt)."""
    from handout.formulas import FORMULA_MARK

    for element in tree.elements():
        alt = element.get(Name.Alt)
        if kind_of(element) == "/Figure" and alt is not None and str(alt).startswith(FORMULA_MARK):
            element.S = Name.Formula
            element.Alt = pikepdf.String(str(alt).removeprefix(FORMULA_MARK))


def printable_annotations(pdf: Pdf) -> None:
    """Every annotation prints (PDF/A and PDF/UA: what the screen shows, paper shows)."""
    for page in pdf.pages:
        for annotation in page.obj.get(Name.Annots, ()):
            flags = int(annotation.get(Name.F, 0))
            annotation.F = (flags | PRINT_FLAG) & ~HIDDEN_FLAGS


def decorative_figures(tree: Tree) -> None:
    """A /Figure without /Alt or /ActualText was written from alt="", which says it is decorative:
    an artifact (a screen reader skips it, and PDF/UA asks a figure for words)."""
    for element in list(tree.elements()):
        if kind_of(element) == "/Figure" and Name.Alt not in element and Name.ActualText not in element:
            tree.make_artifact(element)


def repeated_titles(tree: Tree) -> None:
    """The title in the label beside a slide (rows: an /Art holding the frame and the notes) and
    in the caption under a miniature (grids: a /Div holding the frame and a /P) repeats what the
    slide's heading says: its words become artifacts; the slide's number is read.

    The shape is the page template's (handout.html.j2: `.row` is an <article> holding the frame
    and `.notes`, whose first child is `p.label`; `.cell` holds the frame and `p.caption`; both
    start with `span.number`)."""
    for element in list(tree.elements()):
        children = [k for k in kids(element) if is_element(k)]
        if len(children) != 2 or not _is_slide_frame(children[0]):
            continue
        if kind_of(element) == "/Art" and kind_of(children[1]) == "/Div":
            label = next((k for k in kids(children[1]) if is_element(k)), None)
        elif kind_of(element) == "/Div" and kind_of(children[1]) == "/P":
            label = children[1]
        else:
            continue
        if label is None or kind_of(label) != "/P" or not _has_heading(tree, children[0]):
            continue
        parts = kids(label)
        number = next((i for i, k in enumerate(parts) if is_element(k)), None)
        if number is None:
            continue
        for kid in parts[number + 1:]:
            tree.make_kid_artifact(label, kid)


def _is_slide_frame(element: Dictionary) -> bool:
    return kind_of(element) == "/Div" and any(is_element(k) and kind_of(k) == "/Sect" for k in kids(element))


def _has_heading(tree: Tree, frame: Dictionary) -> bool:
    stack = [k for k in kids(frame) if is_element(k)]
    while stack:
        element = stack.pop()
        if kind_of(element) in HEADINGS:
            return True
        stack += [k for k in kids(element) if is_element(k)]
    return False


def links_hold_their_annotations(tree: Tree) -> None:
    """A link annotation's OBJR sits in a /Link element (PDF/UA 7.18.5): one found in another
    element (a span inside a link) moves to the nearest /Link around it, or is wrapped in a /Link
    of its own; the annotation's /StructParent then names that /Link."""
    pdf = tree.pdf
    for element in list(tree.elements()):
        if kind_of(element) == "/Link":
            continue
        if not any(_is_objr(k) for k in kids(element)):
            continue
        link = element.get(Name.P)
        while link is not None and is_element(link) and kind_of(link) != "/Link":
            link = link.get(Name.P)
        holder = link if link is not None and is_element(link) else None
        items = []
        for kid in kids(element):
            if not _is_objr(kid):
                items.append(kid)
                continue
            if holder is not None:
                holder.K = Array([*kids(holder), kid])
                owner = holder
            else:
                owner = new_element(pdf, "/Link", element, [kid], element.get(Name.Pg))
                items.append(owner)
            annotation = kid.get(Name.Obj)
            if isinstance(annotation, Dictionary) and Name.StructParent in annotation:
                tree.parent_tree[int(annotation.StructParent)] = owner
        set_kids(element, items)


def _is_objr(kid: pikepdf.Object) -> bool:
    return isinstance(kid, Dictionary) and kid.get(Name.Type) == Name.OBJR


def text_beside_elements(tree: Tree) -> None:
    """An element holding both marked content of its own and child elements gets its own content
    as /Span children: checkers read an element's own content before its children's, which
    would not be the order the page paints it in (a link's number span, then its words)."""
    pdf = tree.pdf
    for element in list(tree.elements()):
        items = kids(element)
        if not any(is_element(k) for k in items) or kind_of(element) in TABLE_PARTS:
            continue
        page = tree.page_of(element)
        if page is None or not any(isinstance(k, int) for k in items):
            continue
        wrapped = []
        for kid in items:
            if isinstance(kid, int):
                span = new_element(pdf, "/Span", element, [kid], tree.pdf.pages[page].obj)
                tree.set_parent_of_mcid(page, int(kid), span)
                wrapped.append(span)
            else:
                wrapped.append(kid)
        set_kids(element, wrapped)


def header_scopes(tree: Tree) -> None:
    """Each header cell says what it heads: /Scope /Column in a header row (or a row of headers
    only), /Row when data cells follow it in its row."""
    for element in tree.elements():
        if kind_of(element) != "/TR":
            continue
        cells = [k for k in kids(element) if is_element(k) and kind_of(k) in ("/TH", "/TD")]
        in_head = kind_of(element.get(Name.P, Dictionary())) == "/THead"
        only_headers = all(kind_of(c) == "/TH" for c in cells)
        for cell in cells:
            if kind_of(cell) != "/TH":
                continue
            scope = Name.Column if in_head or only_headers else Name.Row
            attributes = cell.get(Name.A)
            if isinstance(attributes, Array):
                table = next((a for a in attributes if isinstance(a, Dictionary)
                              and a.get(Name.O) == Name.Table), None)
                if table is None:
                    table = Dictionary(O=Name.Table)
                    attributes.append(table)
            elif isinstance(attributes, Dictionary) and attributes.get(Name.O) == Name.Table:
                table = attributes
            else:
                table = Dictionary(O=Name.Table)
                cell.A = Array([attributes, table]) if attributes is not None else table
            if Name.Scope not in table:
                table.Scope = scope


def drop_empty(tree: Tree) -> None:
    """Elements with nothing in them (no content, no children, no words of their own) leave the
    tree, and so, in turn, parents left empty; table cells stay (they make the grid)."""
    changed = True
    while changed:
        changed = False
        for element in list(tree.elements()):
            if kids(element) or kind_of(element) in TABLE_PARTS or kind_of(element) == "/Document":
                continue
            if Name.Alt in element or Name.ActualText in element:
                continue
            tree.remove(element)
            changed = True


def reading_ranks(tree: Tree) -> dict[int, dict[int, int]]:
    """Each page's MCIDs by their place in the reading order (page -> MCID -> rank)."""
    ranks: dict[int, dict[int, int]] = {}
    for page, mcid in _reading_order(tree):
        on_page = ranks.setdefault(page, {})
        on_page.setdefault(mcid, len(on_page))
    return ranks


def _reading_order(tree: Tree) -> Iterator[tuple[int, int]]:
    for element in kids(tree.root):
        if is_element(element):
            yield from tree.all_mcids(element)


def figures_read_where_painted(tree: Tree) -> None:
    """A picture that could not be painted where it is read (it covers text painted before it:
    a picture beside a slide's text, drawn over a title too long for its side) is read where it is
    painted instead: after the elements that follow it in the tree and are painted before it."""
    painted: dict[int, dict[int, int]] = {}
    for element in list(tree.elements()):
        if kind_of(element) != "/Figure":
            continue
        own = tree.all_mcids(element)
        pages = {page for page, _ in own}
        if len(pages) != 1:
            continue
        page = pages.pop()
        if page not in painted:
            painted[page] = {mcid: at for at, mcid in enumerate(paint_order_of(tree.pdf.pages[page]))}
        order = painted[page]
        mine = min((order[m] for _, m in own if m in order), default=None)
        parent = element.get(Name.P)
        if mine is None or parent is None:
            continue
        items = kids(parent)
        at = next((i for i, k in enumerate(items) if same_object(k, element)), None)
        if at is None:
            continue
        after = at
        for kid in items[at + 1:]:
            theirs = [order.get(m) for p, m in tree.mcids_of_kid(parent, kid) + (
                tree.all_mcids(kid) if is_element(kid) else []) if p == page]
            if not theirs or any(t is None or t > mine for t in theirs):
                break
            after += 1
        if after > at:
            items.insert(after, items.pop(at))
            set_kids(parent, items)


def figure_boxes(tree: Tree) -> None:
    """Each /Figure's /BBox: what its marked content paints, in the page's coordinates."""
    figures = [e for e in tree.elements() if kind_of(e) == "/Figure"]
    if not figures:
        return
    painted: dict[int, dict[int, Box]] = {}
    for element in figures:
        boxes = []
        for page, mcid in tree.all_mcids(element):
            if page not in painted:
                painted[page] = painted_boxes(tree.pdf.pages[page])
            if mcid in painted[page]:
                boxes.append(painted[page][mcid])
        if not boxes:
            continue
        box = (min(b[0] for b in boxes), min(b[1] for b in boxes),
               max(b[2] for b in boxes), max(b[3] for b in boxes))
        layout = Dictionary(O=Name.Layout, BBox=Array([round(v, 3) for v in box]))
        attributes = element.get(Name.A)
        if isinstance(attributes, Dictionary) and attributes.get(Name.O) == Name.Layout:
            attributes.BBox = layout.BBox
        elif isinstance(attributes, Array):
            found = next((a for a in attributes if isinstance(a, Dictionary)
                          and a.get(Name.O) == Name.Layout), None)
            if found is not None:
                found.BBox = layout.BBox
            else:
                attributes.append(layout)
        else:
            element.A = layout if attributes is None else Array([attributes, layout])
