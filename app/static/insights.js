// What the recorded sessions show (/stats) and how often the served model is right (/model).
//
// Fields read: /stats total_sessions, avg_duration, shortest_session, longest_session,
// transitions {before: {after: count}}, by_duration {label: count} in bucket order;
// /model metrics.accuracy, metrics.baseline_accuracy, metrics.baseline_class,
// metrics.per_class[*].support, and live {sessions, accuracy} (null while the store is down).

import { callApi } from "./api.js";
import { element, markScrollable } from "./dom.js";
import { count, minutes, percent } from "./format.js";

// Live accuracy is shown once this many sessions were recorded since the model was trained.
export const LIVE_MIN_SESSIONS = 20;
const HEAT_STEPS = 5;

const $ = (id) => document.getElementById(id);

function summary(stats) {
  return `${count(stats.total_sessions)} sessions recorded, ` +
    `${minutes(stats.avg_duration)} long on average ` +
    `(from ${stats.shortest_session} to ${stats.longest_session} minutes).`;
}

function transitionsTable(transitions) {
  const before = Object.keys(transitions);
  const after = Object.keys(transitions[before[0]] || {});
  const totals = Object.fromEntries(before.map((mood) => [mood,
    Object.values(transitions[mood]).reduce((sum, n) => sum + n, 0)]));
  const share = (mood, next) => (totals[mood] ? transitions[mood][next] / totals[mood] : 0);
  const top = Math.max(...before.flatMap((mood) => after.map((next) => share(mood, next))), 1e-9);
  const table = $("transitions");
  const head = element("tr");
  head.append(element("th", { scope: "col" }, "Before"),
              ...after.map((next) => element("th", { scope: "col" }, next)),
              element("th", { scope: "col", class: "total" }, "All"));
  table.tHead.replaceChildren(head);
  table.tBodies[0].replaceChildren(...before.map((mood) => {
    const row = element("tr");
    row.append(element("th", { scope: "row" }, mood), ...after.map((next) => {
      const step = Math.min(HEAT_STEPS - 1, Math.floor((share(mood, next) / top) * HEAT_STEPS));
      return element("td", { class: `heat-${step}`, "data-before": mood, "data-after": next },
                     count(transitions[mood][next]));
    }), element("td", { class: "total" }, count(totals[mood])));
    return row;
  }));
  table.hidden = false;
  markScrollable($("transitions-scroll"), "Moods before and after, scrolls sideways");
}

function durationsTable(byDuration) {
  const entries = Object.entries(byDuration);
  const top = Math.max(...entries.map(([, n]) => n), 1);
  $("durations-table").tBodies[0].replaceChildren(...entries.map(([label, n]) => {
    const fill = element("span", { class: "fill" });
    fill.style.width = `${(100 * n) / top}%`;  // CSSOM, which the CSP allows (unlike style="")
    const track = element("span", { class: "track" });
    track.append(fill);
    const inner = element("div", { class: "bar-row" });
    inner.append(element("span", { class: "count" }, count(n)), track);
    const cell = element("td", { class: "bar-cell" });
    cell.append(inner);
    const row = element("tr");
    row.append(element("th", { scope: "row" }, label), cell);
    return row;
  }));
  $("durations").hidden = false;
}

function accuracyText(metrics) {
  const supports = Object.values(metrics.per_class || {}).map((entry) => entry.support || 0);
  const heldOut = supports.reduce((sum, n) => sum + n, 0);
  const on = heldOut ? `on ${count(heldOut)} sessions it did not see in training` : "in its test";
  const baseline = metrics.baseline_class !== undefined
    ? ` (always answering “${metrics.baseline_class}” would be right ` +
      `${percent(metrics.baseline_accuracy)})` : "";
  return `It was right ${percent(metrics.accuracy)} of the time ${on}${baseline}.`;
}

function liveText(live) {
  const recorded = live.sessions || 0;
  if (recorded >= LIVE_MIN_SESSIONS && typeof live.accuracy === "number") {
    return `On the ${count(recorded)} sessions people recorded since it was trained, it was ` +
      `right ${percent(live.accuracy)} of the time.`;
  }
  return `Its accuracy on the sessions people record appears once ${LIVE_MIN_SESSIONS} have ` +
    `been recorded since it was trained (${count(recorded)} so far).`;
}

export async function showInsights() {
  const [stats, model] = await Promise.allSettled([callApi("/stats"), callApi("/model")]);
  if (stats.status === "fulfilled") {
    $("insights-summary").textContent = summary(stats.value);
    transitionsTable(stats.value.transitions);
    if (stats.value.by_duration) durationsTable(stats.value.by_duration);
  } else {
    $("insights-summary").textContent =
      `The recorded sessions could not be loaded: ${stats.reason.message}`;
  }
  if (model.status === "fulfilled") {
    $("accuracy").textContent = accuracyText(model.value.metrics || {});
    $("live-accuracy").hidden = !model.value.live;
    if (model.value.live) $("live-accuracy").textContent = liveText(model.value.live);
  } else {
    $("accuracy").textContent = `The model is not loaded: ${model.reason.message}`;
    $("live-accuracy").hidden = true;
  }
}
