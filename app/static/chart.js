// The recommendation curve as hand-written SVG: axes in %, ticks, the best point labelled, a value
// on hover, tap and arrow keys, and a table of every point for people who do not see the chart.

import { element } from "./dom.js";
import { percent } from "./format.js";

const HEIGHT = 240;
const MARGIN = { left: 46, right: 18, top: 30, bottom: 42 };
const Y_TICKS = [0, 0.25, 0.5, 0.75, 1];

function scales(width, curve) {
  const low = curve[0].duration_minutes;
  const high = curve[curve.length - 1].duration_minutes;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  return {
    low, high,
    x: (m) => MARGIN.left + ((m - low) / Math.max(1, high - low)) * plotWidth,
    y: (p) => MARGIN.top + (1 - p) * plotHeight,
    minuteAt: (px) => Math.round(low + ((px - MARGIN.left) / plotWidth) * (high - low)),
  };
}

function xTicks(low, high, width) {
  const step = (high - low) / (width < 360 ? 4 : 8) > 5 ? 10 : 5;
  const ticks = [];
  for (let m = Math.ceil(low / step) * step; m <= high; m += step) ticks.push(m);
  return ticks;
}

function axes(svg, s, width, target) {
  const right = width - MARGIN.right;
  const bottom = HEIGHT - MARGIN.bottom;
  Y_TICKS.forEach((p) => svg.append(
    element("line", { class: "grid", x1: MARGIN.left, x2: right, y1: s.y(p), y2: s.y(p) }),
    element("text", { class: "tick", x: MARGIN.left - 6, y: s.y(p) + 4, "text-anchor": "end" },
            percent(p))));
  svg.append(element("line", { class: "axis", x1: MARGIN.left, x2: right, y1: bottom, y2: bottom }),
             element("line", { class: "axis", x1: MARGIN.left, x2: MARGIN.left,
                               y1: MARGIN.top, y2: bottom }));
  xTicks(s.low, s.high, width).forEach((m) => svg.append(
    element("line", { class: "axis", x1: s.x(m), x2: s.x(m), y1: bottom, y2: bottom + 5 }),
    element("text", { class: "tick", x: s.x(m), y: bottom + 18, "text-anchor": "middle" }, m)));
  svg.append(
    element("text", { class: "title", x: MARGIN.left + (right - MARGIN.left) / 2,
                      y: HEIGHT - 6, "text-anchor": "middle" }, "minutes of meditation"),
    element("text", { class: "title", x: 4, y: 14 }, `chance of feeling ${target}`));
}

// A label beside a point, kept inside the plot: above it unless that leaves the top.
function labelAt(s, width, point, attributes, text) {
  const [px, py] = [s.x(point.duration_minutes), s.y(point.probability)];
  const leftHalf = px < (MARGIN.left + width - MARGIN.right) / 2;
  return element("text", {
    ...attributes, x: leftHalf ? px + 8 : px - 8, y: py - 10 < MARGIN.top + 4 ? py + 20 : py - 10,
    "text-anchor": leftHalf ? "start" : "end" }, text);
}

function describe(view) {
  const { curve, best, target, mood } = view;
  return `Chance of feeling ${target} after a session, starting ${mood}, by its length from ` +
    `${curve[0].duration_minutes} to ${curve[curve.length - 1].duration_minutes} minutes: ` +
    `${percent(curve[0].probability)} at ${curve[0].duration_minutes} minutes, highest ` +
    `${percent(best.probability)} at ${best.duration_minutes} minutes.`;
}

function fillTable(figure, view) {
  figure.querySelector("caption").textContent =
    `Chance of feeling ${view.target}, starting ${view.mood}, by minutes of meditation`;
  figure.querySelector("tbody").replaceChildren(...view.curve.map((point) => {
    const row = element("tr");
    const best = point.duration_minutes === view.best.duration_minutes;
    row.append(element("td", {}, best ? `${point.duration_minutes} (best)`
                                      : `${point.duration_minutes}`),
               element("td", {}, percent(point.probability)));
    return row;
  }));
}

function draw(figure, view) {
  const svg = figure.querySelector("svg");
  const width = Math.max(240, Math.round(svg.getBoundingClientRect().width) || 600);
  const s = scales(width, view.curve);
  svg.setAttribute("viewBox", `0 0 ${width} ${HEIGHT}`);
  svg.setAttribute("aria-label", describe(view));
  svg.replaceChildren();
  axes(svg, s, width, view.target);
  svg.append(
    element("polyline", { class: "line", points: view.curve.map((point) =>
      `${s.x(point.duration_minutes).toFixed(1)},${s.y(point.probability).toFixed(1)}`)
      .join(" ") }),
    element("circle", { class: "best", r: 5, cx: s.x(view.best.duration_minutes),
                        cy: s.y(view.best.probability) }),
    labelAt(s, width, view.best, { class: "best-label", id: "curve-best-label" },
            `${view.best.duration_minutes} min · ${percent(view.best.probability)}`));
  if (view.cursor !== null) {
    const point = view.curve[view.cursor];
    const [px, py] = [s.x(point.duration_minutes), s.y(point.probability)];
    svg.append(
      element("line", { class: "cursor", x1: px, x2: px, y1: MARGIN.top,
                        y2: HEIGHT - MARGIN.bottom }),
      element("circle", { class: "cursor-dot", r: 4, cx: px, cy: py }));
  }
  return s;
}

// Draw `view` ({curve, best, target, mood}) in `figure`; redraw on resize, follow pointer and keys.
export function showCurve(figure, view) {
  const svg = figure.querySelector("svg");
  const readout = figure.querySelector(".readout");
  const state = { ...view, cursor: null };
  figure.hidden = false;
  let s = draw(figure, state);
  fillTable(figure, state);
  readout.textContent = "";
  const moveTo = (index) => {
    state.cursor = Math.max(0, Math.min(state.curve.length - 1, index));
    const point = state.curve[state.cursor];
    readout.textContent = `${point.duration_minutes} minutes: ${percent(point.probability)} ` +
      `chance of feeling ${state.target}`;
    s = draw(figure, state);
  };
  const fromPointer = (event) => {
    const box = svg.getBoundingClientRect();
    const minute = s.minuteAt(event.clientX - box.left);
    moveTo(minute - state.curve[0].duration_minutes);
  };
  // Replacing the handlers (not adding) keeps one set however often a curve is shown.
  svg.onpointermove = fromPointer;
  svg.onpointerdown = fromPointer;
  svg.onfocus = () => { if (state.cursor === null) moveTo(state.curve.findIndex(
    (point) => point.duration_minutes === state.best.duration_minutes)); };
  svg.onkeydown = (event) => {
    const steps = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1 };
    if (event.key in steps) moveTo(state.cursor === null ? 0 : state.cursor + steps[event.key]);
    else if (event.key === "Home") moveTo(0);
    else if (event.key === "End") moveTo(state.curve.length - 1);
    else return;
    event.preventDefault();
  };
  if (!figure.resizeObserver) {
    figure.resizeObserver = new ResizeObserver(() => figure.redraw && figure.redraw());
    figure.resizeObserver.observe(figure);
  }
  figure.redraw = () => { s = draw(figure, state); };
}
