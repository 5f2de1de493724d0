"""The tagged edition's structure tree, finished so that a PDF/UA-1 checker (outloud) passes it.

WeasyPrint 70 tags what it lays out, and leaves these for us (each fixed here with pikepdf, in
one pass over the tree and one over each page's content):

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

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

LAYOUT = Dictionary(Type=Name.Layout)
PRINT_FLAG, HIDDEN_FLAGS = 4, 1 | 2 | 32
"""Annotation flags: Print; Invisible, Hidden and NoView."""
TABLE_PARTS = frozenset({"/Table", "/TR", "/TH", "/TD", "/THead", "/TBody", "/TFoot"})
HEADINGS = frozenset({"/H", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6"})
Box = tuple[float, float, float, float]


# -- the tree --------------------------------------------------------------------------------------

@dataclass
class Tree:
    """The structure tree read once: each element's parent, the pages' marked content by MCID, and
    what is to become an artifact (page index -> MCIDs)."""

    pdf: Pdf
    root: Dictionary
    page_index: dict[tuple[int, int], int]
    parent_tree: pikepdf.NumberTree
    artifacts: dict[int, set[int]] = field(default_factory=dict)

    @classmethod
    def read(cls, pdf: Pdf) -> Tree | None:
        root = pdf.Root.get(Name.StructTreeRoot)
        if root is None or Name.ParentTree not in root:
            return None
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        return cls(pdf, root, pages, pikepdf.NumberTree(root.ParentTree))

    def elements(self) -> Iterator[Dictionary]:
        """Every structure element, parents before children, in reading order."""
        stack = list(reversed(kids(self.root)))
        seen: set[tuple[int, int]] = set()
        while stack:
            element = stack.pop()
            if not is_element(element) or element.objgen in seen:
                continue
            seen.add(element.objgen)
            yield element
            stack.extend(reversed(kids(element)))

    def page_of(self, element: Dictionary) -> int | None:
        """The page an element's marked content is on (its /Pg, or its nearest ancestor's)."""
        node: Dictionary | None = element
        while node is not None and is_element(node):
            if Name.Pg in node:
                return self.page_index.get(node.Pg.objgen)
            node = node.get(Name.P)
        return None

    def mcids(self, element: Dictionary) -> list[tuple[int, int]]:
        """(page, MCID) of the marked content an element holds itself (not its children's)."""
        page = self.page_of(element)
        found = []
        for kid in kids(element):
            if isinstance(kid, int):
                if page is not None:
                    found.append((page, int(kid)))
            elif isinstance(kid, Dictionary) and kid.get(Name.Type) == Name.MCR and Name.Stm not in kid:
                where = self.page_index.get(kid.Pg.objgen) if Name.Pg in kid else page
                if where is not None:
                    found.append((where, int(kid.MCID)))
        return found

    def all_mcids(self, element: Dictionary) -> list[tuple[int, int]]:
        """(page, MCID) of an element and its descendants, in reading order."""
        found = []
        for kid in kids(element):
            if is_element(kid):
                found += self.all_mcids(kid)
            else:
                found += self.mcids_of_kid(element, kid)
        return found

    def mcids_of_kid(self, element: Dictionary, kid: pikepdf.Object) -> list[tuple[int, int]]:
        page = self.page_of(element)
        if isinstance(kid, int) and page is not None:
            return [(page, int(kid))]
        if isinstance(kid, Dictionary) and kid.get(Name.Type) == Name.MCR and Name.Stm not in kid:
            where = self.page_index.get(kid.Pg.objgen) if Name.Pg in kid else page
            return [] if where is None else [(where, int(kid.MCID))]
        return []

    def make_artifact(self, element: Dictionary) -> None:
        """The element's marked content (its children's too) becomes an artifact, and the element
        leaves the tree."""
        for page, mcid in self.all_mcids(element):
            self.artifacts.setdefault(page, set()).add(mcid)
            self._unmap(page, mcid)
        self.remove(element)

    def make_kid_artifact(self, parent: Dictionary, kid: pikepdf.Object) -> None:
        """One kid of an element (an element or a bare MCID) becomes an artifact."""
        if is_element(kid):
            self.make_artifact(kid)
            return
        for page, mcid in self.mcids_of_kid(parent, kid):
            self.artifacts.setdefault(page, set()).add(mcid)
            self._unmap(page, mcid)
        set_kids(parent, [k for k in kids(parent) if not _same(k, kid)])

    def _unmap(self, page: int, mcid: int) -> None:
        entry = self.parent_tree.get(page)
        if isinstance(entry, Array) and mcid < len(entry):
            entry[mcid] = None

    def remove(self, element: Dictionary) -> None:
        parent = element.get(Name.P)
        if parent is not None:
            set_kids(parent, [k for k in kids(parent) if not _same(k, element)])

    def set_parent_of_mcid(self, page: int, mcid: int, element: Dictionary) -> None:
        entry = self.parent_tree.get(page)
        if isinstance(entry, Array) and mcid < len(entry):
            entry[mcid] = element


def kids(node: pikepdf.Object) -> list[pikepdf.Object]:
    found = node.get(Name.K) if isinstance(node, Dictionary) else None
    if found is None:
        return []
    return list(found) if isinstance(found, Array) else [found]


def set_kids(node: Dictionary, items: Iterable[pikepdf.Object]) -> None:
    node.K = Array(list(items))


def is_element(node: pikepdf.Object) -> bool:
    return isinstance(node, Dictionary) and Name.S in node \
        and node.get(Name.Type, Name.StructElem) == Name.StructElem


def _same(one: pikepdf.Object, other: pikepdf.Object) -> bool:
    if isinstance(one, Dictionary) and isinstance(other, Dictionary):
        if one.is_indirect and other.is_indirect:
            return one.objgen == other.objgen
        return one is other or (not one.is_indirect and not other.is_indirect and one == other)
    if isinstance(one, int) and isinstance(other, int):
        return int(one) == int(other)
    return False


def _type(element: Dictionary) -> str:
    return str(element.get(Name.S, ""))


def _new_element(pdf: Pdf, kind: str, parent: Dictionary, items: list[pikepdf.Object],
                 page: Dictionary | None) -> Dictionary:
    element = Dictionary(Type=Name.StructElem, S=Name(kind), P=parent, K=Array(items))
    if page is not None:
        element.Pg = page
    return pdf.make_indirect(element)


# -- finishing -------------------------------------------------------------------------------------

def finish(pdf: Pdf) -> None:
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
        if _type(element) == "/Figure" and alt is not None and str(alt).startswith(FORMULA_MARK):
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
        if _type(element) == "/Figure" and Name.Alt not in element and Name.ActualText not in element:
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
        if _type(element) == "/Art" and _type(children[1]) == "/Div":
            label = next((k for k in kids(children[1]) if is_element(k)), None)
        elif _type(element) == "/Div" and _type(children[1]) == "/P":
            label = children[1]
        else:
            continue
        if label is None or _type(label) != "/P" or not _has_heading(tree, children[0]):
            continue
        parts = kids(label)
        number = next((i for i, k in enumerate(parts) if is_element(k)), None)
        if number is None:
            continue
        for kid in parts[number + 1:]:
            tree.make_kid_artifact(label, kid)


def _is_slide_frame(element: Dictionary) -> bool:
    return _type(element) == "/Div" and any(is_element(k) and _type(k) == "/Sect" for k in kids(element))


def _has_heading(tree: Tree, frame: Dictionary) -> bool:
    stack = [k for k in kids(frame) if is_element(k)]
    while stack:
        element = stack.pop()
        if _type(element) in HEADINGS:
            return True
        stack += [k for k in kids(element) if is_element(k)]
    return False


def links_hold_their_annotations(tree: Tree) -> None:
    """A link annotation's OBJR sits in a /Link element (PDF/UA 7.18.5): one found in another
    element (a span inside a link) moves to the nearest /Link around it, or is wrapped in a /Link
    of its own; the annotation's /StructParent then names that /Link."""
    pdf = tree.pdf
    for element in list(tree.elements()):
        if _type(element) == "/Link":
            continue
        if not any(_is_objr(k) for k in kids(element)):
            continue
        link = element.get(Name.P)
        while link is not None and is_element(link) and _type(link) != "/Link":
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
                owner = _new_element(pdf, "/Link", element, [kid], element.get(Name.Pg))
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
        if not any(is_element(k) for k in items) or _type(element) in TABLE_PARTS:
            continue
        page = tree.page_of(element)
        if page is None or not any(isinstance(k, int) for k in items):
            continue
        wrapped = []
        for kid in items:
            if isinstance(kid, int):
                span = _new_element(pdf, "/Span", element, [kid], tree.pdf.pages[page].obj)
                tree.set_parent_of_mcid(page, int(kid), span)
                wrapped.append(span)
            else:
                wrapped.append(kid)
        set_kids(element, wrapped)


def header_scopes(tree: Tree) -> None:
    """Each header cell says what it heads: /Scope /Column in a header row (or a row of headers
    only), /Row when data cells follow it in its row."""
    for element in tree.elements():
        if _type(element) != "/TR":
            continue
        cells = [k for k in kids(element) if is_element(k) and _type(k) in ("/TH", "/TD")]
        in_head = _type(element.get(Name.P, Dictionary())) == "/THead"
        only_headers = all(_type(c) == "/TH" for c in cells)
        for cell in cells:
            if _type(cell) != "/TH":
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
            if kids(element) or _type(element) in TABLE_PARTS or _type(element) == "/Document":
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


# -- page content: artifacts and paint order ------------------------------------------------------

@dataclass
class Node:
    """A piece of a content stream: an operator, or a group (q...Q) or marked content
    (BDC/BMC...EMC) holding pieces."""

    instruction: object | None = None
    kind: str = "op"  # op | q | mc
    children: list[Node] = field(default_factory=list)
    close: object | None = None

    @property
    def operator(self) -> str:
        return str(self.instruction.operator) if self.instruction is not None \
            and not isinstance(self.instruction, pikepdf.ContentStreamInlineImage) else ""

    def flat(self) -> Iterator[object]:
        if self.instruction is not None:
            yield self.instruction
        for child in self.children:
            yield from child.flat()
        if self.close is not None:
            yield self.close

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


TEXT_SHOWING = frozenset({"Tj", "TJ", "'", '"'})
PAINTING = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do"})
FILL_COLOUR = frozenset({"rg", "g", "k", "sc", "scn", "cs"})
STATE_LEAKS = frozenset({"cm", "W", "W*", "Tc", "Tw", "Tz", "TL", "Ts", "Tr", "BX", "EX", "d0", "d1"})
"""State a piece may not change outside a group of its own for another group to be drawn before
it: the transformation, the clip and the text state a group of text inherits. (Colours and the
ExtGState are compared where the group would go: `_inherited`.)"""


def rewrite_page(pdf: Pdf, page: pikepdf.Page, artifacts: set[int], rank: dict[int, int]) -> None:
    """The page's marked content listed in `artifacts` becomes artifacts, and self-contained
    groups painted after content that follows them in reading order move before it."""
    if not artifacts and not rank:
        return
    tree = _nest(pikepdf.parse_content_stream(page))
    if tree is None:
        return
    changed = False
    for node in tree.walk():
        if node.kind == "mc" and (mcid := _mcid(node.instruction)) is not None and mcid in artifacts:
            node.instruction = pikepdf.ContentStreamInstruction([Name.Artifact, LAYOUT],
                                                                pikepdf.Operator("BDC"))
            changed = True
    if rank:
        changed = _in_reading_order(tree, rank, Painted(page)) or changed
    if changed:
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(list(tree.flat())))


def _nest(instructions: list) -> Node | None:
    """The instructions as a tree of groups and marked content; None when they do not nest
    (a Q closing a group opened inside marked content, or the reverse)."""
    root = Node(kind="root")
    stack = [root]
    for instruction in instructions:
        operator = "" if isinstance(instruction, pikepdf.ContentStreamInlineImage) \
            else str(instruction.operator)
        if operator in ("q", "BDC", "BMC"):
            node = Node(instruction, "q" if operator == "q" else "mc")
            stack[-1].children.append(node)
            stack.append(node)
        elif operator in ("Q", "EMC"):
            if len(stack) == 1 or stack[-1].kind != ("q" if operator == "Q" else "mc"):
                return None
            stack.pop().close = instruction
        else:
            stack[-1].children.append(Node(instruction))
    return root if len(stack) == 1 else None


def _mcid(instruction: object) -> int | None:
    operands = getattr(instruction, "operands", ())
    if len(operands) == 2 and isinstance(operands[1], Dictionary) and Name.MCID in operands[1]:
        return int(operands[1].MCID)
    return None


def _mcids_in(node: Node) -> list[int]:
    return [m for n in node.walk() if n.kind == "mc" and (m := _mcid(n.instruction)) is not None]


class Painted:
    """Where the page paints each MCID, measured when first asked (see painted_boxes)."""

    def __init__(self, page: pikepdf.Page) -> None:
        self.page = page
        self._boxes: dict[int, Box] | None = None

    def box(self, mcids: Iterable[int]) -> Box | None:
        if self._boxes is None:
            self._boxes = painted_boxes(self.page, text_height=True)
        found = None
        for mcid in mcids:
            found = _union(found, self._boxes.get(mcid))
        return found


def _in_reading_order(root: Node, rank: dict[int, int], painted: Painted) -> bool:
    """Move each self-contained group (q...Q) back to where reading order puts it, past pieces
    that paint nothing under or over it: an outside list marker (text) or a picture (WeasyPrint
    paints positioned boxes, as outside markers are, and each <img>, in a layer of their own
    after the text around them). It may go into a group painted before it (a positioned notes
    column holding the marker's item), where that group has not changed the transformation,
    clip or text state. The colour and ExtGState it does not set itself stay those in force where
    it was. True when something moved."""
    states = _states(root)
    moved = False
    for node in list(root.walk()):
        children = node.children
        index = 0
        while index < len(children):
            group = children[index]
            mine = [rank[m] for m in _mcids_in(group) if m in rank]
            if group.kind != "q" or not mine or not _movable(group):
                index += 1
                continue
            place = _place(children, index, min(mine), painted.box(_mcids_in(group)), painted, rank)
            needs = _needs(group)
            if place is not None:
                container, position = place
                while position < len(container) and (
                        not any(m in rank for m in _mcids_in(container[position]))
                        or _picked(states, container[position], needs)
                        != _picked(states, group, needs)):
                    position += 1  # right before what it is read before, in the same state
                if position < len(container) and (container is not children or position < index):
                    children.pop(index)
                    container.insert(position, group)
                    moved = True
                    continue  # the next piece is at this index now
            index += 1
    return moved


def _place(children: list[Node], end: int, mine: int, area: Box | None, painted: Painted,
           rank: dict[int, int]) -> tuple[list[Node], int] | None:
    """Where, in children[:end] or inside one of them, a group read at rank `mine` and painting
    `area` goes: after everything read before it, before nothing it would cover or be covered by."""
    target = end
    while target > 0:
        before = children[target - 1]
        theirs = [rank[m] for m in _mcids_in(before) if m in rank]
        if not _passable(before):
            break
        if theirs and min(theirs) < mine:
            if before.kind == "q" and max(theirs) > mine:  # read partly before, partly after
                inside = _place(before.children, len(before.children), mine, area, painted, rank)
                if inside is not None and inside[1] < len(inside[0]) \
                        and all(_passable(c) for c in inside[0][:inside[1]]):
                    return inside
            break
        if not _clear_of(before, area, painted):
            break
        target -= 1
    return (children, target) if target < end else None


def _states(root: Node) -> dict[int, tuple]:
    """The fill colour and ExtGState in force where each piece starts (by id), following q/Q."""
    found: dict[int, tuple] = {}

    def visit(node: Node, state: dict[str, object]) -> dict[str, object]:
        found[id(node)] = (state.get("fill"), state.get("gs"))
        operator = node.operator
        if node.kind == "op" and (operator in FILL_COLOUR or operator == "gs"):
            state = {**state, "fill" if operator in FILL_COLOUR else "gs":
                     (operator, tuple(str(v) for v in node.instruction.operands))}
        inner = dict(state)
        for child in node.children:
            inner = visit(child, inner)
        return state if node.kind == "q" else inner

    visit(root, {})
    return found


def _picked(states: dict[int, tuple], node: Node, needs: frozenset[str]) -> tuple:
    fill, gs = states.get(id(node), (None, None))
    return (fill if "fill" in needs else None, gs if "gs" in needs else None)


def _movable(group: Node) -> bool:
    """A group that paints text (each run after its own font) or pictures, nothing else."""
    font = False
    for node in group.walk():
        operator = node.operator
        if operator == "Tf":
            font = True
        elif (operator in TEXT_SHOWING and not font) or operator in ("S", "s", "f", "F", "f*", "B",
                                                                      "B*", "b", "b*", "sh"):
            return False
    return True


def _needs(group: Node) -> frozenset[str]:
    """What of the state around it the group uses before setting it itself: "fill" (the colour of
    its text) and "gs" (transparency)."""
    needs: set[str] = set()
    set_here: set[str] = set()
    for node in group.walk():
        operator = node.operator
        if operator in FILL_COLOUR:
            set_here.add("fill")
        elif operator == "gs":
            set_here.add("gs")
        elif operator in TEXT_SHOWING:
            needs |= {"fill", "gs"} - set_here
        elif operator in PAINTING or (node.kind == "op" and not operator and node.instruction is not None):
            needs |= {"gs"} - set_here
    return frozenset(needs)


def _unwrapped(node: Node) -> Iterator[Node]:
    """The operators of a piece that act on what follows it: not those inside a q...Q."""
    if node.kind == "q":
        return
    yield node
    for child in node.children:
        yield from _unwrapped(child)


def _passable(node: Node) -> bool:
    """A piece a group may be drawn before: it changes neither the transformation, nor the clip,
    nor the text state (outside groups of its own)."""
    return not any(inner.kind == "op" and inner.operator in STATE_LEAKS for inner in _unwrapped(node))


def _clear_of(node: Node, area: Box | None, painted: Painted) -> bool:
    """Whether what a piece paints stays clear of a group's area (so the group may be drawn
    before it): only marked content with an MCID is measured (anything else painted is taken to
    cover it); a run of text counts as the box its glyphs advance over, font size high."""
    if area is None:
        return False
    for inner in node.walk():
        if (inner.operator in TEXT_SHOWING or inner.operator in PAINTING
                or (inner.kind == "op" and not inner.operator and inner.instruction is not None)) \
                and not _under_mcid(node, inner):
            return False
    return all(_apart(painted.box([mcid]), area) for mcid in _mcids_in(node))


def _apart(box: Box | None, area: Box, slack: float = 0.5) -> bool:
    """Whether two boxes do not overlap (touching, within `slack` points, is apart)."""
    return box is None or box[2] <= area[0] + slack or area[2] <= box[0] + slack \
        or box[3] <= area[1] + slack or area[3] <= box[1] + slack


def _under_mcid(root: Node, target: Node) -> bool:
    """Whether `target` is inside marked content with an MCID, below `root`."""
    def visit(node: Node, marked: bool) -> bool | None:
        if node is target:
            return marked
        inner = marked or (node.kind == "mc" and _mcid(node.instruction) is not None)
        for child in node.children:
            found = visit(child, inner)
            if found is not None:
                return found
        return None

    return bool(visit(root, False))


def figures_read_where_painted(tree: Tree) -> None:
    """A picture that could not be painted where it is read (it covers text painted before it:
    a picture beside a slide's text, drawn over a title too long for its side) is read where it is
    painted instead: after the elements that follow it in the tree and are painted before it."""
    painted: dict[int, dict[int, int]] = {}
    for element in list(tree.elements()):
        if _type(element) != "/Figure":
            continue
        own = tree.all_mcids(element)
        pages = {page for page, _ in own}
        if len(pages) != 1:
            continue
        page = pages.pop()
        if page not in painted:
            painted[page] = {mcid: at for at, mcid in enumerate(_paint_order(tree.pdf.pages[page]))}
        order = painted[page]
        mine = min((order[m] for _, m in own if m in order), default=None)
        parent = element.get(Name.P)
        if mine is None or parent is None:
            continue
        items = kids(parent)
        at = next((i for i, k in enumerate(items) if _same(k, element)), None)
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


def _paint_order(page: pikepdf.Page) -> list[int]:
    """The MCIDs of a page in the order its content first paints them."""
    found: list[int] = []
    for instruction in pikepdf.parse_content_stream(page):
        if not isinstance(instruction, pikepdf.ContentStreamInlineImage) \
                and str(instruction.operator) == "BDC" and (mcid := _mcid(instruction)) is not None \
                and mcid not in found:
            found.append(mcid)
    return found


# -- figure boxes ----------------------------------------------------------------------------------

def figure_boxes(tree: Tree) -> None:
    """Each /Figure's /BBox: what its marked content paints, in the page's coordinates."""
    figures = [e for e in tree.elements() if _type(e) == "/Figure"]
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


Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF's order: a point is transformed by m, then by n)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _bounds(points: Iterable[tuple[float, float]]) -> Box | None:
    points = list(points)
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _union(one: Box | None, other: Box | None) -> Box | None:
    if one is None or other is None:
        return other if one is None else one
    return min(one[0], other[0]), min(one[1], other[1]), max(one[2], other[2]), max(one[3], other[3])


def _intersect(one: Box | None, clip: Box | None) -> Box | None:
    if one is None or clip is None:
        return one
    box = max(one[0], clip[0]), max(one[1], clip[1]), min(one[2], clip[2]), min(one[3], clip[3])
    return box if box[0] <= box[2] and box[1] <= box[3] else None


def painted_boxes(page: pikepdf.Page, text_height: bool = False) -> dict[int, Box]:
    """What each MCID of the page paints (pictures, forms, paths, and where text starts), as a box
    in the page's coordinates, within the clipping rectangles around it; with `text_height`, a
    run of text counts from its start to its end (its font's widths), from below its baseline to
    its font size above."""
    found: dict[int, Box] = {}
    ctm: Matrix = IDENTITY
    clip: Box | None = None
    saved: list[tuple[Matrix, Box | None]] = []
    marked: list[int | None] = []
    path: list[tuple[float, float]] = []
    pending_clip = False
    text_matrix: Matrix = IDENTITY
    size = 0.0
    widths = _Widths()
    font: _FontWidths | None = None
    resources = page.obj.get(Name.Resources, Dictionary())
    xobjects = resources.get(Name.XObject, Dictionary())

    def paint(box: Box | None) -> None:
        box = _intersect(box, clip)
        if box is None:
            return
        for mcid in marked:
            if mcid is not None:
                found[mcid] = _union(found.get(mcid), box)

    for instruction in pikepdf.parse_content_stream(page):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            paint(_bounds(_apply(ctm, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))))
            continue
        operands, operator = instruction.operands, str(instruction.operator)
        if operator == "q":
            saved.append((ctm, clip))
        elif operator == "Q" and saved:
            ctm, clip = saved.pop()
        elif operator == "cm" and len(operands) == 6:
            ctm = _multiply(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
        elif operator in ("BDC", "BMC"):
            marked.append(_mcid(instruction))
        elif operator == "EMC" and marked:
            marked.pop()
        elif operator == "re" and len(operands) == 4:
            x, y, w, h = (float(v) for v in operands)
            path += [_apply(ctm, x, y), _apply(ctm, x + w, y), _apply(ctm, x, y + h),
                     _apply(ctm, x + w, y + h)]
        elif operator in ("m", "l") and len(operands) == 2:
            path.append(_apply(ctm, float(operands[0]), float(operands[1])))
        elif operator in ("c", "v", "y"):
            values = [float(v) for v in operands]
            path += [_apply(ctm, values[i], values[i + 1]) for i in range(0, len(values) - 1, 2)]
        elif operator in ("W", "W*"):
            pending_clip = True
        elif operator in ("S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"):
            box = _bounds(path)
            if pending_clip:
                clip = _intersect(box, clip) if clip is not None else box
                pending_clip = False
            if operator != "n":
                paint(box)
            path = []
        elif operator == "Do" and operands:
            xobject = xobjects.get(operands[0]) if isinstance(xobjects, Dictionary) else None
            if xobject is None:
                continue
            if xobject.get(Name.Subtype) == Name.Form and Name.BBox in xobject:
                matrix = tuple(float(v) for v in xobject.get(Name.Matrix, Array(IDENTITY)))
                x0, y0, x1, y1 = (float(v) for v in xobject.BBox)
                full = _multiply(matrix, ctm)  # type: ignore[arg-type]
                paint(_bounds(_apply(full, x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))))
            else:
                paint(_bounds(_apply(ctm, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))))
        elif operator == "Tm" and len(operands) == 6:
            text_matrix = tuple(float(v) for v in operands)  # type: ignore[assignment]
        elif operator == "Tf" and len(operands) == 2:
            size = float(operands[1])
            fonts = resources.get(Name.Font, Dictionary())
            font = widths.get(fonts.get(operands[0]) if isinstance(fonts, Dictionary) else None)
        elif operator in TEXT_SHOWING:
            full = _multiply(text_matrix, ctm)
            if text_height:
                width = font.advance(operands[-1] if operator != "TJ" else operands[0], size) if font else 0
                points = [(0, -0.3 * size), (0, size), (width, -0.3 * size), (width, size)]
            else:
                points = [(0, 0)]
            paint(_bounds(_apply(full, x, y) for x, y in points))
    return found


class _Widths:
    """Glyph widths of a page's fonts, read when first used: how far a run of text advances."""

    def __init__(self) -> None:
        self._fonts: dict[tuple[int, int], _FontWidths | None] = {}

    def get(self, font: object) -> _FontWidths | None:
        if not isinstance(font, Dictionary):
            return None
        key = font.objgen
        if key not in self._fonts:
            self._fonts[key] = _FontWidths.read(font)
        return self._fonts[key]


@dataclass
class _FontWidths:
    """Widths (thousandths of the size) by character code, the code length in bytes and a default."""

    widths: dict[int, float]
    code_bytes: int
    default: float

    @classmethod
    def read(cls, font: Dictionary) -> _FontWidths | None:
        try:
            if font.get(Name.Subtype) == Name.Type0:
                cid = font.DescendantFonts[0]
                widths: dict[int, float] = {}
                spec = list(cid.get(Name.W, Array()))
                index = 0
                while index + 1 < len(spec):
                    first, following = int(spec[index]), spec[index + 1]
                    if isinstance(following, Array):
                        widths.update({first + i: float(w) for i, w in enumerate(following)})
                        index += 2
                    else:
                        widths.update(dict.fromkeys(range(first, int(following) + 1), float(spec[index + 2])))
                        index += 3
                return cls(widths, 2, float(cid.get(Name.DW, 1000)))
            first = int(font.get(Name.FirstChar, 0))
            return cls({first + i: float(w) for i, w in enumerate(font.get(Name.Widths, Array()))}, 1, 0.0)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError):
            return None

    def advance(self, shown: object, size: float) -> float:
        """How far a Tj string or a TJ array advances, in text space (kerning included)."""
        total = 0.0
        for item in shown if isinstance(shown, Array) else [shown]:
            if isinstance(item, pikepdf.String):
                data = bytes(item)
                for at in range(0, len(data) - self.code_bytes + 1, self.code_bytes):
                    code = int.from_bytes(data[at:at + self.code_bytes], "big")
                    total += self.widths.get(code, self.default)
            else:
                total -= float(item)
        return total / 1000 * size
