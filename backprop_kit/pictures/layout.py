"""Where each part of a circuit diagram goes (points, y down), for both renderers: a small
Sugiyama layout. :class:`Structure` sees the shape only: (1) an input in column 0, a gate one
right of its furthest parent, the output alone last; (2) a wire that skips columns passes a
waypoint in each, so none runs through a gate; (3) each column ordered by the neighbours'
barycenter, swept both ways, keeping the fewest crossings (first operand at the upper port);
(4) heights as level with the neighbours as a clearance allows (isotonic regression).
:func:`place` adds widths, (5) a node, a stub (value above, gradient below) and a routing zone
per column, so labels never meet a bend or a gate, and returns the :class:`~scene.Scene`. A
wire used by several gates is drawn once, with its total gradient, and splits at a dot."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import accumulate, combinations

from backprop_kit.core.engine import Value
from backprop_kit.pictures import style as S
from backprop_kit.pictures.scene import Box, Dot, Line, Scene, Text

# --- sizes, in points -------------------------------------------------------------------------
R = 13.0  # half height of a gate (a circle when the symbol is short)
PORT = 6.5  # vertical offset of the two input ports of a two-input gate
LABEL_GAP = 2.5  # between a wire and the text above or below it
ROW_GAP = 10.0  # clearance between the label boxes of two parts of one column
WAYPOINT_HALF = 3.0  # half height a passing wire claims in a column
PAD = 7.0  # space left and right of the texts in a stub zone
MARGIN = 10.0
NAME_GAP = 4.0  # between an input's name and its wire
ROUTE_MIN, ROUTE_MAX = 26.0, 80.0
LINE_H = 1.3 * S.FS_NOTE  # line height in the callout

# --- how big a circuit a picture may show (beyond this it is unreadable, and slow) -----------
MAX_COLUMNS = 40  # inputs, then one column per level of gates
MAX_PARTS = 1000  # wires and waypoints (a sum of n inputs has ~n²/2); the cost grows as n²
MAX_SIZE = 4000.0  # points either way (about 5,600 pixels at 100 DPI)


# --- the shape of a circuit -----------------------------------------------------------------------
@dataclass(slots=True)
class _Part:
    kind: str  # "input", "gate" or "waypoint"
    node: int  # index of its wire in Structure.nodes (a waypoint: the wire passing through)
    col: int
    y: float = 0.0


@dataclass(frozen=True, slots=True)
class _Link:
    src: int  # part index
    dst: int  # part index
    port: int  # operand number at a gate (0, 1); -1 at a waypoint


class Structure:
    """Columns, order and heights of a circuit's parts (its shape, not its numbers): ``nodes``
    every wire, parents first; ``index[id(wire)]`` its place there; ``columns`` each column's
    parts (indices into ``parts``), top first."""

    def __init__(self, root: Value, label_rows: int = 1) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"a circuit diagram needs a Value (its output), got {type(root)}")
        self.label_rows = label_rows  # text rows under each wire (a second gradient: 2)
        self.nodes: list[Value] = root.topological_order()
        self.index: dict[int, int] = {id(v): i for i, v in enumerate(self.nodes)}
        nodes, index = self.nodes, self.index
        col = [0] * len(nodes)
        for i, v in enumerate(nodes):
            if v.parents:
                col[i] = 1 + max(col[index[id(p)]] for p in v.parents)
        far = _check_size(nodes, index, col)  # each wire's furthest consumer's column
        self.parts: list[_Part] = [
            _Part("gate" if v.parents else "input", i, col[i]) for i, v in enumerate(nodes)
        ]
        uses: list[list[tuple[int, int]]] = [[] for _ in nodes]
        for j, v in enumerate(nodes):
            for port, p in enumerate(v.parents):
                uses[index[id(p)]].append((j, port))
        self.links: list[_Link] = []
        for i, used_by in enumerate(uses):
            if not used_by:
                continue
            chain = {col[i]: i}
            for k in range(col[i] + 1, far[i]):
                self.parts.append(_Part("waypoint", i, k))
                chain[k] = len(self.parts) - 1
                self.links.append(_Link(chain[k - 1], chain[k], -1))
            for j, port in used_by:
                self.links.append(_Link(chain[col[j] - 1], j, port))
        self.n_columns = col[-1] + 1
        self.into: list[list[_Link]] = [[] for _ in self.parts]
        self.out_of: list[list[_Link]] = [[] for _ in self.parts]
        self._by_gap: dict[int, list[_Link]] = {}
        for link in self.links:
            self.into[link.dst].append(link)
            self.out_of[link.src].append(link)
            self._by_gap.setdefault(self.parts[link.src].col, []).append(link)
        self.columns: list[list[int]] = [[] for _ in range(self.n_columns)]
        self._order()
        self._heights()

    # step 3: order within columns -----------------------------------------------------------
    def port_dy(self, link: _Link) -> float:
        """How far below the centre of its gate a link enters (−PORT, 0 or +PORT)."""
        if link.port < 0 or len(self.nodes[self.parts[link.dst].node].parents) < 2:
            return 0.0
        return -PORT if link.port == 0 else PORT

    def _order(self) -> None:
        # start from the order of a depth-first walk from the output, first operand first
        rank: dict[int, int] = {}
        stack = [len(self.nodes) - 1]
        while stack:
            i = stack.pop()
            if i in rank:
                continue
            rank[i] = len(rank)
            stack.extend(reversed([self.index[id(p)] for p in self.nodes[i].parents]))
        first = {p.node: rank[p.node] for p in self.parts}
        for n, part in enumerate(self.parts):
            self.columns[part.col].append(n)
        for column in self.columns:
            column.sort(key=lambda n: (first[self.parts[n].node], self.parts[n].kind == "gate"))
        best, fewest = [c[:] for c in self.columns], self.crossings()
        for _ in range(6):
            for k in range(1, self.n_columns):
                self._sort(k, self.into, lambda link: (link.src, 0.0))
            for k in range(self.n_columns - 2, -1, -1):
                self._sort(k, self.out_of, lambda link: (link.dst, self.port_dy(link) / 26.0))
            count = self.crossings()
            if count < fewest:
                best, fewest = [c[:] for c in self.columns], count
            if fewest == 0:
                break
        self.columns = best
        if fewest:
            self._transpose()

    def _sort(self, k: int, links: list[list[_Link]], end) -> None:
        pos = self._positions()

        def barycenter(n: int) -> float:
            ends = [end(link) for link in links[n]]
            return sum(pos[m] + offset for m, offset in ends) / len(ends) if ends else pos[n]

        self.columns[k].sort(key=barycenter)

    def _positions(self) -> dict[int, float]:
        return {n: float(i) for column in self.columns for i, n in enumerate(column)}

    def crossings(self) -> int:
        """How many pairs of wires cross between neighbouring columns (operand ports count)."""
        return self._crossings(range(self.n_columns - 1), self._positions())

    def _crossings(self, gaps, pos: dict[int, float]) -> int:
        """Crossings between columns g and g + 1, summed over ``gaps``."""
        count = 0
        for gap in gaps:
            links = self._by_gap.get(gap, ())
            ends = [(pos[link.src], pos[link.dst] + link.port * 0.01) for link in links]
            count += sum((a0 - b0) * (a1 - b1) < 0 for (a0, a1), (b0, b1) in combinations(ends, 2))
        return count

    def _transpose(self) -> None:
        """Swap neighbours within a column while that removes crossings (a local polish)."""
        for _ in range(8):
            improved = False
            for k, column in enumerate(self.columns):
                gaps = [g for g in (k - 1, k) if 0 <= g < self.n_columns - 1]
                for i in range(len(column) - 1):
                    pos = self._positions()
                    before = self._crossings(gaps, pos)
                    pos[column[i]], pos[column[i + 1]] = pos[column[i + 1]], pos[column[i]]
                    if self._crossings(gaps, pos) < before:
                        column[i], column[i + 1] = column[i + 1], column[i]
                        improved = True
            if not improved:
                return

    # step 4: heights ---------------------------------------------------------------------------
    def half_height(self, n: int) -> float:
        """How far above and below its wire a part needs room (gate or labels; a waypoint less)."""
        if self.parts[n].kind == "waypoint":
            return WAYPOINT_HALF
        return max(R, LABEL_GAP + self.label_rows * (S.ASCENT + S.DESCENT) * S.FS_VALUE)

    def _heights(self) -> None:
        for column in self.columns:
            y = 0.0
            for i, n in enumerate(column):
                if i:
                    y += self._gap(column[i - 1], n)
                self.parts[n].y = y
        for _ in range(8):
            for k in range(1, self.n_columns):
                self._settle(k, self.into, lambda link: self.parts[link.src].y - self.port_dy(link))
            for k in range(self.n_columns - 2, -1, -1):
                self._settle(
                    k, self.out_of, lambda link: self.parts[link.dst].y + self.port_dy(link)
                )
        for k in range(1, self.n_columns):
            self._settle(k, self.into, lambda link: self.parts[link.src].y - self.port_dy(link))
        top = min(p.y - self.half_height(n) for n, p in enumerate(self.parts))
        for p in self.parts:
            p.y -= top
        self.height = max(p.y + self.half_height(n) for n, p in enumerate(self.parts))

    def _gap(self, upper: int, lower: int) -> float:
        return self.half_height(upper) + ROW_GAP + self.half_height(lower)

    def _settle(self, k: int, links: list[list[_Link]], wish) -> None:
        column = self.columns[k]
        wishes = []
        for n in column:
            ends = [wish(link) for link in links[n]]
            wishes.append(sum(ends) / len(ends) if ends else self.parts[n].y)
        gaps = [self._gap(column[i - 1], column[i]) for i in range(1, len(column))]
        for n, y in zip(column, _pack(wishes, gaps)):
            self.parts[n].y = y


def _check_size(nodes: list[Value], index: dict[int, int], col: list[int]) -> list[int]:
    """Each wire's furthest consumer's column; one line (in linear time) if too big to draw."""
    advice = "draw a part of it instead (the Value of a sub-expression), or print its numbers"
    columns = col[-1] + 1 if col else 0
    if columns > MAX_COLUMNS:
        raise ValueError(
            f"draw: this circuit is {columns} columns wide (inputs, then one column per level "
            f"of gates); at most {MAX_COLUMNS} can be drawn readably; {advice}"
        )
    far = col[:]
    for i, v in enumerate(nodes):
        for p in v.parents:
            j = index[id(p)]
            far[j] = max(far[j], col[i])
    parts = len(nodes) + sum(max(0, far[j] - col[j] - 1) for j in range(len(nodes)))
    if parts > MAX_PARTS:
        raise ValueError(
            f"draw: this circuit has {len(nodes)} wires and would need {parts} wire pieces; at "
            f"most {MAX_PARTS} can be drawn readably; {advice}"
        )
    # the least height of each column: its parts stacked as closely as the layout allows
    node_h = 2 * max(R, LABEL_GAP + (S.ASCENT + S.DESCENT) * S.FS_VALUE) + ROW_GAP
    height = [0.0] * columns
    for j in range(len(nodes)):
        height[col[j]] += node_h
        for k in range(col[j] + 1, far[j]):
            height[k] += 2 * WAYPOINT_HALF + ROW_GAP
    if max(height, default=0.0) > MAX_SIZE:
        raise ValueError(
            f"draw: this circuit would be at least {max(height):.0f} points tall (too many "
            f"wires side by side); at most {MAX_SIZE:.0f} can be drawn readably; {advice}"
        )
    return far


def _pack(wishes: list[float], gaps: list[float]) -> list[float]:
    """The y closest to ``wishes`` (least squares) with y[i+1] − y[i] ≥ gaps[i]: with c the
    running sum of gaps, z = y − c never decreases, an isotonic regression of wishes − c."""
    offsets = list(accumulate(gaps, initial=0.0))
    blocks: list[list[float]] = []  # [sum, count]
    for w, c in zip(wishes, offsets):
        blocks.append([w - c, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            s, m = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += m
    z: list[float] = []
    for s, m in blocks:
        z.extend([s / m] * int(m))
    return [zi + c for zi, c in zip(z, offsets)]


# --- from shape and texts to a Scene -----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WireText:
    """What a wire shows: its value, its gradient (None: not shown), ``emph`` if the current
    step just changed it, and maybe a ``second`` number under it (a learner's engine's
    gradient; needs ``label_rows=2``), marked when ``second_emph``."""

    value: str
    grad: str | None
    emph: bool = False
    second: str | None = None
    second_emph: bool = False


@dataclass(frozen=True, slots=True)
class Callout:
    """A step's note on the gate of wire ``node`` (drawn as ``symbol``): ``heading``, then one
    of ``rows`` per input."""

    node: int
    symbol: str
    heading: str
    rows: tuple[str, ...]

    @property
    def lines(self) -> tuple[str, ...]:
        return (self.heading, *self.rows)


@dataclass(frozen=True, slots=True)
class Focus:
    """The current step: its number (SVG ``data-gate``) and its gate's note (None at step 0)."""

    step: int
    callout: Callout | None = None


@dataclass(frozen=True, slots=True)
class Frame:
    """Around the circuit: the output's name; ``band_lines`` note lines kept without a callout
    (a live picture keeps its height) for ``caption``; ``reserve``, a number whose width each
    column keeps (changing numbers do not move it); the legend's words for ``second``."""

    output_name: str = ""
    band_lines: int = 0
    caption: str = ""
    reserve: str = "-8.88"
    second_legend: str = ""


def gate_width(symbol: str) -> float:
    """A gate is a circle of radius R, or a pill wide enough for a long symbol."""
    return max(2 * R, S.text_width(symbol, S.FS_GATE) + 12.0)


def place(
    structure: Structure,
    symbols: list[str],
    texts: list[WireText],
    frame: Frame = Frame(),
    focus: Focus | None = None,
) -> Scene:
    """The Scene of wire i drawn as ``symbols[i]`` with ``texts[i]``, in ``frame``, ``focus``."""
    callout = focus.callout if focus is not None else None
    highlight = callout.node if callout is not None else None
    mark = str(focus.step) if focus is not None else ""
    caption, output_name = frame.caption, frame.output_name
    parts, nodes = structure.parts, structure.nodes
    # widths of the zones of each column
    node_w = [0.0] * structure.n_columns
    stub_w = [S.text_width(frame.reserve, S.FS_VALUE)] * structure.n_columns
    for p in parts:
        if p.kind == "waypoint":
            continue
        t, symbol = texts[p.node], symbols[p.node]
        w = gate_width(symbol) if p.kind == "gate" else S.text_width(symbol, S.FS_NAME) + NAME_GAP
        node_w[p.col] = max(node_w[p.col], w)
        shown = [S.text_width(s, S.FS_VALUE) for s in (t.value, t.grad, t.second) if s is not None]
        stub_w[p.col] = max(stub_w[p.col], *shown)
    route_w = [ROUTE_MIN] * structure.n_columns
    for link in structure.links:
        dy = abs(parts[link.dst].y + structure.port_dy(link) - parts[link.src].y)
        k = parts[link.src].col
        route_w[k] = min(ROUTE_MAX, max(route_w[k], 0.45 * dy))

    lines_in_band = max(frame.band_lines, len(callout.lines) if callout else 0)
    band = lines_in_band * LINE_H + 2 * 6.0 + 14.0 if lines_in_band else 0.0
    top = MARGIN + band
    left = [MARGIN]
    for k in range(structure.n_columns - 1):
        left.append(left[k] + node_w[k] + stub_w[k] + 2 * PAD + route_w[k])
    stub_end = [left[k] + node_w[k] + stub_w[k] + 2 * PAD for k in range(structure.n_columns)]

    scene = Scene(0.0, 0.0)
    text, box = scene.texts.append, scene.boxes.append
    root = len(nodes) - 1
    right = stub_end[-1]
    if output_name:
        right += NAME_GAP + S.text_width(output_name, S.FS_NAME)

    def y_of(n: int) -> float:
        return top + parts[n].y

    # wires: stubs, pass-throughs and bends
    for n, p in enumerate(parts):
        k, y = p.col, y_of(n)
        start = left[k] + node_w[k] if p.kind == "input" else left[k]
        if p.kind == "gate":
            start = left[k] + node_w[k] / 2 + gate_width(symbols[p.node]) / 2
        if p.kind != "waypoint" or structure.out_of[n]:
            scene.lines.append(Line(((start, y), (stub_end[k], y)), S.WIRE_COLOR, 1.2, "wire"))
        if len(structure.out_of[n]) > 1:
            scene.dots.append(Dot(stub_end[k], y, 2.6, S.WIRE_COLOR))
    for link in structure.links:
        src, dst = parts[link.src], parts[link.dst]
        k, dy = dst.col, structure.port_dy(link)
        y0, y1 = y_of(link.src), y_of(link.dst) + dy
        end = left[k]
        if dst.kind != "waypoint":
            w = gate_width(symbols[dst.node])
            end = left[k] + node_w[k] / 2 - w / 2 + R - math.sqrt(R * R - dy * dy)
        points = [(stub_end[src.col], y0), (left[k], y1)]
        if end > left[k] + 0.01:
            points.append((end, y1))
        scene.lines.append(Line(tuple(points), S.WIRE_COLOR, 1.2, "wire"))

    # gates, names and the numbers on the stubs: the value above its wire, the gradient below,
    # then a second number under it
    above, below = LABEL_GAP + S.DESCENT * S.FS_VALUE, LABEL_GAP + S.ASCENT * S.FS_VALUE
    under = below + (S.ASCENT + S.DESCENT) * S.FS_VALUE
    for n, p in enumerate(parts):
        if p.kind == "waypoint":
            continue
        k, y, i = p.col, y_of(n), p.node
        t, cx = texts[i], left[k] + node_w[k] + PAD + stub_w[k] / 2
        if p.kind == "gate":
            w, gx, on = gate_width(symbols[i]), left[k] + node_w[k] / 2, i == highlight
            fill, lw = (S.HIGHLIGHT_FILL, 2.2) if on else (S.GATE_FILL, 1.1)
            box(Box(gx - w / 2, y - R, w, 2 * R, R, fill, S.INK, lw, "gate", on * mark))
            text(Text(gx, y + _mid(S.FS_GATE), symbols[i], S.FS_GATE, S.INK, "middle", "gate"))
        else:
            x = left[k] + node_w[k] - NAME_GAP
            text(_name(x, y, symbols[i], "end", "name"))
        text(Text(cx, y - above, t.value, S.FS_VALUE, S.VALUE_COLOR, "middle", "value"))
        if t.grad is not None:
            g = Text(
                cx, y + below, t.grad, S.FS_VALUE, S.GRAD_COLOR, "middle", "grad", S.GRAD_ITALIC
            )
            if t.emph:
                box(_behind(g, mark if highlight is None else ""))
            text(g)
        if t.second is not None:
            s2 = Text(cx, y + under, t.second, S.FS_VALUE, S.INK, "middle", "second")
            if t.second_emph:
                box(_behind(s2))
            text(s2)
        if i == root and output_name:
            text(_name(stub_end[k] + NAME_GAP, y, output_name, "start", "output"))

    bottom = top + structure.height
    # the note of the current step (or a caption) in the band above the circuit
    if callout is not None:
        k = parts[callout.node].col
        right = _draw_callout(scene, callout, structure, right, left[k] + node_w[k] / 2, top)
    elif band and caption:
        y = MARGIN + 4.0 + LINE_H - 0.3 * S.FS_NOTE
        text(Text(MARGIN + 8.0, y, caption, S.FS_NOTE, S.MUTED, "start", "note"))
        right = max(right, MARGIN + 16.0 + S.text_width(caption, S.FS_NOTE))

    # the legend under the circuit
    ly = bottom + 12.0 + S.ASCENT * S.FS_NOTE
    x = MARGIN
    shows_grad = any(t.grad is not None for t in texts)
    entries = [(S.VALUE_COLOR, "value, above the wire", False)]
    if shows_grad:
        out = output_name or "out"
        entries.append((S.GRAD_COLOR, f"gradient ∂{out}/∂wire, below in italics", S.GRAD_ITALIC))
    seconds = any(t.second is not None for t in texts)
    if seconds:
        entries.append((S.INK, frame.second_legend or "second number", False))
    for color, label, italic in entries:
        scene.lines.append(Line(((x, ly - 3.2), (x + 16, ly - 3.2)), color, 3.0, "legend"))
        text(Text(x + 21, ly, label, S.FS_NOTE, color, "start", "legend", italic))
        x += 21 + S.text_width(label, S.FS_NOTE) + 16
    if not shows_grad and not seconds:
        hint = "gradients show after backward()"
        text(Text(x, ly, hint, S.FS_NOTE, S.MUTED, "start", "legend"))
        x += S.text_width(hint, S.FS_NOTE)
    scene.width = max(right, x) + MARGIN
    scene.height = ly + S.DESCENT * S.FS_NOTE + MARGIN
    if max(scene.width, scene.height) > MAX_SIZE:
        raise ValueError(
            f"draw: the picture would be {scene.width:.0f} × {scene.height:.0f} points; at most "
            f"{MAX_SIZE:.0f} points either way can be drawn readably (long names or numbers "
            "make it wide); draw a part of the circuit, or use shorter labels"
        )
    return scene


def _draw_callout(
    scene: Scene, callout: Callout, structure: Structure, right: float, gx: float, top: float
) -> float:
    """Add a step's note above its gate at x = ``gx`` (first the symbol, on the marked gate's
    colour; a dashed leader if nothing of the column is in between); return the right edge."""
    part = structure.parts[callout.node]
    pill_w = S.text_width(callout.symbol, S.FS_NOTE) + 8.0
    widths = [pill_w + 5.0 + S.text_width(callout.heading, S.FS_NOTE)]
    widths += [S.text_width(s, S.FS_NOTE) for s in callout.rows]
    width = max(widths) + 16.0
    right = max(right, MARGIN + width)
    bx = min(max(gx - width / 2, MARGIN), right - width)
    by = MARGIN
    bh = len(callout.lines) * LINE_H + 8.0
    scene.boxes.insert(0, Box(bx, by, width, bh, 4.0, S.NOTE_FILL, S.INK, 1.0, "note-bg"))
    baseline = [by + 4.0 + (j + 1) * LINE_H - 0.3 * S.FS_NOTE for j in range(len(callout.lines))]
    pill_y = baseline[0] - S.ASCENT * S.FS_NOTE - 1.5
    pill_h = (S.ASCENT + S.DESCENT) * S.FS_NOTE + 3.0
    x = bx + 8.0
    scene.boxes.append(Box(x, pill_y, pill_w, pill_h, 3, S.HIGHLIGHT_FILL, S.INK, 0.8, "note-gate"))
    note = [(x + pill_w / 2, baseline[0], callout.symbol, "middle")]
    note.append((x + pill_w + 5.0, baseline[0], callout.heading, "start"))
    note += [(x, baseline[j], s, "start") for j, s in enumerate(callout.rows, start=1)]
    scene.texts += [Text(tx, ty, s, S.FS_NOTE, S.INK, anchor, "note") for tx, ty, s, anchor in note]
    column = structure.columns[part.col]
    if column[0] == callout.node:  # nothing of its column above the gate
        leader = ((gx, by + bh), (gx, top + part.y - R))
        scene.lines.insert(0, Line(leader, S.MUTED, 1.0, "leader", dashed=True))
    return right


def _behind(t: Text, mark: str = "") -> Box:
    """The emphasis behind a text the current step just changed."""
    x0, y0, x1, y1 = t.bbox()
    return Box(x0 - 2, y0 - 1, x1 - x0 + 4, y1 - y0 + 2, 2.0, S.EMPH_FILL, None, 0, "emph", mark)


def _name(x: float, y: float, name: str, anchor: str, role: str) -> Text:
    """An input's or the output's name, in italics, centred on the height of its wire."""
    return Text(x, y + _mid(S.FS_NAME), name, S.FS_NAME, S.INK, anchor, role, italic=True)


def _mid(size: float) -> float:
    """Baseline offset that centres a line of text of ``size`` on a height."""
    return (S.ASCENT - S.DESCENT) / 2 * size
