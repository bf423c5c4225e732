// Form behaviour shared by every form: errors next to their field, a busy button, stale results.

import { ApiProblem } from "./api.js";
import { element } from "./dom.js";

// What to do when a mood the API does not know was sent.
export const MOOD_WORDS = "Choose one of the moods in the list.";

// The rule a session's length follows, in words, for the API's contract [low, high].
export function lengthRule([low, high]) {
  return `A session can be from ${low} to ${high} minutes long.`;
}

// The minutes field in words: empty, not a whole number, or outside the contract [low, high].
// `asked` ends the request for a value: "Enter how many minutes {asked}, from 5 to 60."
export function readMinutes(input, [low, high], asked) {
  const text = input.value.trim();
  if (input.validity.badInput) return [null, "Enter the minutes as a number, such as 20."];
  if (text === "") return [null, `Enter how many minutes ${asked}, from ${low} to ${high}.`];
  const minutes = Number(text);
  if (!Number.isInteger(minutes)) return [null, "Use whole minutes, such as 20."];
  if (minutes < low || minutes > high) return [null, lengthRule([low, high])];
  return [minutes, null];
}

// Show `message` under `control` (the <p id="{control id}-error"> beside it) and link the two.
export function showFieldError(control, message) {
  const error = document.getElementById(`${control.id}-error`);
  error.textContent = message;
  error.hidden = false;
  control.setAttribute("aria-invalid", "true");
  const described = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  if (!described.includes(error.id)) described.push(error.id);
  control.setAttribute("aria-describedby", described.join(" "));
}

export function clearFieldErrors(form) {
  form.querySelectorAll("[aria-invalid]").forEach((control) => {
    const error = document.getElementById(`${control.id}-error`);
    error.hidden = true;
    error.textContent = "";
    control.removeAttribute("aria-invalid");
    const described = control.getAttribute("aria-describedby").split(" ")
      .filter((id) => id !== error.id);
    if (described.length) control.setAttribute("aria-describedby", described.join(" "));
    else control.removeAttribute("aria-describedby");
  });
}

// The form's current values, as one comparable string.
function snapshot(form) {
  return JSON.stringify(Array.from(form.elements).filter((control) => control.name)
    .map((control) => [control.name, control.value]));
}

// Mark `result` when the form no longer holds the inputs it answered (and unmark on the way back).
function watchStale(form, result, describe) {
  const check = () => {
    if (!result.dataset.inputs || !result.childElementCount) return;
    const stale = snapshot(form) !== result.dataset.inputs;
    result.classList.toggle("stale", stale);
    const note = result.querySelector(".stale-note");
    if (stale && !note) {
      result.prepend(element("p", { class: "stale-note" },
        `These results are for ${result.dataset.described}; press ${describe} to update them.`));
    } else if (!stale && note) {
      note.remove();
    }
  };
  form.addEventListener("input", check);
  form.addEventListener("change", check);
}

// On submit: check the fields, then run the request with the button busy, then show the result.
// `read` returns {values, errors: [[control, message]], summary}; `render(values)` returns nodes;
// `fieldOf(apiField)` names the control an API error detail concerns, with words for it;
// `marksStale: false` for a form whose result is a receipt (a write), not an answer to inputs.
export function handleForm({ form, button, busyLabel, result, read, render, fieldOf,
                             marksStale = true }) {
  const idleLabel = button.textContent;
  if (marksStale) watchStale(form, result, idleLabel);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.getAttribute("aria-disabled") === "true") return;
    clearFieldErrors(form);
    const { values, errors, summary } = read();
    if (errors.length) {
      errors.forEach(([control, message]) => showFieldError(control, message));
      errors[0][0].focus();
      return;
    }
    const inputs = snapshot(form);
    button.setAttribute("aria-disabled", "true");
    button.textContent = busyLabel;
    result.setAttribute("aria-busy", "true");
    try {
      const nodes = await render(values);
      result.classList.remove("stale");
      result.replaceChildren(...nodes);
      result.dataset.inputs = inputs;
      result.dataset.described = summary;
    } catch (problem) {
      result.replaceChildren();
      const placed = problem instanceof ApiProblem ? problem.details
        .map((detail) => fieldOf(detail.field))
        .filter(Boolean) : [];
      placed.forEach(([control, message]) => showFieldError(control, message));
      if (placed.length) {
        placed[0][0].focus();
      } else {
        result.append(element("p", { class: "error", role: "alert" },
                              `Sorry, no answer this time: ${problem.message}`));
      }
    } finally {
      button.removeAttribute("aria-disabled");
      button.textContent = idleLabel;
      result.removeAttribute("aria-busy");
    }
  });
}
