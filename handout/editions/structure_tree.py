"""The tagged edition's structure tree, read once with pikepdf (`Tree`: each element's parent,
the pages' marked content by MCID, what became artifacts), and the small helpers that walk and
change it. structure.py repairs the tree with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf


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
        set_kids(parent, [k for k in kids(parent) if not same_object(k, kid)])

    def _unmap(self, page: int, mcid: int) -> None:
        entry = self.parent_tree.get(page)
        if isinstance(entry, Array) and mcid < len(entry):
            entry[mcid] = None

    def remove(self, element: Dictionary) -> None:
        parent = element.get(Name.P)
        if parent is not None:
            set_kids(parent, [k for k in kids(parent) if not same_object(k, element)])

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


def same_object(one: pikepdf.Object, other: pikepdf.Object) -> bool:
    if isinstance(one, Dictionary) and isinstance(other, Dictionary):
        if one.is_indirect and other.is_indirect:
            return one.objgen == other.objgen
        return one is other or (not one.is_indirect and not other.is_indirect and one == other)
    if isinstance(one, int) and isinstance(other, int):
        return int(one) == int(other)
    return False


def kind_of(element: Dictionary) -> str:
    return str(element.get(Name.S, ""))


def new_element(pdf: Pdf, kind: str, parent: Dictionary, items: list[pikepdf.Object],
                 page: Dictionary | None) -> Dictionary:
    element = Dictionary(Type=Name.StructElem, S=Name(kind), P=parent, K=Array(items))
    if page is not None:
        element.Pg = page
    return pdf.make_indirect(element)
