// Numbers as people read them: whole percents and minutes, grouped thousands.

export function percent(probability) {
  return `${Math.round(100 * probability)}%`;
}

export function count(number) {
  return Math.round(number).toLocaleString("en");
}

export function minutes(number) {
  const whole = Math.round(number);
  return `${whole} minute${whole === 1 ? "" : "s"}`;
}
