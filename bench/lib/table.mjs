// Markdown tables and number formats for the bench reports.

/**
 * A markdown table. `columns`: [title, 'l' | 'r'] pairs (or bare titles, left-aligned); `rows`:
 * arrays of cell text (a short row is padded with empty cells). Returns the lines joined with '\n'.
 */
export function markdownTable(columns, rows) {
  const cols = columns.map((c) => (Array.isArray(c) ? c : [c, 'l']));
  const lines = [`| ${cols.map(([title]) => title).join(' | ')} |`, `| ${cols.map(([, align]) => (align === 'r' ? '---:' : '---')).join(' | ')} |`];
  for (const row of rows) {
    const cells = cols.map((_, i) => String(row[i] ?? ''));
    lines.push(`|${cells.map((c) => (c ? ` ${c} ` : ' ')).join('|')}|`);
  }
  return lines.join('\n');
}

const ok = Number.isFinite;
export const fmt = {
  /** 1,234k */
  k: (n) => (ok(n) ? `${Math.round(n / 1000).toLocaleString('en-US')}k` : 'n/a'),
  /** 1.23 M */
  m: (n) => (ok(n) ? `${(n / 1e6).toFixed(2)} M` : 'n/a'),
  /** 1,234 */
  int: (n) => (ok(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'),
  /** 1.23 */
  f: (n, digits = 2) => (ok(n) ? n.toFixed(digits) : 'n/a'),
};
