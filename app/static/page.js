// The page talks to the same JSON API as curl does, and shows its answers and errors.
"use strict";

const $ = (id) => document.getElementById(id);

async function callApi(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) {
    const detail = (data.details || []).map((d) => `${d.field} ${d.problem}`).join("; ");
    throw new Error(detail || data.error || (data.reasons || []).join("; "));
  }
  return data;
}

function showError(error) {
  $("error").textContent = error ? `Sorry: ${error.message}` : "";
  $("error").hidden = !error;
}

function element(tag, attributes = {}, text = "") {
  const node = document.createElementNS(
    tag === "svg" || ["polyline", "circle", "text", "line"].includes(tag)
      ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml", tag);
  Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
  node.textContent = text;
  return node;
}

function percent(p) { return `${(100 * p).toFixed(1)}%`; }

function showWarnings(container, warnings) {
  warnings.forEach((warning) => container.append(element("p", { class: "warning" }, warning)));
}

// Run `render` on a form's submit: clear the last answer and error, show a new error if any.
function onSubmit(formId, resultId, render) {
  $(formId).addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(null);
    const result = $(resultId);
    result.replaceChildren();
    try {
      await render(result);
    } catch (error) {
      showError(error);
    }
  });
}

async function predict(result) {
  const answer = await callApi("/predict", {
    mood_before: $("predict-mood").value,
    duration_minutes: Number($("predict-minutes").value),
  });
  result.append(element("p", { id: "predicted-mood" }, `Most likely: ${answer.mood_after}`));
  Object.entries(answer.probabilities).forEach(([mood, p]) => {
    const row = element("div", { class: "bar", "data-mood": mood });
    const track = element("span");
    const fill = element("span", { class: "fill" });
    fill.style.width = percent(p);  // CSSOM, which the page's CSP allows (unlike style="")
    track.append(fill);
    row.append(element("span", {}, mood), track, element("span", {}, percent(p)));
    result.append(row);
  });
  showWarnings(result, answer.warnings);
}

function drawCurve(curve, best) {
  const svg = $("curve");
  const [width, height, pad] = [400, 160, 24];
  const minutes = curve.map((point) => point.duration_minutes);
  const [low, high] = [Math.min(...minutes), Math.max(...minutes)];
  const x = (m) => pad + ((m - low) / Math.max(1, high - low)) * (width - 2 * pad);
  const y = (p) => height - pad - p * (height - 2 * pad);
  const points = curve.map((point) => `${x(point.duration_minutes).toFixed(1)},` +
                                      `${y(point.probability).toFixed(1)}`);
  svg.replaceChildren(
    element("line", { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad,
                      stroke: "#ccc" }),
    element("polyline", { points: points.join(" ") }),
    element("circle", { cx: x(best.duration_minutes), cy: y(best.probability), r: 4 }),
    element("text", { x: pad, y: height - 6 }, `${low} min`),
    element("text", { x: width - pad - 30, y: height - 6 }, `${high} min`),
    element("text", { x: pad, y: 12 }, "probability of the target mood"));
  svg.hidden = false;
}

async function recommend(result) {
  const answer = await callApi("/recommend", {
    mood_before: $("recommend-mood").value,
    target_mood: $("recommend-target").value,
  });
  result.append(element("p", { id: "recommended" },
    `Meditate ${answer.recommended_minutes} minutes: ` +
    `${percent(answer.probability)} chance to feel ${answer.target_mood}.`));
  showWarnings(result, answer.warnings);
  drawCurve(answer.curve, { duration_minutes: answer.recommended_minutes,
                            probability: answer.probability });
}

async function showStatus() {
  try {
    const health = await callApi("/health");
    $("status").textContent = `Model ${health.model_version} is ready.`;
  } catch (error) {
    $("status").textContent = `The service is not ready: ${error.message}`;
  }
}

onSubmit("predict-form", "predict-result", predict);
onSubmit("recommend-form", "recommend-result", recommend);
showStatus();
