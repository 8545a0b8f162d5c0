// Downloads go through the API like every call (with credentials), then are saved by the browser.
import {api} from "./api.js";

export async function download(jobId, format) {
  const response = await api(`/jobs/${jobId}/download?format=${format}`, {raw: true});
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), {href: url, download: `${jobId}.${format}`});
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
