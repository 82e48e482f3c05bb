import { describe, expect, it } from 'vitest';
import { RateLimitedLog } from '../../../src/receivers/snmptrap/rate-limited-log.js';

describe('RateLimitedLog', () => {
  it('admits one line per key per interval and reports what it held back', () => {
    let now = 0;
    const limit = new RateLimitedLog(60_000, () => now);
    expect(limit.admit('10.0.0.1')).toEqual({ log: true, suppressed: 0 });
    expect(limit.admit('10.0.0.1')).toEqual({ log: false, suppressed: 1 });
    expect(limit.admit('10.0.0.2')).toEqual({ log: true, suppressed: 0 });
    now = 59_999;
    expect(limit.admit('10.0.0.1')).toEqual({ log: false, suppressed: 2 });
    now = 60_000;
    expect(limit.admit('10.0.0.1')).toEqual({ log: true, suppressed: 2 });
    expect(limit.admit('10.0.0.1')).toEqual({ log: false, suppressed: 1 });
    expect(limit.admit('10.0.0.2')).toEqual({ log: true, suppressed: 0 });
  });

  it('remembers at most maxKeys sources, dropping expired ones first, then the oldest', () => {
    let now = 0;
    const limit = new RateLimitedLog(1_000, () => now, 3);
    limit.admit('a');
    now = 500;
    limit.admit('b');
    limit.admit('c');
    expect(limit.size).toBe(3);
    now = 1_200; // a has expired, b and c have not
    expect(limit.admit('d')).toEqual({ log: true, suppressed: 0 });
    expect(limit.size).toBe(3);
    expect(limit.admit('b')).toEqual({ log: false, suppressed: 1 }); // still remembered
    expect(limit.admit('e')).toEqual({ log: true, suppressed: 0 }); // none expired: the oldest (b) goes
    expect(limit.size).toBe(3);
    expect(limit.admit('b')).toEqual({ log: true, suppressed: 0 });
  });
});
