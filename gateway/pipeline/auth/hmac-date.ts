/**
 * The Date check of HMAC signatures (tyk-config.md 1.6). Tyk parses the date with Go's layouts
 * `Mon, 02 Jan 2006 15:04:05 MST` and `Mon, 02 Jan 2006 15:04:05 -07`; this reads the same text,
 * plus the zone forms real clients send (`+0000` from Python's formatdate, `+00:00`).
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Zone names and their offsets in minutes: UTC/GMT, and RFC 822's North American names. Go gives
 * any other abbreviation an offset of zero (so `CET` would be read an hour off); Hookgate refuses
 * a name it cannot place rather than guess.
 */
const ZONES: Record<string, number> = {
  GMT: 0, UTC: 0, UT: 0,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
};

const LAYOUT = /^(?:mon|tue|wed|thu|fri|sat|sun), (\d{2}) ([a-z]{3}) (\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)? (?:([A-Z]{2,4})|([+-])(\d{2})(?::?(\d{2}))?)$/i;

/** Milliseconds since the epoch of an HTTP signature date, or undefined when it does not parse. */
export function parseSignatureDate(value: string): number | undefined {
  const m = LAYOUT.exec(value.trim());
  if (m === null) return undefined;
  const [, dd, mon, yyyy, hh, mi, ss, zoneName, sign, zh, zm] = m;
  const month = MONTHS.indexOf((mon as string).toLowerCase());
  const day = Number(dd);
  const year = Number(yyyy);
  const hour = Number(hh);
  const minute = Number(mi);
  const second = Number(ss);
  if (month === -1 || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes: number;
  if (zoneName !== undefined) {
    const zone = ZONES[zoneName.toUpperCase()];
    if (zone === undefined) return undefined;
    offsetMinutes = zone;
  } else {
    const hours = Number(zh);
    const minutes = Number(zm ?? '0');
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  const utc = Date.UTC(year, month, day, hour, minute, second);
  // Day out of range for the month (31 Apr): Go refuses it; Date.UTC would roll it over.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  return utc - offsetMinutes * 60_000;
}

/**
 * Whether a signature date is acceptable at `now`. A date that does not parse always fails, even
 * with the check off (Tyk's behaviour, kept: the Date is part of every default signature). With
 * `skewMs` > 0, |now - date| must not exceed it; with 0 or less any parseable date passes.
 */
export function dateWithinSkew(value: string, skewMs: number, now: number): 'ok' | 'unparseable' | 'skewed' {
  const at = parseSignatureDate(value);
  if (at === undefined) return 'unparseable';
  if (skewMs <= 0) return 'ok';
  // Go truncates the difference to whole milliseconds before comparing.
  return Math.abs(Math.trunc(now - at)) > skewMs ? 'skewed' : 'ok';
}
