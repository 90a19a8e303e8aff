// What analytics reads back from the store's per-minute counts (forecast history, site
// occupancy after a restart): an interface, so analytics never imports the store downstream of it.
export interface CountsReader {
  countsBetween(
    fromMs: number,
    toMs: number,
    filter?: { source?: string; subject?: string; metric?: string },
  ): ReadonlyArray<{ minute: number; n: number }>;
}
