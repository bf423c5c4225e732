// The page talks to the same JSON API as curl does and answers people in words and pictures.
// Each part lives in its own module.

import { callApi } from "./api.js";
import { showCurve } from "./chart.js";
import { element } from "./dom.js";
import { percent } from "./format.js";
import { MOOD_WORDS, handleForm, lengthRule, readMinutes } from "./forms.js";
import { showInsights } from "./insights.js";
import { setUpJournal } from "./journal.js";

// Below this chance a goal is called unlikely, plainly.
const UNLIKELY = 0.25;

const $ = (id) => document.getElementById(id);
const predictForm = $("predict-form");
const contract = [Number(predictForm.dataset.min), Number(predictForm.dataset.max)];
const trained = predictForm.dataset.trainedLow === undefined ? null
  : [Number(predictForm.dataset.trainedLow), Number(predictForm.dataset.trainedHigh)];

function outsideTrained(minutes) {
  return trained !== null && (minutes < trained[0] || minutes > trained[1]);
}

function guessWarning(minutes) {
  return trained === null
    ? `${minutes} minutes is outside what the model learned from: its answer is a guess.`
    : `The model learned from sessions of ${trained[0]} to ${trained[1]} minutes, so for ` +
      `${minutes} minutes its answer is a guess beyond what it has seen.`;
}

// How the minutes field asks for a value: "Enter how many minutes {ASKED}, from 5 to 60."
const ASKED = "you want to meditate";

const minutesHint = $("predict-minutes-hint");
const USUAL_HINT = minutesHint.textContent;

// The hint under the minutes: the usual one, or (guessFor minutes) why the answer is a guess.
function hintMinutes(guessFor) {
  minutesHint.textContent = guessFor === null ? USUAL_HINT : guessWarning(guessFor);
  minutesHint.classList.toggle("warning", guessFor !== null);
}

// While typing, the hint under the minutes says when the answer would be a guess.
function steerMinutes() {
  const input = $("predict-minutes");
  input.addEventListener("input", () => {
    const [minutes] = readMinutes(input, contract, ASKED);
    hintMinutes(minutes !== null && outsideTrained(minutes) ? minutes : null);
  });
}

function probabilityBars(probabilities) {
  return Object.entries(probabilities).map(([mood, p]) => {
    const row = element("div", { class: "bar", "data-mood": mood });
    const track = element("span", { class: "track" });
    const fill = element("span", { class: "fill" });
    fill.style.width = percent(p);  // CSSOM, which the page's CSP allows (unlike style="")
    track.append(fill);
    row.append(element("span", { class: "mood" }, mood), track,
               element("span", { class: "value" }, percent(p)));
    return row;
  });
}

async function predict({ mood, minutes }) {
  const answer = await callApi("/predict", { mood_before: mood, duration_minutes: minutes });
  const headline = element("p", { class: "answer", id: "predicted-mood" });
  headline.append("Most likely you will feel ", element("strong", {}, answer.mood_after),
                  ` (${percent(answer.probabilities[answer.mood_after])}).`);
  const nodes = [headline, ...probabilityBars(answer.probabilities)];
  if (answer.warnings.length || outsideTrained(minutes)) {
    nodes.push(element("p", { class: "warning", id: "predict-warning" }, guessWarning(minutes)));
    hintMinutes(null);  // the answer says it now: once, not twice
  }
  return nodes;
}

function searched(curve) {
  const [low, high] = [curve[0].duration_minutes, curve[curve.length - 1].duration_minutes];
  const trainedToo = trained !== null && low === trained[0] && high === trained[1];
  return `${low}–${high} minutes${trainedToo ? ", the range the model was trained on" : ""}`;
}

async function recommend({ mood, target }) {
  $("curve-figure").hidden = true;
  const answer = await callApi("/recommend", { mood_before: mood, target_mood: target });
  const best = answer.curve.find((point) => point.duration_minutes === answer.recommended_minutes);
  const chance = percent(answer.probability);
  const nodes = [];
  if (answer.probability < UNLIKELY) {
    const likely = await callApi("/predict", { mood_before: mood,
                                              duration_minutes: answer.recommended_minutes });
    nodes.push(
      element("p", { class: "answer unlikely", id: "recommended" },
        `Feeling ${target} is unlikely when you start ${mood}: at best a ${chance} chance, ` +
        `after ${answer.recommended_minutes} minutes (searched ${searched(answer.curve)}).`),
      element("p", { id: "more-likely" },
        `After ${answer.recommended_minutes} minutes people who start ${mood} most often feel ` +
        `${likely.mood_after} (${percent(likely.probabilities[likely.mood_after])}).`));
  } else {
    const advice = element("p", { class: "answer", id: "recommended" });
    advice.append("Meditate ", element("strong", {}, `${answer.recommended_minutes} minutes`),
                  `: a ${chance} chance to feel ${target}, the best within ` +
                  `${searched(answer.curve)}.`);
    nodes.push(advice);
  }
  showCurve($("curve-figure"), { curve: answer.curve, best, target, mood });
  return nodes;
}

async function showStatus() {
  const status = $("status");
  status.hidden = false;
  status.textContent = "Checking the service…";
  try {
    const health = await callApi("/health");
    status.textContent = `Model ${health.model_version} is ready.`;
  } catch (problem) {
    status.textContent = `The service is not ready: ${problem.message}`;
  }
}

handleForm({
  form: predictForm, button: $("predict-button"), busyLabel: "Predicting…",
  result: $("predict-result"),
  read: () => {
    const [minutes, problem] = readMinutes($("predict-minutes"), contract, ASKED);
    const mood = $("predict-mood").value;
    return { values: { mood, minutes }, errors: problem ? [[$("predict-minutes"), problem]] : [],
             summary: `${mood}, ${$("predict-minutes").value} minutes` };
  },
  render: predict,
  fieldOf: (field) => ({
    duration_minutes: [$("predict-minutes"), lengthRule(contract)],
    mood_before: [$("predict-mood"), MOOD_WORDS],
  })[field],
});

handleForm({
  form: $("recommend-form"), button: $("recommend-button"), busyLabel: "Searching…",
  result: $("recommend-result"),
  read: () => {
    const [mood, target] = [$("recommend-mood").value, $("recommend-target").value];
    return { values: { mood, target }, errors: [], summary: `${mood} → ${target}` };
  },
  render: recommend,
  fieldOf: (field) => ({
    mood_before: [$("recommend-mood"), MOOD_WORDS],
    target_mood: [$("recommend-target"), "Choose one of the moods to feel in the list."],
  })[field],
});

steerMinutes();
showStatus();
setUpJournal();
showInsights();
