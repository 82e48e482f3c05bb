import { describe, expect, it } from 'vitest';
import { isKnownTimeZone, wallTimeToUtcMs, zoneOffsetMs } from '../../../src/wire/syslog/zone-offset.js';

const HOUR = 3_600_000;

describe('zone offsets', () => {
  it('answers the tz database offsets, east positive', () => {
    expect(zoneOffsetMs('UTC', Date.UTC(2024, 0, 1))).toBe(0);
    expect(zoneOffsetMs('Europe/Berlin', Date.UTC(2024, 0, 15))).toBe(HOUR);
    expect(zoneOffsetMs('Europe/Berlin', Date.UTC(2024, 6, 15))).toBe(2 * HOUR);
    expect(zoneOffsetMs('America/Los_Angeles', Date.UTC(2024, 0, 15))).toBe(-8 * HOUR);
    expect(zoneOffsetMs('Asia/Kolkata', Date.UTC(2024, 0, 15))).toBe(5.5 * HOUR);
    expect(zoneOffsetMs('Asia/Kathmandu', Date.UTC(2024, 0, 15))).toBe(5.75 * HOUR);
  });

  it('changes offset at the exact transition instant, also when cached', () => {
    const transition = Date.UTC(2024, 2, 31, 1, 0, 0); // Europe/Berlin, CET -> CEST
    for (let round = 0; round < 2; round++) {
      expect(zoneOffsetMs('Europe/Berlin', transition - 1)).toBe(HOUR);
      expect(zoneOffsetMs('Europe/Berlin', transition)).toBe(2 * HOUR);
    }
  });

  it('turns wall times into UTC instants', () => {
    expect(wallTimeToUtcMs('America/New_York', Date.UTC(2024, 6, 4, 12))).toBe(Date.UTC(2024, 6, 4, 16));
    expect(wallTimeToUtcMs('UTC', Date.UTC(2024, 6, 4, 12))).toBe(Date.UTC(2024, 6, 4, 12));
  });

  it('knows zone names the runtime knows, and reads others as UTC', () => {
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('Etc/UTC')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(zoneOffsetMs('Mars/Olympus_Mons', Date.UTC(2024, 0, 1))).toBe(0);
  });
});
