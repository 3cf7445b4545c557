// Class imports: send the file with XMLHttpRequest (for upload progress), then follow the
// import job in place: rows handled of all and failures so far, at the end the summary and
// the bad rows. Every text from the service goes in as text, never as HTML.
import { element, sendForm } from "./common.js";
import { describe, followJob, importCounts } from "./jobs.js";

const form = document.querySelector("form[data-batch]");

function link(text, href) {
  const anchor = element("a", { text });
  anchor.href = href;
  return anchor;
}

function summary(result) {
  const list = element("dl", { className: "facts counts" });
  const rows = [
    ["Rows in the file", result.total],
    ["Stored", result.stored],
    ["Unchanged (imported before)", result.unchanged],
    ["Failed", result.failed],
    ["Students created", result.created_students],
    ["Model evaluations queued", result.evaluations.length],
  ];
  for (const [term, value] of rows) {
    const pair = element("div");
    pair.append(element("dt", { text: term }), element("dd", { text: String(value) }));
    list.append(pair);
  }
  return list;
}

function badRows(result) {
  const parts = [element("h3", { text: "Rows not imported" })];
  const list = element("ul", { className: "bad-rows" });
  for (const row of result.errors) {
    const who = row.student ? ` (${row.student})` : "";
    list.append(element("li", { text: `Line ${row.line}${who}: ${row.reason}` }));
  }
  parts.push(list);
  const more = result.failed - result.errors.length;
  if (more > 0) parts.push(element("p", { text: `And ${more} more bad rows.` }));
  return parts;
}

function showEnd(parts, job) {
  const box = parts.result;
  box.replaceChildren();
  if (job.status === "done") {
    box.append(summary(job.result));
    if (job.result.errors.length) box.append(...badRows(job.result));
  }
  const next = element("p", { className: "next-links" });
  const problemSet = form.dataset.problemSet;
  next.append(
    link("The import's page", `/jobs/${encodeURIComponent(job.job_id)}`), " · ",
    link("Submissions", `/classwork/${encodeURIComponent(problemSet)}`), " · ",
    link("Statistics", `/sets/${encodeURIComponent(problemSet)}/stats`),
  );
  box.append(next);
  parts.button.disabled = false;
}

function follow(parts, jobId) {
  parts.rows.parentElement.hidden = false;
  followJob(
    jobId,
    (job) => {
      if (job.result) {
        parts.rows.max = Math.max(job.result.total, 1);
        parts.rows.value = job.result.done;
      }
      parts.message.textContent = job.status === "done"
        ? `Imported. ${importCounts(job.result)}`
        : describe(job);
      if (job.status === "done" || job.status === "failed") showEnd(parts, job);
    },
    (status) => {
      parts.message.textContent = `The import could not be followed (the service answered ${status}).`;
      parts.button.disabled = false;
    },
  );
}

function upload(parts) {
  sendForm(form, form.dataset.uploadUrl, {
    onProgress: (percent) => {
      parts.upload.value = percent;
    },
    onAccepted: (body) => {
      parts.upload.value = 100;
      parts.message.textContent = "Uploaded; waiting for the import to start.";
      follow(parts, body.job_id);
    },
    onRefused: (detail) => {
      parts.message.textContent = `Not imported: ${detail}`;
      parts.button.disabled = false;
    },
    onFailed: () => {
      parts.message.textContent = "The upload failed; check the connection and try again.";
      parts.button.disabled = false;
    },
  });
}

if (form) {
  const status = document.getElementById("batch-status");
  const parts = {
    button: form.querySelector("button[type=submit]"),
    upload: document.getElementById("batch-upload"),
    rows: document.getElementById("batch-rows"),
    message: document.getElementById("batch-message"),
    result: document.getElementById("batch-result"),
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    parts.button.disabled = true;
    status.hidden = false;
    parts.upload.value = 0;
    parts.rows.value = 0;
    parts.rows.parentElement.hidden = true;
    parts.result.replaceChildren();
    parts.message.textContent = "Uploading…";
    upload(parts);
  });
}
