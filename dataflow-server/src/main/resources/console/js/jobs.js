// Statements run as jobs: submit, poll until they end, page their rows.
import {api} from "./api.js";
import {ApiError} from "./errors.js";

export const PAGE = 10_000;

/** Submits SQL; resolves to the job's id. Errors found before it starts reject at once. */
export async function submit(sql) {
  return (await api("/sql", {method: "POST", body: {sql}})).id;
}

/**
 * Polls a job until it ends; resolves to the job, rejects with its error if it failed. `onWait`
 * sees the job each time it is still queued or running.
 */
export async function finished(id, {interval = 150, onWait = () => {}} = {}) {
  for (;;) {
    const job = await api(`/jobs/${id}`);
    if (job.status === "COMPLETED") return job;
    if (job.status === "QUEUED" || job.status === "RUNNING") {
      onWait(job);
    } else {
      throw new ApiError(job.status === "CANCELLED" ? 499 : 400, {
        errorCode: job.errorCode || job.status,
        message: job.errorMessage || `The job ended ${job.status}`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

export function page(id, offset, limit = PAGE) {
  return api(`/jobs/${id}/results?offset=${offset}&limit=${limit}`);
}

export function cancel(id) {
  return api(`/jobs/${id}/cancel`, {method: "POST"});
}

/** Runs a short query and resolves to its first page (a preview, a count). */
export async function query(sql, limit = 100) {
  const id = await submit(sql);
  await finished(id);
  return page(id, 0, limit);
}
