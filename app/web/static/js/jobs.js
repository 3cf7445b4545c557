// Following a job from a page: ask /ui/jobs/{id} where it stands until it is done or failed,
// and say it in words.
import { uiHeaders } from "./common.js";

const POLL_MS = 1000;
const RETRY_MS = 5000;

/** Whether a job has ended, well or not. */
export function finished(job) {
  return job.status === "done" || job.status === "failed";
}

/** Call onUpdate with each state of the job until it ends; onLost(status) if it cannot be read. */
export function followJob(jobId, onUpdate, onLost) {
  async function poll() {
    let response;
    try {
      response = await fetch(`/ui/jobs/${encodeURIComponent(jobId)}`, {
        credentials: "same-origin",
        headers: uiHeaders({ Accept: "application/json" }),
      });
    } catch (error) {
      // The connection dropped: the job goes on without the page, so keep asking.
      setTimeout(poll, RETRY_MS);
      return;
    }
    if (!response.ok) {
      onLost(response.status);
      return;
    }
    const job = await response.json();
    onUpdate(job);
    if (!finished(job)) setTimeout(poll, POLL_MS);
  }
  poll();
}

/** An import's counts so far, in words. */
export function importCounts(result) {
  return `${result.done} of ${result.total} rows handled: ${result.stored} stored, ` +
    `${result.unchanged} unchanged, ${result.failed} failed.`;
}

/** Where a job stands, in words. */
export function describe(job) {
  if (job.status === "queued") {
    const ahead = job.queue_position ? ` (${job.queue_position} ahead)` : "";
    // The API says why a job not yet sent to the workers waits (their queue is unreachable).
    const why = job.waiting ? ` ${job.waiting}` : "";
    return `Waiting to start${ahead}.${why}`;
  }
  if (job.status === "failed") return `It failed: ${job.error ? job.error.detail : "no reason given"}`;
  if (job.kind === "batches.import" && job.result) return importCounts(job.result);
  return job.status === "done" ? "Done." : "Running…";
}
