"""The display list of a picture: boxes, lines, dots and texts in points (1/72 inch, y down),
nothing left to compute. :func:`layout.place` makes it; :mod:`drawing` and :mod:`svg` paint it."""

from __future__ import annotations

from dataclasses import dataclass, field

from backprop_kit.pictures.style import ASCENT, DESCENT, text_width


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle with round corners (radius ``r``); a gate, a note or a text's background."""

    x: float
    y: float
    w: float
    h: float
    r: float
    fill: str
    stroke: str | None
    lw: float
    role: str
    mark: str = ""  # on the part the current step is about: the step number (SVG data-gate)


@dataclass(frozen=True, slots=True)
class Line:
    """A polyline through ``points``."""

    points: tuple[tuple[float, float], ...]
    color: str
    lw: float
    role: str
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class Dot:
    """A filled circle: where a wire splits to feed several gates."""

    x: float
    y: float
    r: float
    color: str


@dataclass(frozen=True, slots=True)
class Text:
    """A line of text at baseline (x, y), ``anchor`` "start", "middle" or "end"; a ``role``."""

    x: float
    y: float
    text: str
    size: float
    color: str
    anchor: str
    role: str
    italic: bool = False

    def bbox(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the text's estimated extent, y down."""
        w = text_width(self.text, self.size)
        x0 = self.x - {"start": 0.0, "middle": w / 2, "end": w}[self.anchor]
        return (x0, self.y - ASCENT * self.size, x0 + w, self.y + DESCENT * self.size)


@dataclass
class Scene:
    """What a renderer paints, back to front: lines, dots, boxes, texts; (0, 0) is top left."""

    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    dots: list[Dot] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
