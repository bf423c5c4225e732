// "My journal": log a session (POST /sessions, with the API key) and list this tab's sessions.
//
// The key is typed once and kept in sessionStorage (this tab only, gone when it closes); it is
// sent in the Authorization header, never in a URL (its input has no name, so even a form
// submitted before the script runs cannot put it in the address). "My" sessions are the ones
// this tab recorded: their ids are kept in sessionStorage too, and each is read back from the
// service (GET /sessions/<id>), so the list shows what the journal stored, newest first.

import { ApiProblem, callApi } from "./api.js";
import { element, markScrollable } from "./dom.js";
import { count, percent } from "./format.js";
import { MOOD_WORDS, handleForm, lengthRule, readMinutes } from "./forms.js";

const KEY_STORAGE = "focus-journal-api-key";
const IDS_STORAGE = "focus-journal-session-ids";
export const RECENT = 10;

const $ = (id) => document.getElementById(id);

function storedIds() {
  try {
    const ids = JSON.parse(sessionStorage.getItem(IDS_STORAGE) || "[]");
    return Array.isArray(ids) ? ids.filter(Number.isInteger) : [];
  } catch {
    return [];
  }
}

function keepIds(ids) {
  sessionStorage.setItem(IDS_STORAGE, JSON.stringify(ids.slice(0, RECENT)));
}

// "29 Nov" for "2026-11-29" (the day the session was logged; short enough for a phone).
function shortDate(isoDate) {
  return new Date(`${isoDate}T00:00:00Z`).toLocaleDateString("en-GB", {
    day: "numeric", month: "short", timeZone: "UTC" });
}

function sessionRow(record) {
  const right = record.predicted_mood === record.mood_after;
  const predicted = element("td", { class: right ? "predicted right" : "predicted" },
                            record.predicted_mood === null ? "no model" : record.predicted_mood);
  if (right) {
    predicted.append(element("span", { "aria-hidden": "true" }, " ✓"),
                     element("span", { class: "visually-hidden" }, " (right)"));
  }
  const day = element("th", { scope: "row" });
  day.append(element("time", { datetime: record.date }, shortDate(record.date)));
  const row = element("tr", { "data-id": String(record.id) });
  row.append(day, element("td", {}, record.mood_before),
             element("td", {}, count(record.duration_minutes)),
             element("td", {}, record.mood_after), predicted);
  return row;
}

function agreement(records) {
  const judged = records.filter((record) => record.predicted_mood !== null);
  if (!judged.length) return "";
  const right = judged.filter((record) => record.predicted_mood === record.mood_after).length;
  return `The model was right for ${count(right)} of ${count(judged.length)} ` +
    `session${judged.length === 1 ? "" : "s"} here (${percent(right / judged.length)}).`;
}

// The sessions this tab recorded, newest first, as the service stores them.
export async function showMySessions() {
  const ids = storedIds();
  const found = await Promise.allSettled(ids.map((id) => callApi(`/sessions/${id}`)));
  const gone = ids.filter((id, i) => found[i].status === "rejected"
                                     && found[i].reason.status === 404);
  if (gone.length) keepIds(ids.filter((id) => !gone.includes(id)));
  const records = found.filter((answer) => answer.status === "fulfilled")
    .map((answer) => answer.value);
  const failed = found.length - records.length - gone.length;
  $("journal-table").tBodies[0].replaceChildren(...records.map(sessionRow));
  $("journal-table").hidden = !records.length;
  $("journal-agreement").textContent = agreement(records);
  $("journal-empty").textContent = records.length ? ""
    : "No session logged from this tab yet: the ones you log appear here.";
  $("journal-empty").hidden = records.length > 0;
  $("journal-unread").hidden = !failed;
  $("journal-unread").textContent = failed
    ? `${count(failed)} of your sessions could not be read just now; reload to try again.` : "";
  markScrollable($("journal-scroll"), "My sessions, scrolls sideways");
}

// POST /sessions; a refused key becomes words for the person (and is forgotten).
async function logSession(values) {
  sessionStorage.setItem(KEY_STORAGE, values.key);
  let record;
  try {
    record = await callApi("/sessions", {
      mood_before: values.before, duration_minutes: values.minutes, mood_after: values.after,
    }, { Authorization: `Bearer ${values.key}` });
  } catch (problem) {
    if (problem instanceof ApiProblem && problem.status === 401) {
      sessionStorage.removeItem(KEY_STORAGE);
      throw new ApiProblem(401, problem.message,
                           [{ field: "Authorization", problem: "not a known key" }]);
    }
    if (problem instanceof ApiProblem && problem.status === 403) {
      throw new ApiProblem(403, "this service does not keep journals: no API key is " +
                                "configured on the server (its operator sets API_KEYS).");
    }
    throw problem;
  }
  keepIds([record.id, ...storedIds().filter((id) => id !== record.id)]);
  await showMySessions();
  const said = element("p", { class: "answer", id: "journal-logged" });
  said.append(`Logged: ${record.duration_minutes} minutes, ${record.mood_before} → `,
              element("strong", {}, record.mood_after), ".");
  if (record.predicted_mood !== null) {
    said.append(` The model predicted ${record.predicted_mood}` +
                `${record.predicted_mood === record.mood_after ? ", right." : "."}`);
  }
  return [said];
}

export function setUpJournal() {
  const form = $("journal-form");
  const contract = [Number(form.dataset.min), Number(form.dataset.max)];
  const keyInput = $("journal-key");
  keyInput.value = sessionStorage.getItem(KEY_STORAGE) || "";
  handleForm({
    form, button: $("journal-button"), busyLabel: "Logging…", result: $("journal-result"),
    marksStale: false,
    read: () => {
      const [minutes, problem] = readMinutes($("journal-minutes"), contract, "you meditated");
      const key = keyInput.value.trim();
      const errors = [];
      if (!key) {
        errors.push([keyInput, "Enter your API key: the journal keeps sessions only for " +
                               "key holders."]);
      }
      if (problem) errors.push([$("journal-minutes"), problem]);
      return { values: { key, minutes, before: $("journal-before").value,
                         after: $("journal-after").value }, errors, summary: "" };
    },
    render: logSession,
    fieldOf: (field) => ({
      Authorization: [keyInput, "This key was not accepted: check it and enter it again."],
      duration_minutes: [$("journal-minutes"), lengthRule(contract)],
      mood_before: [$("journal-before"), MOOD_WORDS],
      mood_after: [$("journal-after"), MOOD_WORDS],
    })[field],
  });
  showMySessions();
}
