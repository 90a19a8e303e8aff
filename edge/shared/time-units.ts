// Durations in milliseconds, defined once so every stage cuts minutes, hours and days the same
// way. Plain numbers (not a Duration type) because the hot paths and SQLite keep epoch ms.

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;
