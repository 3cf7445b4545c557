// What every page's script shares: the CSRF token, JSON calls, form uploads, and typesetting math.

const CSRF_HEADER = "X-CSRF-Token";

/** The session's CSRF token, from the page's <meta name="csrf-token">. */
export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

/** The headers every call to /ui/... carries. */
export function uiHeaders(extra = {}) {
  return { [CSRF_HEADER]: csrfToken(), ...extra };
}

/** POST a JSON body to a same-origin route; the Response. */
export function postJson(url, body, { signal } = {}) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: uiHeaders({ "Content-Type": "application/json", Accept: "application/json" }),
    body: JSON.stringify(body),
    signal,
  });
}

/**
 * POST a form with XMLHttpRequest, which reports upload progress: onProgress(percent) as the
 * body goes, then onAccepted(body) on 202 Accepted or onRefused(detail) on any other answer;
 * onFailed() when the connection fails.
 */
export function sendForm(form, url, { onProgress, onAccepted, onRefused, onFailed }) {
  const request = new XMLHttpRequest();
  request.open("POST", url);
  request.setRequestHeader(CSRF_HEADER, csrfToken());
  request.setRequestHeader("Accept", "application/json");
  request.responseType = "json";
  request.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) onProgress(Math.round((100 * event.loaded) / event.total));
  });
  request.addEventListener("load", () => {
    const body = request.response || {};
    if (request.status === 202) onAccepted(body);
    else onRefused(body.detail || `the service answered ${request.status}`);
  });
  request.addEventListener("error", () => onFailed());
  request.send(new FormData(form));
}

/** The `detail` of an error answer, or a plain message when there is none. */
export async function errorDetail(response) {
  try {
    const body = await response.json();
    if (body && typeof body.detail === "string") return body.detail;
  } catch (error) {
    // Not JSON: fall through to the status.
  }
  return `The service answered ${response.status}.`;
}

/** Typeset TeX into an element with KaTeX; without KaTeX, the source stays as text. */
export function typeset(element, tex, displayMode) {
  const katex = window.katex;
  element.textContent = tex;
  if (!katex) return;
  try {
    // katex.render builds DOM nodes and sets styles through the CSSOM, which the page's
    // Content-Security-Policy allows (an HTML string with style attributes would be blocked).
    katex.render(tex, element, { displayMode, throwOnError: false, output: "htmlAndMathml" });
  } catch (error) {
    element.textContent = tex;
  }
}

/** Typeset every element marked as math (`.math`) under root, once. */
export function typesetAll(root = document) {
  for (const element of root.querySelectorAll(".math:not([data-typeset])")) {
    const display = element.tagName === "DIV" || element.classList.contains("block") ||
      element.classList.contains("display");
    typeset(element, element.textContent, display);
    element.dataset.typeset = "";
  }
}

/** A new element with classes and text; text goes in as text, never as HTML. */
export function element(tag, { className = "", text = "" } = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}
