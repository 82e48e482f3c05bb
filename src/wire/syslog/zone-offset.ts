// UTC offsets of IANA time zones, from the runtime's own tz database through Intl. Asking Intl
// costs microseconds, so each zone keeps the offsets it has seen per quarter hour: every
// transition in the tz database falls on a quarter hour, so an offset found for one instant of a
// quarter hour holds for all of it.

const QUARTER_HOUR_MS = 15 * 60 * 1000;
const MAX_CACHED_QUARTERS = 8192;

interface ZoneCache {
  /** undefined for UTC and for names Intl does not know (they are read as UTC). */
  readonly format: Intl.DateTimeFormat | undefined;
  readonly offsets: Map<number, number>;
}

const zones = new Map<string, ZoneCache>();

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'Z', 'Zulu', 'Universal', 'Etc/Universal', 'UCT', 'Etc/UCT', '']);

function zoneCache(timeZone: string): ZoneCache {
  let zone = zones.get(timeZone);
  if (zone !== undefined) return zone;
  let format: Intl.DateTimeFormat | undefined;
  if (!UTC_NAMES.has(timeZone)) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      // Configuration validates zone names; a name this runtime lacks must still never make the
      // parser throw, so it reads as UTC.
      format = undefined;
    }
  }
  zone = { format, offsets: new Map() };
  zones.set(timeZone, zone);
  return zone;
}

/** Whether the runtime knows the zone (UTC aliases included). */
export function isKnownTimeZone(timeZone: string): boolean {
  return UTC_NAMES.has(timeZone) || zoneCache(timeZone).format !== undefined;
}

function computeOffsetMs(format: Intl.DateTimeFormat, utcMs: number): number {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of format.formatToParts(utcMs)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
      default:
        break;
    }
  }
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const flooredUtc = Math.floor(utcMs / 1000) * 1000;
  return wall - flooredUtc;
}

/** Offset of the zone from UTC, in ms, at the UTC instant utcMs (positive east of Greenwich). */
export function zoneOffsetMs(timeZone: string, utcMs: number): number {
  const zone = zoneCache(timeZone);
  if (zone.format === undefined) return 0;
  const quarter = Math.floor(utcMs / QUARTER_HOUR_MS);
  const cached = zone.offsets.get(quarter);
  if (cached !== undefined) return cached;
  const offset = computeOffsetMs(zone.format, quarter * QUARTER_HOUR_MS);
  if (zone.offsets.size >= MAX_CACHED_QUARTERS) zone.offsets.clear();
  zone.offsets.set(quarter, offset);
  return offset;
}

/**
 * The UTC instant of a wall-clock time in the zone, `wallMs` being that wall time read as if it
 * were UTC. In a gap (clocks forward) the result is shifted forward by the gap; in an overlap
 * (clocks back) the earlier of the two instants is taken, as most schedulers do.
 */
export function wallTimeToUtcMs(timeZone: string, wallMs: number): number {
  const first = zoneOffsetMs(timeZone, wallMs);
  if (first === 0 && zoneCache(timeZone).format === undefined) return wallMs;
  const guess = wallMs - first;
  const second = zoneOffsetMs(timeZone, guess);
  if (second === first) {
    // In an overlap both offsets fit; the larger offset gives the earlier instant.
    const earlier = zoneOffsetMs(timeZone, guess - 3 * 3600_000);
    if (earlier > first && zoneOffsetMs(timeZone, wallMs - earlier) === earlier) return wallMs - earlier;
    return guess;
  }
  // Either the first guess crossed a transition (the second offset is the right one) or the wall
  // time falls in a gap, where the offset from before the gap moves it forward past the gap.
  return wallMs - second;
}
