// Preview while typing: after a pause, ask how the answer reads and show it typeset, or show
// the parse message with the place it points at. Nothing is graded or stored.
import { element, errorDetail, postJson, typeset } from "./common.js";

const PAUSE_MS = 300;
const form = document.getElementById("answers");
const url = form ? form.dataset.previewUrl : null;

function showParsed(region, latex) {
  const line = element("p");
  line.append(element("span", { className: "understood", text: "Understood as: " }));
  const math = element("span", { className: "math display" });
  line.append(math);
  region.replaceChildren(line);
  typeset(math, latex, true);
}

function showInvalid(region, text, message, position) {
  const line = element("p");
  line.append(element("span", { className: "not-understood", text: "Not understood: " }));
  line.append(document.createTextNode(message));
  region.replaceChildren(line);
  if (position === null || position === undefined || position > text.length) return;
  const where = element("p");
  where.append(document.createTextNode(`At character ${position + 1}: `));
  const code = element("code");
  code.append(document.createTextNode(text.slice(0, position)));
  const mark = element("mark", { text: text.slice(position, position + 1) || " " });
  mark.title = "here";
  code.append(mark, document.createTextNode(text.slice(position + 1)));
  where.append(code);
  region.append(where);
}

function watch(input) {
  const field = input.dataset.preview;
  const region = document.getElementById(`preview-${field}`);
  let timer = null;
  let pending = null;

  async function preview() {
    const text = input.value;
    if (pending) pending.abort();
    if (!text.trim()) {
      region.replaceChildren();
      input.removeAttribute("aria-invalid");
      return;
    }
    pending = new AbortController();
    let response;
    try {
      response = await postJson(url, { answers: { [field]: text } }, { signal: pending.signal });
    } catch (error) {
      if (error.name !== "AbortError") region.replaceChildren(element("p", { text: "The preview could not be reached." }));
      return;
    }
    if (input.value !== text) return;
    if (!response.ok) {
      region.replaceChildren(element("p", { text: await errorDetail(response) }));
      return;
    }
    const result = (await response.json()).fields[0];
    if (result.status === "parsed") {
      input.setAttribute("aria-invalid", "false");
      showParsed(region, result.parsed);
    } else {
      input.setAttribute("aria-invalid", "true");
      showInvalid(region, text, result.message, result.position);
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(preview, PAUSE_MS);
  });
}

if (url) {
  for (const input of document.querySelectorAll("[data-preview]")) watch(input);
}
