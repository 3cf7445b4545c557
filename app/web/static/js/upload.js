// Model uploads: send the form with XMLHttpRequest (for upload progress), then follow the
// evaluation job until its result lands.
import { element, sendForm } from "./common.js";
import { finished, followJob } from "./jobs.js";

function percent(fraction) {
  return `${(100 * fraction).toFixed(2)}%`;
}

function points(value) {
  return String(Number(value.toFixed(2)));
}

function row(list, term, value) {
  list.append(element("dt", { text: term }), element("dd", { text: value }));
}

function showResult(box, job) {
  const result = job.result;
  const grade = result.grade;
  const list = element("dl", { className: "graded" });
  row(list, "Verdict", `${grade.verdict}: ${points(grade.score)} of ${points(grade.max_score)} points`);
  const test = result.test;
  row(list, "Measured test accuracy",
    `${percent(test.accuracy)} (95% interval ${percent(test.ci_low)} to ${percent(test.ci_high)}, ${test.count} images)`);
  if (result.train) row(list, "Measured training accuracy", percent(result.train.accuracy));
  row(list, "Feedback", grade.feedback);
  if (result.notes.length) row(list, "Notes", result.notes.join("; "));
  box.replaceChildren(list);
  if (job.submission_id) {
    const link = element("a", { text: "See it with your other attempts" });
    link.href = `/submissions/${encodeURIComponent(job.submission_id)}`;
    const line = element("p");
    line.append(link);
    box.append(line);
  }
}

function describe(job) {
  if (job.status === "queued") {
    const ahead = job.queue_position ? ` (${job.queue_position} ahead)` : "";
    const why = job.waiting ? ` ${job.waiting}` : "";
    return `Waiting to be evaluated${ahead}.${why}`;
  }
  if (job.status === "running") return "Evaluating on the test images…";
  if (job.status === "done") return "Evaluated.";
  return `The evaluation failed: ${job.error ? job.error.detail : "no reason given"}`;
}

function follow(parts, jobId) {
  followJob(
    jobId,
    (job) => {
      parts.jobBar.value = Math.round(100 * job.progress);
      parts.status.textContent = describe(job);
      if (job.status === "done") showResult(parts.result, job);
      if (finished(job)) parts.button.disabled = false;
    },
    (status) => {
      parts.status.textContent = `The evaluation could not be followed (${status}).`;
      parts.button.disabled = false;
    },
  );
}

function upload(form) {
  const parts = {
    button: form.querySelector("button[type=submit]"),
    uploadBar: form.querySelector(".upload-progress"),
    jobBar: form.querySelector(".job-progress"),
    status: form.querySelector(".job-status"),
    result: form.querySelector(".job-result"),
  };
  parts.button.disabled = true;
  parts.result.replaceChildren();
  parts.uploadBar.value = 0;
  parts.uploadBar.parentElement.hidden = false;
  parts.jobBar.parentElement.hidden = true;
  parts.status.textContent = "Uploading…";
  sendForm(form, form.getAttribute("action"), {
    onProgress: (percent) => {
      parts.uploadBar.value = percent;
    },
    onAccepted: (body) => {
      parts.uploadBar.value = 100;
      parts.jobBar.parentElement.hidden = false;
      parts.status.textContent = "Uploaded; waiting to be evaluated.";
      follow(parts, body.job_id);
    },
    onRefused: (detail) => {
      parts.status.textContent = `Not accepted: ${detail}`;
      parts.button.disabled = false;
    },
    onFailed: () => {
      parts.status.textContent = "The upload failed; check the connection and try again.";
      parts.button.disabled = false;
    },
  });
}

for (const form of document.querySelectorAll("form[data-upload]")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    upload(form);
  });
}
