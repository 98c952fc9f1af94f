// Composer tools that depend on what this server offers (canned responses,
// attachments, the Issue's files). Each is loaded only if its API answers.

import { ApiError, get } from "./api.js";
import { CannedTool } from "./canned.js";

async function offered(path) {
  try {
    await get(path, { limit: 1 });
    return true;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return false;
    return true; // present, but failing now: show the tool; its own calls report errors
  }
}

export async function loadTools() {
  const tools = {};
  if (await offered("/canned-responses")) tools.canned = new CannedTool();
  return tools;
}
