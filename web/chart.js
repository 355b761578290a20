// A step chart in SVG, no library: each series a path of steps across [from, to], a whole-
// number value axis, hour marks along the time axis. Colours come from the stylesheet (by
// class), so the chart follows the light and dark themes and the CSP needs no inline style.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 600;
const HEIGHT = 160;
const PAD = { left: 30, right: 8, top: 10, bottom: 22 };
const HOUR = 3_600_000;

function svgElement(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The points of a step series clipped to [from, to]: its value at `from`, then each change. */
function clip(points, from, to) {
  let start = points[0]?.[1] ?? 0;
  const inside = [];
  for (const [t, v] of points) {
    if (t <= from) start = v;
    else if (t <= to) inside.push([t, v]);
  }
  return [[from, start], ...inside, [to, inside.at(-1)?.[1] ?? start]];
}

function stepPath(points, x, y) {
  let d = `M${x(points[0][0])},${y(points[0][1])}`;
  for (let i = 1; i < points.length; i++) {
    d += `H${x(points[i][0])}V${y(points[i][1])}`;
  }
  return d;
}

function axes(svg, from, to, top, x, y) {
  const g = svgElement("g", { class: "axes" });
  for (const value of new Set([0, Math.ceil(top / 2), top])) {
    g.append(
      svgElement("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value) }),
      svgElement("text", { x: PAD.left - 6, y: y(value) + 4, "text-anchor": "end" }, value),
    );
  }
  const step = to - from > 6 * HOUR ? 2 * HOUR : HOUR;
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
    const label = new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    g.append(svgElement("text", { x: x(t), y: HEIGHT - 6, "text-anchor": "middle" }, label));
  }
  svg.append(g);
}

/**
 * Draws into `svg` (emptied first): series [{ className, label, points }] over [from, to].
 * Each path carries data-last (its value at `to`) for whoever reads the chart without eyes.
 */
export function drawChart(svg, { from, to, series }) {
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  const clipped = series.map((s) => ({ ...s, points: clip(s.points, from, to) }));
  const top = Math.max(1, ...clipped.flatMap((s) => s.points.map(([, v]) => v)));
  const x = (t) =>
    (PAD.left + ((t - from) / (to - from)) * (WIDTH - PAD.left - PAD.right)).toFixed(1);
  const y = (v) => (PAD.top + (1 - v / top) * (HEIGHT - PAD.top - PAD.bottom)).toFixed(1);
  svg.replaceChildren();
  axes(svg, from, to, top, x, y);
  const now = clipped.map((s) => `${s.label} ${s.points.at(-1)[1]}`).join(", ");
  svg.append(svgElement("title", {}, `Last ${Math.round((to - from) / HOUR)} hours; now: ${now}`));
  for (const s of clipped) {
    svg.append(
      svgElement("path", {
        class: `series ${s.className}`,
        d: stepPath(s.points, x, y),
        "data-last": s.points.at(-1)[1],
        "data-points": s.points.length,
      }),
    );
  }
}
