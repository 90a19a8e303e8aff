// Vitest's JSON report has no field for unhandled errors (an error thrown outside any test,
// e.g. in an MQTT callback or a timer): vitest exits 1, yet every test reads "passed". This
// reporter writes their number and messages to .vitest-unhandled.json, which .ci/run counts
// as failures in its `tests:` line.
import { writeFileSync } from 'node:fs';
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

export const UNHANDLED_REPORT_FILE = '.vitest-unhandled.json';

export interface UnhandledReport {
  unhandledErrors: number;
  messages: string[];
}

export default class UnhandledErrorsReporter implements Reporter {
  onTestRunEnd(_testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const report: UnhandledReport = { unhandledErrors: unhandledErrors.length, messages: unhandledErrors.map((e) => `${e.name ?? 'Error'}: ${e.message}`) };
    writeFileSync(UNHANDLED_REPORT_FILE, `${JSON.stringify(report, null, 2)}\n`);
  }
}
