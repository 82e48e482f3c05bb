// Items refused alone during a decode (a bad trace or span ID), tallied for OTLP partial success.
// Only the first reason is kept: the message is for a human reading the client's log, and one
// concrete example with a count says enough without growing with the request.

export class Rejections {
  count = 0;
  private firstReason = '';

  constructor(private readonly itemNoun: { one: string; many: string }) {}

  add(reason: string): void {
    if (this.count === 0) this.firstReason = reason;
    this.count++;
  }

  message(): string {
    if (this.count === 0) return '';
    const noun = this.count === 1 ? this.itemNoun.one : this.itemNoun.many;
    return `${this.count} ${noun} rejected: ${this.firstReason}`;
  }
}

/** Why an ID field is unacceptable, or '' when it is fine. `optional` IDs may be absent (empty). */
export function idProblem(field: string, id: Uint8Array, length: number, optional: boolean): string {
  if (id.length === 0 && optional) return '';
  if (id.length !== length) return `${field} must be ${length} bytes (got ${id.length})`;
  if (optional) return '';
  for (let i = 0; i < length; i++) if (id[i] !== 0) return '';
  return `${field} must not be all zeros`;
}
