"""The tagged edition's page content, rewritten in one pass per page: marked content that the
structure tree made artifacts is marked so, and self-contained groups (an outside list marker's
drawing) painted after content that follows them in reading order move before it, so that the
page paints in tag order (PDF/UA). Called by structure.repair_tree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Dictionary, Name, Pdf

from handout.editions.painted import (
    FILL_COLOUR,
    PAINTING,
    STATE_LEAKS,
    TEXT_SHOWING,
    Box,
    mcid_of,
    painted_boxes,
    union,
)

LAYOUT = Dictionary(Type=Name.Layout)


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
        if node.kind == "mc" and (mcid := mcid_of(node.instruction)) is not None and mcid in artifacts:
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


def _mcids_in(node: Node) -> list[int]:
    return [m for n in node.walk() if n.kind == "mc" and (m := mcid_of(n.instruction)) is not None]


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
            found = union(found, self._boxes.get(mcid))
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
        inner = marked or (node.kind == "mc" and mcid_of(node.instruction) is not None)
        for child in node.children:
            found = visit(child, inner)
            if found is not None:
                return found
        return None

    return bool(visit(root, False))
