// A job's page: while the job runs, show its progress, and when it ends load the page again,
// so that the server shows its result (the page's "refresh" link does the same by hand).
import { describe, finished, followJob } from "./jobs.js";

const section = document.querySelector("[data-job]");

if (section && section.dataset.finished !== "true") {
  const bar = document.getElementById("job-progress");
  const message = document.getElementById("job-message");
  followJob(
    section.dataset.job,
    (job) => {
      bar.value = job.progress;
      if (finished(job)) {
        window.location.reload();
        return;
      }
      message.textContent = describe(job);
    },
    (status) => {
      message.textContent = `The job could not be followed (the service answered ${status}); refresh the page.`;
    },
  );
}
