// What a section script hands to bench/run.mjs (`--report FILE`), and the generated blocks of
// BENCHMARKS.md.
//
// A section report is JSON: { section, ok, markdown, targets: [{ name, met, text }] }. `markdown` is
// the section's figures (tables and their notes, no heading); `met` is true, false, or null (not
// judged); `text` says the figure, the target and the verdict in one line.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Writes a section report when `file` is set (the section script's --report option). */
export function writeSectionReport(file, report) {
  if (file) writeFileSync(file, `${JSON.stringify(report)}\n`);
}

export const verdict = (met) => (met === true ? 'met' : met === false ? 'missed' : 'not judged');

const begin = (section) => `<!-- bench-results:${section}:begin (written by bench/run.mjs; edits here are overwritten) -->`;
const end = (section) => `<!-- bench-results:${section}:end -->`;

/**
 * Replaces the generated block of `section` in the markdown file with `content`; a file without
 * that block gets it appended. Everything outside the markers is kept as it is.
 */
export function writeBlock(file, section, content) {
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const block = `${begin(section)}\n${content.trimEnd()}\n${end(section)}`;
  const from = text.indexOf(begin(section));
  const to = text.indexOf(end(section));
  if (from >= 0 && to > from) text = text.slice(0, from) + block + text.slice(to + end(section).length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}
