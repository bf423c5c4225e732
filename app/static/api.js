// Calls to the JSON API, the same one curl uses; failures become an ApiProblem in words.

export class ApiProblem extends Error {
  // What went wrong: the HTTP status (0 when the service did not answer) and per-field details.
  constructor(status, message, details = []) {
    super(message);
    this.status = status;
    this.details = details;
  }
}

export async function callApi(path, body = undefined, headers = {}) {
  let response;
  try {
    response = await fetch(path, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiProblem(0, "The service did not answer. Check the connection and try again.");
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const reason = data && (data.error || (data.reasons || []).join("; "));
    throw new ApiProblem(response.status,
                         reason || `The service answered with an error (${response.status}).`,
                         (data && data.details) || []);
  }
  return data;
}
