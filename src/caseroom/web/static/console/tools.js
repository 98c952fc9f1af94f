// Composer tools that depend on what this server offers (canned responses,
// attachments, the Issue's files). Each is loaded only if its API answers.

export async function loadTools(directory) {
  return {};
}
