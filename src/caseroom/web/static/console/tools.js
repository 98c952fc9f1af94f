// Composer tools that depend on what this server offers (canned responses,
// attachments, the Issue's files). Each is loaded only if its API answers.

import { ApiError, get } from "./api.js";
import { AttachmentsTool } from "./attachments.js";
import { CannedTool } from "./canned.js";
import { FilesPanel } from "./files.js";

async function offered(path) {
  try {
    await get(path, { limit: 1 });
    return true;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return false;
    return true; // present, but failing now: show the tool; its own calls report errors
  }
}

export async function loadTools(directory) {
  const [canned, limits] = await Promise.all([
    offered("/canned-responses"),
    get("/limits").catch(() => null),
  ]);
  const tools = { limits };
  if (canned) tools.canned = new CannedTool({ admin: directory?.me.role === "admin" });
  if (limits && limits.max_files_per_message) {
    tools.attachments = new AttachmentsTool(limits);
    tools.files = new FilesPanel();
  }
  return tools;
}
