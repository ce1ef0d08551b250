/**
 * `npm run test:security -- --url URL`: the black-box security suite against any deployment.
 * Keys come from the environment (see docs/security-suite.md). Prints one line per check, then
 * `N passed, N failed, N skipped` as the last line; exits 1 on any failure, 2 on bad options.
 */
import { writeFileSync } from 'node:fs';
import { OptionsError, parseOptions } from './options.ts';
import { runSuite } from './suite.ts';
import { exitCode, summaryLine } from './report.ts';

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (e) {
    if (e instanceof OptionsError || (e instanceof Error && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  console.log(`security suite → ${options.url.origin} (groups: ${options.groups.join(', ')})`);
  const report = await runSuite(options, (line) => console.log(line));
  console.log(`${report.requests} requests in ${(report.durationMs / 1000).toFixed(1)} s${report.rateLimitWaitMs ? `, ${(report.rateLimitWaitMs / 1000).toFixed(0)} s waiting out 429s` : ''}`);
  if (options.json === '-') console.log(JSON.stringify(report, null, 2));
  else if (options.json) writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  console.log(summaryLine(report));
  return exitCode(report);
}

process.exitCode = await main();
