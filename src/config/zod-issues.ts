import type { z } from 'zod';

function joinPath(base: string, segments: readonly PropertyKey[]): string {
  let out = base;
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${String(s)}` : String(s);
  }
  return out;
}

/** Turns zod's issues into `path: problem` lines that name the key as it is spelled in the YAML. */
export function formatZodIssues(base: string, error: z.ZodError): string[] {
  const lines: string[] = [];
  for (const issue of error.issues) {
    const path = joinPath(base, issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${joinPath(path, [key])}: unknown key`);
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      lines.push(`${path}: required`);
    } else {
      lines.push(`${path}: ${issue.message}`);
    }
  }
  return lines;
}
